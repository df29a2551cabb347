import ArgumentParser
import DLSpec
import Foundation

/// `dlspec diff A B`: the semantic difference of two specs, with its cost (docs/diff.md).
/// Exit codes as diff(1): 0 the same experiment, 1 different, 2 an error.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Compare two specs (files or git REV:path) semantically, with cost deltas.",
    discussion: """
      A and B are spec files or git revisions such as HEAD~1:specs/mlp.yaml (read with \
      `git show`; the path is relative to the repository root unless written REV:./path). \
      A file on disk wins over a REV:path reading. Exit code 0 when the experiments are the \
      same, 1 when they differ, 2 on an error.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case markdown
  }

  @Argument(help: "The old spec: a file or REV:path.")
  var old: String

  @Argument(help: "The new spec: a file or REV:path.")
  var new: String

  @Option(help: "Output format: text, json or markdown.")
  var format: Format = .text

  func run() throws {
    let a = try Self.load(old)
    let b = try Self.load(new)
    let d = SpecDiff(from: a, to: b)
    switch format {
    case .text: print(SpecDiffRenderer.text(d, from: old, to: new), terminator: "")
    case .json: print(SpecDiffRenderer.json(d, from: old, to: new), terminator: "")
    case .markdown: print(SpecDiffRenderer.markdown(d, from: old, to: new), terminator: "")
    }
    if !d.isEmpty { throw ExitCode(1) }
  }

  /// The checked experiment of one side; prints located diagnostics or a one-line error with a
  /// hint, and exits 2, when it cannot be had.
  static func load(_ argument: String) throws -> Experiment {
    let loaded: SpecInput.Loaded
    do {
      loaded = try SpecInput.read(argument)
    } catch let failure as SpecInput.Failure {
      let text = "error: \(failure.message)\n  hint: \(failure.hint)\n"
      FileHandle.standardError.write(Data(text.utf8))
      throw ExitCode(2)
    }
    let result = SpecChecker().check(loaded.source)
    // Diagnostics name the spec as given (`HEAD~1:specs/mlp.yaml`), not the work-tree path
    // the checker resolved data paths against.
    let diagnostics = result.diagnostics.map { d -> Diagnostic in
      var d = d
      if d.location?.file == loaded.source.path { d.location?.file = argument }
      return d
    }
    guard result.isValid, let e = result.experiment else {
      let shown = SourceFile(path: argument, text: loaded.source.text)
      FileHandle.standardError.write(
        Data(DiagnosticRenderer.text(diagnostics, sources: [argument: shown]).utf8))
      FileHandle.standardError.write(
        Data("\(argument): \(DiagnosticRenderer.summary(diagnostics))\n".utf8))
      throw ExitCode(2)
    }
    return e
  }
}
