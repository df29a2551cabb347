import DLTrain
import Foundation

extension TrainCommand {
  /// After a stop by signal: where the run stopped, its checkpoint, and the command that
  /// continues it (with the same overrides, so the resumed spec is the one that ran).
  func printStopped(_ stop: Trainer.Stop, runDirectory: String, assignments: [String]) {
    print("stopped by \(stop.reason) at \(stop.at.text); checkpoint \(stop.checkpoint)")
    var words = ["dlspec", "train", spec, "--resume", runDirectory]
    for a in assignments { words += ["--set", a] }
    if let threads { words += ["--threads", "\(threads)"] }
    print("resume with: " + words.map(Self.shellQuoted).joined(separator: " "))
  }

  /// `word` as a POSIX shell reads it back: bare when it holds only safe characters.
  static func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
    if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
