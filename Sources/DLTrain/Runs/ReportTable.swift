import DLSpec
import Foundation

/// A table of strings rendered as aligned text, a GitHub markdown table or CSV (RFC 4180): the
/// one renderer behind `runs`, `runs compare`, `sweep.csv` and `sweep.md`.
public struct ReportTable: Sendable, Equatable {
  public var header: [String]
  public var rows: [[String]]
  /// Columns right-aligned in text (numbers).
  public var rightAligned: Set<Int>

  public init(header: [String], rows: [[String]], rightAligned: Set<Int> = []) {
    self.header = header
    self.rows = rows
    self.rightAligned = rightAligned
  }

  public var text: String {
    TextTable.lines([header] + rows, rightAligned: rightAligned).joined(separator: "\n") + "\n"
  }

  public var markdown: String {
    func line(_ cells: [String]) -> String {
      "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ")
        + " |"
    }
    let rule = "|" + header.indices.map { rightAligned.contains($0) ? "---:|" : "---|" }.joined()
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
  }

  public var csv: String {
    ([header] + rows).map { $0.map(Self.csvCell).joined(separator: ",") + "\n" }.joined()
  }

  static func csvCell(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return s
    }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

/// Number and time formats shared by the run and sweep tables.
public enum RunFormat {
  public static func metric(_ d: Double?) -> String {
    d.map { String(format: "%.4f", $0) } ?? "-"
  }

  /// 42.1s, 3m05s, 2h03m.
  public static func duration(_ s: Double?) -> String {
    guard let s, s.isFinite, s >= 0 else { return "-" }
    if s < 10 { return String(format: "%.2fs", s) }
    if s < 60 { return String(format: "%.1fs", s) }
    let total = Int(s.rounded())
    if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
    return String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
  }

  /// `yyyy-MM-dd HH:mm:ss` in UTC.
  public static func time(_ d: Date?) -> String {
    guard let d else { return "-" }
    return formatter("yyyy-MM-dd HH:mm:ss").string(from: d)
  }

  /// ISO 8601 UTC, for JSON.
  public static func iso(_ d: Date?) -> String? {
    d.map { formatter("yyyy-MM-dd'T'HH:mm:ss'Z'").string(from: $0) }
  }

  static func formatter(_ format: String) -> DateFormatter {
    let f = DateFormatter()
    f.dateFormat = format
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    return f
  }
}
