import DLRuntime
import DLSpec
import Foundation
import Glibc
import Testing

@testable import DLTrain

/// Small specs the planner tests run: an MLP, a CNN with max pooling, and a CNN touching
/// dropout, average pooling and the remaining activations.
enum PlanFixtures {
  static let mlp = """
    - dense: {units: 6}
        - relu
        - dense: {units: 4}
        - softmax
    """
  static let mlpInput = "[5]"

  static let cnn = """
    - conv2d: {filters: 2, kernel: 3}
        - relu
        - maxpool: {size: 2}
        - flatten
        - dense: {units: 3}
        - softmax
    """
  static let cnnInput = "[1, 6, 6]"

  static let cnnMixed = """
    - conv2d: {filters: 3, kernel: 3, padding: same}
        - sigmoid
        - avgpool: {size: 2, stride: 2}
        - dropout: {p: 0.3}
        - flatten
        - dense: {units: 6}
        - clipped_relu: {t: 1}
        - dense: {units: 5}
        - tanh
        - dense: {units: 4}
        - log_softmax
    """
  static let cnnMixedInput = "[2, 7, 7]"

  /// Layer state: batchnorm over channels and over features.
  static let bn = """
    - conv2d: {filters: 2, kernel: 3, bias: false}
        - batchnorm
        - leaky_relu
        - flatten
        - dense: {units: 5}
        - batchnorm: {momentum: 0.5}
        - tanh
        - dense: {units: 3}
        - softmax
    """
  static let bnInput = "[1, 5, 5]"

  static let nets: [String: (input: String, layers: String)] = [
    "mlp": (mlpInput, mlp), "cnn": (cnnInput, cnn), "cnn-mixed": (cnnMixedInput, cnnMixed),
    "bn": (bnInput, bn),
  ]

  static func yaml(_ net: String, loss: String, optimizer: String = "sgd: {lr: 0.1}") -> String {
    let (input, layers) = nets[net]!
    return """
      dlspec: 1
      name: \(net)
      model:
        input: \(input)
        layers:
          \(layers)
      loss: \(loss)
      optimizer:
        \(optimizer)
      train:
        epochs: 1
        batch_size: 4
        seed: 1

      """
  }

  static func experiment(text: String) throws -> Experiment {
    let result = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "/tmp/x.yaml", text: text))
    guard let e = result.experiment else {
      Issue.record("spec does not check: \(result.diagnostics)\n\(text)")
      throw CancellationError()
    }
    return e
  }

  static func experiment(_ net: String, loss: String = "cross_entropy", optimizer: String = "sgd: {lr: 0.1}") throws -> Experiment {
    try experiment(text: yaml(net, loss: loss, optimizer: optimizer))
  }

  /// Deterministic inputs in (−1, 1) and labels `i % classes`.
  static func fill<T: DLScalar>(_ plan: Plan<T>, samples n: Int) {
    let features = plan.model.input.elementCount
    for i in 0..<(n * features) {
      plan.input[i] = T(sin(Double(i) * 12.9898 + 0.5) * 0.9)
    }
    for i in 0..<n { plan.labels[i] = Int32((i * 3 + 1) % plan.classCount) }
  }
}

@Suite struct PlanTests {
  static let netNames = ["mlp", "cnn", "cnn-mixed", "bn"]

  // MARK: memory

  @Test(arguments: netNames, ["sgd: {lr: 0.1}", "sgd: {lr: 0.1, momentum: 0.9}", "adam: {lr: 0.01}"])
  func allocatedBytesEqualCost(net: String, optimizer: String) throws {
    let e = try PlanFixtures.experiment(net, optimizer: optimizer)
    for batch in [1, 3, 16] {
      let double = Plan<Double>(e, batch: batch)
      #expect(double.allocatedBytes == CostReport(e, batch: batch, scalarBytes: 8).memory.totalBytes)
      let float = Plan<Float>(e, batch: batch)
      #expect(float.allocatedBytes == CostReport(e, batch: batch, scalarBytes: 4).memory.totalBytes)
      #expect(float.optimizerState.count == e.optimizer.value.stateSlotsPerParameter)
    }
  }

  // MARK: gradients

  /// Central-difference step, the one-sided disagreement above which an entry is taken to sit on
  /// a kink (relu, max pooling, clipped relu, l1) and skipped, and the comparison tolerance.
  static let step = 1e-5
  static let kinkThreshold = 1e-3
  static let absoluteTolerance = 1e-7
  static let relativeTolerance = 1e-5

  @Test(arguments: netNames, ["cross_entropy", "mse", "l1"])
  func gradientMatchesCentralDifferences(net: String, loss: String) throws {
    let e = try PlanFixtures.experiment(net, loss: loss)
    // (plan batch, samples used): full batches of 1 and 3, and a partial batch.
    for (batch, n) in [(1, 1), (3, 3), (4, 3)] {
      try checkGradient(e, batch: batch, n: n, label: "\(net) \(loss) batch \(batch) n \(n)")
    }
  }

  func checkGradient(_ e: Experiment, batch: Int, n: Int, label: String) throws {
    let plan = Plan<Double>(e, batch: batch, seed: 3)
    plan.initialize(.xavier, seed: 11)
    // Non-zero biases so no unit starts exactly on a kink.
    for slices in plan.parameterSlices {
      for s in slices where s.name == "bias" {
        for j in 0..<s.count { plan.parameters[s.offset + j] = 0.05 * Double(j + 1) }
      }
    }
    PlanFixtures.fill(plan, samples: n)
    // Dropout draws its mask from `plan.random`; every evaluation restarts from the same state.
    let randomState = plan.random.generator.state
    func f() -> Double {
      plan.random.generator = RandomGenerator(state: randomState)
      plan.forward(n, training: true)
      return plan.computeLoss(n, gradient: false)
    }
    plan.random.generator = RandomGenerator(state: randomState)
    let value = plan.lossAndGradient(n)
    #expect(abs(value - f()) < 1e-12, "\(label): loss differs between lossAndGradient and forward")
    let analytic = Array(UnsafeBufferPointer(start: plan.gradients, count: plan.parameterCount))
    var checked = 0
    var skipped = 0
    var mismatches: [String] = []
    var maxDifference = 0.0
    for (layer, slices) in plan.parameterSlices.enumerated() {
      for s in slices {
        let picks = Set([0, s.count / 3, s.count / 2, (2 * s.count) / 3, s.count - 1])
        for j in picks.sorted() {
          let index = s.offset + j
          let original = plan.parameters[index]
          plan.parameters[index] = original + Self.step
          let plus = f()
          plan.parameters[index] = original - Self.step
          let minus = f()
          plan.parameters[index] = original
          let centre = f()
          let forwardDifference = (plus - centre) / Self.step
          let backwardDifference = (centre - minus) / Self.step
          if abs(forwardDifference - backwardDifference) > Self.kinkThreshold {
            skipped += 1
            continue
          }
          checked += 1
          let numeric = (plus - minus) / (2 * Self.step)
          let difference = abs(numeric - analytic[index])
          maxDifference = max(maxDifference, difference)
          if difference > Self.absoluteTolerance + Self.relativeTolerance * abs(numeric) {
            mismatches.append(
              "\(plan.model.layers[layer].name).\(s.name)[\(j)]: analytic \(analytic[index]), numeric \(numeric)")
          }
        }
      }
    }
    #expect(
      mismatches.isEmpty,
      "\(label): max difference \(maxDifference); first mismatches:\n\(mismatches.prefix(5).joined(separator: "\n"))")
    #expect(checked > skipped, "\(label): \(checked) entries checked, \(skipped) skipped as kinks")
  }

  // MARK: partial batches

  @Test(arguments: netNames)
  func partialBatchForward(net: String) throws {
    let e = try PlanFixtures.experiment(net)
    let plan = Plan<Double>(e, batch: 5)
    plan.initialize(.he, seed: 2)
    PlanFixtures.fill(plan, samples: 5)
    let k = plan.classCount
    let last = plan.model.layers.count - 1
    plan.forward(5, training: false)
    plan.finishForward(5)
    let full = Array(UnsafeBufferPointer(start: plan.output(ofLayer: last), count: 5 * k))
    for i in 0..<(5 * k) { plan.output(ofLayer: last)[i] = .nan }
    plan.forward(2, training: false)
    plan.finishForward(2)
    let partial = Array(UnsafeBufferPointer(start: plan.output(ofLayer: last), count: 2 * k))
    #expect(partial == Array(full.prefix(2 * k)))
    // The partial loss is the mean over the two samples: the same as a batch-2 plan's.
    let small = Plan<Double>(e, batch: 2)
    small.parameters.update(from: plan.parameters, count: plan.parameterCount)
    if let from = plan.state, let to = small.state { to.update(from: from, count: e.model.stateCount) }
    PlanFixtures.fill(small, samples: 2)
    small.forward(2, training: false)
    plan.forward(2, training: false)
    let a = plan.computeLoss(2, gradient: false)
    let b = small.computeLoss(2, gradient: false)
    #expect(abs(a - b) < 1e-14)
    #expect(a.isFinite)
  }

  /// Batchnorm learns, updates its running statistics only in training, and evaluates with
  /// them: the two modes give different outputs for the same batch.
  @Test func batchnormTrainsAndEvaluatesWithRunningStatistics() throws {
    let e = try PlanFixtures.experiment("bn")
    let plan = Plan<Double>(e, batch: 4)
    plan.initialize(.he, seed: 3)
    PlanFixtures.fill(plan, samples: 4)
    let optimizer = Optimizer<Double>(e.optimizer.value)
    let first = plan.lossAndGradient(4)
    for t in 1...40 {
      optimizer.update(
        parameters: plan.parameters, gradients: plan.gradients, state: plan.optimizerState,
        count: plan.parameterCount, learningRate: 0.1, step: t)
      plan.lossAndGradient(4)
    }
    #expect(plan.lossAndGradient(4) < first)
    let state = try #require(plan.state)
    let count = e.model.stateCount
    let before = Array(UnsafeBufferPointer(start: state, count: count))
    let scores = plan.scores
    plan.forward(4, training: false)
    #expect(Array(UnsafeBufferPointer(start: state, count: count)) == before, "evaluation keeps state")
    let evaluated = Array(UnsafeBufferPointer(start: scores, count: 4 * plan.classCount))
    plan.forward(4, training: true)
    #expect(Array(UnsafeBufferPointer(start: state, count: count)) != before, "training updates it")
    let trained = Array(UnsafeBufferPointer(start: scores, count: 4 * plan.classCount))
    #expect(evaluated != trained)
  }

  // MARK: allocation


  // That a training step allocates nothing is asserted exactly by CLITests' BenchTests, which
  // counts malloc calls in the `dlspec` process (heap statistics here would see the other tests
  // that run concurrently in this process).

}
