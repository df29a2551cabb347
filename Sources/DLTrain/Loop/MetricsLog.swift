import Foundation

/// `metrics.csv`: one row per epoch, with per-layer gradient norms (the vanishing-gradient
/// diagnostic of §4.3) as the last columns. Each row goes to the file with one write(2) and is
/// fsynced (`FileWrite.append`), so a kill loses at most the epoch in progress; a failed or
/// short write (a full disk) is cut off again, so the file never ends in half a row.
final class MetricsLog {
  let path: String
  let header: [String]
  /// The rows kept from an earlier invocation of the run (resume), as cells.
  private(set) var earlierRows: [[String]] = []

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Starts a fresh file, or with `resumeAfter` continues an existing one: rows of epochs past
  /// the checkpoint's epoch (written after it, before a kill) are dropped first, so no epoch
  /// appears twice.
  /// - Parameter metrics: the figures after each loss: `accuracy`, or for regression `mse`,
  ///   `mae`, `r2` (columns `train_<m>` and `val_<m>`).
  init(
    path: String, layers: [String], metrics: [String] = ["accuracy"], resumeAfter epoch: Int? = nil
  ) throws {
    self.path = path
    header =
      ["epoch", "step", "lr", "train_loss"] + metrics.map { "train_\($0)" } + ["val_loss"]
      + metrics.map { "val_\($0)" } + ["samples_per_s"]
      + layers.map { "grad_norm_\($0)" }
    var lines = [header.joined(separator: ",")]
    if let epoch, let data = FileManager.default.contents(atPath: path) {
      let text = String(decoding: data, as: UTF8.self)
      var rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      // A last line without its newline was cut by a kill mid-write.
      if !text.hasSuffix("\n") || rows.last == "" { rows.removeLast() }
      if let first = rows.first, first.hasPrefix("epoch") {
        lines = [first]
        rows.removeFirst()
      }
      for row in rows {
        let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let e = cells.first.flatMap({ Int($0) }), e >= 1, e <= epoch else { continue }
        earlierRows.append(cells)
        lines.append(row)
      }
    }
    // The header and kept rows go through `.tmp`, fsync and rename (FileWrite).
    try FileWrite.write(lines.joined(separator: "\n") + "\n", to: path)
  }

  /// The value of column `name` in an earlier row, if present and numeric.
  func value(_ name: String, in row: [String]) -> Double? {
    guard let i = header.firstIndex(of: name), i < row.count else { return nil }
    return Double(row[i])
  }

  /// `trainMetrics` in the order of the `metrics` the log was opened with.
  func append(
    epoch: Int, step: Int, lr: Double, trainLoss: Double, trainMetrics: [Double],
    validation: Evaluation?, samplesPerSecond: Double, gradientNorms: [Double]
  ) throws {
    var cells = [String(epoch), String(step), "\(lr)", "\(trainLoss)"]
    cells += trainMetrics.map { "\($0)" }
    cells.append(validation.map { "\($0.loss)" } ?? "")
    cells += validation.map { $0.metricValues.map { "\($0.value)" } }
      ?? trainMetrics.map { _ in "" }
    cells.append(String(format: "%.1f", samplesPerSecond))
    cells += gradientNorms.map { "\($0)" }
    try FileWrite.append(Array((cells.joined(separator: ",") + "\n").utf8), to: path)
  }
}
