import DLSpecTestSupport
import Foundation
import Testing

/// `dlspec init` and `dlspec predict` end to end, in temporary directories: what they write,
/// what they refuse, and that a refusal leaves nothing behind.
@Suite struct PredictInitCLITests {
  static let snapshots = Snapshot.packageRoot.appendingPathComponent("Tests/CLITests/Snapshots")

  /// A fresh directory under the system's temporary directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The output with the temporary directory's path replaced by `$DIR`, so it can be golden.
  static func rendered(_ output: CLI.Output, _ arguments: [String], dir: URL) -> String {
    output.rendered(arguments).replacingOccurrences(of: dir.path, with: "$DIR")
  }

  static func check(_ output: CLI.Output, _ arguments: [String], dir: URL, golden: String) {
    let path = snapshots.appendingPathComponent("\(golden).txt")
    if let failure = Snapshot.mismatch(rendered(output, arguments, dir: dir), goldenPath: path) {
      Issue.record(Comment(rawValue: failure))
    }
  }

  @Test func initWritesASpecAndIgnoresRunsOnce() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = ["init", "--dir", dir.path]
    let output = try CLI.run(first)
    #expect(output.status == 0)
    Self.check(output, first, dir: dir, golden: "init-logreg")
    let second = try CLI.run(["init", "deep", "--template", "mlp", "--dir", dir.path])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stdout.contains("already ignores runs/"))
    let ignore = try String(contentsOf: dir.appendingPathComponent(".gitignore"), encoding: .utf8)
    #expect(ignore == "runs/\n")
    for spec in ["logreg.yaml", "deep.yaml"] {
      let validate = try CLI.run(["validate", dir.appendingPathComponent(spec).path])
      #expect(validate.status == 0, "\(validate.stderr)")
      #expect(validate.stderr.isEmpty, "warnings in \(spec): \(validate.stderr)")
    }
    let deep = try String(contentsOf: dir.appendingPathComponent("deep.yaml"), encoding: .utf8)
    #expect(deep.contains("name: deep "))
    #expect(deep.contains("- tanh"))
  }

  @Test func initAppendsToAnExistingGitignoreAndNeverOverwrites() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let ignore = dir.appendingPathComponent(".gitignore")
    try "*.h5".write(to: ignore, atomically: true, encoding: .utf8)
    let mine = "# my own spec\n"
    let spec = dir.appendingPathComponent("cnn.yaml")
    try mine.write(to: spec, atomically: true, encoding: .utf8)
    let refused = ["init", "--template", "cnn", "--dir", dir.path]
    let output = try CLI.run(refused)
    #expect(output.status == 1)
    Self.check(output, refused, dir: dir, golden: "init-refuses-existing")
    #expect(try String(contentsOf: spec, encoding: .utf8) == mine)
    #expect(
      try String(contentsOf: ignore, encoding: .utf8) == "*.h5", "a refused init changes nothing")
    let ok = try CLI.run(["init", "net", "--template", "cnn", "--dir", dir.path])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(try String(contentsOf: ignore, encoding: .utf8) == "*.h5\nruns/\n")
    let again = try CLI.run(["init", "net2", "--template", "cnn", "--dir", dir.path])
    #expect(again.status == 0)
    let lines = try String(contentsOf: ignore, encoding: .utf8).split(separator: "\n")
    #expect(lines.filter { $0 == "runs/" }.count == 1)
  }

  /// Writes a tiny IDX dataset (`count` images of 2×2, labels `i % 3`) and a spec training a
  /// 3-class logistic regression on it.
  static func tinyExperiment(
    in dir: URL, count: Int = 30, loss: String = "cross_entropy", last: String = "- softmax"
  ) throws -> String {
    func idx(_ type: UInt8, _ dims: [Int], _ payload: [UInt8]) -> Data {
      var bytes: [UInt8] = [0, 0, type, UInt8(dims.count)]
      for d in dims { bytes += [0, 0, UInt8(d >> 8), UInt8(d & 0xff)] }
      return Data(bytes + payload)
    }
    let labels = (0..<count).map { UInt8($0 % 3) }
    // Pixel j of image i is bright when j == label: a separable problem.
    let pixels = (0..<count * 4).map { k -> UInt8 in k % 4 == Int(labels[k / 4]) ? 250 : 20 }
    try idx(8, [count, 2, 2], pixels).write(to: dir.appendingPathComponent("images.idx"))
    try idx(8, [count], labels).write(to: dir.appendingPathComponent("labels.idx"))
    try idx(8, [count, 3, 3], [UInt8](repeating: 9, count: count * 9))
      .write(to: dir.appendingPathComponent("wide.idx"))
    let spec = dir.appendingPathComponent(
      loss == "cross_entropy" ? "tiny.yaml" : "tiny-\(loss).yaml")
    try """
    dlspec: 1
    name: tiny
    data:
      train: {idx: {images: images.idx, labels: labels.idx}}
      test: {idx: {images: images.idx, labels: labels.idx}}
      classes: 3
    model:
      input: [4]
      layers:
        - dense: {units: 3}
        \(last)
    loss: \(loss)
    optimizer:
      sgd: {lr: 0.5}
    train:
      epochs: 2
      batch_size: 10
      seed: 1

    """.write(to: spec, atomically: true, encoding: .utf8)
    return spec.path
  }

  @Test func predictWritesEveryFormat() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = try Self.tinyExperiment(in: dir)
    let run = dir.appendingPathComponent("run").path
    let train = try CLI.run(["train", spec, "--out", run])
    #expect(train.status == 0, "\(train.stderr)")
    let checkpoint = run + "/checkpoints/last.h5"

    let csv = try CLI.run(["predict", spec, "--checkpoint", checkpoint, "--batch", "7"])
    #expect(csv.status == 0, "\(csv.stderr)")
    let rows = csv.stdout.split(separator: "\n")
    #expect(
      rows.first
        == "index,label,predicted,top1_class,top1_prob,top2_class,top2_prob,top3_class,top3_prob")
    #expect(rows.count == 31)
    // Each row's three probabilities are a distribution over the 3 classes.
    for row in rows.dropFirst() {
      let cells = row.split(separator: ",")
      let p = [4, 6, 8].compactMap { Double(cells[$0]) }
      #expect(abs(p.reduce(0, +) - 1) < 1e-5, "\(row)")
      #expect(Set([3, 5, 7].map { cells[$0] }).count == 3)
    }
    let same = try CLI.run(["predict", spec, "--checkpoint", checkpoint, "--batch", "256"])
    #expect(same.stdout == csv.stdout, "the batch size must not change the rows")

    let json = try CLI.run(
      [
        "predict", spec, "--checkpoint", checkpoint, "--format", "json", "--top", "1",
        "--input", dir.appendingPathComponent("images.idx").path,
      ])
    #expect(json.status == 0, "\(json.stderr)")
    let first =
      try JSONSerialization.jsonObject(
        with: Data(json.stdout.split(separator: "\n")[0].utf8)) as? [String: Any]
    #expect(first?["index"] as? Int == 0)
    #expect((first?["top_classes"] as? [Int])?.count == 1)
    #expect(first?["label"] == nil, "a file input has no labels")

    let out = dir.appendingPathComponent("p.h5").path
    let h5 = try CLI.run(
      ["predict", spec, "--checkpoint", checkpoint, "--format", "hdf5", "--output", out])
    #expect(h5.status == 0, "\(h5.stderr)")
    #expect(h5.stderr == "wrote 30 predictions to \(out)\n")
    #expect(FileManager.default.fileExists(atPath: out))
    #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
  }

  @Test func predictRefusesAnInputOfAnotherShapeAndWritesNothing() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = try Self.tinyExperiment(in: dir)
    let run = dir.appendingPathComponent("run").path
    #expect(try CLI.run(["train", spec, "--out", run, "--epochs", "1"]).status == 0)
    let out = dir.appendingPathComponent("p.csv").path
    let wide = dir.appendingPathComponent("wide.idx").path
    let arguments = [
      "predict", spec, "--checkpoint", run + "/checkpoints/last.h5", "--input", wide,
      "--output", out,
    ]
    let output = try CLI.run(arguments)
    #expect(output.status == 1)
    Self.check(output, arguments, dir: dir, golden: "predict-shape-mismatch")
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
  }

  /// An mse model writes its output vector; --top, which ranks classes, is a usage error.
  @Test func predictWritesOutputsForRegression() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = try Self.tinyExperiment(in: dir, loss: "mse", last: "")
    let run = dir.appendingPathComponent("run").path
    let train = try CLI.run(["train", spec, "--out", run, "--epochs", "1"])
    #expect(train.status == 0, "\(train.stderr)")
    let checkpoint = run + "/checkpoints/last.h5"
    let csv = try CLI.run(["predict", spec, "--checkpoint", checkpoint])
    #expect(csv.status == 0, "\(csv.stderr)")
    let rows = csv.stdout.split(separator: "\n")
    #expect(rows.first == "index,label,output_0,output_1,output_2")
    #expect(rows.count == 31)
    #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",").count == 5 })
    let top = try CLI.run(["predict", spec, "--checkpoint", checkpoint, "--top", "2"])
    #expect(top.status == 2)
    #expect(top.stderr.hasPrefix("Error: --top ranks classes, but \(spec) uses mse loss"))
  }
}
