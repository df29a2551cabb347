import Foundation

/// `metrics.csv`: one row per epoch, with the gradient norm of each layer with parameters (the
/// vanishing-gradient diagnostic of §4.3) as the last columns. Each row goes to the file with one write(2) and is
/// fsynced (`FileWrite.append`), so a kill loses at most the epoch in progress; a failed or
/// short write (a full disk) is cut off again, so the file never ends in half a row.
final class MetricsLog {
  let path: String
  let metrics: [String]
  let growth: Bool
  private(set) var header: [String]
  /// The rows so far: kept from an earlier invocation of the run (resume), then appended.
  private(set) var rows: [[String]] = []

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Starts a fresh file, or with `resumeAfter` continues an existing one: rows of epochs past
  /// the checkpoint's epoch (written after it, before a kill) are dropped first, so no epoch
  /// appears twice. Kept rows are rewritten under this log's header, cell by column name (an
  /// older writer logged a column for every layer; a grown run has more layers).
  /// - Parameter layers: the layers with parameters, one `grad_norm_<layer>` column each.
  /// - Parameter metrics: the figures after each loss: `accuracy`, or for regression `mse`,
  ///   `mae`, `r2` (columns `train_<m>` and `val_<m>`).
  /// - Parameter growth: a growing run logs `insertions`, the copies of the growth block in
  ///   the model trained that epoch (docs/growth.md).
  init(
    path: String, layers: [String], metrics: [String] = ["accuracy"], growth: Bool = false,
    resumeAfter epoch: Int? = nil
  ) throws {
    self.path = path
    self.metrics = metrics
    self.growth = growth
    header = Self.header(layers: layers, metrics: metrics, growth: growth)
    if let epoch, let data = FileManager.default.contents(atPath: path) {
      let text = String(decoding: data, as: UTF8.self)
      var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      // A last line without its newline was cut by a kill mid-write.
      if !text.hasSuffix("\n") || lines.last == "" { lines.removeLast() }
      var written = header
      if let first = lines.first, first.hasPrefix("epoch") {
        written = Self.cells(first)
        lines.removeFirst()
      }
      for row in lines {
        let cells = Self.cells(row)
        guard let e = cells.first.flatMap({ Int($0) }), e >= 1, e <= epoch else { continue }
        rows.append(Self.project(cells, from: written, to: header))
      }
    }
    try rewrite()
  }

  /// The columns of a log of `layers` (with parameters) and `metrics`.
  static func header(layers: [String], metrics: [String], growth: Bool = false) -> [String] {
    ["epoch", "step", "lr", "train_loss"] + metrics.map { "train_\($0)" } + ["val_loss"]
      + metrics.map { "val_\($0)" } + ["samples_per_s"] + (growth ? ["insertions"] : [])
      + layers.map { "grad_norm_\($0)" }
  }

  static func cells(_ row: String) -> [String] {
    row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
  }

  /// `cells` of columns `from`, rearranged under `to`; columns `to` has and `from` lacks are
  /// empty (a layer that did not exist yet).
  static func project(_ cells: [String], from: [String], to: [String]) -> [String] {
    if from == to { return cells }
    let index = Dictionary(from.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    return to.map { name in index[name].flatMap { $0 < cells.count ? cells[$0] : nil } ?? "" }
  }

  /// A grown model: the header gains the new layers' columns and every earlier row is
  /// rewritten under it, with empty cells for layers that did not exist yet.
  func regrow(layers: [String]) throws {
    let old = header
    header = Self.header(layers: layers, metrics: metrics, growth: growth)
    rows = rows.map { Self.project($0, from: old, to: header) }
    try rewrite()
  }

  /// Writes the header and the rows so far through `.tmp`, fsync and rename (FileWrite).
  private func rewrite() throws {
    let lines = [header.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }
    try FileWrite.write(lines.joined(separator: "\n") + "\n", to: path)
  }

  /// The value of column `name` in an earlier row, if present and numeric.
  func value(_ name: String, in row: [String]) -> Double? {
    guard let i = header.firstIndex(of: name), i < row.count else { return nil }
    return Double(row[i])
  }

  /// `trainMetrics` in the order of the `metrics` the log was opened with; `gradientNorms` one
  /// per layer of the header.
  func append(
    epoch: Int, step: Int, lr: Double, trainLoss: Double, trainMetrics: [Double],
    validation: Evaluation?, samplesPerSecond: Double, insertions: Int = 0,
    gradientNorms: [Double]
  ) throws {
    var cells = [String(epoch), String(step), "\(lr)", "\(trainLoss)"]
    cells += trainMetrics.map { "\($0)" }
    cells.append(validation.map { "\($0.loss)" } ?? "")
    cells += validation.map { $0.metricValues.map { "\($0.value)" } }
      ?? trainMetrics.map { _ in "" }
    cells.append(String(format: "%.1f", samplesPerSecond))
    if growth { cells.append(String(insertions)) }
    cells += gradientNorms.map { "\($0)" }
    try FileWrite.append(Array((cells.joined(separator: ",") + "\n").utf8), to: path)
    rows.append(cells)
  }
}
