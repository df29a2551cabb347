import DLSpecTestSupport
import Foundation
import Testing

/// `dlspec export --to onnx`: the round trip through onnx.checker and onnxruntime for every
/// example spec and for a trained model of every layer kind (needs python3 with onnx and
/// onnxruntime: `scripts/setup.sh --python`; skipped, saying so, without them), and its errors.
@Suite struct ONNXExportTests {
  static let fixtures = "Tests/CLITests/Fixtures/onnx/"

  /// Whether python3 can import onnx and onnxruntime (checked once).
  static let runtimeAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import onnx, onnxruntime"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }()

  static func skipped() -> Bool {
    if runtimeAvailable { return false }
    print("ONNXExportTests: skipped: python3 has no onnx/onnxruntime (scripts/setup.sh --python)")
    return true
  }

  static func scratch(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-onnx-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  static let exampleSpecs: [String] =
    ((try? FileManager.default.contentsOfDirectory(
      atPath: Snapshot.packageRoot.appendingPathComponent("specs").path)) ?? [])
    .filter { $0.hasSuffix(".yaml") }.sorted().map { "specs/" + $0 }

  @Test func everyExampleSpecIsListed() {
    #expect(Self.exampleSpecs.count >= 9)
  }

  /// Initial weights (as `train` would start): checker passes, onnxruntime agrees layer by layer.
  @Test(arguments: exampleSpecs)
  func exampleSpecRoundTripsThroughOnnxruntime(_ spec: String) throws {
    if Self.skipped() { return }
    let dir = try Self.scratch("example")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("model.onnx").path
    let r = try CLI.run(["export", spec, "--to", "onnx", "--out", out, "--verify"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("onnx.checker passed"))
    #expect(r.stdout.contains("every layer within 1e-05"), "\(r.stdout)")
    #expect(FileManager.default.fileExists(atPath: out))
  }

  /// A model of every layer kind, trained a few epochs so weights and running statistics are
  /// not their initial values, exported from its checkpoint at the lowest, default and highest
  /// opset; the written files differ only in their opset and IR version.
  @Test func trainedModelOfEveryLayerKindRoundTrips() throws {
    if Self.skipped() { return }
    let dir = try Self.scratch("every")
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = dir.appendingPathComponent("run").path
    let spec = Self.fixtures + "every-layer-kind.yaml"
    let trained = try CLI.run(["train", spec, "--out", run])
    try #require(trained.status == 0, "\(trained.stderr)")
    let checkpoint = run + "/checkpoints/last.h5"
    for opset in ["13", "17", "21"] {
      let out = dir.appendingPathComponent("m\(opset).onnx").path
      let r = try CLI.run([
        "export", spec, "--to", "onnx", "--out", out, "--checkpoint", checkpoint, "--opset", opset,
        "--verify",
      ])
      #expect(r.status == 0, "opset \(opset): \(r.stderr)")
      #expect(r.stdout.contains("opset \(opset), 19 nodes"), "\(r.stdout)")
      for layer in ["batchnorm_1", "clipped_relu_1", "dropout_1", "log_softmax_1"] {
        #expect(r.stdout.contains("  \(layer) "), "\(layer) missing from the report")
      }
      #expect(r.stdout.contains("every layer within 1e-05"), "\(r.stdout)")
    }
  }

  /// A layer whose ONNX weights differ (the test seam scales them) is found and named.
  @Test func verifyNamesTheFirstLayerThatDiffers() throws {
    if Self.skipped() { return }
    let dir = try Self.scratch("perturbed")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("model.onnx").path
    let r = try CLI.run(
      [
        "export", Self.fixtures + "every-layer-kind.yaml", "--to", "onnx", "--out", out, "--verify",
      ],
      environment: ["DLSPEC_TEST_PERTURB_ONNX": "dense_2"])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains(
        "every-layer-kind.yaml:28:7: error[E083]: onnxruntime's value of dense_2 (Gemm)"),
      "\(r.stderr)")
    #expect(r.stdout.contains("  dropout_1 "))
    #expect(!r.stdout.contains("  sigmoid_1 "), "the report stops at the first difference")
  }

  /// The same spec and seed give the same bytes: nothing in the file depends on the run.
  @Test func exportIsDeterministic() throws {
    let dir = try Self.scratch("twice")
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a.onnx").path
    let b = dir.appendingPathComponent("b.onnx").path
    for out in [a, b] {
      let r = try CLI.run([
        "export", "specs/fashion-mnist-cnn-bn.yaml", "--to", "onnx", "--out", out,
      ])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let first = try #require(FileManager.default.contents(atPath: a))
    #expect(first.count > 800_000)
    #expect(first == FileManager.default.contents(atPath: b))
  }

  @Test func missingPythonIsAClearError() throws {
    let dir = try Self.scratch("nopython")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("model.onnx").path
    let r = try CLI.run(
      ["export", "specs/logreg.yaml", "--to", "onnx", "--out", out, "--verify"],
      environment: ["DLSPEC_PYTHON": "/nonexistent/python3"])
    #expect(r.status == 1)
    #expect(
      r.stderr == """
        error[E084]: --verify needs python3 with onnx and onnxruntime, and no python3 was found \
        (DLSPEC_PYTHON=/nonexistent/python3 is not an executable file)
          = hint: install Python 3, then run `python3 -m pip install onnx onnxruntime` (small CPU \
        wheels), or point DLSPEC_PYTHON at a Python that has them

        """)
  }

  @Test func pythonWithoutOnnxruntimeIsAClearError() throws {
    let dir = try Self.scratch("nomodule")
    defer { try? FileManager.default.removeItem(at: dir) }
    // A python3 whose every import of onnx fails: a wrapper that hides site-packages.
    let python = dir.appendingPathComponent("python3")
    try "#!/bin/sh\nexec /usr/bin/env python3 -S -I \"$@\"\n".write(
      to: python, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
    let r = try CLI.run(
      [
        "export", "specs/logreg.yaml", "--to", "onnx", "--out",
        dir.appendingPathComponent("m.onnx").path, "--verify",
      ],
      environment: ["DLSPEC_PYTHON": python.path])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains("error[E084]: --verify needs the Python modules onnx and onnxruntime"),
      "\(r.stderr)")
    #expect(r.stderr.contains("has no module 'numpy'"), "\(r.stderr)")
  }
}

/// Golden output of the export errors (re-record with RECORD_SNAPSHOTS=1, like CLISnapshotTests).
@Suite struct ONNXCLISnapshotTests {
  static let cases: [CLI.Case] = [
    CLI.Case(
      name: "export-onnx-bad-opset",
      arguments: [
        "export", "specs/mlp.yaml", "--to", "onnx", "--out", "/nonexistent/m.onnx", "--opset", "9",
      ],
      exitCode: 2),
    CLI.Case(
      name: "export-onnx-too-large",
      arguments: [
        "export", ONNXExportTests.fixtures + "too-large.yaml", "--to", "onnx", "--out",
        "/nonexistent/m.onnx",
      ],
      exitCode: 1),
    CLI.Case(
      name: "export-onnx-unwritable-out",
      arguments: ["export", "specs/mlp.yaml", "--to", "onnx", "--out", "/nonexistent/m.onnx"],
      exitCode: 1),
    CLI.Case(
      name: "export-onnx-out-is-directory",
      arguments: ["export", "specs/mlp.yaml", "--to", "onnx", "--out", "specs"], exitCode: 1),
    CLI.Case(
      name: "export-onnx-other-specs-checkpoint",
      arguments: [
        "export", "specs/mlp.yaml", "--to", "onnx", "--out", "/nonexistent/m.onnx", "--checkpoint",
        CLI.ckpt + "ok.h5",
      ],
      exitCode: 1),
  ]

  @Test(arguments: cases)
  func snapshot(_ c: CLI.Case) throws {
    try CLISnapshotTests().snapshot(c)
  }
}
