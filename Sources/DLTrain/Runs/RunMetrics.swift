import Foundation

/// A run's `metrics.csv`, read tolerantly: columns by header name, one row per epoch, cells
/// that are empty or not numbers are `nil`, short or garbled lines (a row half-written when the
/// trainer was killed) are skipped.
public struct RunMetrics: Sendable {
  public var columns: [String]
  public var rows: [[Double?]]

  public init(columns: [String], rows: [[Double?]]) {
    self.columns = columns
    self.rows = rows
  }

  /// Reads `path`, or `nil` when there is no readable file with a header.
  public static func read(path: String) -> RunMetrics? {
    guard case .data(let data) = RegularFile.read(path, limit: 256 << 20) else { return nil }
    return parse(String(decoding: data, as: UTF8.self))
  }

  public static func parse(_ text: String) -> RunMetrics? {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    guard !lines.isEmpty else { return nil }
    let columns = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    guard columns.contains("epoch") else { return nil }
    // The last line may be cut short by a kill; a row counts only with every cell present.
    let rows: [[Double?]] = lines.compactMap { line in
      let cells = line.split(separator: ",", omittingEmptySubsequences: false)
      guard cells.count == columns.count else { return nil }
      return cells.map { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
    return RunMetrics(columns: columns, rows: rows)
  }

  /// The column's values, top to bottom.
  public func column(_ name: String) -> [Double?] {
    guard let i = columns.firstIndex(of: name) else { return [] }
    return rows.map { $0[i] }
  }

  /// The column's value in the last row.
  public func last(_ name: String) -> Double? { column(name).last ?? nil }

  /// The largest (or, with `largest: false`, smallest) value in the column and its epoch.
  public func best(_ name: String, largest: Bool = true) -> (value: Double, epoch: Int?)? {
    let epochs = column("epoch")
    var best: (value: Double, epoch: Int?)? = nil
    for (i, v) in column(name).enumerated() {
      guard let v else { continue }
      if let b = best, largest ? v <= b.value : v >= b.value { continue }
      best = (v, epochs[i].map { Int($0) })
    }
    return best
  }
}
