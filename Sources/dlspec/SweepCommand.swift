import ArgumentParser
import DLRuntime
import DLSpec
import DLTrain
import Foundation

/// `dlspec sweep`: a grid of overrides, each point a full run under one sweep directory, in the
/// spirit of Hydra's multirun. docs/sweeps.md describes the layout and resume semantics.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Train every point of a grid of overrides; one table of results.",
    discussion: """
      SPEC is a spec with --grid options, or a sweep file (a top-level `sweep: 1` or `grid:`; \
      see specs/sweeps/). Values are split on commas outside brackets and quotes: \
      --grid 'model.input=[1,28,28],[784]' has two values. Points run in grid order, the last \
      key varying fastest; each is validated before any trains. Writes DIR/sweep.json, \
      sweep.csv, sweep.md and points/NNN-<slug>/ run directories.
      """)

  @Argument(help: "The spec file, or a sweep file.")
  var spec: String

  @Option(
    help: "A swept key and its values, KEY=V1,V2,... (repeatable; the grid is their product).")
  var grid: [String] = []

  @Option(name: .customLong("set"), help: "Override a spec key for every point (repeatable).")
  var overrides: [String] = []

  @Option(help: "Points trained at once (default 1).")
  var jobs: Int?

  @Option(help: "Threads per point (default: cores / jobs).")
  var threads: Int?

  @Flag(help: "Allow jobs × threads to exceed the number of cores.")
  var oversubscribe = false

  @Option(help: "Override train.epochs for every point.")
  var epochs: Int?

  @Option(help: "Sweep directory (default: runs/sweeps/<name>/<timestamp>/).")
  var out: String?

  @Flag(help: "Continue the sweep in --out: run only the points that are missing or failed.")
  var resume = false

  @Flag(inversion: .prefixedNo, help: "Evaluate each point on the test set when the spec has one.")
  var evaluate: Bool?

  @Option(help: "Output format: text or json (the final sweep.json).")
  var format: OutputFormat = .text

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if resume && out == nil {
      throw ValidationError("--resume needs --out DIR, the sweep to continue")
    }
  }

  func run() throws {
    guard let text = try? String(contentsOfFile: spec, encoding: .utf8) else {
      _ = try loadExperiment(spec)
      throw CLIError("cannot read \(spec)")
    }
    var specPath = spec
    var specText = text
    var sweepFile: SweepFile? = nil
    if SweepFile.isSweepFile(text, path: spec) {
      switch SweepFile.parse(SourceFile(path: spec, text: text)) {
      case .failure(let problems):
        let diagnostics = problems.diagnostics
        FileHandle.standardError.write(
          Data(
            DiagnosticRenderer.text(
              diagnostics, sources: [spec: SourceFile(path: spec, text: text)]
            ).utf8))
        throw CLIError(
          "\(spec): not a valid sweep file (\(DiagnosticRenderer.summary(diagnostics)))")
      case .success(let f):
        sweepFile = f
        if !grid.isEmpty {
          throw ValidationError(
            "\(spec) is a sweep file with its own grid; give --grid with a spec instead")
        }
        specPath = f.spec
        guard let t = try? String(contentsOfFile: f.spec, encoding: .utf8) else {
          throw CLIError("\(spec): its spec '\(f.spec)' cannot be read")
        }
        specText = t
      }
    }
    let gridValue: SweepGrid
    do {
      gridValue = try sweepFile?.grid ?? SweepGrid(arguments: grid)
    } catch {
      throw ValidationError("\(error)")
    }
    if gridValue.axes.isEmpty {
      throw ValidationError("give at least one --grid KEY=V1,V2,... (or a sweep file)")
    }
    let jobCount = jobs ?? sweepFile?.jobs ?? 1
    let cores = Parallel.coreCount
    let threadCount = threads ?? sweepFile?.threads ?? max(1, cores / jobCount)
    if jobCount * threadCount > cores && !oversubscribe {
      throw ValidationError(
        "--jobs \(jobCount) × --threads \(threadCount) = \(jobCount * threadCount) threads, more than "
          + "this machine's \(cores) cores; lower them, or pass --oversubscribe")
    }
    let setList = (sweepFile?.set ?? []) + overrides
    let epochCount = epochs ?? sweepFile?.epochs
    let plan: SweepPlan
    do {
      plan = try SweepPlan.make(
        specPath: specPath, specText: specText, set: setList, grid: gridValue, epochs: epochCount)
    } catch let failure as SweepPlan.Failure {
      FileHandle.standardError.write(Data((failure.description + "\n").utf8))
      throw CLIError("the sweep is not valid; nothing was trained")
    }
    guard let first = plan.points.first else { throw CLIError("the grid has no points") }
    let settings = SweepState.Settings(
      name: first.experiment.name, specPath: specPath,
      specSHA256: SHA256.hex(of: Array(specText.utf8)),
      sweepFile: sweepFile?.path, set: setList, grid: gridValue, epochs: epochCount, jobs: jobCount,
      threads: threadCount, evaluate: evaluate ?? sweepFile?.evaluate ?? true)
    let directory = out ?? sweepFile?.out ?? defaultDirectory(settings.name)
    var state = try prepare(directory, settings: settings, plan: plan)
    let log: @Sendable (String) -> Void = { [format] line in
      let data = Data((line + "\n").utf8)
      if format == .json {
        FileHandle.standardError.write(data)
      } else {
        FileHandle.standardOutput.write(data)
      }
    }
    let actions: [(index: Int, action: SweepRunner.Action)]
    if resume {
      actions = SweepResume.actions(&state, plan: plan, directory: directory, log: log)
    } else {
      actions = state.points.map { ($0.index, .train) }
    }
    let done = state.points.count - actions.count
    log(
      "sweep '\(settings.name)': \(state.points.count) points"
        + (resume ? " (\(done) done, \(actions.count) to run)" : "")
        + ", \(jobCount) job\(jobCount == 1 ? "" : "s") × \(threadCount) thread\(threadCount == 1 ? "" : "s")"
        + (epochCount.map { ", \($0) epoch\($0 == 1 ? "" : "s")" } ?? "") + " → \(directory)")
    let runner = SweepRunner(
      state: state, plan: plan,
      configuration: SweepRunner.Configuration(
        binary: Self.binary(), directory: directory, specPath: specPath, specText: specText,
        log: log))
    let failure = runner.run(actions)
    let finished = runner.state.points.filter { $0.status == .finished }.count
    if format == .json { print(runner.state.json.render()) }
    if let failure {
      throw CLIError(
        "\(failure)\n  \(finished) of \(runner.state.points.count) points finished; the table of those is "
          + "\(directory)/sweep.md; continue with --resume --out \(directory)")
    }
    log("done: \(finished) of \(runner.state.points.count) points finished → \(directory)/sweep.md")
  }

  /// A new sweep directory with its points, or the stored sweep when resuming (refused when the
  /// spec, grid, --set, --epochs or evaluation differ from the stored ones).
  func prepare(_ directory: String, settings: SweepState.Settings, plan: SweepPlan) throws
    -> SweepState
  {
    let fm = FileManager.default
    let file = directory + "/sweep.json"
    if resume {
      let stored: SweepState
      do {
        stored = try SweepState.read(path: file)
      } catch {
        throw CLIError(
          "\(error)\n  = hint: --resume continues the sweep in --out DIR (a directory with sweep.json)"
        )
      }
      let differences = settings.differences(from: stored.settings)
      if !differences.isEmpty {
        throw CLIError(
          "\(directory) is a different sweep; refusing to resume:\n"
            + differences.map { "  - \($0)\n" }.joined()
            + "  = hint: run it with the stored settings, or start a new sweep without --resume")
      }
      var state = stored
      state.settings.jobs = settings.jobs
      state.settings.threads = settings.threads
      // Keep the stored directories and progress; points are matched by index.
      state.points = plan.points.map { p in
        var point = stored.points.first { $0.index == p.point.index } ?? newPoint(p, plan: plan)
        point.epochsPlanned = p.experiment.train.value.epochs
        return point
      }
      return state
    }
    if fm.fileExists(atPath: file) {
      throw CLIError(
        "\(directory) already holds a sweep\n  = hint: continue it with --resume, or choose another --out"
      )
    }
    do {
      try fm.createDirectory(atPath: directory + "/points", withIntermediateDirectories: true)
    } catch {
      throw CLIError("cannot create \(directory): \(error.localizedDescription)")
    }
    var state = SweepState(
      settings: settings, points: plan.points.map { newPoint($0, plan: plan) },
      createdAt: RunFormat.iso(Date()) ?? "")
    state.plot = .null
    return state
  }

  func newPoint(_ p: SweepPlan.Point, plan: SweepPlan) -> SweepState.Point {
    var point = SweepState.Point(
      index: p.point.index, assignments: plan.grid.assignments(p.point), values: p.point.values,
      directory: "points/" + plan.grid.directoryName(p.point))
    point.epochsPlanned = p.experiment.train.value.epochs
    return point
  }

  func defaultDirectory(_ name: String) -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.locale = Locale(identifier: "en_US_POSIX")
    var dir = "runs/sweeps/\(name)/\(f.string(from: Date()))"
    var n = 2
    let base = dir
    while FileManager.default.fileExists(atPath: dir) {
      dir = "\(base)-\(n)"
      n += 1
    }
    return dir
  }

  /// The running dlspec executable, which the points run as children.
  static func binary() -> String {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return path
    }
    let arg0 = CommandLine.arguments[0]
    if arg0.contains("/") { return URL(fileURLWithPath: arg0).standardizedFileURL.path }
    return arg0
  }
}
