import ArgumentParser
import DLSpec
import DLTrain
import Foundation

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check spec files and report every problem, like a compiler.",
    discussion: "Exit status: 0 when every file is valid (warnings allowed), 1 when any has errors.")

  @Argument(help: "Spec files to check.")
  var specs: [String]

  @Option(help: "Output format: text (file:line:col diagnostics) or json.")
  var format: OutputFormat = .text

  @Flag(help: "Print the resolved IR of each valid spec (as `inspect`).")
  var dumpIR = false

  @Flag(
    inversion: .prefixedNo,
    help: """
      Open the data and check it against the model (shapes, types, labels, classes, targets). \
      Default: on when the spec's data files are local and at most 64 MiB in total.
      """)
  var checkData: Bool? = nil

  func run() throws {
    var allValid = true
    var jsonItems: [String] = []
    for path in specs {
      var result = SpecChecker().check(path: path)
      if let e = result.experiment, result.isValid,
        checkData ?? DataCheck.isSmallAndLocal(e)
      {
        result.diagnostics += DataCheck.run(e)
      }
      allValid = allValid && result.isValid
      switch format {
      case .json:
        jsonItems.append(DiagnosticRenderer.json(result.diagnostics, file: path, valid: result.isValid))
      case .text:
        let sources = result.source.map { [$0.path: $0] } ?? [:]
        let text = DiagnosticRenderer.text(result.diagnostics, sources: sources)
        FileHandle.standardError.write(Data(text.utf8))
        if result.isValid {
          let warnings = result.diagnostics.count
          print("\(path): valid" + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : ""))
          if dumpIR, let e = result.experiment { print(InspectRenderer.text(e)) }
        } else {
          FileHandle.standardError.write(
            Data("\(path): \(DiagnosticRenderer.summary(result.diagnostics))\n".utf8))
        }
      }
    }
    if format == .json {
      print(jsonItems.count == 1 ? jsonItems[0] : "[\n" + jsonItems.joined(separator: ",\n") + "]", terminator: jsonItems.count == 1 ? "" : "\n")
    }
    if !allValid { throw ExitCode(1) }
  }
}
