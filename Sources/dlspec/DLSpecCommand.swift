import ArgumentParser
import DLSpec
import DLTrain
import Foundation

/// The `dlspec` command: thin subcommands over the libraries. Exit codes: 0 success/valid,
/// 1 invalid spec or failed run, 2 usage error.
@main
struct DLSpecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dlspec",
    abstract: "Declarative deep-learning experiments: validate, inspect, cost, train, evaluate.",
    version: ToolVersion.current,
    subcommands: [
      ValidateCommand.self, InspectCommand.self, CostCommand.self, TrainCommand.self,
      EvaluateCommand.self, GradCheckCommand.self, BenchCommand.self, DataCommand.self,
      SchemaCommand.self, DiffCommand.self, PredictCommand.self, InitCommand.self,
      PlotCommand.self, RunsCommand.self, SweepCommand.self, CheckpointCommand.self,
      ExportCommand.self, GradientsCommand.self, ProbeHDF5Command.self,
    ])

  static func main() {
    refuseUnknownHelpTopic(Array(CommandLine.arguments.dropFirst()))
    // Every HDF5 file dlspec opens has its metadata read first in a child process, so a
    // damaged file that crashes libhdf5 is an error, not a crash (HDF5Probe).
    HDF5Probe.installed = HDF5Probe.selfExecutable()
    var command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      fail(error, as: DLSpecCommand.self)
    }
    do {
      try command.run()
    } catch {
      // Errors from a subcommand's run() are reported with that subcommand's usage line.
      fail(error, as: type(of: command))
    }
  }

  /// `dlspec help nonexistent` would print the root help and exit 0 (argument-parser's
  /// behaviour); a topic that names no subcommand is a usage error instead.
  static func refuseUnknownHelpTopic(_ arguments: [String]) {
    guard arguments.first == "help", arguments.count > 1 else { return }
    var current: ParsableCommand.Type = DLSpecCommand.self
    for name in arguments.dropFirst() where !name.hasPrefix("-") {
      guard
        let next = current.configuration.subcommands.first(where: {
          $0.configuration.commandName == name
        })
      else {
        let path = (["dlspec"] + arguments.dropFirst().prefix { $0 != name }).joined(separator: " ")
        let known = current.configuration.subcommands.filter { $0.configuration.shouldDisplay }
          .compactMap { $0.configuration.commandName }
        FileHandle.standardError.write(
          Data(
            ("Error: '\(name)' is not a subcommand of '\(path)'; subcommands: "
              + known.joined(separator: ", ") + "\n  See 'dlspec --help'.\n").utf8))
        Foundation.exit(2)
      }
      current = next
    }
  }

  static func fail(_ error: Error, as command: ParsableCommand.Type) -> Never {
    switch error {
    case let exit as ExitCode:
      Foundation.exit(exit.rawValue)
    case let failure as CLIError:
      FileHandle.standardError.write(Data("error: \(failure.message)\n".utf8))
      Foundation.exit(1)
    case let invalid as ValidationError where command != DLSpecCommand.self:
      // A subcommand that finds its options inconsistent only after reading the spec.
      let name = command.configuration.commandName ?? "dlspec"
      FileHandle.standardError.write(
        Data("Error: \(invalid.message)\n  See 'dlspec \(name) --help' for more information.\n".utf8))
      Foundation.exit(2)
    default:
      break
    }
    let code = command.exitCode(for: error)
    let message = command.fullMessage(for: error)
    if code == .success {
      print(message)
      Foundation.exit(0)
    }
    FileHandle.standardError.write(Data((message + "\n").utf8))
    // Usage errors (unknown flags, missing arguments) exit 2, as the README promises.
    Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
  }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
}

/// Checks a spec and prints its diagnostics to stderr; returns the IR or exits 1.
func loadExperiment(_ path: String, quietWarnings: Bool = false) throws -> Experiment {
  try reported(SpecChecker().check(path: path), path: path, quietWarnings: quietWarnings)
}

/// The experiment of a check, printing its diagnostics to stderr (all of them, or only when it
/// is invalid with `quietWarnings`); exits 1 with a summary when it is invalid.
func reported(_ result: SpecChecker.Result, path: String, quietWarnings: Bool) throws -> Experiment {
  let sources = result.source.map { [$0.path: $0] } ?? [:]
  if !result.diagnostics.isEmpty && !(quietWarnings && result.isValid) {
    FileHandle.standardError.write(
      Data(DiagnosticRenderer.text(result.diagnostics, sources: sources).utf8))
  }
  guard result.isValid, let e = result.experiment else {
    FileHandle.standardError.write(
      Data("\(path): \(DiagnosticRenderer.summary(result.diagnostics))\n".utf8))
    throw ExitCode(1)
  }
  return e
}

/// Refuses, before any allocation, a batch whose buffers would not fit in this machine's memory
/// (`--batch`, `--samples` and `--set` can ask for more than the spec's own checked size).
/// Refuses a batch at which the cost counts would overflow (`CountBound`).
func ensureCountable(_ e: Experiment, batch: Int) throws {
  if let message = CountBound.overflow(e, batch: batch) { throw CLIError(message) }
}

/// Refuses a batch whose buffers would not fit in the memory available now (MemAvailable less
/// a margin, `MachineMemory.available()`): these commands allocate them at once. `validate`
/// checks against total RAM instead, so its verdict does not depend on the machine's load.
func ensureFits(_ e: Experiment, batch: Int, scalarBytes: Int = 4) throws {
  try ensureCountable(e, batch: batch)
  let bytes = TrainingMemory(e, batch: batch, scalarBytes: scalarBytes).totalBytes
  let limit = MachineMemory.available()
  if bytes > limit {
    throw CLIError(
      "a batch of \(batch) needs \(ByteCount.format(bytes)) (\(bytes) bytes) of buffers, more than "
        + "the \(ByteCount.format(limit)) available now (90 % of MemAvailable); "
        + "use a smaller batch")
  }
}
