import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// Regression (`task: regression`): the task rule, metrics by hand, training steps against an
/// independent computation, the data checks, the gradient of the regression losses, and the
/// two example specs (Problems 2.6.3 and 3.7.5).
@Suite struct RegressionTests {
  static var root: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  static func experiment(_ text: String, path: String = "/tmp/r.yaml") throws -> Experiment {
    let result = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: path, text: text))
    return try #require(result.experiment, "\(result.diagnostics)")
  }

  static func spec(width: Int = 1, loss: String = "mse", task: String? = "regression") -> String {
    "dlspec: 1\n" + (task.map { "task: \($0)\n" } ?? "")
      + "model:\n  input: [2]\n  layers:\n    - dense: {units: \(width)}\nloss: \(loss)\n"
      + "optimizer: {sgd: {lr: 0.1}}\ntrain: {batch_size: 4}\n"
  }

  /// predictions 1, 2, 3, 4 against 1, 3, 2, 6: residuals 0, −1, 1, −2; SSE 6; ȳ = 3 and
  /// SS_tot = 4 + 0 + 1 + 9 = 14.
  @Test func metricsByHand() {
    let z: [Double] = [1, 2, 3, 4]
    let y: [Double] = [1, 3, 2, 6]
    var m = RegressionMetrics(width: 1)
    z.withUnsafeBufferPointer { zp in
      y.withUnsafeBufferPointer { yp in
        // In two batches, to check the accumulation.
        m.add(predictions: zp.baseAddress!, targets: yp.baseAddress!, n: 3)
        m.add(predictions: zp.baseAddress! + 3, targets: yp.baseAddress! + 3, n: 1)
      }
    }
    #expect(m.count == 4)
    #expect(abs(m.mse - 1.5) < 1e-12)
    #expect(abs(m.mae - 1.0) < 1e-12)
    #expect(abs(m.r2 - (1 - 6.0 / 14.0)) < 1e-12)
    #expect(m.maxAbsolute == 2)
    var constant = RegressionMetrics(width: 1)
    constant.add(predictions: [0.5, 0.5], targets: [1.0, 1.0], n: 2)
    #expect(constant.r2.isNaN)
  }

  /// The rule without `task:`: cross_entropy is classification; mse/l1 with one output is
  /// regression unless `data.classes` or a named dataset says classes.
  @Test func taskInference() throws {
    #expect(try Self.experiment(Self.spec(task: nil)).task.value == .regression)
    #expect(try Self.experiment(Self.spec(width: 3, task: nil)).task.value == .classification)
    #expect(try Self.experiment(Self.spec(width: 3)).task.value == .regression)
    #expect(
      try Self.experiment(Self.spec(width: 3, loss: "l1", task: nil)).task.value == .classification)
    #expect(TaskInference.infer(loss: .crossEntropy, outputWidth: 1, data: nil) == .classification)
    // Every example spec but the two regression ones is classification, and their canonical
    // text names no task (it stayed byte-identical).
    let specs = try FileManager.default.contentsOfDirectory(
      atPath: Self.root.appendingPathComponent("specs").path)
    for name in specs where name.hasSuffix(".yaml") {
      let path = Self.root.appendingPathComponent("specs/\(name)").path
      let e = try #require(SpecChecker(memoryLimit: 24 << 30).check(path: path).experiment)
      let regression = name == "linreg.yaml" || name == "sine-relu.yaml"
      #expect(e.task.value == (regression ? .regression : .classification), "\(name)")
      #expect(CanonicalSpec.text(e).contains("task: regression") == regression, "\(name)")
    }
  }

  /// Three SGD steps of a regression plan on a fixed batch, each loss against the mean of
  /// (w·x + b − y)² computed here in Double, and the update against w ← w − lr · 2/N Σ r x.
  @Test func trainingStepsMatchAnIndependentComputation() throws {
    let e = try Self.experiment(Self.spec())
    let plan = Plan<Float>(e, batch: 4)
    let x: [Float] = [0.5, -1, 1.5, 2, -0.25, 0.75, 1, 1]
    let y: [Float] = [0.3, -1.2, 0.8, 2.5]
    let data = try Dataset(x: x, targets: y, width: 1, sampleShape: [2])
    var w: [Double] = [0.5, -0.25]
    var b = 0.1
    plan.parameters[0] = Float(w[0])
    plan.parameters[1] = Float(w[1])
    plan.parameters[2] = Float(b)
    let optimizer = Optimizer<Float>(e.optimizer.value)
    for step in 1...3 {
      #expect(data.gather(0..<4, into: plan) == 4)
      let loss = Double(plan.lossAndGradient(4))
      var expected = 0.0
      var gw = [0.0, 0.0]
      var gb = 0.0
      for n in 0..<4 {
        let r = w[0] * Double(x[2 * n]) + w[1] * Double(x[2 * n + 1]) + b - Double(y[n])
        expected += r * r / 4
        gw[0] += 2 * r * Double(x[2 * n]) / 4
        gw[1] += 2 * r * Double(x[2 * n + 1]) / 4
        gb += 2 * r / 4
      }
      #expect(
        abs(loss - expected) < 1e-5 * max(1, expected), "step \(step): \(loss) vs \(expected)")
      optimizer.update(
        parameters: plan.parameters, gradients: plan.gradients, state: plan.optimizerState,
        count: plan.parameterCount, learningRate: 0.1, step: step)
      w = [w[0] - 0.1 * gw[0], w[1] - 0.1 * gw[1]]
      b -= 0.1 * gb
      #expect(abs(Double(plan.parameters[0]) - w[0]) < 1e-5)
      #expect(abs(Double(plan.parameters[1]) - w[1]) < 1e-5)
      #expect(abs(Double(plan.parameters[2]) - b) < 1e-5)
    }
  }

  /// Targets that do not fit: a count that does not divide, non-finite values, and a width
  /// other than the model's output, found by `DataCheck` at the spec's data entry.
  @Test func dataShapeErrors() throws {
    #expect(throws: DatasetError.self) {
      try Dataset(x: [1, 2, 3, 4], targets: [1, 2, 3], width: 2, sampleShape: [2])
    }
    #expect(throws: DatasetError.self) {
      try Dataset(x: [1, 2], targets: [.nan], width: 1, sampleShape: [2])
    }
    let data = Self.root.appendingPathComponent("specs/data/linreg.h5").path
    let text = """
      dlspec: 1
      task: regression
      data:
        train: {hdf5: \(data), x: x_train, y: y_train}
      model:
        input: [5]
        layers:
          - dense: {units: 3}
      loss: mse

      """
    let e = try Self.experiment(text)
    let found = DataCheck.run(e)
    #expect(found.count == 1)
    #expect(found.first?.code == .dataMismatch)
    #expect(found.first?.location?.line == 4)
    #expect(
      found.first?.message == "the data's targets have 1 value per sample, but the model outputs 3")
    #expect(DataCheck.isSmallAndLocal(e))
  }

  /// Backprop against central differences for mse and l1 on real-valued targets, one and
  /// three outputs.
  @Test(arguments: [("mse", 1), ("mse", 3), ("l1", 1), ("l1", 3)])
  func gradientCheck(_ loss: String, _ width: Int) throws {
    let text = """
      dlspec: 1
      task: regression
      model:
        input: [3]
        layers:
          - dense: {units: 5}
          - tanh
          - dense: {units: \(width)}
      loss: \(loss)

      """
    let e = try Self.experiment(text)
    var generator = RandomGenerator(seed: 5)
    let x = (0..<12).map { _ in Double.random(in: -1..<1, using: &generator) }
    let targets = (0..<(4 * width)).map { _ in Double.random(in: -2..<2, using: &generator) }
    let report = GradientCheck(e, options: .init()).run(
      x: x, y: [0, 0, 0, 0], targets: targets, dataDescription: "random")
    #expect(report.tensors.count == 5)
    for t in report.tensors {
      #expect(t.passed, "\(loss)/\(width): \(t.name) rel \(t.maxRelativeError)")
    }
  }

  /// Problem 2.6.3: specs/linreg.yaml, trained as written, recovers θ and b to 1e-3.
  @Test func linearRegressionRecoversTheta() throws {
    let spec = Self.root.appendingPathComponent("specs/linreg.yaml").path
    let e = try #require(SpecChecker(memoryLimit: 24 << 30).check(path: spec).experiment)
    let dir = try TemporaryDirectory()
    let options = Trainer.Options(
      runDirectory: dir.path("run"), specText: try String(contentsOfFile: spec, encoding: .utf8),
      progress: false, log: { _ in })
    let summary = try Trainer(e, options: options).run()
    #expect(summary.trainLoss < 2e-6)
    let plan = Plan<Float>(e, batch: 10)
    try Checkpoint.load(dir.path("run/checkpoints/last.h5"), into: plan, optimizerState: false)
    let truth: [Double] = [1.5, -2.0, 0.5, 3.0, -1.0, 0.25]
    for (i, t) in truth.enumerated() {
      #expect(abs(Double(plan.parameters[i]) - t) < 1e-3, "θ[\(i)] = \(plan.parameters[i])")
    }
    let test = try ExperimentData.load(e, split: .test)
    let r = Evaluation.run(plan, on: test, indices: Array(0..<test.count))
    let fit = try #require(r.regression)
    #expect(fit.r2 > 0.9999)
    #expect(r.accuracy.isNaN && r.confusion.isEmpty)
    let csv = try String(contentsOfFile: dir.path("run/metrics.csv"), encoding: .utf8)
    #expect(
      csv.hasPrefix("epoch,step,lr,train_loss,train_mse,train_mae,train_r2,val_loss,val_mse,"))
    let json = try String(contentsOfFile: dir.path("run/summary.json"), encoding: .utf8)
    #expect(json.contains("\"train_r2\"") && !json.contains("\"train_accuracy\""))
  }
}

extension RegressionTests {
  /// Problem 3.7.5: specs/sine-relu.yaml for 5 of its 300 epochs learns most of sin already
  /// (the full run's figures are in docs/results.md).
  @Test func sineReluLearns() throws {
    let spec = Self.root.appendingPathComponent("specs/sine-relu.yaml").path
    let text = try String(contentsOfFile: spec, encoding: .utf8)
      .replacingOccurrences(of: "epochs: 300", with: "epochs: 5")
    let e = try Self.experiment(text, path: spec)
    #expect(e.task.value == .regression && e.task.origin != .defaulted)
    let dir = try TemporaryDirectory()
    let summary = try Trainer(
      e,
      options: .init(runDirectory: dir.path("run"), specText: text, progress: false, log: { _ in })
    ).run()
    let first = try #require(summary.losses.first)
    #expect(summary.trainLoss < first / 10, "\(first) → \(summary.trainLoss)")
    let plan = Plan<Float>(e, batch: 100)
    try Checkpoint.load(dir.path("run/checkpoints/last.h5"), into: plan, optimizerState: false)
    let test = try ExperimentData.load(e, split: .test)
    let fit = try #require(
      Evaluation.run(plan, on: test, indices: Array(0..<test.count)).regression)
    #expect(test.count == 1001)
    #expect(fit.r2 > 0.9, "R² \(fit.r2)")
  }
}

/// The learning rate over the configured run (`ScheduleSpan`, warning W005).
@Suite struct ScheduleSpanTests {
  static func span(_ schedule: String, epochs: Int = 10, data: String = "{dataset: fashion-mnist}")
    throws -> (ScheduleSpan, Experiment)
  {
    let text = """
      dlspec: 1
      data: \(data)
      model:
        input: [784]
        layers:
          - dense: {units: 10}
      loss: cross_entropy
      optimizer: {sgd: {lr: 0.1}}
      schedule: \(schedule)
      train: {epochs: \(epochs), batch_size: 100}

      """
    let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "/tmp/s.yaml", text: text))
    let e = try #require(r.experiment, "\(r.diagnostics)")
    return (ScheduleSpan(e), e)
  }

  /// 60,000 samples, batch 100, 10 epochs: 6,000 steps, lr 0.1 · 0.99^5999 at the last.
  @Test func exponentialPerStepVanishes() throws {
    let (s, e) = try Self.span("{exponential: {gamma: 0.99, unit: step}}")
    #expect(s.exact && s.lastStep == 5999)
    #expect(s.firstRate == 0.1)
    #expect(abs(s.lastRate / (0.1 * pow(0.99, 5999)) - 1) < 1e-9)
    #expect(s.vanishes)
    let w = try #require(s.warning(e))
    #expect(w.code == .vanishingLearningRate && w.severity == .warning)
    // The same schedule per epoch ends at 0.1 · 0.99⁹: no warning.
    let (perEpoch, _) = try Self.span("{exponential: {gamma: 0.99, unit: epoch}}")
    #expect(!perEpoch.vanishes)
    #expect(abs(perEpoch.lastRate - 0.1 * pow(0.99, 9)) < 1e-12)
  }

  /// The notes' piecewise schedule ends at 1e-3 of its start; a constant one at its start.
  @Test func piecewiseAndConstantDoNot() throws {
    let (p, _) = try Self.span(
      "{piecewise: {unit: epoch, boundaries: [5, 10, 15], values: [0.01, 0.001, 0.0001, 0.00001]}}",
      epochs: 20)
    #expect(p.firstRate == 0.01 && p.lastRate == 0.00001 && !p.vanishes)
    let (c, _) = try Self.span("constant")
    #expect(c.firstRate == 0.1 && c.lastRate == 0.1)
  }

  /// Files of unknown size: one step per epoch, marked as a lower bound; the training loop's
  /// schedule and the span compute the same lr.
  @Test func unknownSizeIsALowerBound() throws {
    let (s, e) = try Self.span(
      "{step: {step_size: 3, gamma: 0.5, unit: step}}", data: "{train: {hdf5: none.h5}}")
    #expect(!s.exact && s.lastStep == 9)
    #expect(s.text.contains("≥ 10"))
    let loop = LearningRateSchedule(e.schedule.value, baseRate: 0.1)
    #expect(loop.rate(step: 9, epoch: 9) == s.lastRate)
    #expect(ScheduleSpan(e, samples: 1000).lastStep == 99)
  }
}
