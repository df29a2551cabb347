import ArgumentParser
import DLONNX
import DLSpec
import DLTrain
import Foundation
import SwiftProtobuf

extension ExportCommand {
  /// `--to onnx`: the spec's model with the checkpoint's weights (or the initial weights `train`
  /// would start from) as one .onnx file, then with `--verify` the check against onnxruntime
  /// (docs/onnx.md).
  func exportONNX(_ e: Experiment) throws {
    let exporter: ONNXExporter
    do {
      exporter = try ONNXExporter(opset: opset ?? ONNXExporter.defaultOpset)
      // Before any allocation: a model too large for one ONNX file is refused at its layer.
      try ONNXExporter.checkSize(e.model)
    } catch {
      throw reportExport(error)
    }
    try ensureFits(e, batch: 1)
    let plan = Plan<Float>(e, batch: 1)
    let origin: String
    if let checkpoint {
      do {
        try Checkpoint.load(checkpoint, into: plan, optimizerState: false)
      } catch {
        throw CLIError("\(error)")
      }
      origin = "weights from \(checkpoint)"
    } else {
      let seed = e.train.value.seed
      plan.initialize(e.train.value.initScheme, seed: UInt64(seed))
      origin = "initial weights (train.seed \(seed), as `dlspec train` starts)"
    }
    let weights = ONNXExporter.weights(of: plan)
    let export: ONNXExporter.Export
    do {
      export = try exporter.export(e, weights: weights)
    } catch {
      throw reportExport(error)
    }
    let bytes: Data = try export.model.serializedBytes()
    try writeAtomically(bytes, to: out)
    print(
      "wrote \(out): \(e.name), opset \(exporter.opset), \(export.model.graph.node.count) nodes, "
        + "\(plan.parameterCount) parameters, \(origin) (\(ByteCount.format(bytes.count)))")
    guard verify else { return }
    let report: ONNXVerification.Report
    do {
      let exposed = try exporter.export(
        e, weights: Self.perturbedForTests(weights, e), exposeLayers: true)
      report = try ONNXVerification(experiment: e, plan: plan, model: exposed)
        .run(writtenFile: out)
    } catch {
      throw reportExport(error)
    }
    print(report.text)
    if let failure = report.failure { throw reportExport(failure) }
  }

  /// Test seam (like gradcheck's planted gradient error): DLSPEC_TEST_PERTURB_ONNX=LAYER
  /// scales that layer's weights in the model `--verify` runs, so the tests can see it find
  /// and name a layer that differs. The written file is never changed.
  static func perturbedForTests(_ weights: [[String: FloatTensor]], _ e: Experiment)
    -> [[String: FloatTensor]]
  {
    guard let name = ProcessInfo.processInfo.environment["DLSPEC_TEST_PERTURB_ONNX"],
      let i = e.model.layers.firstIndex(where: { $0.name == name })
    else { return weights }
    var perturbed = weights
    for (key, t) in weights[i] {
      perturbed[i][key] = FloatTensor(dims: t.dims, values: t.values.map { $0 * 1.01 + 0.01 })
    }
    return perturbed
  }

  /// Prints an export diagnostic the way spec errors are printed (located ones quote the spec
  /// line) and gives the exit code.
  func reportExport(_ d: Diagnostic) -> ExitCode {
    let source = SpecChecker().check(path: spec).source
    let sources = source.map { [$0.path: $0] } ?? [:]
    FileHandle.standardError.write(Data(DiagnosticRenderer.text([d], sources: sources).utf8))
    return ExitCode(1)
  }

  /// Writes `data` to a temporary file beside `path`, then renames it over `path`, so an
  /// interrupted export never leaves a truncated model under the final name.
  func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    {
      throw CLIError(
        "cannot write --out '\(path)': it is a directory; give a file name such as model.onnx")
    }
    let temporary = directory + "/." + url.lastPathComponent + ".partial-\(getpid())"
    guard let file = fopen(temporary, "wb") else {
      let reason = String(cString: strerror(errno))
      guard FileManager.default.fileExists(atPath: directory) else {
        throw CLIError("cannot write --out '\(path)': its directory \(directory) does not exist")
      }
      throw CLIError("cannot write --out '\(path)': \(reason) (creating a file in \(directory))")
    }
    let written = data.withUnsafeBytes { fwrite($0.baseAddress, 1, data.count, file) }
    let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
    let reason = String(cString: strerror(errno))
    fclose(file)
    guard written == data.count, flushed else {
      unlink(temporary)
      throw CLIError("cannot write --out '\(path)': \(reason)")
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw CLIError("cannot write --out '\(path)': \(reason)")
    }
  }
}
