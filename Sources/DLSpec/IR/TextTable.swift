/// Aligned plain-text tables for `inspect`, `cost` and `inspect --plan`: one place that pads
/// columns, so the renderers only choose their cells.
public enum TextTable {
  /// The width of each column: its widest cell.
  public static func widths(_ rows: [[String]]) -> [Int] {
    var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
    for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return widths
  }

  /// Each row as a line: cells padded to their column's width (right-aligned in the columns
  /// named), two spaces apart, trailing spaces removed.
  public static func lines(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
    let widths = widths(rows)
    return rows.map { r in
      var line = r.enumerated().map { i, cell in
        rightAligned.contains(i) ? cell.leftPadded(widths[i]) : cell.rightPadded(widths[i])
      }.joined(separator: "  ")
      while line.last == " " { line.removeLast() }
      return line
    }
  }
}

extension String {
  /// The string right-aligned in `width` columns (unchanged when already that wide).
  public func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }

  /// The string left-aligned in `width` columns (unchanged when already that wide).
  public func rightPadded(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
