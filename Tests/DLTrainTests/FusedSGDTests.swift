import DLRuntime
import DLSpec
import Testing

@testable import DLTrain

/// Batch-1 SGD applied inside backward (`Plan.backwardApplyingSGD`) against the ordinary path:
/// `lossAndGradient`, `addGradientNorms`, then `Optimizer.update`. Same parameters after every
/// step and the same gradient norms, in Double so the comparison is tight.
@Suite struct FusedSGDTests {
  /// Three dense layers, one without bias, between activations.
  static func deep() throws -> Experiment {
    try PlanFixtures.experiment(
      text: """
        dlspec: 1
        name: deep
        model:
          input: [5]
          layers:
            - dense: {units: 7}
            - tanh
            - dense: {units: 6, bias: false}
            - relu
            - dense: {units: 4}
            - softmax
        loss: cross_entropy
        optimizer:
          sgd: {lr: 0.1}
        train:
          epochs: 1
          batch_size: 1
          seed: 1
        """)
  }

  @Test(arguments: ["mlp", "deep"])
  func matchesGradientThenUpdate(net: String) throws {
    let e = net == "deep" ? try Self.deep() : try PlanFixtures.experiment(net)
    let (fused, plain) = (Plan<Double>(e, batch: 1, seed: 5), Plan<Double>(e, batch: 1, seed: 5))
    for p in [fused, plain] {
      p.initialize(.he, seed: 5)
      PlanFixtures.fill(p, samples: 1)
    }
    let optimizer = Optimizer<Double>(e.optimizer.value)
    #expect(optimizer.isPlainSGD && fused.canFuseSGD)
    let layers = e.model.layers.count
    for step in 1...3 {
      let rate = 0.1 / Double(step)
      let fusedNorms = Norms(layers)
      let plainNorms = Norms(layers)
      fused.forward(1, training: true)
      let fusedLoss = fused.computeLoss(1, gradient: true)
      let stop = fused.backwardApplyingSGD(rate: rate, norms: fusedNorms.pointer)
      #expect(stop == nil)
      let plainLoss = plain.lossAndGradient(1)
      plain.addGradientNorms(into: plainNorms.pointer)
      optimizer.update(
        parameters: plain.parameters, gradients: plain.gradients, state: [],
        count: plain.parameterCount, learningRate: rate, step: step)
      #expect(abs(fusedLoss - plainLoss) < 1e-12, "loss, step \(step)")
      for (f, p) in zip(fusedNorms.values, plainNorms.values) {
        #expect(
          abs(f - p) <= 1e-12 * max(1, p), "norms \(fusedNorms.values) vs \(plainNorms.values)")
      }
      #expect(fusedNorms.values.allSatisfy { $0 >= 0 } && fusedNorms.values.contains { $0 > 0 })
      for i in 0..<plain.parameterCount {
        #expect(
          abs(fused.parameters[i] - plain.parameters[i]) < 1e-12,
          "parameter \(i) after step \(step)")
      }
    }
  }

  /// Kinds without the fused path (conv2d) and the planted-error seam keep the ordinary one;
  /// momentum and weight decay read more than the gradient.
  @Test func fallsBackWhereItCannotFuse() throws {
    let cnn = Plan<Double>(try PlanFixtures.experiment("cnn"), batch: 1)
    #expect(!cnn.canFuseSGD)
    let mlp = Plan<Double>(try PlanFixtures.experiment("mlp"), batch: 1)
    #expect(mlp.canFuseSGD)
    mlp.plantedGradientError = (layer: 0, factor: 2)
    #expect(!mlp.canFuseSGD)
    for config in [
      "sgd: {lr: 0.1, momentum: 0.9}", "sgd: {lr: 0.1, weight_decay: 0.01}",
      "adam: {lr: 0.01}",
    ] {
      let e = try PlanFixtures.experiment("mlp", optimizer: config)
      #expect(!Optimizer<Double>(e.optimizer.value).isPlainSGD, "\(config)")
    }
  }

  /// A gradient that overflows in a lower layer stops the step there: that layer is untouched
  /// and the fault says the layers above had moved.
  @Test func anOverflowStopsTheStep() throws {
    let e = try Self.deep()
    let plan = Plan<Double>(e, batch: 1, seed: 5)
    plan.initialize(.he, seed: 5)
    PlanFixtures.fill(plan, samples: 1)
    // An input of 1e300 makes the first layer's ‖x‖² overflow (so its ‖dy‖²‖x‖² is not
    // finite); the layers above see tanh-saturated activations and stay finite.
    plan.input[0] = 1e300
    let before = (0..<plan.parameterCount).map { plan.parameters[$0] }
    plan.forward(1, training: true)
    _ = plan.computeLoss(1, gradient: true)
    let norms = Norms(e.model.layers.count)
    let stop = plan.backwardApplyingSGD(rate: 0.1, norms: norms.pointer)
    #expect(stop?.layer == 0)
    #expect(stop?.updatedAbove == true)
    let first = try #require(plan.parameterSlices[0].first)
    for j in first.offset..<(first.offset + first.count) {
      #expect(plan.parameters[j] == before[j], "first layer's weight \(j) changed")
    }
  }
}

/// Per-layer norms, zeroed, for the plan calls that add into a pointer.
final class Norms {
  let pointer: UnsafeMutablePointer<Double>
  let count: Int
  init(_ count: Int) {
    self.count = count
    pointer = .allocate(capacity: count)
    pointer.initialize(repeating: 0, count: count)
  }
  deinit { pointer.deallocate() }
  var values: [Double] { (0..<count).map { pointer[$0] } }
}
