import Foundation
import Testing

@testable import DLSpec

/// `SpecDiff`: semantic changes between two resolved experiments, with layer alignment, kinds
/// and cost deltas counted by hand (docs/cost.md conventions: dense forward 2·in·out, backward
/// in·out for dW, plus 2·in·out for dx when something before it learns).
@Suite struct SpecDiffTests {
  /// The notes' MLP with the given layer lines and extra sections.
  func mlp(
    _ layers: [String] = ["{dense: {units: 100}}", "tanh", "{dense: {units: 10}}", "softmax"],
    _ extra: String = ""
  ) throws -> Experiment {
    try DiffFixture.experiment(
      """
      dlspec: 1
      name: mlp
      data: {dataset: fashion-mnist, validation_split: 0.1}
      model: {input: [784], layers: [\(layers.joined(separator: ", "))]}
      loss: cross_entropy
      optimizer: {sgd: {lr: 0.1}}
      \(extra)
      """)
  }

  @Test func sameSpecIsEmpty() throws {
    let d = SpecDiff(from: try mlp(), to: try mlp())
    #expect(d.isEmpty)
    #expect(d.affectedLayers.isEmpty)
    #expect(d.totals.parameters == CountChange(old: 79_510, new: 79_510))
  }

  /// A growth rule decides the models a run trains: added or changed, it is an architecture
  /// change a resume cannot take.
  @Test func growthRuleChangesAreArchitecture() throws {
    let rule = { (max: Int) in
      "growth: {before: dense_2, max_insertions: \(max), layers: [{dense: {units: 100}}, tanh]}"
    }
    let changed = SpecDiff(from: try mlp(["{dense: {units: 100}}", "tanh", "{dense: {units: 10}}", "softmax"], rule(3)), to: try mlp(["{dense: {units: 100}}", "tanh", "{dense: {units: 10}}", "softmax"], rule(2)))
    #expect(changed.changes.map(\.path) == ["growth.max_insertions"])
    #expect(changed.changes.first?.old == "3" && changed.changes.first?.new == "2")
    #expect(!changed.isSafeToResume)
    let added = SpecDiff(from: try mlp(), to: try mlp(["{dense: {units: 100}}", "tanh", "{dense: {units: 10}}", "softmax"], rule(1)))
    #expect(added.changes.map(\.path) == ["growth"])
    #expect(added.changes.first?.kind == .architecture)
    #expect(added.changes.first?.new?.contains("layers: [dense {units: 100, bias: true}, tanh]") == true)
  }

  @Test func insertedLayerIsOneInsertion() throws {
    let d = SpecDiff(
      from: try mlp(),
      to: try mlp([
        "{dense: {units: 100}}", "tanh", "{dense: {units: 64}}", "{dense: {units: 10}}", "softmax",
      ]))
    #expect(d.changes.map(\.path) == ["model.layers[2]"])
    let c = try #require(d.changes.first)
    #expect(c.operation == .inserted)
    #expect(c.old == nil)
    #expect(c.new == "dense {units: 64, bias: true}")
    #expect(c.kind == .architecture)
    // The inserted layer: 100·64 + 64 parameters; forward 2·100·64, backward 3·100·64.
    #expect(c.cost?.parameters == CountChange(old: 0, new: 6_464))
    #expect(c.cost?.flopsPerSample == CountChange(old: 0, new: 12_800 + 19_200))
    // The last dense layer keeps its settings but now reads 64 inputs: 64·10 + 10.
    let knockOn = try #require(d.affectedLayers.first { $0.note == "input changed" })
    #expect(knockOn.path == "model.layers[3]")
    #expect(knockOn.cost.parameters == CountChange(old: 1_010, new: 650))
  }

  @Test func deletedLayerUsesTheOldIndex() throws {
    let d = SpecDiff(
      from: try mlp(),
      to: try mlp(["{dense: {units: 100}}", "{dense: {units: 10}}", "softmax"]))
    #expect(d.changes.count == 1)
    #expect(d.changes.first?.path == "model.layers[1]")
    #expect(d.changes.first?.operation == .deleted)
    #expect(d.changes.first?.old == "tanh")
    #expect(d.changes.first?.new == nil)
  }

  @Test func changedUnitsWithCostDeltaByHand() throws {
    let old = try mlp()
    let new = try mlp(["{dense: {units: 200}}", "tanh", "{dense: {units: 10}}", "softmax"])
    let d = SpecDiff(from: old, to: new)
    #expect(d.changes.count == 1)
    let c = try #require(d.changes.first)
    #expect(c.path == "model.layers[0].dense.units")
    #expect((c.old, c.new) == ("100", "200"))
    #expect(!c.isSafeToResume)
    // 784·100 + 100 → 784·200 + 200.
    #expect(c.cost?.parameters == CountChange(old: 78_500, new: 157_000))
    #expect(c.cost?.parameters.percent == 100)
    // First layer: forward 2·784·u, backward 784·u (no input gradient).
    #expect(c.cost?.flopsPerSample == CountChange(old: 235_200, new: 470_400))
    // Totals: + tanh (2u fwd, u bwd), dense u→10 (2·10u fwd, 3·10u bwd), softmax 20 fwd,
    // fused loss 1 fwd and 20 bwd.
    #expect(d.totals.parameters == CountChange(old: 79_510, new: 159_010))
    #expect(d.totals.forwardFLOPsPerSample == CountChange(old: 159_021, new: 318_021))
    #expect(d.totals.backwardFLOPsPerSample == CountChange(old: 81_520, new: 163_020))
    #expect(d.totals.trainingMemoryBytes.old == TrainingMemory(old, batch: 100).totalBytes)
    #expect(d.totals.trainingMemoryBytes.new == TrainingMemory(new, batch: 100).totalBytes)
    #expect(d.totals.trainingMemoryBytes.delta > 0)
    // tanh and the last dense layer change cost without changing settings.
    #expect(d.affectedLayers.map(\.note) == ["changed", "input changed", "input changed"])
  }

  @Test func replacedLayerKindIsDeletionAndInsertion() throws {
    let d = SpecDiff(
      from: try mlp(),
      to: try mlp(["{dense: {units: 100}}", "relu", "{dense: {units: 10}}", "softmax"]))
    #expect(d.changes.map(\.operation) == [.deleted, .inserted])
    #expect(d.changes.map(\.path) == ["model.layers[1]", "model.layers[1]"])
  }

  @Test func optimizerVariantIsOneChange() throws {
    let d = SpecDiff(
      from: try mlp(),
      to: try DiffFixture.experiment(
        """
        dlspec: 1
        name: mlp
        data: {dataset: fashion-mnist, validation_split: 0.1}
        model: {input: [784], layers: [{dense: {units: 100}}, tanh, {dense: {units: 10}}, softmax]}
        loss: cross_entropy
        optimizer: {adam: {lr: 0.1}}
        """))
    #expect(d.changes.count == 1)
    #expect(d.changes.first?.path == "optimizer")
    #expect(d.changes.first?.kind == .optimizer)
    #expect(d.changes.first?.old == "sgd {lr: 0.1, momentum: 0, nesterov: false, weight_decay: 0}")
    #expect(
      d.changes.first?.new
        == "adam {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0}")
    // Adam keeps two moments per parameter; plain SGD none.
    #expect(d.totals.trainingMemoryBytes.delta == 2 * 79_510 * 4)
  }

  @Test func keysOfTheSameVariantHaveTheirOwnKinds() throws {
    let old = try mlp()
    let new = try DiffFixture.experiment(
      """
      dlspec: 1
      name: mlp-v2
      data: {dataset: mnist, validation_split: 0.2}
      model: {input: [784], layers: [{dense: {units: 100}}, tanh, {dense: {units: 10}}, softmax]}
      loss: mse
      optimizer: {sgd: {lr: 0.05, momentum: 0.9}}
      schedule: {step: {step_size: 3}}
      train: {epochs: 30, batch_size: 50, seed: 2}
      checkpoint: {every: 5}
      """)
    let d = SpecDiff(from: old, to: new)
    let kinds = Dictionary(uniqueKeysWithValues: d.changes.map { ($0.path, $0.kind) })
    #expect(
      kinds == [
        "name": .metadata, "data.dataset": .data, "data.validation_split": .data,
        "loss": .loss, "optimizer.sgd.lr": .learningRate, "optimizer.sgd.momentum": .optimizer,
        "schedule": .schedule, "train.epochs": .epochs, "train.batch_size": .training,
        "train.seed": .training, "checkpoint.every": .checkpoint,
      ])
    #expect(d.totals.batchSize == CountChange(old: 100, new: 50))
    #expect(!d.isSafeToResume)
  }

  @Test func safeToResumeKinds() throws {
    let safe: Set<SpecChange.Kind> = [.epochs, .learningRate, .schedule, .checkpoint, .metadata]
    for k in SpecChange.Kind.allCases { #expect(k.isSafeToResume == safe.contains(k), "\(k)") }
    let d = SpecDiff(
      from: try mlp(),
      to: try mlp(
        ["{dense: {units: 100}}", "tanh", "{dense: {units: 10}}", "softmax"],
        "train: {epochs: 3}\ncheckpoint: {keep_last: 2}\nschedule: {exponential: {gamma: 0.9}}"))
    #expect(d.changes.count == 3)
    #expect(d.isSafeToResume)
  }

  @Test func alignmentPairsChangedLayersBetweenAnchors() {
    func layer(_ n: String, _ u: String = "") -> ResolvedSpec.Choice {
      ResolvedSpec.Choice(name: n, params: u.isEmpty ? [] : [.init(key: "units", value: u)])
    }
    let a = [layer("dense", "100"), layer("tanh"), layer("dense", "10")]
    let b = [layer("dense", "50"), layer("dense", "100"), layer("tanh"), layer("dense", "20")]
    #expect(
      LayerAlignment.align(a, b) == [
        .inserted(new: 0), .same(old: 0, new: 1), .same(old: 1, new: 2), .changed(old: 2, new: 3),
      ])
  }
}
