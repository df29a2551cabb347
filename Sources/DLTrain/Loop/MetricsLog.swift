import Foundation

/// `metrics.csv`: one row per epoch, with per-layer gradient norms (the vanishing-gradient
/// diagnostic of §4.3) as the last columns.
final class MetricsLog {
  let path: String
  let layers: [String]

  init(path: String, layers: [String], append: Bool) {
    self.path = path
    self.layers = layers
    if !(append && FileManager.default.fileExists(atPath: path)) {
      let header = ["epoch", "step", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "samples_per_s"]
        + layers.map { "grad_norm_\($0)" }
      try? (header.joined(separator: ",") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
  }

  func append(
    epoch: Int, step: Int, lr: Double, trainLoss: Double, trainAccuracy: Double,
    validation: Evaluation?, samplesPerSecond: Double, gradientNorms: [Double]
  ) {
    var cells = [String(epoch), String(step), "\(lr)", "\(trainLoss)", "\(trainAccuracy)"]
    cells.append(validation.map { "\($0.loss)" } ?? "")
    cells.append(validation.map { "\($0.accuracy)" } ?? "")
    cells.append(String(format: "%.1f", samplesPerSecond))
    cells += gradientNorms.map { "\($0)" }
    guard let handle = FileHandle(forWritingAtPath: path) else { return }
    handle.seekToEndOfFile()
    handle.write(Data((cells.joined(separator: ",") + "\n").utf8))
    handle.closeFile()
  }
}
