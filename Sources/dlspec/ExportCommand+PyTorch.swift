import ArgumentParser
import DLSpec
import DLTrain
import Foundation

extension ExportCommand {
  /// `--to pytorch`: writes the package (PyTorchExport), and with `--verify` compares it with
  /// dlspec on a batch (PyTorchVerify). Errors are located diagnostics (E085–E089).
  func exportPyTorch(_ e: Experiment) throws {
    if opset != nil { throw ValidationError("--opset applies to --to onnx only") }
    do {
      let hash = try PyTorchExport.write(e, to: out, checkpoint: checkpoint)
      let weights = checkpoint.map { "the weights of \($0)" } ?? "the spec's initial weights"
      print("wrote \(out)/: \(PyTorchExport.files.joined(separator: ", "))")
      print("  spec \(e.name), sha256 \(hash.prefix(16))…, \(weights) in weights.h5")
      guard verify else { return }
      let r = try PyTorchVerify.run(e, package: out)
      print("verify: \(r.samples) samples (\(r.batchSource)), torch \(r.torchVersion)")
      for row in r.rows {
        let name = row.output.padding(
          toLength: max(24, row.output.count), withPad: " ", startingAt: 0)
        print(
          "  " + name
            + String(
              format: "  max |diff| %.3e  relative %.3e", row.maxAbsoluteDifference, row.relative))
      }
      if let first = r.firstDifference {
        throw Diagnostic(
          .exportMismatch, at: e.model.layers.first { $0.name == first }?.location,
          "torch's output of \(first) differs from dlspec's by more than \(r.tolerance) (relative)",
          hint: "the layers before it agree; see docs/interop.md for what each layer maps to")
      }
      print(String(format: "  every output within %g relative", r.tolerance))
    } catch let d as Diagnostic {
      let text = (try? String(contentsOfFile: spec, encoding: .utf8)).map {
        SourceFile(path: spec, text: $0)
      }
      FileHandle.standardError.write(Data(DiagnosticRenderer.text(d, source: text).utf8))
      throw ExitCode(1)
    }
  }
}
