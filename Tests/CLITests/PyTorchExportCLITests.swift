import DLSpecTestSupport
import Foundation
import Testing

/// `dlspec export --to pytorch` through the binary: golden files of the generated package for
/// a few specs, every example spec's export compiling (and passing pyflakes when installed),
/// the refusals, and — only when the Python has torch — a short parity run against dlspec
/// (the full check is scripts/interop-check.sh, docs/interop.md).
@Suite struct PyTorchExportCLITests {
  static let goldens = Snapshot.packageRoot.appendingPathComponent(
    "Tests/CLITests/Snapshots/pytorch")
  /// Specs whose packages are kept as golden files: a dense classifier (every file), a CNN
  /// with batchnorm and dropout (its model), and a regression on HDF5 files (its model and
  /// data constants). The fixed code of train.py, data.py, checkpoint.py and verify.py is the
  /// same for every spec, so one copy of it is kept.
  static let goldenSpecs: [(spec: String, files: [String])] = [
    ("logreg", ["model.py", "data.py", "train.py", "checkpoint.py", "verify.py", "README.md"]),
    ("fashion-mnist-cnn-bn", ["model.py", "README.md"]),
    ("linreg", ["model.py", "data.py"]),
  ]
  /// The Python the tests run: DLSPEC_PYTHON (a venv with torch), else python3.
  static let python = ProcessInfo.processInfo.environment["DLSPEC_PYTHON"] ?? "python3"

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-pytorch-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs `python arguments` in `directory`: (exit status, stdout + stderr).
  static func runPython(_ arguments: [String], in directory: URL) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python] + arguments
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  static func pythonHas(_ modules: String) -> Bool {
    let probe = try? runPython(["-c", "import \(modules)"], in: Snapshot.packageRoot)
    return probe?.0 == 0
  }

  @Test(arguments: goldenSpecs.map(\.spec))
  func generatedFilesMatchGoldens(_ spec: String) throws {
    let out = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: out) }
    let run = try CLI.run(["export", "specs/\(spec).yaml", "--to", "pytorch", "--out", out.path])
    #expect(run.status == 0, "\(run.stderr)")
    let files = Self.goldenSpecs.first { $0.spec == spec }?.files ?? []
    for file in files {
      // Data paths are absolute: the checkout's root reads as <root>.
      let text = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8)
        .replacingOccurrences(of: Snapshot.packageRoot.path, with: "<root>")
      let golden = Self.goldens.appendingPathComponent("\(spec)/\(file)")
      if let failure = Snapshot.mismatch(text, goldenPath: golden) {
        Issue.record(Comment(rawValue: failure))
      }
    }
  }

  /// Every example spec (and every interop coverage spec) exports to Python that compiles,
  /// and that pyflakes finds clean when it is installed; a spec with `growth:`, or with CSV or
  /// numpy data, is refused.
  @Test func everyExampleSpecExportCompiles() throws {
    let root = Snapshot.packageRoot
    var specs: [String] = []
    for directory in ["specs", "scripts/interop/specs"] {
      let names = try FileManager.default.contentsOfDirectory(
        atPath: root.appendingPathComponent(directory).path)
      specs += names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(directory)/\($0)" }
    }
    #expect(specs.count >= 14)
    guard Self.pythonHas("sys") else {
      print("skipped: no \(Self.python) to compile the generated code with")
      return
    }
    let pyflakes = Self.pythonHas("pyflakes")
    if !pyflakes { print("note: pyflakes is not installed; the generated code is only compiled") }
    let out = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: out) }
    for spec in specs {
      let package = out.appendingPathComponent(URL(fileURLWithPath: spec).lastPathComponent)
      let run = try CLI.run(["export", spec, "--to", "pytorch", "--out", package.path])
      let text = try String(contentsOf: root.appendingPathComponent(spec), encoding: .utf8)
      if text.contains("\ngrowth:") {
        // train.py trains a fixed model: a growing one is refused, at its growth: section.
        #expect(run.status == 1, "\(spec)")
        #expect(run.stderr.contains("error[E085]: the spec grows its model"), "\(run.stderr)")
        continue
      }
      if ["{csv:", "{npy:", "{npz:", " csv:", " npy:", " npz:"].contains(where: text.contains) {
        // data.py reproduces only dlspec's HDF5 and IDX readers: CSV or numpy data is refused
        // at the data file's line, with the conversion to HDF5 as the hint.
        #expect(run.status == 1, "\(spec)")
        #expect(
          run.stderr.contains("error[E085]: data.py reads HDF5 and IDX files"), "\(run.stderr)")
        #expect(run.stderr.contains("dlspec data convert --spec SPEC data.h5"), "\(run.stderr)")
        continue
      }
      #expect(run.status == 0, "\(spec): \(run.stderr)")
      let sources = ["model.py", "data.py", "train.py", "checkpoint.py", "verify.py"]
      let compiled = try Self.runPython(
        [
          "-c",
          "import py_compile, sys\nfor f in sys.argv[1:]: py_compile.compile(f, doraise=True)",
        ]
          + sources, in: package)
      #expect(compiled.0 == 0, "\(spec): \(compiled.1)")
      if pyflakes {
        let lint = try Self.runPython(["-m", "pyflakes"] + sources, in: package)
        #expect(lint.0 == 0, "\(spec): \(lint.1)")
      }
    }
  }

  @Test func unwritableOutAndForeignCheckpointAreRefused() throws {
    let directory = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("a-file")
    try Data("x".utf8).write(to: file)
    let notDirectory = try CLI.run([
      "export", "specs/logreg.yaml", "--to", "pytorch", "--out", file.path,
    ])
    #expect(notDirectory.status == 1)
    #expect(
      notDirectory.stderr.contains(
        "error[E087]: --out '\(file.path)' exists and is not a directory"))
    // A checkpoint of logreg does not fit mlp: named, with the layer and shapes.
    let foreign = try CLI.run([
      "export", "specs/mlp.yaml", "--to", "pytorch", "--out",
      directory.appendingPathComponent("p").path,
      "--checkpoint", "Tests/CLITests/Fixtures/checkpoints/ok.h5",
    ])
    #expect(foreign.status == 1)
    #expect(foreign.stderr.contains("error[E086]: --checkpoint:"), "\(foreign.stderr)")
    #expect(foreign.stderr.contains("dense_1"), "\(foreign.stderr)")
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("p").path))
    let python = try CLI.run(
      [
        "export", "specs/logreg.yaml", "--to", "pytorch", "--out",
        directory.appendingPathComponent("q").path, "--verify",
      ],
      environment: ["DLSPEC_PYTHON": "/nonexistent/python3"])
    #expect(python.status == 1)
    #expect(
      python.stderr.contains("error[E088]: --verify needs Python with torch, h5py and numpy"),
      "\(python.stderr)")
  }

  /// With torch: `--verify` agrees to 1e-5 on every layer, and 5 training steps of train.py
  /// from the exported weights follow dlspec's losses to 1e-4, ending in a checkpoint that
  /// `dlspec checkpoint verify` accepts. Skipped (saying so) without torch.
  @Test func torchParityWhenTorchIsInstalled() throws {
    guard Self.pythonHas("torch, h5py, numpy") else {
      print(
        "skipped: \(Self.python) has no torch (set DLSPEC_PYTHON to a venv with torch); "
          + "scripts/interop-check.sh runs the full parity check")
      return
    }
    let work = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: work) }
    let package = work.appendingPathComponent("pkg")
    let export = try CLI.run(
      ["export", "specs/mlp.yaml", "--to", "pytorch", "--out", package.path, "--verify"],
      environment: ["DLSPEC_PYTHON": Self.python])
    #expect(export.status == 0, "\(export.stdout)\(export.stderr)")
    #expect(export.stdout.contains("every output within 1e-05 relative"), "\(export.stdout)")
    let dl = work.appendingPathComponent("dl")
    let train = try CLI.run([
      "train", "specs/mlp.yaml", "--out", dl.path, "--stop-at-step", "5", "--trace-losses",
      work.appendingPathComponent("dl.losses").path,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let torch = try Self.runPython(
      [
        "train.py", "--max-steps", "5", "--epochs", "1", "--out",
        work.appendingPathComponent("pt").path,
        "--trace-losses", work.appendingPathComponent("pt.losses").path,
      ], in: package)
    #expect(torch.0 == 0, "\(torch.1)")
    let compare = try Self.runPython(
      [
        Snapshot.packageRoot.appendingPathComponent("scripts/interop/compare.py").path,
        work.appendingPathComponent("dl.losses").path,
        work.appendingPathComponent("pt.losses").path,
        dl.appendingPathComponent("checkpoints/last.h5").path,
        work.appendingPathComponent("pt/checkpoints/last.h5").path,
      ], in: work)
    #expect(compare.0 == 0, "\(compare.1)")
    let result = try JSONSerialization.jsonObject(with: Data(compare.1.utf8)) as? [String: Any]
    #expect(result?["steps_torch"] as? Int == 5)
    #expect((result?["loss_rel"] as? Double ?? 1) <= 1e-4, "\(compare.1)")
    #expect((result?["weights_rel"] as? Double ?? 1) <= 1e-4, "\(compare.1)")
    let verify = try CLI.run(
      ["checkpoint", "verify", work.appendingPathComponent("pt/checkpoints/last.h5").path])
    #expect(verify.status == 0, "\(verify.stdout)")
    // Both directions: dlspec evaluates and starts from train.py's checkpoint, train.py
    // starts from dlspec's.
    let torchCheckpoint = work.appendingPathComponent("pt/checkpoints/last.h5").path
    let evaluate = try CLI.run(["evaluate", "specs/mlp.yaml", "--checkpoint", torchCheckpoint])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    let initFrom = try CLI.run([
      "train", "specs/mlp.yaml", "--init-from", torchCheckpoint, "--stop-at-step", "1", "--out",
      work.appendingPathComponent("dl2").path,
    ])
    #expect(initFrom.status == 0, "\(initFrom.stderr)")
    let back = try Self.runPython(
      [
        "train.py", "--max-steps", "1", "--init-from",
        dl.appendingPathComponent("checkpoints/last.h5").path, "--out",
        work.appendingPathComponent("pt2").path,
      ], in: package)
    #expect(back.0 == 0, "\(back.1)")
    #expect(back.1.contains("(epoch 0, step 5)"), "\(back.1)")
  }
}
