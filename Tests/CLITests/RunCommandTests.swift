import Foundation
import Testing

/// `dlspec train` and `evaluate` on run directories, through the binary: resume in place,
/// refusals, the lock, evaluate's write-back, empty data, and progress lines that survive a
/// kill. The data is a tiny IDX fixture written here (3 classes of 2×3 images).
@Suite struct RunCommandTests {
  /// A temporary directory with `spec.yaml` and its IDX data; removed when released.
  final class Workspace {
    let path: String

    init(testCount: Int = 30, trainCount: Int = 60) throws {
      path =
        FileManager.default.temporaryDirectory.appendingPathComponent(
          "dlspec-cli-\(UUID().uuidString)"
        ).path
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      try Self.writeIDX(path + "/train", count: trainCount)
      try Self.writeIDX(path + "/test", count: testCount)
      try """
      dlspec: 1
      name: tiny
      data:
        train: {idx: {images: train-images, labels: train-labels}}
        test: {idx: {images: test-images, labels: test-labels}}
        classes: 3
      model:
        input: [6]
        layers:
          - dense: {units: 3}
          - softmax
      loss: cross_entropy
      optimizer:
        sgd: {lr: 0.1}
      train:
        epochs: 2
        batch_size: 10
        seed: 1

      """.write(toFile: path + "/spec.yaml", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Big-endian IDX: uint8 images [count, 2, 3] whose class c has bright pixels j ≡ c (mod 3).
    static func writeIDX(_ prefix: String, count: Int) throws {
      func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
      var images = be(0x803) + be(count) + be(2) + be(3)
      var labels = be(0x801) + be(count)
      for i in 0..<count {
        let c = i % 3
        labels.append(UInt8(c))
        images += (0..<6).map { j in
          UInt8(j % 3 == c ? 200 + (i * 7 + j) % 40 : 20 + (i * 5 + j) % 30)
        }
      }
      try Data(images).write(to: URL(fileURLWithPath: prefix + "-images"))
      try Data(labels).write(to: URL(fileURLWithPath: prefix + "-labels"))
    }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) throws -> String {
      try String(contentsOfFile: file(name), encoding: .utf8)
    }

    func bytes(_ name: String) -> Data? { FileManager.default.contents(atPath: file(name)) }

    /// Runs dlspec in this directory.
    func dlspec(_ arguments: [String]) throws -> CLI.Output {
      try CLI.run(arguments, in: URL(fileURLWithPath: path))
    }

    func summary(_ run: String) throws -> [String: Any] {
      let data = try #require(bytes(run + "/summary.json"))
      return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
  }

  /// `--resume` with a changed spec prints the semantic diff: a new learning rate is a safe
  /// change and named as such; a new batch size or layer width is refused and changes nothing.
  @Test func resumeWithAChangedSpecShowsTheDiffAndRefusesUnsafeChanges() throws {
    let w = try Workspace()
    #expect(try w.dlspec(["train", "spec.yaml", "--epochs", "1", "--out", "run"]).status == 0)
    let before = w.bytes("run/metrics.csv")
    for unsafe in ["train.batch_size=7", "model.layers[0].dense.bias=false"] {
      let r = try w.dlspec(["train", "spec.yaml", "--epochs", "2", "--resume", "run", "--set", unsafe])
      #expect(r.status == 1, "\(unsafe): \(r.stdout)\(r.stderr)")
      #expect(r.stderr.contains("cannot take"), "\(r.stderr)")
      #expect(r.stderr.contains(String(unsafe.prefix { $0 != "=" })), "\(r.stderr)")
      #expect(r.stderr.contains("unsafe"), "\(r.stderr)")
      #expect(w.bytes("run/metrics.csv") == before, "a refused resume changed metrics.csv")
    }
    let safe = try w.dlspec(
      ["train", "spec.yaml", "--epochs", "2", "--resume", "run", "--set", "optimizer.sgd.lr=0.05"])
    #expect(safe.status == 0, "\(safe.stderr)")
    #expect(safe.stdout.contains("every change is safe to resume"), "\(safe.stdout)")
    #expect(safe.stdout.contains("optimizer.sgd.lr"), "\(safe.stdout)")
    #expect(safe.stdout.contains("learning rate"), "\(safe.stdout)")
    #expect(!safe.stdout.contains("train.epochs"), "raising --epochs is not listed: \(safe.stdout)")
  }

  @Test func resumeContinuesTheRunAndSaysWhichEpochsRan() throws {
    let w = try Workspace()
    let first = try w.dlspec(["train", "spec.yaml", "--epochs", "2", "--out", "run"])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("done: 2 epochs in "), "\(first.stdout)")
    let second = try w.dlspec(["train", "spec.yaml", "--epochs", "4", "--resume", "run"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stdout.hasPrefix("resuming 'tiny' → run "), "\(second.stdout)")
    #expect(second.stdout.contains("done: epochs 3–4 of 4 (2 this run) in "), "\(second.stdout)")
    #expect(
      !second.stdout.contains("spec changed"),
      "raising --epochs is no spec change: \(second.stdout)")
    let rows = try w.read("run/metrics.csv").split(separator: "\n").dropFirst().map { $0.prefix(2) }
    #expect(rows == ["1,", "2,", "3,", "4,"])
    #expect(try w.summary("run")["epochs"] as? Int == 4)
    // Already there: a message, exit 0, and summary.json untouched.
    let before = w.bytes("run/summary.json")
    let third = try w.dlspec([
      "train", "spec.yaml", "--epochs", "4", "--resume", "run/checkpoints/last.h5",
    ])
    #expect(!third.stdout.contains("spec changed"), "\(third.stdout)")
    #expect(third.status == 0, "\(third.stderr)")
    #expect(
      third.stdout.contains("already at epoch 4 of 4; raise --epochs to train more"),
      "\(third.stdout)")
    #expect(!third.stdout.contains("done:"), "\(third.stdout)")
    #expect(w.bytes("run/summary.json") == before)
    // A changed spec beyond the epochs is noted (the semantic diff replaces this note).
    let changed = try w.dlspec([
      "train", "spec.yaml", "--epochs", "5", "--resume", "run", "--set", "optimizer.sgd.lr=0.05",
    ])
    #expect(changed.status == 0, "\(changed.stderr)")
    #expect(
      changed.stdout.contains("note: the spec changed since this checkpoint"), "\(changed.stdout)")
    #expect(changed.stdout.contains("done: epoch 5 of 5 (1 this run) in "), "\(changed.stdout)")
  }

  @Test func defaultRunDirectoriesAreNeverShared() throws {
    let w = try Workspace()
    for _ in 0..<2 {
      let r = try w.dlspec(["train", "spec.yaml", "--epochs", "1"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let runs = try FileManager.default.contentsOfDirectory(atPath: w.file("runs/tiny"))
    #expect(runs.count == 2, "\(runs)")
    for run in runs { #expect(try w.summary("runs/tiny/" + run)["epochs"] as? Int == 1) }
  }

  @Test func outIntoAnExistingRunIsRefused() throws {
    let w = try Workspace()
    #expect(try w.dlspec(["train", "spec.yaml", "--out", "run"]).status == 0)
    let names = ["summary.json", "metrics.csv", "checkpoints/last.h5", "spec.yaml"]
    let before = names.map { w.bytes("run/" + $0) }
    let again = try w.dlspec(["train", "spec.yaml", "--out", "run", "--epochs", "3"])
    #expect(again.status == 1)
    #expect(again.stdout.isEmpty, "\(again.stdout)")
    #expect(again.stderr.contains("'run' already holds a run"), "\(again.stderr)")
    #expect(again.stderr.contains("hint: continue it with --resume run"), "\(again.stderr)")
    #expect(names.map { w.bytes("run/" + $0) } == before)
  }

  @Test func aSecondTrainingIntoALockedRunIsRefused() throws {
    let w = try Workspace()
    #expect(try w.dlspec(["train", "spec.yaml", "--out", "run"]).status == 0)
    let fd = open(w.file("run/run.lock"), O_RDWR | O_CREAT, 0o644)
    try #require(fd >= 0)
    defer { close(fd) }
    try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
    _ = "\(getpid())\n".withCString { write(fd, $0, strlen($0)) }
    let before = w.bytes("run/metrics.csv")
    let r = try w.dlspec(["train", "spec.yaml", "--epochs", "3", "--resume", "run"])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains("another training (pid \(getpid())) is writing to the run directory"),
      "\(r.stderr)")
    #expect(w.bytes("run/metrics.csv") == before)
  }

  @Test func evaluateRecordsTestMetricsInTheRun() throws {
    let w = try Workspace()
    #expect(try w.dlspec(["train", "spec.yaml", "--out", "run"]).status == 0)
    let train = try w.dlspec([
      "evaluate", "spec.yaml", "--checkpoint", "run/checkpoints/last.h5", "--split", "train",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(try w.summary("run")["test"] == nil, "--split train is not the test metrics")
    let r = try w.dlspec([
      "evaluate", "spec.yaml", "--checkpoint", "run/checkpoints/last.h5", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let printed = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let test = try #require(try w.summary("run")["test"] as? [String: Any])
    #expect(test["samples"] as? Int == 30)
    #expect(test["checkpoint"] as? String == "checkpoints/last.h5")
    #expect(test["accuracy"] as? Double == printed["accuracy"] as? Double)
    #expect(test["loss"] as? Double == printed["loss"] as? Double)
    #expect(try w.summary("run")["status"] as? String == "finished")
    #expect(!r.stderr.contains("different spec"), "\(r.stderr)")
    // The run has its plots: learning curves from training, the confusion matrix from here,
    // with every count of the printed matrix in a cell.
    #expect(try w.read("run/learning-curves.svg").contains("<svg xmlns"))
    let matrix = try w.read("run/confusion-matrix.svg")
    let counts = try #require(printed["confusion_matrix"] as? [[Int]])
    #expect(counts.joined().reduce(0, +) == 30)
    for c in Set(counts.joined()) { #expect(matrix.contains(">\(c)</text>"), "no cell shows \(c)") }
    // A checkpoint of another spec (here: another learning rate) is not taken without a word.
    #expect(
      try w.dlspec(["train", "spec.yaml", "--out", "other", "--set", "optimizer.sgd.lr=0.05"])
        .status == 0)
    let other = try w.dlspec(["evaluate", "spec.yaml", "--checkpoint", "other/checkpoints/last.h5"])
    #expect(other.status == 0, "\(other.stderr)")
    #expect(
      other.stderr.contains(
        "warning: other/checkpoints/last.h5 was trained from a different spec than spec.yaml")
        && other.stderr.contains("optimizer.sgd.lr"),
      "\(other.stderr)")
  }

  @Test func emptyDataIsAnError() throws {
    let w = try Workspace(testCount: 0)
    #expect(try w.dlspec(["train", "spec.yaml", "--out", "run"]).status == 0)
    let r = try w.dlspec(["evaluate", "spec.yaml", "--checkpoint", "run/checkpoints/last.h5"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("the test split has no samples (N = 0)"), "\(r.stderr)")
    #expect(!r.stdout.contains("accuracy"), "\(r.stdout)")
    let empty = try Workspace(trainCount: 0)
    let t = try empty.dlspec(["train", "spec.yaml", "--out", "run"])
    #expect(t.status == 1)
    #expect(t.stderr.contains("no samples (N = 0)"), "\(t.stderr)")
    #expect(!FileManager.default.fileExists(atPath: empty.file("run/checkpoints")))
  }

  /// stdout to a pipe is block-buffered by default: a kill -9 after some epochs would lose
  /// their lines. Each line must be out by the time the next step (its checkpoint) is written.
  @Test func progressLinesSurviveAKill() throws {
    let w = try Workspace()
    let binary = try #require(CLI.binary)
    let process = Process()
    process.executableURL = binary
    process.arguments = [
      "train", "spec.yaml", "--epochs", "100000", "--out", "run", "--set", "checkpoint.keep_last=2",
    ]
    process.currentDirectoryURL = URL(fileURLWithPath: w.path)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: w.file("run/checkpoints/last.h5")),
      process.isRunning, Date() < deadline
    {
      usleep(2000)
    }
    kill(process.processIdentifier, SIGKILL)
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal, "training ended by itself: \(text)")
    #expect(text.contains("training 'tiny' → run"), "\(text)")
    #expect(text.contains("epoch 1/100000"), "\(text)")
    // And the killed run resumes: metrics continue without a duplicate row (the kill may have
    // come between an epoch's row and its checkpoint).
    func epochs() throws -> [Int] {
      try w.read("run/metrics.csv").split(separator: "\n").dropFirst().compactMap {
        Int($0.prefix { $0 != "," })
      }
    }
    let target = try epochs().count + 1
    let resumed = try w.dlspec(["train", "spec.yaml", "--epochs", "\(target)", "--resume", "run"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(try epochs() == Array(1...target))
  }
}
