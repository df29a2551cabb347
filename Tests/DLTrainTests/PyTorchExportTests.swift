import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// The PyTorch exporter's contract with dlspec that needs no torch: refusals, and data.py and
/// checkpoint.py computing what dlspec computes (run with the system python3 and numpy/h5py;
/// skipped, saying so, when they are missing). The torch parity itself is in
/// CLITests/PyTorchExportCLITests.swift and scripts/interop-check.sh.
@Suite struct PyTorchExportTests {
  /// A kind outside dlspec's built-in set, which the exporter has no mapping for.
  struct Square: ElementwiseLayerKind, ParameterlessLayerKind {
    static let name = "square"
    static let summary = "z² (a test kind)"
    init() {}
    func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
      LayerProgram(forward: { _, _ in }, backward: { _, _, _ in })
    }
  }

  static let python = "python3"

  static func experiment(_ text: String, registry: LayerRegistry = .builtIn) throws -> Experiment {
    try #require(
      SpecChecker(registry: registry).check(SourceFile(path: "/tmp/export-test.yaml", text: text))
        .experiment)
  }

  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "dlspec-pytorch-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// True when `python3` imports `modules`; records why not otherwise.
  static func pythonHas(_ modules: String) -> Bool {
    let (status, _, err) = PyTorchVerify.runProcess(python, ["-c", "import \(modules)"], in: nil)
    if status != 0 {
      print("skipped: python3 cannot import \(modules) (\(err.split(separator: "\n").last ?? ""))")
    }
    return status == 0
  }

  @Test func unknownLayerKindIsRefusedAtTheLayer() throws {
    var kinds = LayerRegistry.builtIn.kinds
    kinds[Square.name] = Square.self
    let text = """
      dlspec: 1
      model:
        input: [4]
        layers:
          - dense: {units: 3}
          - square
      loss: mse

      """
    let e = try Self.experiment(text, registry: LayerRegistry(kinds))
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let out = directory + "/pkg"
    #expect {
      try PyTorchExport.write(e, to: out, checkpoint: nil)
    } throws: { error in
      guard let d = error as? Diagnostic else { return false }
      return d.code == .exportUnsupportedLayer && d.location?.line == 6
        && d.message.contains("square_1")
    }
    // Refused before anything is written.
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  /// data.py's SplitMix64 split and epoch orders, run in Python, equal dlspec's
  /// ValidationSplit and BatchIterator, including a split whose size rounds a half up.
  @Test func dataSplitAndShuffleMatchDlspec() throws {
    guard Self.pythonHas("numpy") else { return }
    let e = try Self.experiment(
      """
      dlspec: 1
      data: {dataset: fashion-mnist, validation_split: 0.25}
      model: {input: [784], layers: [{dense: {units: 10}}, softmax]}
      loss: cross_entropy

      """)
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for (name, text) in try PyTorchExport.sources(e) where name == "data.py" {
      try FileWrite.write(text, to: directory + "/" + name)
    }
    // (count, fraction, seed): 10 × 0.25 = 2.5 rounds to 3 in Swift (away from zero); Python's
    // round() would give 2.
    let cases: [(Int, Double, UInt64)] = [(10, 0.25, 1), (1000, 0.15, 7), (997, 0.1, 123456789)]
    for (count, fraction, seed) in cases {
      let split = try ValidationSplit(count: count, fraction: fraction, seed: seed)
      var batches = try BatchIterator(indices: split.train, batchSize: 7, seed: seed)
      batches.startEpoch(3)
      let script = """
        import data
        train, validation = data.validation_split(\(count), \(fraction), \(seed))
        print(",".join(map(str, validation)))
        print(",".join(map(str, data.epoch_order(train, \(seed), 3))))
        """
      let (status, out, err) = PyTorchVerify.runProcess(Self.python, ["-c", script], in: directory)
      #expect(status == 0, "\(err)")
      let lines = out.split(separator: "\n").map(String.init)
      #expect(lines.count == 2)
      #expect(lines.first == split.validation.map(String.init).joined(separator: ","))
      #expect(lines.last == batches.order.map(String.init).joined(separator: ","))
    }
  }

  /// checkpoint.py verifies what dlspec writes (Fletcher32, content_sha256 recomputed in
  /// Python) and refuses a copy whose weight was changed by h5py afterwards.
  @Test func checkpointHashAgreesWithDlspec() throws {
    guard Self.pythonHas("numpy, h5py") else { return }
    let e = try Self.experiment(
      """
      dlspec: 1
      name: 'ünï"q'
      model:
        input: [1, 6, 6]
        layers:
          - conv2d: {filters: 2, kernel: 3}
          - batchnorm
          - relu
          - flatten
          - dense: {units: 3}
      loss: cross_entropy
      optimizer: {adam: {lr: 0.01}}

      """)
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try PyTorchExport.write(e, to: directory, checkpoint: nil)
    let script = """
      import shutil, h5py, checkpoint
      tensors, attrs = checkpoint.read("weights.h5")
      print(len(tensors), attrs["optimizer"], attrs["spec_canonical"].splitlines()[1])
      shutil.copy("weights.h5", "changed.h5")
      with h5py.File("changed.h5", "r+") as f:
          f["weights/dense_1/bias"][0] = 1.0
      try:
          checkpoint.read("changed.h5")
      except checkpoint.CheckpointError as error:
          print("refused:", "content_sha256" in str(error))
      """
    let (status, out, err) = PyTorchVerify.runProcess(Self.python, ["-c", script], in: directory)
    #expect(status == 0, "\(err)")
    // conv weight and bias, dense weight and bias, batchnorm scale and shift, two Adam slots
    // of each, and two state tensors: 6 × 3 + 2.
    #expect(out == "20 adam name: \"ünï\\\"q\"\nrefused: True\n", "\(out)")
  }
  /// verify.py names the first layer whose output differs: a package whose leaky_relu slope
  /// was changed by hand differs from dlspec first at that layer (needs torch: DLSPEC_PYTHON).
  @Test func verifyNamesTheFirstLayerThatDiffers() throws {
    let python = ProcessInfo.processInfo.environment["DLSPEC_PYTHON"] ?? Self.python
    let (status, _, _) = PyTorchVerify.runProcess(python, ["-c", "import torch, h5py"], in: nil)
    guard status == 0 else {
      print("skipped: \(python) has no torch (set DLSPEC_PYTHON to a venv with torch)")
      return
    }
    let e = try Self.experiment(
      """
      dlspec: 1
      model:
        input: [6]
        layers:
          - dense: {units: 5}
          - leaky_relu: {slope: 0.2}
          - dense: {units: 3}
          - softmax
      loss: cross_entropy

      """)
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try PyTorchExport.write(e, to: directory, checkpoint: nil)
    let agreed = try PyTorchVerify.run(e, package: directory, python: python)
    #expect(agreed.firstDifference == nil)
    #expect(
      agreed.rows.map(\.output) == [
        "dense_1", "leaky_relu_1", "dense_2", "softmax_1", "loss (cross_entropy)",
      ])
    #expect(agreed.batchSource.contains("seeded random inputs"))
    let model = directory + "/model.py"
    let text = try String(contentsOfFile: model, encoding: .utf8)
    try FileWrite.write(
      text.replacingOccurrences(of: "negative_slope=0.2", with: "negative_slope=0.3"), to: model)
    let changed = try PyTorchVerify.run(e, package: directory, python: python)
    #expect(changed.firstDifference == "leaky_relu_1")
    #expect(changed.rows[0].relative <= PyTorchVerify.tolerance)
  }
}
