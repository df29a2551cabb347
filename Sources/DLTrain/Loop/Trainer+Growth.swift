import DLRuntime
import DLSpec
import Foundation

extension Trainer {
  /// A plan of the spec's model grown by `insertions` copies of its growth block, initialised
  /// as the spec declares (what a resume or a fresh run starts from before loading weights).
  func makePlan(insertions: Int) -> Plan<Float> {
    let config = experiment.train.value
    let plan = Plan<Float>(
      experiment.grown(insertions: insertions), batch: config.batchSize, seed: UInt64(config.seed))
    plan.initialize(config.initScheme, seed: UInt64(config.seed))
    return plan
  }

  /// Re-plans after the `insertions`-th insertion (§3.5): the grown model gets new buffers;
  /// every layer it shares with `old` (by name: the spec's layers and earlier copies keep
  /// theirs) takes its parameters, layer state and optimizer state from `old`, and the new
  /// copy's parameters are initialised by the rule's scheme from a seed derived from the
  /// run's seed and `insertions` (the same seed grows the same network); its optimizer state
  /// starts at zero. The dropout generator continues where it was.
  static func regrow(
    _ old: Plan<Float>, experiment e: Experiment, insertions: Int, rule g: GrowthConfig
  ) -> Plan<Float> {
    let config = e.train.value
    let plan = Plan<Float>(
      e.grown(insertions: insertions), batch: config.batchSize, seed: UInt64(config.seed))
    plan.initialize(g.initScheme, seed: growthSeed(config.seed, insertions: insertions))
    let oldIndex = Dictionary(
      old.model.layers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    let oldState = old.optimizerState
    let newState = plan.optimizerState
    for (i, layer) in plan.model.layers.enumerated() {
      guard let j = oldIndex[layer.name] else { continue }
      for (to, from) in zip(plan.parameterSlices[i], old.parameterSlices[j]) {
        precondition(to.count == from.count, "\(layer.name).\(to.name) changed size in growth")
        (plan.parameters + to.offset).update(from: old.parameters + from.offset, count: to.count)
        for (a, b) in zip(newState, oldState) {
          (a + to.offset).update(from: b + from.offset, count: to.count)
        }
      }
      if let to = plan.state, let from = old.state {
        for (t, f) in zip(plan.stateSlices[i], old.stateSlices[j]) {
          (to + t.offset).update(from: from + f.offset, count: t.count)
        }
      }
    }
    plan.random.generator = old.random.generator
    return plan
  }

  /// The initialisation seed of the `insertions`-th copy of the block.
  static func growthSeed(_ seed: Int, insertions: Int) -> UInt64 {
    UInt64(bitPattern: Int64(seed)) &+ UInt64(insertions) &* 0x9E37_79B9_7F4A_7C15
  }

  /// The learning-rate divisor of `divide_lr_by_layers` (§3.5's LR0 / layers): the layers
  /// with parameters before the output layer, at least 1.
  static func hiddenLayers(_ model: ModelIR) -> Int {
    max(1, model.layers.filter { !$0.parameters.isEmpty }.count - 1)
  }
}
