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

  @Option(parsing: .unconditional, help: "Override train.epochs.")
  var epochs: Int?

  @Option(
    parsing: .unconditional,
    help: "Threads for GEMM and element-wise kernels (default: all cores).")
  var threads: Int?

  @Option(parsing: .unconditional, help: "Override train.seed.")
  var seed: Int?

  @Option(help: "Run directory (default: runs/<name>/<timestamp>/).")
  var out: String?

  @Option(name: .customLong("set"), help: "Override a spec key, e.g. --set optimizer.sgd.lr=0.05 (repeatable).")
  var overrides: [String] = []

  @Option(
    help: ArgumentHelp(
      "Continue a run directory (or a checkpoint in its checkpoints/) in place; "
        + "a checkpoint outside any run starts a new run from it."))
  var resume: String?

  @Flag(
    help: ArgumentHelp(
      "With --resume: when the newest checkpoint fails its checks, continue from the newest "
        + "older one that passes (and say which)."))
  var resumeFallback = false

  @Option(help: "Initialise weights from a checkpoint (weights only).")
  var initFrom: String?

  // Hidden, for scripts/interop-check.sh: the losses dlspec computed, step by step, on the
  // batches it took, so another engine's run can be compared with this one.
  @Option(help: .hidden)
  var traceLosses: String?

  @Option(help: .hidden)
  var stopAtStep: Int?

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let seed, seed < 0 { throw ValidationError("--seed must be at least 0") }
    if resume != nil && initFrom != nil { throw ValidationError("use --resume or --init-from, not both") }
    if resumeFallback && resume == nil { throw ValidationError("--resume-fallback needs --resume") }
    if let stopAtStep, stopAtStep < 1 { throw ValidationError("--stop-at-step must be at least 1") }
  }

  func run() throws {
    // Progress lines reach a file or pipe as they are printed, so a kill loses none of them.
    setvbuf(stdout, nil, _IOLBF, 0)
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
    // Before any run directory exists: the plan's buffers must fit the memory free now.
    try ensureFits(e, batch: e.train.value.batchSize)
    let text = checked.overriddenText ?? original
    let progress = isatty(STDERR_FILENO) == 1
    let threadCount = threads ?? Parallel.coreCount
    var created: String? = nil
    do {
      let runDirectory = try chooseRunDirectory(e, created: &created)
      let verb = resume == nil ? "training" : "resuming"
      print(
        "\(verb) '\(e.name)' → \(runDirectory)  (BLAS core \(BLAS.coreName), "
          + "\(threadCount) threads)")
      let canonical = CanonicalSpec.text(e)
      // Ctrl-C and SIGTERM end training at the next step with a checkpoint (exit 130 / 143).
      StopSignal.installHandlers()
      var options = Trainer.Options(
        runDirectory: runDirectory, specText: text, specCanonical: canonical, specPath: spec,
        overrides: assignments, commandLine: CommandLine.arguments, threads: threadCount,
        resume: resume, initFrom: initFrom, progress: progress,
        specChangeCheck: { stored in try checkResumeChanges(stored: stored, now: e) },
        stop: stopAtStep.map { StopSignal(atStep: $0) } ?? .process)
      options.resumeFallback = resumeFallback
      let s = try Trainer(e, options: options).run()
      if let traceLosses {
        // %.9g is a float32 loss exactly; one line per step taken.
        try FileWrite.write(s.losses.map { String(format: "%.9g\n", $0) }.joined(), to: traceLosses)
      }
      if let stop = s.stop, stopAtStep != nil, case .stepLimit = stop.reason {
        print("stopped at step \(s.steps) as asked; checkpoint \(stop.checkpoint)")
        return
      }
      if let stop = s.stop {
        printStopped(stop, runDirectory: runDirectory, assignments: assignments)
        throw ExitCode(stop.reason.exitStatus)
      }
      if s.alreadyComplete {
        // A new run directory made for a checkpoint that was already done stays empty.
        if let created { rmdir(created) }
        return
      }
      var line: String
      if s.startEpoch > 0 && s.epochsThisRun == 1 {
        line = String(
          format: "done: epoch %d of %d (1 this run) in %.1fs", s.epochs, s.epochsPlanned,
          s.wallSeconds)
      } else if s.startEpoch > 0 {
        line = String(
          format: "done: epochs %d–%d of %d (%d this run) in %.1fs", s.startEpoch + 1, s.epochs,
          s.epochsPlanned, s.epochsThisRun, s.wallSeconds)
      } else {
        line = "done: \(s.epochs) epoch\(s.epochs == 1 ? "" : "s")"
          + String(format: " in %.1fs", s.wallSeconds)
      }
      line += String(format: ", %.0f samples/s", s.samplesPerSecond)
      if e.task.value == .regression {
        line += String(format: ", train loss %.4g", s.trainLoss)
        if let v = s.validation?.regression { line += String(format: ", validation R² %.4f", v.r2) }
      } else {
        line += String(format: ", train accuracy %.4f", s.trainAccuracy)
        if let v = s.validation { line += String(format: ", validation accuracy %.4f", v.accuracy) }
      }
      print(line)
    } catch let exit as ExitCode {
      throw exit
    } catch {
      // A run directory made for this training and left empty by an early failure goes again.
      if let created { rmdir(created) }
      throw CLIError("\(error)")
    }
  }

  /// On `--resume` with a spec that differs from the checkpoint's: prints the semantic diff,
  /// saying which kind each change is, and refuses changes that alter shapes, architecture,
  /// optimizer state, data or the loss (only epochs, lr, schedule and checkpoint settings pass).
  func checkResumeChanges(stored: String, now e: Experiment) throws {
    let checked = SpecChecker().check(SourceFile(path: spec, text: stored))
    guard let old = checked.experiment else {
      print("note: the checkpoint's spec no longer checks with this build; resuming without a diff")
      return
    }
    var d = SpecDiff(from: old, to: e)
    // Raising --epochs is how a run is extended: it is said in the summary, not as a change.
    d.changes.removeAll { $0.kind == .epochs }
    if d.isEmpty { return }
    let lines = SpecDiffRenderer.changeLines(d)
    if d.isSafeToResume {
      print("note: the spec changed since this checkpoint; every change is safe to resume:")
      print(lines, terminator: lines.hasSuffix("\n") ? "" : "\n")
      return
    }
    throw CLIError(
      "the spec changed since this checkpoint in ways a resumed run cannot take:\n" + lines
        + (lines.hasSuffix("\n") ? "" : "\n")
        + "  = hint: only epochs, the learning rate, the schedule and checkpoint settings may "
        + "change on --resume; start a new run, or use --init-from to reuse the weights")
  }

  /// The run directory: the resumed run's, `--out`, or a new `runs/<name>/<timestamp>`
  /// (`created` is set to the one made here).
  func chooseRunDirectory(_ e: Experiment, created: inout String?) throws -> String {
    try RunDirectory.checkName(e.name)
    if let out { try RunDirectory.checkOut(out) }
    if let resume {
      guard FileManager.default.fileExists(atPath: resume) else {
        throw CLIError("--resume '\(resume)': no such run directory or checkpoint")
      }
      if let run = RunDirectory.run(ofResume: resume) {
        if let out, !RunDirectory.same(out, run) {
          throw CLIError(
            "--resume continues the run in '\(run)'; --out '\(out)' names another directory\n"
              + "  = hint: drop --out, or start a new run from its weights with --init-from")
        }
        return run
      }
    }
    if let out {
      try RunDirectory.refuseExistingRun(out)
      return out
    }
    let path = try RunDirectory.create(name: e.name)
    created = path
    return path
  }
}

/// A run-time failure: printed as `error: …` on stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
  var message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}
