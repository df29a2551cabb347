import Foundation

/// `metrics.csv`: one row per epoch, with per-layer gradient norms (the vanishing-gradient
/// diagnostic of §4.3) as the last columns. Each row goes to the file with one write(2), so a
/// kill loses at most the epoch in progress.
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
    let temporary = path + ".tmp"
    do {
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(
        to: URL(fileURLWithPath: temporary))
    } catch {
      throw Failure(description: "cannot write '\(temporary)': \(RunDirectory.reason(error))")
    }
    guard rename(temporary, path) == 0 else {
      throw Failure(
        description:
          "cannot rename '\(temporary)' to '\(path)': \(String(cString: strerror(errno)))")
    }
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
    let bytes = Array((cells.joined(separator: ",") + "\n").utf8)
    let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard fd >= 0 else {
      throw Failure(description: "cannot open '\(path)': \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else {
      throw Failure(description: "cannot append to '\(path)': \(String(cString: strerror(errno)))")
    }
  }
}
