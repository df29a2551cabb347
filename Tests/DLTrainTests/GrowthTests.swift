import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// Declarative growth (§3.5): re-planning keeps what existed, the same seed grows the same
/// network, and a grown run resumes, evaluates and verifies as its checkpoints record.
@Suite struct GrowthTests {
  /// TrainerTests' tiny fixture, with a validation split and a growth rule.
  static func spec(data: String, epochs: Int, minImprovement: Double = 0.02) -> String {
    """
    dlspec: 1
    name: grow
    data:
      train: {hdf5: \(data)}
      test: {hdf5: \(data)}
      classes: 4
      validation_split: 0.2
    model:
      input: [16]
      layers:
        - dense: {units: 8}
        - tanh
        - dense: {units: 4}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.05, momentum: 0.9}
    train: {epochs: \(epochs), batch_size: 20, seed: 7}
    growth:
      metric: train_accuracy
      min_improvement: \(minImprovement)
      after_epoch: 1
      max_insertions: 2
      before: dense_2
      divide_lr_by_layers: true
      layers:
        - dense: {units: 8}
        - tanh

    """
  }

  static func train(_ text: String, run: String, resume: String? = nil) throws -> Trainer.Summary {
    let e = try PlanFixtures.experiment(text: text)
    let options = Trainer.Options(
      runDirectory: run, specText: text, resume: resume, progress: false, log: { _ in })
    return try Trainer(e, options: options).run()
  }

  /// metrics.csv without the samples/s column (wall-clock dependent).
  static func metrics(_ run: String) throws -> [String] {
    let text = try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8)
    let rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    guard let k = rows.first?.firstIndex(of: "samples_per_s") else { return [] }
    return rows.map { r in r.enumerated().filter { $0.offset != k }.map(\.element).joined(separator: ",") }
  }

  @Test func modelGrowsWithStableNames() throws {
    let e = try PlanFixtures.experiment(text: Self.spec(data: "/tmp/none.h5", epochs: 1))
    let g = try #require(e.growth?.value)
    #expect(g.anchor == 2)
    let grown = e.grown(insertions: 2).model
    #expect(
      grown.layers.map(\.name) == [
        "dense_1", "tanh_1", "g1_dense_1", "g1_tanh_1", "g2_dense_1", "g2_tanh_1", "dense_2",
        "softmax_1",
      ])
    #expect(grown.layers.map(\.index) == Array(0..<8))
    #expect(grown.parameterCount == e.model.parameterCount + 2 * (8 * 8 + 8))
    #expect(grown.layers.map(\.needsInputGradient) == [false, true, true, true, true, true, true, true])
    let cost = CostReport(e, batch: 20)
    #expect(cost.grown?.parameters == grown.parameterCount)
    #expect(cost.grown?.layers == 8)
  }

  /// Old layers keep their weights and optimizer state; the new copy gets the rule's seeded
  /// initialisation and zero optimizer state.
  @Test func regrowKeepsOldStateAndSeedsTheNewCopy() throws {
    let e = try PlanFixtures.experiment(text: Self.spec(data: "/tmp/none.h5", epochs: 1))
    let g = try #require(e.growth?.value)
    let old = Plan<Float>(e, batch: 20, seed: 7)
    for j in 0..<old.parameterCount {
      old.parameters[j] = Float(j) * 0.01
      for s in old.optimizerState { s[j] = Float(j) + 0.5 }
    }
    let new = Trainer.regrow(old, experiment: e, insertions: 1, rule: g)
    #expect(new.model.layers.map(\.name).contains("g1_dense_1"))
    let reference = Plan<Float>(e.grown(insertions: 1), batch: 20, seed: 7)
    reference.initialize(g.initScheme, seed: Trainer.growthSeed(7, insertions: 1))
    #expect(!new.optimizerState.isEmpty)
    for (i, layer) in new.model.layers.enumerated() {
      let j = old.model.layers.firstIndex { $0.name == layer.name }
      for (t, s) in new.parameterSlices[i].enumerated() {
        let got = Array(UnsafeBufferPointer(start: new.parameters + s.offset, count: s.count))
        let state = Array(UnsafeBufferPointer(start: new.optimizerState[0] + s.offset, count: s.count))
        if let j {
          let o = old.parameterSlices[j][t]
          #expect(got == Array(UnsafeBufferPointer(start: old.parameters + o.offset, count: o.count)))
          #expect(state == (0..<o.count).map { Float(o.offset + $0) + 0.5 })
        } else {
          #expect(
            got == Array(UnsafeBufferPointer(start: reference.parameters + s.offset, count: s.count)))
          #expect(state.allSatisfy { $0 == 0 })
        }
      }
    }
  }

  /// Two runs with one seed grow at the same epochs into the same network; a run stopped
  /// after its growth and resumed ends where the uninterrupted one does.
  @Test func sameSeedSameGrowthAndResume() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let text = Self.spec(data: data, epochs: 5)
    let a = try Self.train(text, run: dir.path("a"))
    _ = try Self.train(text, run: dir.path("b"))
    let summaryA = try RunSummary.read(dir.path("a") + "/summary.json")
    let summaryB = try RunSummary.read(dir.path("b") + "/summary.json")
    let metricsA = try Self.metrics(dir.path("a"))
    #expect(!summaryA.growth.isEmpty, "no growth: \(metricsA)")
    #expect(summaryA.growth == summaryB.growth)
    #expect(try Self.metrics(dir.path("a")) == Self.metrics(dir.path("b")))
    let header = try #require(try Self.metrics(dir.path("a")).first)
    #expect(header.contains("insertions") && header.contains("grad_norm_g1_dense_1"))
    #expect(!header.contains("grad_norm_tanh_1"))

    // Stopped at epoch 3 and resumed to 5.
    let short = Self.spec(data: data, epochs: 3)
    _ = try Self.train(short, run: dir.path("c"))
    let c = try Self.train(text, run: dir.path("c"), resume: dir.path("c"))
    #expect(c.steps == a.steps)
    #expect(try RunSummary.read(dir.path("c") + "/summary.json").growth == summaryA.growth)
    #expect(try Self.metrics(dir.path("c")) == Self.metrics(dir.path("a")))
    let e = try PlanFixtures.experiment(text: text)
    let last = dir.path("a") + "/checkpoints/last.h5"
    let pa = try Checkpoint.plan(for: e, checkpoint: last, batch: 20)
    try Checkpoint.load(last, into: pa, optimizerState: true)
    let lastC = dir.path("c") + "/checkpoints/last.h5"
    let pc = try Checkpoint.plan(for: e, checkpoint: lastC, batch: 20)
    try Checkpoint.load(lastC, into: pc, optimizerState: true)
    #expect(pa.parameterCount == pc.parameterCount)
    #expect(
      Array(UnsafeBufferPointer(start: pa.parameters, count: pa.parameterCount))
        == Array(UnsafeBufferPointer(start: pc.parameters, count: pc.parameterCount)))
    #expect(try Checkpoint.readMetadata(last).growthInsertions == summaryA.growth.count)
    #expect(Checkpoint.verify(last).isOK)
  }

  /// A grown checkpoint and a spec without the growth section: refused, saying why.
  @Test func grownCheckpointNeedsTheGrowthSpec() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let text = Self.spec(data: data, epochs: 3, minImprovement: 2)
    _ = try Self.train(text, run: dir.path("a"))
    let last = dir.path("a") + "/checkpoints/last.h5"
    #expect(try Checkpoint.readMetadata(last).growthInsertions == 2)
    let plain = try PlanFixtures.experiment(text: TrainerTests.spec(data: data, epochs: 3))
    #expect(throws: Checkpoint.Failure.self) {
      _ = try Checkpoint.plan(for: plain, checkpoint: last, batch: 20)
    }
  }
}
