import Foundation

/// A one-line progress bar on a terminal (stderr): epoch, batch, loss, samples/s and ETA of the
/// epoch. Off when stderr is not a terminal; then only the per-epoch lines are printed.
enum ProgressBar {
  static func draw(
    epoch: Int, of epochs: Int, batch: Int, of batches: Int, loss: Double,
    samplesPerSecond: Double, etaSeconds: Double
  ) {
    guard batch == batches || batch % 10 == 0 else { return }
    let width = 30
    let filled = width * batch / max(1, batches)
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let stats = String(format: "loss %.4f  %.0f samples/s  ETA %.0fs", loss, samplesPerSecond, etaSeconds)
    let line = "\repoch \(epoch)/\(epochs) [\(bar)] \(batch)/\(batches)  " + stats
    FileHandle.standardError.write(Data(line.utf8))
  }

  static func finish() {
    FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
  }
}
