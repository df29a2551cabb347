import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// A run directory over several trainer invocations: refusal of an existing run, resume in
/// place, truncation after a kill, the lock, provenance, and the spec-change hook.
@Suite struct RunLifecycleTests {
  /// Trains `epochs` epochs of TrainerTests' tiny fixture into `run`.
  static func train(
    _ data: String, epochs: Int, run: String, resume: String? = nil, lr: Double = 0.1,
    configure: (inout Trainer.Options) -> Void = { _ in }
  ) throws -> Trainer.Summary {
    let text = TrainerTests.spec(data: data, epochs: epochs, lr: lr)
    let e = try PlanFixtures.experiment(text: text)
    var options = Trainer.Options(runDirectory: run, specText: text, resume: resume, log: { _ in })
    configure(&options)
    return try Trainer(e, options: options).run()
  }

  /// Every file under `directory` with its bytes.
  static func contents(_ directory: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let fm = FileManager.default
    for case let name as String in fm.enumerator(atPath: directory)! {
      var isDirectory: ObjCBool = false
      if fm.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        files[name] = fm.contents(atPath: directory + "/" + name)
      }
    }
    return files
  }

  static func rows(_ run: String) throws -> [[String]] {
    try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n")
      .dropFirst()
      .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
  }

  static func json(_ run: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: run + "/summary.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func newTrainingIntoAnExistingRunIsRefusedAndChangesNothing() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 2, run: run)
    let before = try Self.contents(run)
    #expect(before.keys.contains("checkpoints/last.h5") && before.keys.contains("summary.json"))
    do {
      _ = try Self.train(data, epochs: 1, run: run)
      Issue.record("training into an existing run was not refused")
    } catch {
      #expect("\(error)".contains("already holds a run"), "\(error)")
      #expect("\(error)".contains("--resume"), "\(error)")
    }
    #expect(try Self.contents(run) == before)
    // A checkpoint outside the run does not make it a continuation either.
    let elsewhere = dir.path("elsewhere.h5")
    try FileManager.default.copyItem(atPath: run + "/checkpoints/last.h5", toPath: elsewhere)
    #expect(throws: (any Error).self) {
      try Self.train(data, epochs: 3, run: run, resume: elsewhere)
    }
    #expect(try Self.contents(run) == before)
  }

  @Test func anEmptyExistingDirectoryIsFine() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("empty")
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    #expect(try Self.train(data, epochs: 1, run: run).epochs == 1)
  }

  @Test func resumeAppendsToTheSameRun() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    let straight = try Self.train(data, epochs: 4, run: dir.path("straight"))
    let first = try Self.train(data, epochs: 2, run: run)
    let afterFirst = try RunSummary.read(run + "/summary.json")
    // (Foundation's JSON parser may be off in the last bit of a double.)
    #expect(abs(afterFirst.wallSeconds - first.totalWallSeconds) < 1e-9)
    let second = try Self.train(data, epochs: 4, run: run, resume: run)
    #expect(second.startEpoch == 2 && second.epochs == 4 && second.epochsThisRun == 2)
    #expect(!second.alreadyComplete)
    #expect(try Self.rows(run).map { $0[0] } == ["1", "2", "3", "4"])
    // Continued bit-identically: the same metrics as four straight epochs.
    let straightRows = try Self.rows(dir.path("straight"))
    #expect(try Self.rows(run).map { $0[3] } == straightRows.map { $0[3] })
    #expect(second.losses == Array(straight.losses.suffix(20)))
    let summary = try RunSummary.read(run + "/summary.json")
    #expect(summary.epochs == 4)
    #expect(summary.steps == 40)
    #expect(summary.epochsPlanned == 4)
    #expect(summary.status == .finished)
    #expect(abs(summary.wallSeconds - (afterFirst.wallSeconds + second.wallSeconds)) < 1e-9)
    #expect(summary.startedAt == afterFirst.startedAt)
    #expect(abs((summary.trainLoss ?? 0) - second.trainLoss) < 1e-12)
    #expect(summary.best?.metric == "train_accuracy")
    let accuracies = try Self.rows(run).map { Double($0[4])! }
    #expect(summary.best?.value == accuracies.max())
  }

  @Test func resumingAFinishedRunChangesNothing() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 2, run: run)
    let before = try Self.contents(run)
    var messages: [String] = []
    for epochs in [2, 1] {
      let s = try Self.train(data, epochs: epochs, run: run, resume: run) {
        $0.log = { messages.append($0) }
      }
      #expect(s.alreadyComplete)
      #expect(s.epochs == 2 && s.epochsThisRun == 0)
      #expect(s.losses.isEmpty)
    }
    #expect(
      messages == [
        "already at epoch 2 of 2; raise --epochs to train more",
        "already at epoch 2 of 1; raise --epochs to train more",
      ])
    #expect(try Self.contents(run) == before)
  }

  @Test func resumeAfterAKillTruncatesMetricsAndUsesTheNewestEpochCheckpoint() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 3, run: run)
    let original = try Self.rows(run)
    // As after a kill -9 in epoch 3 between its metrics row and its checkpoints, and before
    // any last.h5 was complete: epoch-003.h5 and last.h5 are missing, the row of epoch 3 and
    // half a row of epoch 4 are there.
    try FileManager.default.removeItem(atPath: run + "/checkpoints/last.h5")
    try FileManager.default.removeItem(atPath: run + "/checkpoints/epoch-003.h5")
    let handle = try #require(FileHandle(forWritingAtPath: run + "/metrics.csv"))
    handle.seekToEndOfFile()
    handle.write(Data("4,40,0.1,0.12".utf8))
    handle.closeFile()
    var log: [String] = []
    let s = try Self.train(data, epochs: 3, run: run, resume: run) { $0.log = { log.append($0) } }
    #expect(s.startEpoch == 2)
    let rows = try Self.rows(run)
    #expect(rows.map { $0[0] } == ["1", "2", "3"])
    #expect(
      rows.map { $0[3] } == original.map { $0[3] }, "resumed epoch 3 differs from the original")
    #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/last.h5"))
    // A damaged last.h5 is refused, naming it; with resumeFallback (--resume-fallback) the
    // newest epoch checkpoint that passes its checks is used, and the log says which.
    try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: run + "/checkpoints/last.h5"))
    try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: run + "/checkpoints/epoch-003.h5"))
    do {
      _ = try Self.train(data, epochs: 3, run: run, resume: run)
      Issue.record("a damaged last.h5 was resumed without --resume-fallback")
    } catch {
      #expect("\(error)".contains("\(run)/checkpoints/last.h5"), "\(error)")
      #expect("\(error)".contains("--resume-fallback"), "\(error)")
    }
    log = []
    let again = try Self.train(data, epochs: 3, run: run, resume: run) {
      $0.log = { log.append($0) }
      $0.resumeFallback = true
    }
    #expect(again.startEpoch == 2)
    #expect(log.first?.contains("resuming from \(run)/checkpoints/epoch-002.h5") == true, "\(log)")
    #expect(try Self.rows(run).map { $0[0] } == ["1", "2", "3"])
  }

  @Test func aSecondTrainerIsRefusedWhileTheLockIsHeld() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    let lock = try RunLock.acquire(run)
    defer { lock.release() }
    do {
      _ = try Self.train(data, epochs: 1, run: run)
      Issue.record("training ran while another held the lock")
    } catch let held as RunLock.Held {
      #expect(held.pid == getpid())
      #expect(held.description.contains("pid \(getpid())"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: run) == ["run.lock"])
  }

  @Test func summaryRecordsProvenance() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    let specPath = dir.path("tiny.yaml")
    let canonical = "canonical form\n"
    _ = try Self.train(data, epochs: 2, run: run) {
      $0.threads = 1
      $0.specPath = specPath
      $0.specCanonical = canonical
      $0.overrides = ["optimizer.sgd.lr=0.1"]
      $0.commandLine = ["dlspec", "train", specPath, "--set", "optimizer.sgd.lr=0.1"]
    }
    let j = try Self.json(run)
    #expect(j["format"] as? String == "dlspec-run")
    #expect(j["format_version"] as? Int == 1)
    #expect(j["name"] as? String == "tiny")
    #expect(j["status"] as? String == "finished")
    #expect(j["spec_path"] as? String == specPath)
    #expect(try String(contentsOfFile: run + "/spec.canonical.yaml", encoding: .utf8) == canonical)
    #expect(j["spec_sha256"] as? String == SHA256.hex(of: Array(canonical.utf8)))
    #expect(j["overrides"] as? [String] == ["optimizer.sgd.lr=0.1"])
    #expect(
      j["command_line"] as? [String] == [
        "dlspec", "train", specPath, "--set", "optimizer.sgd.lr=0.1",
      ])
    #expect(j["dlspec_version"] as? String == ToolVersion.current)
    #expect(j["git"] is NSNull, "a temporary directory is in no repository")
    #expect(j["blas_core"] as? String == BLAS.coreName)
    #expect(j["threads"] as? Int == 1)
    #expect(j["seed"] as? Int == 7)
    #expect(j["batch_size"] as? Int == 20)
    #expect(j["epochs_planned"] as? Int == 2)
    #expect(j["epochs"] as? Int == 2)
    #expect(j["steps"] as? Int == 20)
    for key in ["started_at", "updated_at", "finished_at"] {
      let text = try #require(j[key] as? String, "\(key)")
      #expect(Provenance.date(text) != nil, "\(key): \(text)")
    }
    #expect(j["validation_accuracy"] == nil)
    #expect(j["error"] == nil)
    // The checkpoints carry the same hash and the canonical text.
    let meta = try Checkpoint.readMetadata(run + "/checkpoints/last.h5")
    #expect(meta.specHash == j["spec_sha256"] as? String)
    #expect(meta.specCanonical == canonical)
  }

  @Test func summaryRecordsTheGitStateOfTheSpecsRepository() throws {
    guard RunSummaryTests.hasGit else { return }
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let repo = dir.path("repo")
    try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    _ = try RunSummaryTests.git(["init", "-q"], in: repo)
    try Data("x".utf8).write(to: URL(fileURLWithPath: repo + "/tiny.yaml"))
    _ = try RunSummaryTests.git(["add", "tiny.yaml"], in: repo)
    _ = try RunSummaryTests.git(
      ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "s"], in: repo)
    let head = try RunSummaryTests.git(["rev-parse", "HEAD"], in: repo)
    try Data("changed".utf8).write(to: URL(fileURLWithPath: repo + "/tiny.yaml"))
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 1, run: run) { $0.specPath = repo + "/tiny.yaml" }
    let git = try #require(try Self.json(run)["git"] as? [String: Any])
    #expect(git["commit"] as? String == head)
    #expect(git["dirty"] as? Bool == true)
  }

  @Test func theSpecChangeHookSeesTheStoredCanonicalSpec() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 1, run: run) { $0.specCanonical = "spec A" }
    // The same canonical spec: the hook is not called.
    var seen: [String] = []
    _ = try Self.train(data, epochs: 2, run: run, resume: run) {
      $0.specCanonical = "spec A"
      $0.specChangeCheck = { seen.append($0) }
    }
    #expect(seen.isEmpty)
    // A changed one: called with the stored text; a throw refuses before anything is written.
    let before = try Self.contents(run)
    struct Refused: Error {}
    #expect(throws: Refused.self) {
      try Self.train(data, epochs: 3, run: run, resume: run) {
        $0.specCanonical = "spec B"
        $0.specChangeCheck = {
          seen.append($0)
          throw Refused()
        }
      }
    }
    #expect(seen == ["spec A"])
    #expect(try Self.contents(run) == before)
  }

  @Test func aCheckpointOutsideARunSeedsANewRun() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    _ = try Self.train(data, epochs: 2, run: dir.path("a"))
    let loose = dir.path("loose.h5")
    try FileManager.default.copyItem(atPath: dir.path("a") + "/checkpoints/last.h5", toPath: loose)
    let run = dir.path("b")
    let s = try Self.train(data, epochs: 3, run: run, resume: loose)
    #expect(s.startEpoch == 2 && s.epochs == 3)
    #expect(try Self.rows(run).map { $0[0] } == ["3"])
    #expect(try RunSummary.read(run + "/summary.json").epochs == 3)
  }

  @Test(arguments: [-4, Int(Checkpoint.maxEpoch) + 1, 1 << 62])
  func aCheckpointWithAnImpossibleEpochIsRefused(_ epoch: Int) throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 1, run: run)
    let text = TrainerTests.spec(data: data, epochs: 1)
    let plan = Plan<Float>(try PlanFixtures.experiment(text: text), batch: 20)
    let path = run + "/checkpoints/last.h5"
    try Checkpoint.load(path, into: plan, optimizerState: true)
    try Checkpoint.save(
      plan, to: path,
      metadata: Checkpoint.Metadata(specHash: "", epoch: epoch, step: 10, rngState: [1, 2, 3, 4]),
      optimizer: "sgd")
    try FileManager.default.removeItem(atPath: run + "/checkpoints/epoch-001.h5")
    do {
      _ = try Checkpoint.readMetadata(path)
      Issue.record("epoch \(epoch) was accepted")
    } catch {
      #expect("\(error)".contains("epoch attribute is \(epoch)"), "\(error)")
    }
    let before = try Self.contents(run)
    #expect(throws: Checkpoint.Failure.self) {
      try Self.train(data, epochs: 2, run: run, resume: run)
    }
    #expect(try Self.contents(run) == before)
  }

  @Test func aNegativeStepIsRefused() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("c.h5")
    let plan = Plan<Float>(
      try PlanFixtures.experiment(text: TrainerTests.spec(data: "d.h5", epochs: 1)), batch: 2)
    try Checkpoint.save(
      plan, to: path, metadata: Checkpoint.Metadata(specHash: "", epoch: 1, step: -3, rngState: [1, 2, 3, 4]),
      optimizer: "sgd")
    #expect(throws: Checkpoint.Failure.self) { try Checkpoint.readMetadata(path) }
  }

  @Test func aFailedRunSaysSoInItsSummary() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    let text = TrainerTests.spec(
      data: data, epochs: 3, lr: 1e6, layers: "    - dense: {units: 4}", loss: "mse")
    let e = try PlanFixtures.experiment(text: text)
    #expect(throws: Trainer.Failure.self) {
      try Trainer(e, options: Trainer.Options(runDirectory: run, specText: text, log: { _ in }))
        .run()
    }
    let j = try Self.json(run)
    #expect(j["status"] as? String == "failed")
    #expect((j["error"] as? String)?.contains("diverged") == true, "\(j)")
    #expect(j["finished_at"] is NSNull)
    // It diverges in the first epoch, before any checkpoint: no promise of a last good one.
    #expect(!FileManager.default.fileExists(atPath: run + "/checkpoints/last.h5"))
    #expect((j["error"] as? String)?.contains("last.h5") == false, "\(j)")
  }

  @Test func emptyTrainingDataIsAnError() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("empty.h5")
    let file = try HDF5File.create(path)
    try file.write([Float](), shape: [0, 16], to: "x_train")
    try file.write([Int64](), shape: [0, 1], to: "y_train")
    file.close()
    let run = dir.path("run")
    do {
      _ = try Self.train(path, epochs: 1, run: run)
      Issue.record("training on no samples succeeded")
    } catch {
      #expect("\(error)".contains("N = 0"), "\(error)")
    }
    #expect(!FileManager.default.fileExists(atPath: run + "/checkpoints"))
    #expect(!FileManager.default.fileExists(atPath: run + "/summary.json"))
  }

  @Test func testMetricsOfLastH5AreDroppedWhenTrainingGoesOn() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    _ = try Self.train(data, epochs: 2, run: run)
    for (checkpoint, kept) in [("checkpoints/epoch-002.h5", true), ("checkpoints/last.h5", false)] {
      var summary = try RunSummary.read(run + "/summary.json")
      summary.test = RunSummary.Test(loss: 0.5, accuracy: 0.8, samples: 80, checkpoint: checkpoint)
      try summary.write(to: run + "/summary.json")
      let epochs = try RunSummary.read(run + "/summary.json").epochs + 1
      _ = try Self.train(data, epochs: epochs, run: run, resume: run)
      #expect((try RunSummary.read(run + "/summary.json").test != nil) == kept, "\(checkpoint)")
    }
  }
}
