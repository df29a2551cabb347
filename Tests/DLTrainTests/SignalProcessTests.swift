import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT and SIGTERM sent to a `dlspec train` child: a checkpoint of the step it stopped at,
/// summary.json `stopped`, how to resume, exit 130/143, and a resume that ends bit-identical to
/// a run never interrupted. Batch size 1 over 1,500 samples: each epoch is 1,500 steps, so a
/// signal sent after the first metrics row lands inside an epoch.
@Suite(.serialized) struct SignalProcessTests {
  static let layers = "    - dense: {units: 32}\n    - tanh\n    - dense: {units: 4}\n    - softmax"
  static let epochs = 8

  static func workspace() throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory()
    try TrainProcessFixture.write(dir, count: 1500, layers: layers, epochs: epochs, batch: 1)
    return dir
  }

  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalStopsAtAStepAndTheRunResumesBitIdentically(_ signal: Int32) throws {
    let dir = try Self.workspace()
    let straight = try TrainProcess.run(["train", "spec.yaml", "--out", "straight"], in: dir)
    #expect(straight.status == 0, "\(straight.stderr)")

    let child = try TrainProcess(["train", "spec.yaml", "--out", "run"], in: dir)
    let running = child.wait { TrainProcessFixture.rows(dir.path("run")) >= 1 }
    child.send(signal)
    let r = child.finish()
    try #require(running, "training ended before the signal: \(r.stdout)")
    #expect(!r.signalled)
    #expect(r.status == 128 + signal, "\(r.stdout)\(r.stderr)")
    let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
    #expect(r.stderr.contains("dlspec: \(name): stopping at the next step"), "\(r.stderr)")
    #expect(r.stdout.contains("stopped by \(name) at epoch "), "\(r.stdout)")
    #expect(r.stdout.contains("resume with: dlspec train spec.yaml --resume run\n"), "\(r.stdout)")
    let summary = TrainProcessFixture.json(dir.path("run/summary.json"))
    #expect(summary["status"] as? String == "stopped")
    #expect((summary["stop_reason"] as? String)?.hasPrefix("\(name) at epoch ") == true)
    let saved = try TrainProcessFixture.load(dir.path("run/checkpoints/last.h5"), dir: dir)
    #expect(saved.meta.step == summary["steps"] as? Int)
    #expect(saved.meta.step == saved.meta.epoch * 1500 + (saved.meta.progress?.batch ?? 0))
    #expect(saved.meta.step < Self.epochs * 1500)

    let resumed = try TrainProcess.run(["train", "spec.yaml", "--resume", "run"], in: dir)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(TrainProcessFixture.metrics(dir.path("run")) == TrainProcessFixture.metrics(dir.path("straight")))
    let a = try TrainProcessFixture.load(dir.path("straight/checkpoints/last.h5"), dir: dir)
    let b = try TrainProcessFixture.load(dir.path("run/checkpoints/last.h5"), dir: dir)
    #expect(a.weights == b.weights)
    #expect(a.meta.step == b.meta.step && a.meta.rngState == b.meta.rngState)
    #expect(TrainProcessFixture.json(dir.path("run/summary.json"))["status"] as? String == "finished")
  }

  /// A second SIGINT exits at once with 130: sent once the stop's checkpoint write has begun
  /// (its `.tmp` file is there; two signals sent back to back would merge into one), it ends
  /// the process before the stop completes. The last complete checkpoint loads, and the run
  /// resumes from it to the end. Two 512-unit layers make that write take milliseconds.
  @Test func aSecondSIGINTExitsAtOnce() throws {
    let dir = try TemporaryDirectory()
    try TrainProcessFixture.write(
      dir, count: 300,
      layers: "    - dense: {units: 512}\n    - tanh\n    - dense: {units: 512}\n"
        + "    - tanh\n    - dense: {units: 4}\n    - softmax",
      epochs: 3, batch: 10)
    let checkpoints = dir.path("run/checkpoints")
    let child = try TrainProcess(["train", "spec.yaml", "--out", "run"], in: dir)
    // After the first epoch's last.h5: a `.tmp` seen then is a later write's.
    let running = child.wait {
      FileManager.default.fileExists(atPath: checkpoints + "/last.h5")
        && !((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? [])
          .contains { $0.hasSuffix(".tmp") }
    }
    child.send(SIGINT)
    let writing = child.wait(seconds: 10) {
      ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? [])
        .contains { $0.hasSuffix(".tmp") }
    }
    child.send(SIGINT)
    let sent = Date()
    let r = child.finish()
    try #require(running, "training ended before the signal: \(r.stdout)")
    #expect(r.status == 130, "\(r.stdout)\(r.stderr)")
    #expect(Date().timeIntervalSince(sent) < 2)
    // Checkpoints are assembled in memory and written in one go, so the `.tmp` may exist for
    // too short a time to be seen; then the second SIGINT meets a process that has stopped
    // (or is stopping) cleanly, and everything below must hold all the same.
    if writing {
      // Gone before the stop finished: no "stopped" line, summary.json not yet `stopped`.
      #expect(!r.stdout.contains("stopped by"), "\(r.stdout)")
      let status = TrainProcessFixture.json(dir.path("run/summary.json"))["status"] as? String
      #expect(status == "running", "\(status ?? "nil")")
    }
    let saved = try TrainProcessFixture.load(checkpoints + "/last.h5", dir: dir)
    #expect(saved.meta.epoch >= 1)
    let resumed = try TrainProcess.run(["train", "spec.yaml", "--resume", "run"], in: dir)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(TrainProcessFixture.rows(dir.path("run")) == 3)
  }
}
