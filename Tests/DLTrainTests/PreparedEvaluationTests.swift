import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// `Plan.withPreparedEvaluation`: dense layers wide enough for `GemmBackend.packedWeightsISA`
/// (here 96 and 64 units; the 10-unit output layer is not) multiply by W packed once per pass.
/// Inside a pass the scores equal those of the unprepared forward to rounding, in Float and
/// Double, on full and partial batches (a 5-sample batch is below `PackedWeights.minimumRows`
/// and takes the ordinary GEMM); after the weights change between passes (an optimizer step),
/// the next pass packs the new W; and `Evaluation.run` (which prepares its pass) agrees with a
/// plain loop of unprepared forwards. On a machine where OpenBLAS keeps every product (AVX2, or
/// DLSPEC_GEMM=openblas) nothing is packed and the suite checks the unprepared path only.
@Suite struct PreparedEvaluationTests {
  static let spec = """
    dlspec: 1
    name: prepared
    model:
      input: [120]
      layers:
        - dense: {units: 96}
        - relu
        - dense: {units: 64}
        - tanh
        - dense: {units: 10}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.1}
    train:
      epochs: 1
      batch_size: 32
      seed: 1
      init: he

    """

  static func scores<T: DLScalar>(_ plan: Plan<T>, n: Int) -> [Double] {
    plan.forward(n, training: false)
    return (0..<(n * plan.classCount)).map { Double(plan.scores[$0]) }
  }

  func preparedMatchesUnprepared<T: DLScalar>(_ type: T.Type, tolerance: Double) throws {
    let e = try PlanFixtures.experiment(text: Self.spec)
    let plan = Plan<T>(e, batch: 32)
    plan.initialize(.he, seed: 3)
    PlanFixtures.fill(plan, samples: 32)
    for round in 0..<2 {
      for n in [32, 20, 5] {
        let plain = Self.scores(plan, n: n)
        let prepared = plan.withPreparedEvaluation { Self.scores(plan, n: n) }
        #expect(prepared.count == plain.count)
        for (i, (p, q)) in zip(prepared, plain).enumerated() {
          #expect(
            abs(p - q) <= tolerance * max(1, abs(q)), "\(T.self) round \(round) n \(n) [\(i)]")
        }
        // And again outside the pass: the unprepared path is unchanged by having prepared.
        #expect(Self.scores(plan, n: n) == plain, "\(T.self) round \(round) n \(n) after")
      }
      // The weights move between passes, as an optimizer step moves them.
      for i in 0..<plan.parameterCount { plan.parameters[i] *= T(-0.75) }
    }
  }

  @Test func preparedScoresMatchUnprepared() throws {
    try preparedMatchesUnprepared(Float.self, tolerance: 1e-5)
    try preparedMatchesUnprepared(Double.self, tolerance: 1e-12)
  }

  /// A pass of `Evaluation.run` over 70 samples (two full batches of 32 and one of 6): its loss
  /// and accuracy equal those of unprepared forwards batch by batch.
  @Test func evaluationRunMatchesUnpreparedLoop() throws {
    let e = try PlanFixtures.experiment(text: Self.spec)
    let plan = Plan<Float>(e, batch: 32)
    plan.initialize(.he, seed: 5)
    let count = 70
    let features = 120
    let x = (0..<(count * features)).map { Float(sin(Double($0) * 0.37) * 0.8) }
    let labels = (0..<count).map { Int32(($0 * 7) % 10) }
    let data = try Dataset(x: x, y: labels, sampleShape: [features], classCount: 10)
    let got = Evaluation.run(plan, on: data, indices: Array(0..<count))
    var lossSum = 0.0
    var correct = 0
    var start = 0
    while start < count {
      let n = data.gather(start..<min(count, start + 32), into: plan)
      plan.forward(n, training: false)
      lossSum += Double(plan.computeLoss(n, gradient: false)) * Double(n)
      for r in 0..<n where Metrics.rowArgmax(plan.scores + r * 10, 10) == Int(plan.labels[r]) {
        correct += 1
      }
      start += n
    }
    #expect(abs(got.loss - lossSum / Double(count)) < 1e-5)
    #expect(got.accuracy == Double(correct) / Double(count))
  }
}
