import Foundation

/// `metrics.csv` of a run, read for plotting: column names from the header row, then one row
/// of optional numbers per line (an empty or non-numeric cell is nil).
///
/// Tolerant of what a live or killed run leaves behind: a last line cut short by a crash
/// (no newline and fewer cells than the header) is dropped, unknown columns are kept, a
/// repeated header (an appended resume) is skipped. A missing or empty file is an error.
///
/// ```
/// epoch,step,lr,train_loss,train_accuracy,val_loss,val_accuracy,samples_per_s,grad_norm_dense_1
/// 1,540,0.39,0.61,0.79,0.52,0.82,41000.0,0.35
/// ```
public struct MetricsTable: Equatable, Sendable {
  public var columns: [String]
  /// One array per data row, `columns.count` cells each.
  public var rows: [[Double?]]

  public init(columns: [String], rows: [[Double?]]) {
    self.columns = columns
    self.rows = rows.map { r in
      r.count >= columns.count
        ? Array(r.prefix(columns.count))
        : r + [Double?](repeating: nil, count: columns.count - r.count)
    }
  }

  /// Why a metrics file could not be read.
  public enum ReadError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case empty(path: String)

    public var description: String {
      switch self {
      case .missing(let p): return "\(p): no such file"
      case .unreadable(let p, let reason): return "\(p): cannot read it: \(reason)"
      case .empty(let p): return "\(p): empty file, no header row (the run has not started?)"
      }
    }
  }

  public static func read(path: String) throws -> MetricsTable {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ReadError.missing(path: path)
    }
    if isDirectory.boolValue { throw ReadError.unreadable(path: path, reason: "it is a directory") }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ReadError.unreadable(path: path, reason: error.localizedDescription)
    }
    return try parse(String(decoding: data, as: UTF8.self), path: path)
  }

  /// Parses CSV text; `path` only names the file in errors.
  public static func parse(_ text: String, path: String = "metrics.csv") throws -> MetricsTable {
    // "\r\n" is one Character in Swift, so it is a separator of its own.
    let newline: (Character) -> Bool = { $0 == "\n" || $0 == "\r\n" }
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: newline).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    let complete = text.last.map(newline) ?? false
    if lines.last == "" { lines.removeLast() }
    while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty {
      lines.removeFirst()
    }
    guard let header = lines.first else { throw ReadError.empty(path: path) }
    let columns = cells(header)
    var rows: [[Double?]] = []
    for (i, line) in lines.enumerated().dropFirst() {
      let raw = cells(line)
      if line.trimmingCharacters(in: .whitespaces).isEmpty || raw == columns { continue }
      // A row still being written when the run died: no newline, and cells missing.
      if i == lines.count - 1 && !complete && raw.count < columns.count { continue }
      rows.append(raw.map { Double($0.trimmingCharacters(in: .whitespaces)) })
    }
    return MetricsTable(columns: columns, rows: rows)
  }

  private static func cells(_ line: String) -> [String] {
    line.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
  }

  /// The values of `name`, one per row, or nil when there is no such column.
  public func column(_ name: String) -> [Double?]? {
    guard let i = columns.firstIndex(of: name) else { return nil }
    return rows.map { $0[i] }
  }

  /// True when the column exists and holds at least one finite number.
  public func hasValues(_ name: String) -> Bool {
    column(name)?.contains { $0?.isFinite == true } ?? false
  }

  /// `y` against `x` (epoch by default), sorted by x; when an x repeats (an epoch run again
  /// after a resume) the last row wins. Rows without an x are left out; without an `x`
  /// column, the row number (1, 2, …) stands in.
  public func points(_ y: String, against x: String = "epoch") -> [PlotPoint] {
    guard let ys = column(y) else { return [] }
    let xs = column(x) ?? rows.indices.map { Double($0 + 1) }
    var byX: [Double: Double?] = [:]
    var order: [Double] = []
    for (xv, yv) in zip(xs, ys) {
      guard let xv, xv.isFinite else { continue }
      if byX[xv] == nil { order.append(xv) }
      byX[xv] = .some(yv.flatMap { $0.isFinite ? $0 : nil })
    }
    return order.sorted().map { PlotPoint(x: $0, y: byX[$0] ?? nil) }
  }
}
