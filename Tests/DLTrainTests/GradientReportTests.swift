import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// `dlspec gradients`' figures against independent computations: central differences (3.24)
/// in Float64 for the norms, hand-made activations for the saturation counts, and the
/// binomial interval for the chance warning.
@Suite struct GradientReportTests {
  static func experiment(_ layers: String, input: Int, batch: Int) throws -> Experiment {
    let yaml = """
      dlspec: 1
      model:
        input: [\(input)]
        layers: [\(layers)]
      loss: cross_entropy
      train: {batch_size: \(batch), seed: 5}
      """
    let result = SpecChecker(memoryLimit: 1 << 30).check(SourceFile(path: "/tmp/g.yaml", text: yaml))
    return try #require(result.experiment, "\(result.diagnostics.map(\.message))")
  }

  /// A seeded dataset of `count` samples, uniform features in [−2, 2].
  static func data(count: Int, features: Int, classes: Int) throws -> Dataset {
    var g = RandomGenerator(seed: 11)
    let x = (0..<(count * features)).map { _ in Float.random(in: -2...2, using: &g) }
    let y = (0..<count).map { _ in Int32.random(in: 0..<Int32(classes), using: &g) }
    return try Dataset(x: x, y: y, sampleShape: [features], classCount: classes)
  }

  /// Each tensor's norm is the mean over the batches of ‖∂ρ/∂θ‖, ∂ρ/∂θ by central differences
  /// on a Float64 copy of the plan, independently of backprop.
  @Test func normsMatchCentralDifferences() throws {
    let e = try Self.experiment(
      "{dense: {units: 4}}, sigmoid, {dense: {units: 3}}, tanh, {dense: {units: 2}}, softmax",
      input: 3, batch: 5)
    let data = try Self.data(count: 10, features: 3, classes: 2)
    let plan = Plan<Float>(e, batch: 5, seed: 5)
    plan.initialize(.fanInNormal, seed: 5)
    let batches = try BatchIterator(count: 10, batchSize: 5, seed: 5, shuffle: false)
    let report = GradientReport.measure(plan, data: data, batches: batches, batchCount: 2)
    #expect(report.batches == 2 && report.samples == 10)

    let reference = Plan<Double>(
      model: e.model, loss: e.loss.value, optimizer: e.optimizer.value, batch: 5, seed: 5)
    for j in 0..<plan.parameterCount { reference.parameters[j] = Double(plan.parameters[j]) }
    var expected = [[Double]](repeating: [], count: e.model.layers.count)
    for b in 0..<2 {
      for r in 0..<5 {
        let i = b * 5 + r
        for f in 0..<3 { reference.input[r * 3 + f] = Double(data.x[i * 3 + f]) }
        reference.labels[r] = data.y[i]
      }
      for (l, slices) in reference.parameterSlices.enumerated() {
        for (t, s) in slices.enumerated() {
          var sum = 0.0
          for j in s.offset..<(s.offset + s.count) {
            let keep = reference.parameters[j]
            let h = 1e-6
            reference.parameters[j] = keep + h
            reference.forward(5, training: true)
            let up = reference.computeLoss(5, gradient: false)
            reference.parameters[j] = keep - h
            reference.forward(5, training: true)
            let down = reference.computeLoss(5, gradient: false)
            reference.parameters[j] = keep
            let g = (up - down) / (2 * h)
            sum += g * g
          }
          if expected[l].count <= t { expected[l].append(0) }
          expected[l][t] += sum.squareRoot() / 2
        }
      }
    }
    let withParameters = expected.filter { !$0.isEmpty }
    #expect(report.layers.map(\.name) == ["dense_1", "dense_2", "dense_3"])
    #expect(report.layers.map(\.position) == [1, 2, 3])
    for (layer, want) in zip(report.layers, withParameters) {
      #expect(layer.tensors.map(\.name) == ["weight", "bias"])
      for (t, w) in zip(layer.tensors, want) {
        #expect(abs(t.norm - w) <= 1e-4 * w + 1e-7, "\(layer.name).\(t.name): \(t.norm) vs \(w)")
      }
    }
    // Ratios are to the last layer's weight norm; (4.21)'s bound relative to it is 2^-(3-ℓ).
    let last = report.layers[2].weightNorm
    #expect(report.layers.map { $0.ratioToLast ?? -1 } == report.layers.map { $0.weightNorm / last })
    #expect(report.layers.map(\.bound) == [0.25, 0.5, 1])
  }

  /// Hand-made outputs: σ(z) for z around ±4, tanh likewise, ReLU rows with one dead unit.
  @Test func saturationCountsHandMadeOutputs() throws {
    let sigmoid = try #require(Sigmoid().saturation)
    let zs = [-5.0, -3.9, 0, 3.9, 4.1, 7]
    var meter = SaturationMeter(layer: 0, rule: sigmoid, units: 3)
    var ys = zs.map { Float(1 / (1 + Foundation.exp(-$0))) }
    meter.add(&ys, samples: 2)
    #expect(meter.saturated == 3 && meter.values == 6)
    #expect(meter.active.isEmpty)

    let tanh = try #require(Tanh().saturation)
    #expect(zs.map { tanh.holds(Foundation.tanh($0)) } == [true, false, false, false, true, true])

    let relu = try #require(ReLU().saturation)
    var reluMeter = SaturationMeter(layer: 0, rule: relu, units: 3)
    var rows: [Float] = [0, 1, 0, 0, 2, 3, 0, 0, 0.5]
    reluMeter.add(&rows, samples: 3)
    #expect(reluMeter.saturated == 5 && reluMeter.values == 9)
    #expect(reluMeter.active == [false, true, true])
    #expect(Flatten().saturation == nil)
  }

  /// Example 4.1 of the notes: a chain of sigmoid layers at initialisation. The weight
  /// gradient shrinks towards the input, every layer stays under (4.21)'s 2^-(L+1-ℓ) relative
  /// to the last, and no sigmoid saturates at N(0,1)/√fan_in.
  @Test func example41SigmoidChainVanishes() throws {
    let layers = Array(repeating: "{dense: {units: 20}}, sigmoid", count: 5).joined(separator: ", ")
    let e = try Self.experiment(layers + ", {dense: {units: 4}}, softmax", input: 10, batch: 50)
    let data = try Self.data(count: 200, features: 10, classes: 4)
    let plan = Plan<Float>(e, batch: 50, seed: 5)
    plan.initialize(.fanInNormal, seed: 5)
    let batches = try BatchIterator(count: 200, batchSize: 50, seed: 5)
    let report = GradientReport.measure(plan, data: data, batches: batches, batchCount: 4)
    let norms = report.layers.map(\.weightNorm)
    #expect(norms.count == 6)
    #expect(zip(norms, norms.dropFirst()).allSatisfy { $0 < $1 }, "\(norms)")
    for l in report.layers {
      #expect((l.ratioToLast ?? 2) <= l.bound, "\(l.name): \(l.ratioToLast ?? -1) > \(l.bound)")
    }
    #expect(report.activations.count == 5)
    #expect(report.activations.allSatisfy { $0.deadUnits == nil && $0.values == 200 * 20 })
  }

  /// 1/K ± 2.576·√(p₀(1−p₀)/n), given once; none below n·p₀ = 5.
  @Test func chanceWarningUsesTheBinomialInterval() throws {
    let interval = try #require(TrainingWarnings.chanceInterval(classes: 10, samples: 10_000))
    #expect(abs(interval.lowerBound - (0.1 - 2.576 * 0.003)) < 1e-12)
    #expect(abs(interval.upperBound - (0.1 + 2.576 * 0.003)) < 1e-12)
    #expect(TrainingWarnings.chanceInterval(classes: 10, samples: 49) == nil)
    #expect(TrainingWarnings.chanceInterval(classes: 10, samples: 50) != nil)

    var w = TrainingWarnings()
    let learning = w.check(
      epoch: 1, accuracy: 0.5, samples: 10_000, classes: 10, measuredOn: "validation", norms: [])
    #expect(learning.isEmpty)
    let stuck = w.check(
      epoch: 2, accuracy: 0.0998, samples: 10_000, classes: 10, measuredOn: "validation", norms: [])
    #expect(stuck.map(\.code) == ["W015"])
    #expect(stuck.first?.epoch == 2)
    #expect(stuck.first?.message.contains("0.0998") == true)
    let again = w.check(
      epoch: 3, accuracy: 0.1, samples: 10_000, classes: 10, measuredOn: "validation", norms: [])
    #expect(again.isEmpty)
    // Just outside the interval is not chance.
    var v = TrainingWarnings()
    #expect(
      v.check(
        epoch: 1, accuracy: 0.108, samples: 10_000, classes: 10, measuredOn: "training", norms: []
      ).isEmpty)
  }

  @Test func vanishingGradientWarnsBelowOneMillionth() {
    var w = TrainingWarnings()
    let fine = w.check(
      epoch: 1, accuracy: nil, samples: 0, classes: 10, measuredOn: "training",
      norms: [("dense_1", 2e-6), ("dense_2", 1)])
    #expect(fine.isEmpty)
    let vanished = w.check(
      epoch: 2, accuracy: nil, samples: 0, classes: 10, measuredOn: "training",
      norms: [("dense_1", 5e-7), ("dense_2", 1)])
    #expect(vanished.map(\.code) == ["W016"])
    #expect(vanished.first?.message.contains("dense_1") == true)
    #expect(vanished.first?.message.contains("§4.3") == true)
  }

  /// An old metrics.csv (a column for every layer) continued under the new header: cells move
  /// by column name, the parameterless layer's column goes.
  @Test func resumedLogKeepsCellsByColumnName() throws {
    let dir = try TemporaryDirectory()
    let path = dir.url.path + "/metrics.csv"
    try (
      "epoch,step,lr,train_loss,train_accuracy,val_loss,val_accuracy,samples_per_s,"
        + "grad_norm_dense_1,grad_norm_softmax_1\n1,10,0.1,2.0,0.3,,,100.0,0.5,0.0\n"
        + "2,20,0.1,1.0,0.6,,,100.0,0.25,0.0\n"
    ).write(toFile: path, atomically: true, encoding: .utf8)
    let log = try MetricsLog(path: path, layers: ["dense_1"], resumeAfter: 1)
    #expect(log.rows == [["1", "10", "0.1", "2.0", "0.3", "", "", "100.0", "0.5"]])
    try log.regrow(layers: ["dense_1", "g1_dense_1"])
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(
      text == "epoch,step,lr,train_loss,train_accuracy,val_loss,val_accuracy,samples_per_s,"
        + "grad_norm_dense_1,grad_norm_g1_dense_1\n1,10,0.1,2.0,0.3,,,100.0,0.5,\n")
  }
}
