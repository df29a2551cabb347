import ArgumentParser
import DLSpec
import DLTrain
import Foundation

/// Output formats of the commands that print tables.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
  case markdown
  case csv
}

/// `dlspec runs [DIR]`, `runs show RUN`, `runs compare RUN...`: run directories, listed and
/// compared; damaged ones are listed with their status, never a crash.
struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List, show and compare run directories.",
    subcommands: [RunsListCommand.self, RunsShowCommand.self, RunsCompareCommand.self],
    defaultSubcommand: RunsListCommand.self)
}

/// The run at `path`, or a clear error when there is none.
func requireRun(_ path: String) throws -> RunRecord {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    throw CLIError("no run at '\(path)': no such directory")
  }
  guard isDirectory.boolValue, RunScanner.isRun(path) else {
    throw CLIError(
      "'\(path)' is not a run directory (it has no summary.json, metrics.csv or checkpoints/)\n"
        + "  = hint: `dlspec runs` lists the runs under runs/")
  }
  return RunScanner.read(path, relativePath: path)
}

struct RunsListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "One row per run under DIR, by start time (the default subcommand).",
    discussion: """
      Status is the summary's (finished, failed, stopped, running); a run whose summary says \
      running but whose run.lock no live process holds is stopped; an unreadable summary.json \
      is corrupt; a run without one is incomplete. The metric is validation accuracy when the \
      run has a validation split, else train accuracy; test is the accuracy of `dlspec \
      evaluate` when the run was evaluated.
      """)

  @Argument(help: "Directory to search, recursively (default: runs).")
  var dir: String = "runs"

  @Option(help: "Output format: text, json, markdown or csv.")
  var format: TableFormat = .text

  func run() throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw CLIError("no directory '\(dir)'\n  = hint: `dlspec train SPEC` writes runs under runs/")
    }
    let runs = RunScanner.scan(dir)
    let table = RunListing.table(runs)
    switch format {
    case .text: print(runs.isEmpty ? "no runs under \(dir)" : table.text, terminator: "")
    case .json: print(RunListing.json(runs).render())
    case .markdown: print(table.markdown, terminator: "")
    case .csv: print(table.csv, terminator: "")
    }
    if format == .text && runs.isEmpty { print() }
  }
}

struct RunsShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Everything about one run: summary, provenance, last metrics rows, checkpoints.")

  @Argument(help: "The run directory.")
  var runDirectory: String

  @Option(help: "How many of the last metrics.csv rows to show.")
  var rows: Int = 5

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    if rows < 0 { throw ValidationError("--rows must be at least 0") }
  }

  func run() throws {
    let r = try requireRun(runDirectory)
    switch format {
    case .text: print(RunDetail.text(r, lastRows: rows), terminator: "")
    case .json: print(RunDetail.json(r, lastRows: rows).render())
    }
  }
}

struct RunsCompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Runs side by side: the spec keys that differ, then the metrics.",
    discussion: """
      Spec keys are the key paths of each run's spec.canonical.yaml (or spec.yaml), e.g. \
      optimizer.sgd.lr or model.layers[2].dense.units; * marks those that differ. Columns are \
      named by the runs' paths without the directory they share.
      """)

  @Argument(help: "Two or more run directories.")
  var runs: [String]

  @Flag(help: "Show only the spec keys whose values differ.")
  var onlyChanged = false

  @Option(help: "Output format: text, json, markdown or csv.")
  var format: TableFormat = .text

  func validate() throws {
    if runs.count < 2 { throw ValidationError("runs compare needs at least two runs") }
  }

  func run() throws {
    let records = try runs.map(requireRun)
    let c = RunComparison(records, labels: RunComparison.labels(runs))
    switch format {
    case .text: print(c.text(onlyChanged: onlyChanged), terminator: "")
    case .json: print(c.json(onlyChanged: onlyChanged).render())
    case .markdown: print(c.markdown(onlyChanged: onlyChanged), terminator: "")
    case .csv: print(c.csv(onlyChanged: onlyChanged), terminator: "")
    }
  }
}
