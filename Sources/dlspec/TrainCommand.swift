import ArgumentParser
import DLRuntime
import DLSpec
import DLTrain
import Foundation

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a spec's model on its data; writes a run directory with metrics and checkpoints.")

  @Argument(help: "The spec file.")
  var spec: String

  @Option(help: "Override train.epochs.")
  var epochs: Int?

  @Option(help: "Threads for GEMM and element-wise kernels (default: all cores).")
  var threads: Int?

  @Option(help: "Override train.seed.")
  var seed: Int?

  @Option(help: "Run directory (default: runs/<name>/<timestamp>/).")
  var out: String?

  @Option(name: .customLong("set"), help: "Override a spec key, e.g. --set optimizer.sgd.lr=0.05 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Continue from a run directory or checkpoint file.")
  var resume: String?

  @Option(help: "Initialise weights from a checkpoint (weights only).")
  var initFrom: String?

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let seed, seed < 0 { throw ValidationError("--seed must be at least 0") }
    if resume != nil && initFrom != nil { throw ValidationError("use --resume or --init-from, not both") }
  }

  func run() throws {
    guard let original = try? String(contentsOfFile: spec, encoding: .utf8) else {
      _ = try loadExperiment(spec)
      return
    }
    var assignments = overrides
    if let epochs { assignments.append("train.epochs=\(epochs)") }
    if let seed { assignments.append("train.seed=\(seed)") }
    // The spec as overridden is what runs, read through validate's checks (size, UTF-8); an
    // override's errors point into its `--set` argument. `--epochs`/`--seed` read as the
    // `--set train.epochs=N` they stand for. Only errors are printed (validate shows warnings).
    let checked = SpecChecker().check(path: spec, overrides: assignments)
    let e = try reported(checked, path: spec, quietWarnings: true)
    let text = checked.overriddenText ?? original
    let runDirectory = out ?? defaultRunDirectory(e.name)
    var resumePath = resume
    if let r = resume, FileManager.default.fileExists(atPath: r + "/checkpoints/last.h5") {
      resumePath = r + "/checkpoints/last.h5"
    }
    let progress = isatty(STDERR_FILENO) == 1
    let threadCount = threads ?? Parallel.coreCount
    print("training '\(e.name)' → \(runDirectory)  (BLAS core \(BLAS.coreName), \(threadCount) threads)")
    do {
      let trainer = Trainer(
        e, options: Trainer.Options(
          runDirectory: runDirectory, specText: text, threads: threadCount, resume: resumePath,
          initFrom: initFrom, progress: progress))
      let s = try trainer.run()
      var line = String(format: "done: %d epochs in %.1fs, %.0f samples/s, train accuracy %.4f", s.epochs, s.wallSeconds, s.samplesPerSecond, s.trainAccuracy)
      if let v = s.validation { line += String(format: ", validation accuracy %.4f", v.accuracy) }
      print(line)
    } catch {
      throw CLIError("\(error)")
    }
  }

  func defaultRunDirectory(_ name: String) -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.locale = Locale(identifier: "en_US_POSIX")
    return "runs/\(name)/\(f.string(from: Date()))"
  }
}

/// A run-time failure: printed as `error: …` on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
  var message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}
