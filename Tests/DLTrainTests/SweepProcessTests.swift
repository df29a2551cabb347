import DLRuntime
import Foundation
import Testing

@testable import DLTrain

#if canImport(Glibc)
  import Glibc
#endif

/// `dlspec sweep` run as a process: kill -9 and --resume, failures, the jobs × threads check.
@Suite(.serialized) struct SweepProcessTests {
  /// The built `dlspec` beside the test bundle (`.build/debug/dlspec`).
  static let binary: String? = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("dlspec").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }()

  /// `count` samples of 16 features in 4 classes, in `dir/data.h5`; 2-epoch logreg specs over it
  /// take a fraction of a second per point, batch size 1 a little longer.
  static func fixture(_ dir: TemporaryDirectory, count: Int = 1500) throws -> String {
    var generator = RandomGenerator(seed: 11)
    var x: [Float] = []
    var y: [Int64] = []
    for _ in 0..<count {
      let c = Int.random(in: 0..<4, using: &generator)
      y.append(Int64(c))
      for j in 0..<16 {
        x.append((j % 4 == c ? 1 : 0) + Float.random(in: -0.6...0.6, using: &generator))
      }
    }
    let data = dir.path("data.h5")
    let file = try HDF5File.create(data)
    try file.write(x, shape: [count, 16], to: "x_train")
    try file.write(y, shape: [count, 1], to: "y_train")
    let tests = min(400, count)
    try file.write(Array(x.prefix(tests * 16)), shape: [tests, 16], to: "x_test")
    try file.write(Array(y.prefix(tests)), shape: [tests, 1], to: "y_test")
    file.close()
    let spec = dir.path("logreg.yaml")
    try """
    dlspec: 1
    name: tinylog
    data:
      train: {hdf5: data.h5}
      test: {hdf5: data.h5}
      classes: 4
      validation_split: 0.1
    model:
      input: [16]
      layers:
        - dense: {units: 4}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.1}
    train: {epochs: 2, batch_size: 10, seed: 3}

    """.write(toFile: spec, atomically: true, encoding: .utf8)
    return spec
  }

  static func start(_ arguments: [String], in dir: TemporaryDirectory) throws -> (
    Process, Pipe, Pipe
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(binary, "build dlspec first"))
    process.arguments = arguments
    process.currentDirectoryURL = dir.url
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
  }

  static func run(_ arguments: [String], in dir: TemporaryDirectory) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let (process, out, err) = try start(arguments, in: dir)
    final class Box: @unchecked Sendable { var data = Data() }
    let box = Box()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
      box.data = err.fileHandleForReading.readDataToEndOfFile()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: stdout, as: UTF8.self),
      String(decoding: box.data, as: UTF8.self)
    )
  }

  static func json(_ path: String) -> [String: Any]? {
    FileManager.default.contents(atPath: path).flatMap {
      try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
    }
  }

  static func points(_ sweep: String) -> [[String: Any]] {
    (json(sweep + "/sweep.json")?["points"] as? [[String: Any]]) ?? []
  }

  /// Kills the sweep with SIGKILL once point 1 has finished and point 2 (batch size 1, the
  /// slow one) has trained its first epoch. With `crash` the training child dies too (a machine
  /// crash), so point 2 must resume from its checkpoint; without, the orphaned child finishes
  /// point 2 while the resumed sweep waits for it.
  @Test(arguments: [false, true])
  func killedSweepResumesWithEveryPointDoneOnce(crash: Bool) throws {
    let dir = try TemporaryDirectory()
    _ = try Self.fixture(dir, count: 6000)
    let arguments = [
      "sweep", "logreg.yaml", "--grid", "optimizer.sgd.lr=0.05,0.2", "--grid",
      "train.batch_size=50,1,25",
      "--out", "sw", "--jobs", "1", "--threads", "1", "--epochs", "3",
    ]
    let (process, _, _) = try Self.start(arguments, in: dir)
    let deadline = Date().addingTimeInterval(120)
    func secondPointTrainedAnEpoch() -> Bool {
      let p = Self.points(dir.path("sw"))
      guard p.first?["status"] as? String == "finished", p.count > 1,
        let run = p[1]["run"] as? String
      else {
        return false
      }
      // The checkpoint is renamed into place after the epoch's metrics row: wait for both.
      return (RunMetrics.read(path: dir.path("sw/" + run + "/metrics.csv"))?.rows.count ?? 0) >= 1
        && FileManager.default.fileExists(atPath: dir.path("sw/" + run + "/checkpoints/last.h5"))
    }
    while Date() < deadline, !secondPointTrainedAnEpoch() { usleep(2_000) }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    if crash, let pid = Self.points(dir.path("sw"))[1]["pid"] as? Int {
      kill(Int32(pid), SIGKILL)
      // SIGKILL is delivered asynchronously: until the child is gone its run.lock is held and
      // the point looks like it is still running. Wait for it, as a rebooted machine would.
      let gone = Date().addingTimeInterval(10)
      while Date() < gone, kill(Int32(pid), 0) == 0 { usleep(2_000) }
    }
    let before = Self.points(dir.path("sw"))
    let doneBefore = before.filter { $0["status"] as? String == "finished" }.compactMap {
      $0["run"] as? String
    }
    #expect(!doneBefore.isEmpty && doneBefore.count < 6, "killed after \(doneBefore.count) points")
    var stamps: [String: Data] = [:]
    for run in doneBefore {
      stamps[run] = FileManager.default.contents(atPath: dir.path("sw/" + run + "/summary.json"))
    }

    let resumed = try Self.run(arguments + ["--resume"], in: dir)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    if crash {
      #expect(
        resumed.stdout.contains("[resume] point 2 (optimizer.sgd.lr=0.05, train.batch_size=1)"),
        "\(resumed.stdout)")
    } else {
      // The orphan either is still training point 2 (the resumed sweep waits for it) or has
      // just finished, leaving only the evaluation: never a second training.
      #expect(
        resumed.stdout.contains("point 2: waiting for pid")
          || resumed.stdout.contains("[evaluate] point 2 "), "\(resumed.stdout)")
      #expect(
        !resumed.stdout.contains("[start] point 2 ")
          && !resumed.stdout.contains("[resume] point 2 "))
    }

    let after = Self.points(dir.path("sw"))
    #expect(after.count == 6)
    let csv = try String(contentsOfFile: dir.path("sw/sweep.csv"), encoding: .utf8)
      .split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
    #expect(csv.count == 7)
    #expect(csv.first?.prefix(4) == ["optimizer.sgd.lr", "train.batch_size", "status", "epochs"])
    for (i, p) in after.enumerated() {
      let run = try #require(p["run"] as? String)
      #expect(p["status"] as? String == "finished", "\(run)")
      // Done once: the points finished before the kill were not touched again.
      if let old = stamps[run] {
        #expect(
          FileManager.default.contents(atPath: dir.path("sw/" + run + "/summary.json")) == old,
          "\(run)")
        #expect(p["attempts"] as? Int == 1)
      }
      // None trained twice: every epoch appears once in the point's metrics.csv.
      let metrics = try #require(RunMetrics.read(path: dir.path("sw/" + run + "/metrics.csv")))
      #expect(metrics.column("epoch") == [1, 2, 3], "\(run)")
      // sweep.csv row i is point i, with the numbers of its summary.json and evaluation.
      let summary = try #require(Self.json(dir.path("sw/" + run + "/summary.json")))
      let row = csv[i + 1]
      #expect(row.last == run)
      #expect(row[2] == "finished")
      #expect(Double(row[4]) == RecordedSummary.double(summary["train_loss"]), "\(run)")
      #expect(Double(row[5]) == RecordedSummary.double(summary["train_accuracy"]), "\(run)")
      #expect(Double(row[7]) == RecordedSummary.double(summary["validation_accuracy"]), "\(run)")
      let test = try #require(p["test"] as? [String: Any])
      #expect(Double(row[9]) == RecordedSummary.double(test["accuracy"]), "\(run)")
    }
    // The grid's order and values.
    #expect(
      csv.dropFirst().map { Array($0.prefix(2)) } == [
        ["0.05", "50"], ["0.05", "1"], ["0.05", "25"], ["0.2", "50"], ["0.2", "1"], ["0.2", "25"],
      ])
    // A second --resume has nothing left to do.
    let again = try Self.run(arguments + ["--resume"], in: dir)
    #expect(again.status == 0)
    #expect(again.stdout.contains("(6 done, 0 to run)"), "\(again.stdout)")
  }

  @Test func resumeRefusesAnotherGrid() throws {
    let dir = try TemporaryDirectory()
    _ = try Self.fixture(dir, count: 100)
    let first = try Self.run(
      ["sweep", "logreg.yaml", "--grid", "optimizer.sgd.lr=0.1", "--out", "sw", "--no-evaluate"],
      in: dir)
    #expect(first.status == 0, "\(first.stderr)")
    let other = try Self.run(
      [
        "sweep", "logreg.yaml", "--grid", "optimizer.sgd.lr=0.1,0.2", "--out", "sw",
        "--no-evaluate", "--resume",
      ], in: dir)
    #expect(other.status == 1)
    #expect(
      other.stderr.contains("grid: stored optimizer.sgd.lr=0.1, now optimizer.sgd.lr=0.1,0.2"),
      "\(other.stderr)")
    let again = try Self.run(
      ["sweep", "logreg.yaml", "--grid", "optimizer.sgd.lr=0.1", "--out", "sw"], in: dir)
    #expect(again.status == 1)
    #expect(again.stderr.contains("already holds a sweep"), "\(again.stderr)")
  }

  @Test func aFailingPointStopsTheSweepWithItsLog() throws {
    let dir = try TemporaryDirectory()
    _ = try Self.fixture(dir, count: 100)
    // A linear model under mse overflows at a huge rate: point 1 fails while training.
    let r = try Self.run(
      [
        "sweep", "logreg.yaml", "--set", "loss=mse", "--set", "model.layers=[{dense: {units: 4}}]",
        "--grid", "optimizer.sgd.lr=1e6,0.1,0.2", "--out", "sw", "--jobs", "1", "--threads", "1",
      ], in: dir)
    #expect(r.status == 1)
    #expect(r.stderr.contains("point 1 (optimizer.sgd.lr=1e6) failed: "), "\(r.stderr)")
    #expect(r.stderr.contains("diverged"), "\(r.stderr)")
    #expect(r.stderr.contains("see sw/points/001-lr=1e6/train.log"), "\(r.stderr)")
    let points = Self.points(dir.path("sw"))
    #expect(points.map { $0["status"] as? String } == ["failed", "pending", "pending"])
    let csv = try String(contentsOfFile: dir.path("sw/sweep.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 4)
    #expect(!FileManager.default.fileExists(atPath: dir.path("sw/points/002-lr=0.1")))
  }

  @Test func jobsTimesThreadsBeyondTheCoresIsRefused() throws {
    let dir = try TemporaryDirectory()
    _ = try Self.fixture(dir, count: 100)
    let r = try Self.run(
      [
        "sweep", "logreg.yaml", "--grid", "optimizer.sgd.lr=0.1", "--jobs", "2", "--threads",
        "4096",
      ], in: dir)
    #expect(r.status == 2)
    #expect(
      r.stderr.contains(
        "--jobs 2 × --threads 4096 = 8192 threads, more than this machine's \(Parallel.coreCount) cores"
      ), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.path("runs")))
    // Threads per job default to cores / jobs, so --jobs alone never oversubscribes.
    let ok = try Self.run(
      [
        "sweep", "logreg.yaml", "--grid", "optimizer.sgd.lr=0.1", "--jobs",
        String(Parallel.coreCount), "--out", "sw", "--no-evaluate", "--format", "json",
      ], in: dir)
    #expect(ok.status == 0, "\(ok.stderr)")
    let state = try #require(
      try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
    #expect(state["threads"] as? Int == 1)
  }

  @Test func aSweepFileIsTheOneCommand() throws {
    let dir = try TemporaryDirectory()
    _ = try Self.fixture(dir, count: 200)
    try FileManager.default.createDirectory(
      atPath: dir.path("sweeps"), withIntermediateDirectories: true)
    try """
    sweep: 1
    spec: ../logreg.yaml
    set: {schedule: constant}
    grid:
      optimizer.sgd.lr: [0.01, 0.1]
      train.batch_size: [10, 20]
    epochs: 1
    out: sw

    """.write(toFile: dir.path("sweeps/lr.yaml"), atomically: true, encoding: .utf8)
    let r = try Self.run(["sweep", "sweeps/lr.yaml"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let state = try #require(Self.json(dir.path("sw/sweep.json")))
    #expect(state["spec_path"] as? String == "logreg.yaml")
    #expect(state["sweep_file"] as? String == "sweeps/lr.yaml")
    #expect(state["set"] as? [String] == ["schedule=constant"])
    let points = Self.points(dir.path("sw"))
    #expect(
      points.map { $0["assignments"] as? [String] ?? [] } == [
        ["optimizer.sgd.lr=0.01", "train.batch_size=10"],
        ["optimizer.sgd.lr=0.01", "train.batch_size=20"],
        ["optimizer.sgd.lr=0.1", "train.batch_size=10"],
        ["optimizer.sgd.lr=0.1", "train.batch_size=20"],
      ])
    #expect(
      points.allSatisfy { $0["status"] as? String == "finished" && $0["test"] is [String: Any] })
    // The plot data: x = the first key, one series per value of the second.
    let plot = try #require(state["plot"] as? [String: Any])
    #expect(plot["x_key"] as? String == "optimizer.sgd.lr")
    #expect(plot["series_key"] as? String == "train.batch_size")
    #expect(
      (plot["series"] as? [[String: Any]])?.map { $0["label"] as? String } == [
        "batch_size=10", "batch_size=20",
      ])
    let spec = try String(
      contentsOfFile: dir.path("sw/points/002-lr=0.01-batch_size=20/spec.yaml"), encoding: .utf8)
    #expect(spec.contains("schedule: constant") && spec.contains("batch_size: 20"))

    try "sweep: 1\nspec: ../logreg.yaml\ngrid: [1, 2]\n".write(
      toFile: dir.path("sweeps/bad.yaml"), atomically: true, encoding: .utf8)
    let bad = try Self.run(["sweep", "sweeps/bad.yaml"], in: dir)
    #expect(bad.status == 1)
    #expect(
      bad.stderr.contains("sweeps/bad.yaml:3:7: error[E015]: `grid` must be a mapping"),
      "\(bad.stderr)")
  }
}
