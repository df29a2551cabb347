import ArgumentParser
import DLONNX
import DLSpec
import Foundation

/// `dlspec export`: hands a spec (and optionally trained weights) to another engine, as a
/// PyTorch package (`--to pytorch`, ExportCommand+PyTorch.swift) or an ONNX file (`--to onnx`,
/// ExportCommand+ONNX.swift). `--verify` runs the exported model on a batch and compares it with
/// dlspec's own outputs.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a spec to PyTorch (a Python package) or ONNX (a .onnx file).")

  enum Target: String, ExpressibleByArgument, CaseIterable {
    case pytorch
    case onnx
  }

  @Argument(help: "The spec file.")
  var spec: String

  @Option(name: .customLong("to"), help: "Target: pytorch or onnx.")
  var target: Target

  @Option(help: "Output: a directory (pytorch) or a .onnx file (onnx).")
  var out: String

  @Option(help: "Checkpoint (.h5) whose weights to export; without it, the spec's initial weights.")
  var checkpoint: String?

  @Option(help: "ONNX opset version (onnx only).")
  var opset: Int?

  @Flag(help: "Run the exported model on a batch and compare with dlspec's outputs.")
  var verify = false

  func validate() throws {
    guard let opset else { return }
    guard target == .onnx else { throw ValidationError("--opset applies to --to onnx only") }
    if !ONNXExporter.opsets.contains(opset) {
      throw ValidationError(
        "--opset must be from \(ONNXExporter.opsets.lowerBound) to "
          + "\(ONNXExporter.opsets.upperBound) (E082; docs/onnx.md, \"Opset\", says why)")
    }
  }

  func run() throws {
    let e = try loadExperiment(spec, quietWarnings: true)
    switch target {
    case .pytorch: try exportPyTorch(e)
    case .onnx: try exportONNX(e)
    }
  }
}
