import DLSpecTestSupport
import Foundation
import Testing

/// Runs the built `dlspec` binary from the package root and compares stdout, stderr and the
/// exit code with `Snapshots/<name>.txt`.
enum CLI {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var exitCode: Int32
    var testDescription: String { name }
  }

  static let bad = "Tests/DLSpecTests/BadSpecs/050-several-errors.yaml"
  /// Checkpoints of specs/logreg.yaml (format 3) and copies damaged through h5py: a byte
  /// flipped mid-chunk, a weight set to 1e30 or NaN, an all-zero rng_state, a format-2 copy
  /// without content_sha256, and a text file (Fixtures/checkpoints/README.md).
  static let ckpt = "Tests/CLITests/Fixtures/checkpoints/"
  static let checkpointFixtures = [
    "ok", "format-2", "flipped", "weight-1e30", "weight-nan", "rng-zero", "not-hdf5",
  ]

  static let cases: [Case] = [
    Case(name: "help-root", arguments: ["--help"], exitCode: 0),
    Case(name: "help-validate", arguments: ["validate", "--help"], exitCode: 0),
    Case(name: "help-inspect", arguments: ["inspect", "--help"], exitCode: 0),
    Case(name: "help-cost", arguments: ["cost", "--help"], exitCode: 0),
    Case(name: "help-schema", arguments: ["schema", "--help"], exitCode: 0),
    Case(name: "help-train", arguments: ["train", "--help"], exitCode: 0),
    Case(name: "help-evaluate", arguments: ["evaluate", "--help"], exitCode: 0),
    Case(name: "help-gradcheck", arguments: ["gradcheck", "--help"], exitCode: 0),
    Case(name: "help-bench", arguments: ["bench", "--help"], exitCode: 0),
    Case(name: "help-data-fetch", arguments: ["data", "fetch", "--help"], exitCode: 0),
    Case(name: "help-data-convert", arguments: ["data", "convert", "--help"], exitCode: 0),
    Case(name: "data-fetch-unknown", arguments: ["data", "fetch", "cifar10"], exitCode: 1),
    Case(name: "data-convert-no-input", arguments: ["data", "convert", "out.h5"], exitCode: 2),
    Case(name: "inspect-plan", arguments: ["inspect", "--plan", "specs/mlp.yaml"], exitCode: 0),
    Case(name: "gradcheck-unknown-params", arguments: ["gradcheck", "specs/mlp.yaml", "--params", "dense_9"], exitCode: 2),
    Case(name: "train-epochs-zero", arguments: ["train", "specs/logreg.yaml", "--epochs", "0"], exitCode: 2),
    Case(name: "evaluate-missing-checkpoint", arguments: ["evaluate", "specs/logreg.yaml", "--checkpoint", "/nonexistent.h5"], exitCode: 1),
    Case(name: "version", arguments: ["--version"], exitCode: 0),
    Case(name: "help-checkpoint-verify", arguments: ["checkpoint", "verify", "--help"], exitCode: 0),
    Case(
      name: "checkpoint-verify-every-state",
      arguments: ["checkpoint", "verify"] + checkpointFixtures.map { ckpt + $0 + ".h5" }, exitCode: 1),
    Case(
      name: "checkpoint-verify-json",
      arguments: ["checkpoint", "verify", "--format", "json"] + checkpointFixtures.map { ckpt + $0 + ".h5" },
      exitCode: 1),
    Case(
      name: "checkpoint-verify-ok",
      arguments: ["checkpoint", "verify", ckpt + "ok.h5", ckpt + "format-2.h5"], exitCode: 0),
    Case(
      name: "evaluate-flipped-byte",
      arguments: ["evaluate", "specs/logreg.yaml", "--checkpoint", ckpt + "flipped.h5"], exitCode: 1),
    Case(
      name: "evaluate-weight-1e30",
      arguments: ["evaluate", "specs/logreg.yaml", "--checkpoint", ckpt + "weight-1e30.h5"], exitCode: 1),
    Case(
      name: "evaluate-weight-nan",
      arguments: ["evaluate", "specs/logreg.yaml", "--checkpoint", ckpt + "weight-nan.h5"], exitCode: 1),
    Case(
      name: "evaluate-rng-zero",
      arguments: ["evaluate", "specs/logreg.yaml", "--checkpoint", ckpt + "rng-zero.h5"], exitCode: 1),
    Case(name: "validate-valid", arguments: ["validate", "specs/logreg.yaml"], exitCode: 0),
    Case(
      name: "validate-check-data-width",
      arguments: ["validate", "--check-data", "Tests/CLITests/Fixtures/regression/width-mismatch.yaml"],
      exitCode: 1),
    Case(
      name: "validate-regression-no-check-data",
      arguments: ["validate", "--no-check-data", "Tests/CLITests/Fixtures/regression/width-mismatch.yaml"],
      exitCode: 0),
    Case(
      name: "validate-warnings",
      arguments: ["validate", "Tests/DLSpecTests/BadSpecs/051-warn-softmax-not-last.yaml"], exitCode: 0),
    Case(name: "validate-dump-ir", arguments: ["validate", "--dump-ir", "specs/mlp.yaml"], exitCode: 0),
    Case(name: "validate-invalid", arguments: ["validate", bad], exitCode: 1),
    Case(name: "validate-json-invalid", arguments: ["validate", "--format", "json", bad], exitCode: 1),
    Case(name: "validate-unknown-flag", arguments: ["validate", "--frobnicate", "specs/logreg.yaml"], exitCode: 2),
    Case(name: "validate-missing-argument", arguments: ["validate"], exitCode: 2),
    Case(name: "validate-nonexistent-file", arguments: ["validate", "specs/no-such-spec.yaml"], exitCode: 1),
    Case(name: "cost-batch-zero", arguments: ["cost", "--batch", "0", "specs/logreg.yaml"], exitCode: 2),
    Case(name: "cost-invalid-spec", arguments: ["cost", bad], exitCode: 1),
    Case(
      name: "train-set-bad-key", arguments: ["train", "specs/logreg.yaml", "--set", "optimizer.sgd.lrr=0.1"],
      exitCode: 1),
    Case(
      name: "train-set-bad-index",
      arguments: ["train", "specs/logreg.yaml", "--set", "model.layers[2].dense.units=64"], exitCode: 1),
    Case(
      name: "train-set-tag",
      arguments: ["train", "specs/logreg.yaml", "--set", "name=!!python/object:os.system x"], exitCode: 1),
    Case(name: "train-epochs-too-many", arguments: ["train", "specs/logreg.yaml", "--epochs", "2000000"], exitCode: 1),
    Case(name: "train-set-spec-errors", arguments: ["train", bad, "--set", "train.epochs=3"], exitCode: 1),
    Case(name: "help-diff", arguments: ["diff", "--help"], exitCode: 0),
    Case(name: "diff-same", arguments: ["diff", diff + "mlp.yaml", diff + "mlp-restyled.yaml"], exitCode: 0),
    Case(name: "diff-text", arguments: ["diff", diff + "mlp.yaml", diff + "mlp-wide.yaml"], exitCode: 1),
    Case(name: "diff-json", arguments: ["diff", "--format", "json", diff + "mlp.yaml", diff + "mlp-wide.yaml"], exitCode: 1),
    Case(
      name: "diff-markdown", arguments: ["diff", "--format", "markdown", diff + "mlp.yaml", diff + "mlp-wide.yaml"],
      exitCode: 1),
    Case(name: "diff-reverse", arguments: ["diff", diff + "mlp-wide.yaml", diff + "mlp.yaml"], exitCode: 1),
    Case(name: "diff-optimizer", arguments: ["diff", diff + "mlp.yaml", diff + "mlp-adam.yaml"], exitCode: 1),
    Case(name: "diff-invalid-spec", arguments: ["diff", diff + "mlp.yaml", diff + "mlp-invalid.yaml"], exitCode: 2),
    Case(name: "diff-missing-file", arguments: ["diff", diff + "mlp.yaml", diff + "no-such.yaml"], exitCode: 2),
    Case(name: "diff-bad-format", arguments: ["diff", "--format", "html", diff + "mlp.yaml", diff + "mlp.yaml"], exitCode: 2),
    Case(name: "train-out-empty", arguments: ["train", "specs/logreg.yaml", "--out", ""], exitCode: 1),
    Case(name: "train-out-root", arguments: ["train", "specs/logreg.yaml", "--out", "/"], exitCode: 1),
    Case(name: "train-name-dotdot", arguments: ["train", "specs/logreg.yaml", "--set", "name=.."], exitCode: 1),
    Case(
      name: "train-resume-missing", arguments: ["train", "specs/logreg.yaml", "--resume", "/nonexistent"],
      exitCode: 1),
    Case(name: "help-predict", arguments: ["predict", "--help"], exitCode: 0),
    Case(name: "help-init", arguments: ["init", "--help"], exitCode: 0),
    Case(
      name: "predict-top-too-many",
      arguments: ["predict", "specs/logreg.yaml", "--checkpoint", "/nonexistent.h5", "--top", "11"],
      exitCode: 2),
    Case(
      name: "predict-hdf5-needs-output",
      arguments: ["predict", "specs/logreg.yaml", "--checkpoint", "/nonexistent.h5", "--format", "hdf5"],
      exitCode: 2),
    Case(
      name: "predict-missing-input",
      arguments: [
        "predict", "specs/logreg.yaml", "--checkpoint", "/nonexistent.h5", "--input", "/nonexistent-x.h5",
      ],
      exitCode: 1),
    Case(
      name: "predict-missing-checkpoint",
      arguments: ["predict", "specs/logreg.yaml", "--checkpoint", "/nonexistent.h5"], exitCode: 1),
    Case(name: "init-bad-name", arguments: ["init", "specs/mine"], exitCode: 2),
    Case(name: "init-existing", arguments: ["init", "logreg", "--dir", "specs"], exitCode: 1),
    Case(name: "help-plot", arguments: ["plot", "--help"], exitCode: 0),
    Case(name: "help-gradients", arguments: ["gradients", "--help"], exitCode: 0),
    Case(
      name: "gradients-sigmoid-deep", arguments: ["gradients", "specs/sigmoid-deep.yaml", "--batches", "2"],
      exitCode: 0),
    Case(name: "gradients-batches-zero", arguments: ["gradients", "specs/logreg.yaml", "--batches", "0"], exitCode: 2),
    Case(name: "gradients-no-data", arguments: ["gradients", "Tests/CLITests/Fixtures/gradients/no-data.yaml"], exitCode: 1),
    Case(name: "plot-missing-run", arguments: ["plot", "runs/no-such-run"], exitCode: 1),
    Case(
      name: "plot-unknown-metric",
      arguments: ["plot", "Tests/Fixtures/Plots/logreg", "--metric", "val_acc"], exitCode: 2),
    Case(
      name: "plot-several-without-out",
      arguments: ["plot", "Tests/Fixtures/Plots/logreg", "Tests/Fixtures/Plots/mlp"], exitCode: 2),
    Case(
      name: "plot-json", arguments: ["plot", "Tests/Fixtures/Plots/no-validation", "--format", "json"],
      exitCode: 0),
    Case(name: "help-runs", arguments: ["runs", "--help"], exitCode: 0),
    Case(name: "help-runs-list", arguments: ["runs", "list", "--help"], exitCode: 0),
    Case(name: "help-runs-show", arguments: ["runs", "show", "--help"], exitCode: 0),
    Case(name: "help-runs-compare", arguments: ["runs", "compare", "--help"], exitCode: 0),
    Case(name: "help-sweep", arguments: ["sweep", "--help"], exitCode: 0),
    Case(name: "runs-missing-dir", arguments: ["runs", "no-such-dir"], exitCode: 1),
    Case(name: "runs-show-missing", arguments: ["runs", "show", "runs/no-such-run"], exitCode: 1),
    Case(name: "runs-show-not-a-run", arguments: ["runs", "show", "specs"], exitCode: 1),
    Case(name: "runs-compare-one-run", arguments: ["runs", "compare", "specs"], exitCode: 2),
    Case(name: "runs-compare-missing", arguments: ["runs", "compare", "runs/a", "runs/b"], exitCode: 1),
    Case(name: "runs-bad-format", arguments: ["runs", "--format", "yaml"], exitCode: 2),
    Case(name: "sweep-no-grid", arguments: ["sweep", "specs/logreg.yaml"], exitCode: 2),
    Case(
      name: "sweep-bad-point",
      arguments: ["sweep", "specs/logreg.yaml", "--grid", "optimizer.sgd.lr=0.1,abc", "--grid", "train.batch_size=10,100"],
      exitCode: 1),
    Case(name: "sweep-unknown-key", arguments: ["sweep", "specs/logreg.yaml", "--grid", "optimizer.sgd.lrr=0.1,1"], exitCode: 1),
    Case(name: "sweep-unbalanced-value", arguments: ["sweep", "specs/logreg.yaml", "--grid", "model.input=[1,28"], exitCode: 2),
    Case(name: "sweep-resume-without-out", arguments: ["sweep", "specs/logreg.yaml", "--grid", "train.epochs=1", "--resume"], exitCode: 2),
    Case(name: "sweep-missing-spec", arguments: ["sweep", "specs/no-such-spec.yaml", "--grid", "train.epochs=1"], exitCode: 1),
    // `schema` itself is compared with schemas/dlspec-v1.schema.json, not with a second copy
    // (schemaCommandPrintsCommittedSchema).
    // Hardening (issue 14; docs/reliability.md).
    Case(name: "validate-directory", arguments: ["validate", "specs"], exitCode: 1),
    Case(name: "validate-bom", arguments: ["validate", "Tests/Fixtures/Hostile/spec-with-bom.yaml"], exitCode: 0),
    Case(name: "validate-no-parameters", arguments: ["validate", "Tests/DLSpecTests/BadSpecs/059-no-parameters.yaml"], exitCode: 1),
    Case(name: "cost-batch-overflow", arguments: ["cost", "specs/mlp.yaml", "--batch", "9223372036854775807"], exitCode: 1),
    Case(name: "inspect-plan-batch-overflow", arguments: ["inspect", "--plan", "specs/mlp.yaml", "--batch", "9223372036854775807"], exitCode: 1),
    Case(name: "train-epochs-negative", arguments: ["train", "specs/logreg.yaml", "--epochs", "-3"], exitCode: 2),
    Case(name: "cost-batch-negative", arguments: ["cost", "specs/logreg.yaml", "--batch", "-1"], exitCode: 2),
    Case(name: "help-nonexistent", arguments: ["help", "nonexistent"], exitCode: 2),
    Case(name: "help-data-nonexistent", arguments: ["help", "data", "nonexistent"], exitCode: 2),
    Case(name: "gradcheck-params-empty", arguments: ["gradcheck", "specs/mlp.yaml", "--params", ""], exitCode: 2),
    Case(name: "train-name-space", arguments: ["train", "specs/logreg.yaml", "--set", "name=a b"], exitCode: 1),
  ]

  static let diff = "Tests/CLITests/Fixtures/diff/"

  /// The `dlspec` executable beside the test bundle (`.build/debug/dlspec`).
  static let binary: URL? = {
    var starts = [URL(fileURLWithPath: CommandLine.arguments[0]), Bundle.main.bundleURL]
    if let e = Bundle.main.executableURL { starts.append(e) }
    for start in starts {
      var dir = start.deletingLastPathComponent()
      // Walk up out of a macOS `.xctest/Contents/MacOS` bundle.
      for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("dlspec")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
          !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: candidate.path)
        {
          return candidate
        }
        dir = dir.deletingLastPathComponent()
      }
    }
    return nil
  }()

  struct Output {
    var stdout: String
    var stderr: String
    var status: Int32

    /// The snapshot file's text.
    func rendered(_ arguments: [String]) -> String {
      "$ dlspec \(arguments.joined(separator: " "))\n--- exit code: \(status)\n--- stdout\n\(stdout)"
        + (stdout.isEmpty || stdout.hasSuffix("\n") ? "" : "\n⏎ no newline at end\n")
        + "--- stderr\n\(stderr)"
        + (stderr.isEmpty || stderr.hasSuffix("\n") ? "" : "\n⏎ no newline at end\n")
    }
  }

  /// Runs the binary in `directory` (the package root by default), with `environment` set on
  /// top of this process's (and COLUMNS=80: help text wraps to the terminal width).
  static func run(
    _ arguments: [String], in directory: URL = Snapshot.packageRoot,
    environment extra: [String: String] = [:]
  ) throws -> Output {
    let binary = try #require(binary, "no dlspec binary next to \(CommandLine.arguments[0]); build it first")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"
    environment.merge(extra) { $1 }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read stderr on another thread so neither pipe can fill up and block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
      errBox.data = err.fileHandleForReading.readDataToEndOfFile()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    let errData = errBox.data
    process.waitUntilExit()
    return Output(
      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
      status: process.terminationStatus)
  }
}

@Suite struct CLISnapshotTests {
  static let snapshots = Snapshot.packageRoot.appendingPathComponent("Tests/CLITests/Snapshots")

  @Test(arguments: CLI.cases)
  func snapshot(_ c: CLI.Case) throws {
    let output = try CLI.run(c.arguments)
    #expect(output.status == c.exitCode, "dlspec \(c.arguments.joined(separator: " "))")
    let path = Self.snapshots.appendingPathComponent("\(c.name).txt")
    if let failure = Snapshot.mismatch(output.rendered(c.arguments), goldenPath: path) {
      Issue.record(Comment(rawValue: failure))
    }
  }

  /// gradcheck falls back to synthetic data only when the data is absent; a corrupt file is an
  /// error, not a reason to check the gradient on noise.
  @Test func gradcheckRefusesCorruptData() throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-gradcheck-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("not an HDF5 file\n".utf8).write(to: dir.appendingPathComponent("data.h5"))
    let spec = dir.appendingPathComponent("corrupt.yaml")
    let text = """
      dlspec: 1
      data:
        train: {hdf5: data.h5, x: x, y: y}
        classes: 3
      model:
        input: [4]
        layers:
          - dense: {units: 3}
      loss: cross_entropy

      """
    try Data(text.utf8).write(to: spec)
    let output = try CLI.run(["gradcheck", spec.path])
    #expect(output.status != 0, "\(output.stdout)\(output.stderr)")
    #expect(!output.stdout.contains("synthetic"), "\(output.stdout)")
    #expect(output.stderr.contains("data.h5"), "\(output.stderr)")
  }

  @Test func schemaCommandPrintsCommittedSchema() throws {
    let output = try CLI.run(["schema"])
    let committed = try String(
      contentsOf: Snapshot.packageRoot.appendingPathComponent("schemas/dlspec-v1.schema.json"), encoding: .utf8)
    #expect(output.stdout == committed, "run `dlspec schema > schemas/dlspec-v1.schema.json`")
    #expect(output.status == 0)
  }
}
