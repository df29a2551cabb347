import DLSpecTestSupport
import Foundation
import Testing

/// CSV data through the binary: `validate` reports a malformed file at its line and column,
/// `train` and `evaluate` run from a CSV with a header and a named label column, `data convert
/// --spec` writes the same samples to HDF5, and `data fetch` says when a dataset is already on
/// the search path. With `scripts/fetch-mnist-5k.sh` run, a short logistic regression on the
/// real digits is trained and evaluated.
@Suite struct DataFormatCLITests {
  /// Six 2-feature samples of 3 classes and three test ones; the label column comes second.
  static func writeData(in dir: URL) throws {
    let train = "x0,label,x1\n0.1,0,0.9\n0.2,1,0.1\n0.9,2,0.5\n0.0,0,1.0\n0.3,1,0.2\n1.0,2,0.4\n"
    try train.write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
    let test = "x0,label,x1\n0.1,0,0.8\n0.25,1,0.15\n0.95,2,0.45\n"
    try test.write(to: dir.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
    try "x0,label,x1\n0.1,0,0.9\n0.2,1\n".write(
      to: dir.appendingPathComponent("ragged.csv"), atomically: true, encoding: .utf8)
    let spec = """
      dlspec: 1
      name: csv-tiny
      data:
        train: {csv: TRAIN, label: label}
        test: {csv: test.csv, label: label}
      model: {input: [2], layers: [{dense: {units: 3}}, softmax]}
      loss: cross_entropy
      optimizer: {sgd: {lr: 0.5}}
      train: {epochs: 2, batch_size: 3, seed: 1}

      """
    for (name, file) in [("spec.yaml", "train.csv"), ("ragged.yaml", "ragged.csv")] {
      try spec.replacingOccurrences(of: "TRAIN", with: file).write(
        to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
  }

  @Test func validateLocatesARaggedRow() throws {
    let dir = try PredictInitCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.writeData(in: dir)
    let r = try CLI.run(["validate", "ragged.yaml"], in: dir)
    #expect(r.status == 1)
    let file = dir.appendingPathComponent("ragged.csv").path
    #expect(
      r.stderr == """
        ragged.yaml:4:10: error[E061]: \(file):3:6: this row has 2 cells, but line 1 has 3
         4 |   train: {csv: ragged.csv, label: label}
           |          ^
           = hint: every row needs the same number of cells; check for a missing or extra ','
        ragged.yaml: 1 error, 0 warnings

        """)
    let train = try CLI.run(["train", "ragged.yaml", "--out", dir.appendingPathComponent("run").path], in: dir)
    #expect(train.status == 1)
    #expect(
      train.stderr.contains("error: \(file):3:6: [E061] this row has 2 cells, but line 1 has 3\n"))
  }

  @Test func trainEvaluateAndConvertACSVSpec() throws {
    let dir = try PredictInitCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.writeData(in: dir)
    let run = dir.appendingPathComponent("run").path
    let train = try CLI.run(["train", "spec.yaml", "--out", run], in: dir)
    #expect(train.status == 0, "\(train.stderr)")
    let evaluate = try CLI.run(["evaluate", "spec.yaml", "--checkpoint", run + "/checkpoints/last.h5"], in: dir)
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    #expect(evaluate.stdout.hasPrefix("csv-tiny on the test split (3 samples)\n"))

    let convert = try CLI.run(["data", "convert", "--spec", "spec.yaml", "out.h5"], in: dir)
    #expect(convert.status == 0, "\(convert.stderr)")
    #expect(convert.stdout == "wrote out.h5: 6 training and 3 test samples\n")
    guard DataFormatCLITests.hasH5py else { return }
    // h5py reads back the features in CSV order (label column dropped) and the labels.
    let script = """
      import h5py, sys
      f = h5py.File(sys.argv[1], "r")
      print(f["x_train"][:].astype(float).round(4).tolist(), f["y_train"][:, 0].tolist(), f["x_test"].shape)
      """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, dir.appendingPathComponent("out.h5").path]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(
      out == "[[0.1, 0.9], [0.2, 0.1], [0.9, 0.5], [0.0, 1.0], [0.3, 0.2], [1.0, 0.4]] "
        + "[0, 1, 2, 0, 1, 2] (3, 2)\n")
  }

  static let hasH5py: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import h5py"]
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
  }()

  @Test func fetchSaysWhenADatasetIsAlreadyInstalled() throws {
    let dir = try PredictInitCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let mnist = dir.appendingPathComponent("mnist")
    try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
    for name in [
      "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ] {
      _ = FileManager.default.createFile(
        atPath: mnist.appendingPathComponent(name).path, contents: Data())
    }
    let r = try CLI.run(["data", "fetch", "mnist"], in: dir, environment: ["DLSPEC_DATA": dir.path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "mnist: already installed in \(mnist.path) (on the search path); nothing to fetch\n")
  }

  static let mnist5k = Snapshot.packageRoot.appendingPathComponent("data/mnist-5k/train.csv.gz")

  /// Real digits: logistic regression for 3 epochs reaches well above chance on the 1,000 test
  /// digits (the full 20-epoch run and the CNN are in docs/results.md).
  @Test(.enabled(if: FileManager.default.fileExists(atPath: mnist5k.path)))
  func realMNISTDigitsFromCSV() throws {
    let dir = try PredictInitCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = dir.appendingPathComponent("run").path
    let train = try CLI.run(["train", "specs/mnist-5k-logreg.yaml", "--epochs", "3", "--out", run])
    #expect(train.status == 0, "\(train.stderr)")
    let r = try CLI.run([
      "evaluate", "specs/mnist-5k-logreg.yaml", "--checkpoint", run + "/checkpoints/last.h5",
      "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    #expect(object?["samples"] as? Int == 1000)
    let accuracy = try #require(object?["accuracy"] as? Double)
    #expect(accuracy > 0.85, "test accuracy \(accuracy)")
  }
}
