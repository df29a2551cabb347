import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// summary.json's writer and tolerant reader, and the git provenance.
@Suite struct RunSummaryTests {
  static func sample() -> RunSummary {
    var s = RunSummary()
    s.name = "mlp"
    s.status = .finished
    s.specPath = "specs/mlp.yaml"
    s.specSHA256 = String(repeating: "ab", count: 32)
    s.overrides = ["optimizer.sgd.lr=0.05", "train.epochs=4"]
    s.commandLine = ["dlspec", "train", "specs/mlp.yaml", "--epochs", "4"]
    s.git = Provenance.Git(commit: String(repeating: "1", count: 40), dirty: true, root: "/repo")
    s.blasCore = "Haswell"
    s.threads = 2
    s.seed = 7
    s.batchSize = 20
    s.startedAt = Date(timeIntervalSince1970: 1_800_000_000)
    s.updatedAt = Date(timeIntervalSince1970: 1_800_000_100)
    s.finishedAt = s.updatedAt
    s.epochsPlanned = 4
    s.epochs = 4
    s.steps = 40
    s.trainLoss = 0.25
    s.trainAccuracy = 0.9
    s.validationLoss = 0.3
    s.validationAccuracy = 0.875
    s.best = RunSummary.Best(metric: "validation_accuracy", value: 0.875, epoch: 3)
    s.wallSeconds = 1.5
    s.samplesPerSecond = 1000.25
    s.test = RunSummary.Test(
      loss: 0.5, accuracy: 0.75, samples: 80, checkpoint: "checkpoints/last.h5")
    return s
  }

  @Test func writesAndReadsBack() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("summary.json")
    let s = Self.sample()
    try s.write(to: path)
    #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    #expect(try RunSummary.read(path) == s)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any])
    #expect(object["format"] as? String == "dlspec-run")
    #expect(object["format_version"] as? Int == 1)
    #expect(object["started_at"] as? String == "2027-01-15T08:00:00Z")
    #expect((object["git"] as? [String: Any])?["dirty"] as? Bool == true)
    #expect((object["test"] as? [String: Any])?["samples"] as? Int == 80)
    #expect(object["error"] == nil)
  }

  @Test func readerToleratesMissingAndUnknownKeys() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("summary.json")
    try Data(#"{"name": "old", "epochs": 3, "spec_hash": "x", "future_key": [1, 2]}"#.utf8)
      .write(to: URL(fileURLWithPath: path))
    let s = try RunSummary.read(path)
    #expect(s.name == "old")
    #expect(s.epochs == 3)
    #expect(s.git == nil && s.test == nil && s.trainLoss == nil)
    try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: RunDirectory.Failure.self) { try RunSummary.read(path) }
  }

  static func git(_ arguments: [String], in directory: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", directory] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "git \(arguments) failed")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static var hasGit: Bool { Provenance.run(["--version"]) != nil }

  @Test func gitOutsideARepositoryIsNil() throws {
    let dir = try TemporaryDirectory()
    #expect(Provenance.git(at: dir.url.path) == nil)
    #expect(Provenance.git(at: dir.path("no-such-directory")) == nil)
  }

  @Test func gitRecordsCommitAndDirtyState() throws {
    guard Self.hasGit else { return }
    let dir = try TemporaryDirectory()
    let repo = dir.url.path
    _ = try Self.git(["init", "-q"], in: repo)
    // An empty repository has no commit yet: no provenance, and no error.
    #expect(Provenance.git(at: repo) == nil)
    try Data("name: x\n".utf8).write(to: URL(fileURLWithPath: repo + "/spec.yaml"))
    _ = try Self.git(["add", "spec.yaml"], in: repo)
    _ = try Self.git(
      ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "spec"],
      in: repo)
    let head = try Self.git(["rev-parse", "HEAD"], in: repo)
    let clean = try #require(Provenance.git(at: repo))
    #expect(clean.commit == head)
    #expect(clean.commit.count == 40)
    #expect(!clean.dirty)
    #expect(RunDirectory.same(clean.root, repo))
    try Data("name: y\n".utf8).write(to: URL(fileURLWithPath: repo + "/spec.yaml"))
    #expect(Provenance.git(at: repo)?.dirty == true)
    #expect(Provenance.git(at: repo)?.commit == head)
  }

  @Test func timestampsAreUTCSeconds() {
    let date = Date(timeIntervalSince1970: 1_800_000_000.75)
    #expect(Provenance.iso8601(date) == "2027-01-15T08:00:00Z")
    #expect(Provenance.date("2027-01-15T08:00:00Z") == Date(timeIntervalSince1970: 1_800_000_000))
  }
}
