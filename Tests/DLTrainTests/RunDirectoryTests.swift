import Foundation
import Testing

@testable import DLTrain

/// Run directories: atomic creation, refused names and paths, the run lock, resume candidates.
@Suite struct RunDirectoryTests {
  @Test func twoRunsInTheSameSecondGetDistinctDirectories() throws {
    let dir = try TemporaryDirectory()
    let base = dir.path("runs")
    let date = Date(timeIntervalSince1970: 1_800_000_000)
    let first = try RunDirectory.create(base: base, name: "mlp", at: date)
    let second = try RunDirectory.create(base: base, name: "mlp", at: date)
    let third = try RunDirectory.create(base: base, name: "mlp", at: date)
    let stamp = RunDirectory.timestamp(date)
    #expect(first == base + "/mlp/" + stamp)
    #expect(second == first + "-2")
    #expect(third == first + "-3")
    let listed = try FileManager.default.contentsOfDirectory(atPath: base + "/mlp").sorted()
    #expect(listed == [stamp, stamp + "-2", stamp + "-3"])
    #expect(stamp.count == 15 && stamp.dropFirst(8).first == "-", "\(stamp)")
  }

  @Test(arguments: ["", ".", "..", "a/b", "../escape", "/"])
  func badRunNamesAreRefused(_ name: String) throws {
    let dir = try TemporaryDirectory()
    #expect(throws: RunDirectory.Failure.self) { try RunDirectory.checkName(name) }
    #expect(throws: RunDirectory.Failure.self) {
      try RunDirectory.create(base: dir.path("runs"), name: name)
    }
    // Nothing was created above runs/ for a name that tries to escape it.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.url.path).allSatisfy { $0 == "runs" })
  }

  @Test func goodNamesPass() throws {
    for name in ["mlp", "mlp-baseline.v2", "😀"] { try RunDirectory.checkName(name) }
  }

  @Test(arguments: ["", "/", "/tmp/..", "//"])
  func emptyOrRootOutIsRefused(_ out: String) {
    #expect(throws: RunDirectory.Failure.self) { try RunDirectory.checkOut(out) }
  }

  @Test func existingRunIsRecognisedAndRefused() throws {
    let dir = try TemporaryDirectory()
    let run = dir.path("run")
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    #expect(!RunDirectory.holdsRun(run))
    try RunDirectory.refuseExistingRun(run)
    try Data("epoch\n".utf8).write(to: URL(fileURLWithPath: run + "/metrics.csv"))
    #expect(RunDirectory.holdsRun(run))
    do {
      try RunDirectory.refuseExistingRun(run)
      Issue.record("an existing run was not refused")
    } catch {
      #expect("\(error)".contains("--resume \(run)"), "\(error)")
      #expect("\(error)".contains("metrics.csv"), "\(error)")
    }
  }

  @Test func resumeCandidatesPreferLastThenNewestEpoch() throws {
    let dir = try TemporaryDirectory()
    let run = dir.path("run")
    let checkpoints = run + "/checkpoints"
    try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
    for name in [
      "epoch-002.h5", "epoch-010.h5", "epoch-1000.h5", "epoch-999.h5", "last.h5", "notes.txt",
    ] {
      _ = FileManager.default.createFile(atPath: checkpoints + "/" + name, contents: Data())
    }
    #expect(
      RunDirectory.resumeCandidates(run).map { URL(fileURLWithPath: $0).lastPathComponent } == [
        "last.h5", "epoch-1000.h5", "epoch-999.h5", "epoch-010.h5", "epoch-002.h5",
      ])
    try FileManager.default.removeItem(atPath: checkpoints + "/last.h5")
    #expect(RunDirectory.resumeCandidates(run).first == checkpoints + "/epoch-1000.h5")
    // A file is its own only candidate.
    #expect(
      RunDirectory.resumeCandidates(checkpoints + "/epoch-002.h5") == [
        checkpoints + "/epoch-002.h5"
      ])
  }

  @Test func checkpointsKnowTheirRun() throws {
    let dir = try TemporaryDirectory()
    let run = dir.path("run")
    try FileManager.default.createDirectory(
      atPath: run + "/checkpoints", withIntermediateDirectories: true)
    let checkpoint = run + "/checkpoints/last.h5"
    _ = FileManager.default.createFile(atPath: checkpoint, contents: Data())
    // Without summary.json it is no run evaluate can write into.
    #expect(RunDirectory.containing(checkpoint: checkpoint) == nil)
    #expect(RunDirectory.run(ofResume: checkpoint) == nil)
    _ = FileManager.default.createFile(atPath: run + "/summary.json", contents: Data("{}".utf8))
    #expect(
      RunDirectory.containing(checkpoint: checkpoint).map { RunDirectory.same($0, run) } == true)
    #expect(RunDirectory.run(ofResume: checkpoint).map { RunDirectory.same($0, run) } == true)
    #expect(RunDirectory.containing(checkpoint: dir.path("elsewhere.h5")) == nil)
  }

  @Test func theLockRefusesASecondHolderAndNamesThePID() throws {
    let dir = try TemporaryDirectory()
    let lock = try RunLock.acquire(dir.url.path)
    let text = try String(contentsOfFile: dir.path("run.lock"), encoding: .utf8)
    #expect(text == "\(getpid())\n")
    do {
      _ = try RunLock.acquire(dir.url.path)
      Issue.record("a second lock was granted")
    } catch let held as RunLock.Held {
      #expect(held.pid == getpid())
      #expect(held.description.contains("pid \(getpid())"), "\(held)")
    }
    lock.release()
    #expect(!FileManager.default.fileExists(atPath: dir.path("run.lock")))
    let again = try RunLock.acquire(dir.url.path)
    again.release()
  }
}
