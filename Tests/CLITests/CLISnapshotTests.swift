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
    Case(name: "validate-valid", arguments: ["validate", "specs/logreg.yaml"], exitCode: 0),
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
    // `schema` itself is compared with schemas/dlspec-v1.schema.json, not with a second copy
    // (schemaCommandPrintsCommittedSchema).
  ]

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

  static func run(_ arguments: [String]) throws -> Output {
    let binary = try #require(binary, "no dlspec binary next to \(CommandLine.arguments[0]); build it first")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = Snapshot.packageRoot
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "80"  // help text wraps to the terminal width
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
