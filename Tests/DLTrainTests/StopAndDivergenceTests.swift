import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// Stops at a step boundary (as on SIGINT/SIGTERM, here requested at a step) and the
/// numerical-fault rules, through the library on TrainerTests' fixture (200 samples, batch 20:
/// 10 steps an epoch).
@Suite struct StopAndDivergenceTests {
  /// Dropout (the RNG) and momentum (optimizer state) make a resume that restores too little
  /// visible.
  static let layers = """
        - dense: {units: 8}
        - tanh
        - dropout: {p: 0.2}
        - dense: {units: 4}
        - softmax
    """

  static func train(
    _ text: String, run: String, resume: String? = nil, stop: StopSignal = StopSignal()
  ) throws -> Trainer.Summary {
    let e = try PlanFixtures.experiment(text: text)
    let options = Trainer.Options(
      runDirectory: run, specText: text, resume: resume, log: { _ in }, stop: stop)
    return try Trainer(e, options: options).run()
  }

  /// metrics.csv without the samples/s column (timing).
  static func metrics(_ run: String) throws -> [[Substring]] {
    try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n")
      .map { row in
        var cells = row.split(separator: ",", omittingEmptySubsequences: false)
        cells.remove(at: 7)
        return cells
      }
  }

  /// The weights, optimizer state and metadata of a checkpoint, as loaded.
  static func load(_ path: String, _ text: String) throws -> (
    weights: [Float], momentum: [Float], meta: Checkpoint.Metadata
  ) {
    let plan = Plan<Float>(try PlanFixtures.experiment(text: text), batch: 20)
    let meta = try Checkpoint.load(path, into: plan, optimizerState: true)
    let n = plan.parameterCount
    return (
      Array(UnsafeBufferPointer(start: plan.parameters, count: n)),
      Array(UnsafeBufferPointer(start: plan.optimizerState[0], count: n)), meta
    )
  }

  static func json(_ run: String) throws -> [String: Any] {
    let data = try #require(FileManager.default.contents(atPath: run + "/summary.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// Stopped before step 0 (the first), at an epoch end (10), mid-epoch (14) and before the
  /// very last step (29); then resumed to the end: the same losses, metrics, weights and
  /// optimizer state as a run never stopped.
  @Test(arguments: [0, 10, 14, 29])
  func aStopResumesBitIdentically(_ at: Int) throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let text = TrainerTests.spec(data: data, epochs: 3, layers: Self.layers)
    let straight = try Self.train(text, run: dir.path("straight"))
    let run = dir.path("run")
    let stopped = try Self.train(text, run: run, stop: StopSignal(atStep: at))
    let stop = try #require(stopped.stop)
    #expect(stop.reason == .stepLimit(at))
    #expect(stop.at.step == at && stop.at.epoch == at / 10 && stop.at.batch == at % 10)
    #expect(stopped.losses == Array(straight.losses.prefix(at)))
    let j = try Self.json(run)
    #expect(j["status"] as? String == "stopped")
    #expect(j["steps"] as? Int == at)
    #expect(j["epochs"] as? Int == at / 10)
    #expect((j["stop_reason"] as? String)?.contains("step \(at)") == true, "\(j)")
    let saved = try Self.load(run + "/checkpoints/last.h5", text)
    #expect(saved.meta.step == at && saved.meta.epoch == at / 10)
    #expect(saved.meta.progress?.batch == at % 10)

    let resumed = try Self.train(text, run: run, resume: run)
    #expect(resumed.stop == nil)
    #expect(resumed.losses == Array(straight.losses.dropFirst(at)))
    #expect(try Self.metrics(run) == Self.metrics(dir.path("straight")))
    let a = try Self.load(dir.path("straight") + "/checkpoints/last.h5", text)
    let b = try Self.load(run + "/checkpoints/last.h5", text)
    #expect(a.weights == b.weights)
    #expect(a.momentum == b.momentum)
    #expect(a.meta.rngState == b.meta.rngState)
    #expect(try Self.json(run)["status"] as? String == "finished")
    #expect(try Self.json(run)["stop_reason"] == nil)
  }

  /// Three stops in one run, two of them in the same epoch, still end where a straight run does.
  @Test func severalStopsInARow() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let text = TrainerTests.spec(data: data, epochs: 3, layers: Self.layers)
    let straight = try Self.train(text, run: dir.path("straight"))
    let run = dir.path("run")
    var losses = try Self.train(text, run: run, stop: StopSignal(atStep: 3)).losses
    for at in [7, 18] {
      let s = try Self.train(text, run: run, resume: run, stop: StopSignal(atStep: at))
      #expect(s.stop?.at.step == at)
      losses += s.losses
    }
    losses += try Self.train(text, run: run, resume: run).losses
    #expect(losses == straight.losses)
    #expect(try Self.metrics(run) == Self.metrics(dir.path("straight")))
  }

  /// A signal raised on the StopSignal (as the handler does) stops at the next step.
  @Test func aRaisedSignalStopsAtTheNextStep() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let text = TrainerTests.spec(data: data, epochs: 2)
    let signal = StopSignal()
    signal.request(SIGTERM)
    let s = try Self.train(text, run: dir.path("run"), stop: signal)
    #expect(s.stop?.reason == .signal(SIGTERM))
    #expect(s.stop?.reason.exitStatus == 143)
    #expect(s.steps == 0)
    #expect(StopSignal.Reason.signal(SIGINT).exitStatus == 130)
  }

  /// A mid-epoch checkpoint taken into a run with other batching is refused, not misread.
  @Test func aMidEpochCheckpointNeedsTheSameBatching() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let text = TrainerTests.spec(data: data, epochs: 2)
    _ = try Self.train(text, run: dir.path("run"), stop: StopSignal(atStep: 7))
    let other = text.replacingOccurrences(of: "batch_size: 20", with: "batch_size: 40")
    let e = try PlanFixtures.experiment(text: other)
    #expect(throws: Trainer.Failure.self) {
      try Trainer(
        e, options: .init(
          runDirectory: dir.path("new"), specText: other,
          resume: dir.path("run") + "/checkpoints/last.h5", log: { _ in })
      ).run()
    }
  }

  /// The last closing note's case: tanh at a huge rate stays finite (softmax is fused into
  /// cross-entropy) and used to train on; now the factor rule stops it, before the update of
  /// the step that broke it, with a checkpoint of the step before. (specs/mlp.yaml at lr 1e6
  /// on Fashion-MNIST trips it at step 3; this 16-feature fixture's losses reach only 4e5 ×
  /// the first at lr 1e6, so it takes 1e7.)
  @Test func tanhAtAHugeLearningRateTripsTheFactorRule() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    let text = TrainerTests.spec(data: data, epochs: 3, lr: 1e7)
    let message = try Self.failure(text, run: run)
    #expect(message.hasPrefix("training diverged: the loss is "), "\(message)")
    #expect(message.contains("(train.divergence_factor)"), "\(message)")
    #expect(message.contains("above 1e+06 × the run's first loss"), "\(message)")
    #expect(message.contains("learning rate 1e+07"), "\(message)")
    #expect(message.contains("hint: lower the learning rate"), "\(message)")
    let step = try #require(Self.failingStep(message))
    let saved = try Self.load(run + "/checkpoints/last-finite.h5", text)
    #expect(saved.meta.step == step - 1)
    #expect(message.contains("last-finite.h5 holds step \(step - 1), the last finite one"))
    #expect(saved.weights.allSatisfy { $0.isFinite })
    let j = try Self.json(run)
    #expect(j["status"] as? String == "failed")
    #expect((j["error"] as? String)?.contains("divergence_factor") == true, "\(j)")
    // Turned off, the same run trains on with its huge losses.
    let off = text.replacingOccurrences(of: "seed: 7", with: "seed: 7\n  divergence_factor: 0")
    let s = try Self.train(off, run: dir.path("off"))
    #expect(s.losses.contains { $0 > 1e6 * s.losses[0] })
  }

  /// Full-batch gradient descent on mse just past its stability limit: the loss grows by the
  /// same factor every step, far below 1e6 × the first; the growth rule stops it.
  @Test func aSteadilyGrowingLossTripsTheGrowthRule() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    let text = TrainerTests.spec(
      data: data, epochs: 50, lr: 2, layers: "    - dense: {units: 4}", loss: "mse"
    )
    .replacingOccurrences(of: "batch_size: 20", with: "batch_size: 200")
    .replacingOccurrences(
      of: "seed: 7", with: "seed: 7\n  divergence_patience: 6\n  divergence_factor: 0")
    let message = try Self.failure(text, run: run)
    #expect(message.contains("it grew for 6 steps in a row (train.divergence_patience)"), "\(message)")
    let step = try #require(Self.failingStep(message))
    #expect(try Self.load(run + "/checkpoints/last-finite.h5", text).meta.step == step - 1)
  }

  /// A NaN or ∞ (the factor and growth rules off): the non-finite rule or the gradient check,
  /// whichever sees it first; a checkpoint only when the parameters are still finite.
  @Test func aNonFiniteLossOrGradientStops() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let run = dir.path("run")
    let text = TrainerTests.spec(
      data: data, epochs: 3, lr: 1e6, layers: "    - dense: {units: 4}", loss: "mse"
    )
    .replacingOccurrences(
      of: "seed: 7", with: "seed: 7\n  divergence_factor: 0\n  divergence_patience: 0")
    let message = try Self.failure(text, run: run)
    #expect(
      message.contains("the loss is not finite") || message.contains("gradient of dense_1"),
      "\(message)")
    let path = run + "/checkpoints/last-finite.h5"
    if FileManager.default.fileExists(atPath: path) {
      let saved = try Self.load(path, text)
      #expect(saved.weights.allSatisfy { $0.isFinite })
      #expect(saved.meta.step == (try #require(Self.failingStep(message))) - 1)
    } else {
      #expect(message.contains("not finite, so none were written"), "\(message)")
    }
    #expect(try Self.json(run)["status"] as? String == "failed")
  }

  /// The rules themselves, step by step.
  @Test func lossWatchRules() {
    var w = LossWatch(factor: 100, patience: 3)
    #expect(w.check(2) == nil)
    #expect(w.check(3) == nil && w.check(4) == nil)
    #expect(w.check(5) == .growth(steps: 3))
    w = LossWatch(factor: 100, patience: 3)
    #expect(w.check(2) == nil && w.check(1) == nil && w.check(150) == nil)
    #expect(w.check(201) == .factor(first: 2, factor: 100))
    #expect(w.check(Double.nan) == .nonFinite && w.check(-Double.infinity) == .nonFinite)
    var restored = LossWatch(factor: 100, patience: 3)
    restored.restore([2, 150, 1])
    #expect(restored.check(160) == nil && restored.check(170) == .growth(steps: 3))
    w = LossWatch(factor: 0, patience: 0)
    for v in stride(from: 1.0, to: 1e9, by: 1e7) { #expect(w.check(v) == nil) }
  }

  static func failure(_ text: String, run: String) throws -> String {
    do {
      let s = try Self.train(text, run: run)
      Issue.record("training did not stop; first losses \(s.losses.prefix(8))")
      return ""
    } catch let failure as Trainer.Failure {
      return failure.description
    }
  }

  /// N in "…, step N (learning rate …".
  static func failingStep(_ message: String) -> Int? {
    guard let r = message.range(of: ", step ") else { return nil }
    return Int(message[r.upperBound...].prefix { $0.isNumber })
  }
}
