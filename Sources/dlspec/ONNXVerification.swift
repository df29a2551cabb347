import DLONNX
import DLRuntime
import DLSpec
import Foundation
import SwiftProtobuf

/// `export --to onnx --verify`: runs the exported model in onnxruntime (a python3 subprocess)
/// on one seeded batch and compares every layer's value with dlspec's own forward pass, so a
/// difference is pinned to the first layer where it appears (docs/onnx.md, "Verification").
struct ONNXVerification {
  /// Samples in the batch compared.
  static let batch = 8
  /// An element agrees when |onnxruntime − dlspec| ≤ tolerance · max(1, |dlspec|): absolute
  /// near zero, relative for large values (float32 sums in another order differ by a few ulp).
  static let tolerance: Float = 1e-5
  /// The interpreter: $DLSPEC_PYTHON, else the first python3 on PATH.
  static let pythonVariable = "DLSPEC_PYTHON"

  let experiment: Experiment
  /// Holds the exported weights (batch 1); the comparison runs plans of its own.
  let plan: Plan<Float>
  /// The model with every layer's value as an output.
  let model: ONNXExporter.Export

  struct Report {
    var text: String
    /// The first layer above tolerance, as an E083 diagnostic at the layer.
    var failure: Diagnostic?
  }

  func run(writtenFile: String) throws(Diagnostic) -> Report {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-verify-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let layers = experiment.model.layers
    let input = Self.seededInput(count: Self.batch * experiment.model.input.elementCount)
    let shape = [Self.batch] + experiment.model.input.dims
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let exposed: Data = try model.model.serializedBytes()
      try exposed.write(to: directory.appendingPathComponent("layers.onnx"))
      try Self.bytes(input).write(to: directory.appendingPathComponent("input.bin"))
    } catch {
      throw Diagnostic(
        .onnxVerifierMissing, at: nil,
        "cannot prepare the verification in \(directory.path): \(error)",
        hint: "set TMPDIR to a writable directory")
    }
    let versions = try runPython(
      [
        writtenFile, directory.appendingPathComponent("layers.onnx").path,
        directory.appendingPathComponent("input.bin").path,
        shape.map(String.init).joined(separator: ","), directory.path,
      ])
    var lines = [
      "verify: onnx.checker passed (onnx \(versions.onnx)); onnxruntime \(versions.runtime) "
        + "on a batch of \(Self.batch) seeded normal inputs \(shape)",
      "  layer".padding(toLength: 24, withPad: " ", startingAt: 0)
        + "onnx".padding(toLength: 22, withPad: " ", startingAt: 0) + "largest |Δ|   "
        + "|Δ| / max(1, |y|)",
    ]
    var failure: Diagnostic?
    for (i, layer) in layers.enumerated() {
      let expected = input.withUnsafeBufferPointer { plan.layerOutput(i, input: $0, n: Self.batch) }
      let path = directory.appendingPathComponent("\(layer.name).bin").path
      guard let data = FileManager.default.contents(atPath: path), data.count == expected.count * 4
      else {
        failure = Diagnostic(
          .onnxMismatch, at: layer.location,
          "onnxruntime gave no value of the expected size for \(layer.name)",
          hint: "run the model in onnxruntime by hand to see why")
        break
      }
      let actual = Self.floats(data)
      let d = Self.difference(expected, actual)
      let ops = model.operators[i].joined(separator: ", ")
      lines.append(
        "  " + layer.name.padding(toLength: 22, withPad: " ", startingAt: 0)
          + ops.padding(toLength: 22, withPad: " ", startingAt: 0)
          + String(format: "%-13.3e %.3e", d.absolute, d.scaled))
      if d.scaled > Self.tolerance || d.scaled.isNaN {
        failure = Diagnostic(
          .onnxMismatch, at: layer.location,
          "onnxruntime's value of \(layer.name) (\(ops)) differs from dlspec's: element "
            + "\(d.index) is \(actual[d.index]) there and \(expected[d.index]) here "
            + String(format: "(|Δ| / max(1, |y|) = %.3e > %.0e)", d.scaled, Self.tolerance),
          hint: "this is the first layer that differs; its mapping is in docs/onnx.md")
        break
      }
    }
    if failure == nil, let last = layers.last {
      lines.append(
        "output \(last.name): every layer within \(String(format: "%.0e", Self.tolerance)) "
          + "· max(1, |y|)")
    }
    return Report(text: lines.joined(separator: "\n"), failure: failure)
  }

  /// Largest |a − b| and largest |a − b| / max(1, |a|), with the index of the latter.
  static func difference(_ expected: [Float], _ actual: [Float]) -> (
    absolute: Float, scaled: Float, index: Int
  ) {
    var result: (absolute: Float, scaled: Float, index: Int) = (0, 0, 0)
    for (i, (a, b)) in zip(expected, actual).enumerated() {
      let d = abs(a - b)
      let scaled = d.isNaN || a.isNaN != b.isNaN ? Float.nan : d / max(1, abs(a))
      result.absolute = max(result.absolute, d)
      if scaled.isNaN || scaled > result.scaled {
        result.scaled = scaled
        result.index = i
        if scaled.isNaN { return result }
      }
    }
    return result
  }

  /// Standard normal values from a fixed seed: the same batch on every run.
  static func seededInput(count: Int) -> [Float] {
    var generator = RandomGenerator(seed: 0x0_4E58)
    var values: [Float] = []
    values.reserveCapacity(count + 1)
    while values.count < count {
      let (a, b) = generator.nextNormalPair()
      values.append(Float(a))
      values.append(Float(b))
    }
    return Array(values.prefix(count))
  }

  static func bytes(_ values: [Float]) -> Data {
    var data = Data(capacity: values.count * 4)
    for v in values {
      withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
    return data
  }

  static func floats(_ data: Data) -> [Float] {
    data.withUnsafeBytes { raw in
      (0..<data.count / 4).map {
        Float(
          bitPattern: UInt32(
            littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
      }
    }
  }
}
