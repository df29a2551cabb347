import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// End-to-end training on a tiny HDF5 fixture: 16 features, 4 classes, each class a noisy copy
/// of its own centroid.
@Suite struct TrainerTests {
  static let trainCount = 200
  static let testCount = 80
  static let features = 16
  static let classes = 4

  /// Writes `data.h5` (x_train, y_train, x_test, y_test) into `dir`; returns its path.
  static func writeData(in dir: TemporaryDirectory) throws -> String {
    var generator = RandomGenerator(seed: 2024)
    func split(_ count: Int) -> (x: [Float], y: [Int64]) {
      var x: [Float] = []
      var y: [Int64] = []
      for _ in 0..<count {
        let c = Int.random(in: 0..<classes, using: &generator)
        y.append(Int64(c))
        for j in 0..<features {
          let centre: Float = j % classes == c ? 1 : 0
          x.append(centre + Float.random(in: -0.6...0.6, using: &generator))
        }
      }
      return (x, y)
    }
    let path = dir.path("data.h5")
    let file = try HDF5File.create(path)
    let train = split(trainCount)
    let test = split(testCount)
    try file.write(train.x, shape: [trainCount, features], to: "x_train")
    try file.write(train.y, shape: [trainCount, 1], to: "y_train")
    try file.write(test.x, shape: [testCount, features], to: "x_test")
    try file.write(test.y, shape: [testCount, 1], to: "y_test")
    file.close()
    return path
  }

  static func spec(data: String, epochs: Int, lr: Double = 0.1, layers: String? = nil, loss: String = "cross_entropy") -> String {
    """
    dlspec: 1
    name: tiny
    data:
      train: {hdf5: \(data)}
      test: {hdf5: \(data)}
      classes: 4
    model:
      input: [16]
      layers:
    \(layers ?? "    - dense: {units: 8}\n    - tanh\n    - dense: {units: 4}\n    - softmax")
    loss: \(loss)
    optimizer:
      sgd: {lr: \(lr), momentum: 0.5}
    train:
      epochs: \(epochs)
      batch_size: 20
      seed: 7

    """
  }

  static func train(_ text: String, runDirectory: String, resume: String? = nil) throws -> Trainer.Summary {
    let e = try PlanFixtures.experiment(text: text)
    let options = Trainer.Options(
      runDirectory: runDirectory, specText: text, resume: resume, progress: false, log: { _ in })
    return try Trainer(e, options: options).run()
  }

  @Test func trainingWritesTheRunDirectory() throws {
    let dir = try TemporaryDirectory()
    let data = try Self.writeData(in: dir)
    let run = dir.path("run")
    let text = Self.spec(data: data, epochs: 3)
    let summary = try Self.train(text, runDirectory: run)
    #expect(summary.epochs == 3)
    #expect(summary.steps == 30)
    #expect(summary.losses.count == 30)
    let firstEpoch = summary.losses.prefix(10).reduce(0, +) / 10
    let lastEpoch = summary.losses.suffix(10).reduce(0, +) / 10
    #expect(lastEpoch < firstEpoch, "losses \(summary.losses)")
    #expect(summary.trainLoss < firstEpoch)
    let fm = FileManager.default
    for name in [
      "spec.yaml", "ir.txt", "metrics.csv", "summary.json", "checkpoints/epoch-001.h5",
      "checkpoints/epoch-002.h5", "checkpoints/epoch-003.h5", "checkpoints/last.h5",
    ] {
      #expect(fm.fileExists(atPath: run + "/" + name), "missing \(name)")
    }
    #expect(try String(contentsOfFile: run + "/spec.yaml", encoding: .utf8) == text)
    let metrics = try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8)
    let rows = metrics.split(separator: "\n")
    #expect(rows.count == 4, "\(metrics)")
    #expect(rows.first?.hasPrefix("epoch") == true, "\(metrics)")
    let json = try String(contentsOfFile: run + "/summary.json", encoding: .utf8)
    #expect(json.contains("\"steps\": 30"), "\(json)")
    let meta = try Checkpoint.load(
      run + "/checkpoints/last.h5", into: Plan<Float>(try PlanFixtures.experiment(text: text), batch: 20),
      optimizerState: true)
    #expect(meta.epoch == 3)
    #expect(meta.step == 30)
    #expect(meta.specHash == Trainer.specHash(text))
  }

  @Test func sameSeedSameLosses() throws {
    let dir = try TemporaryDirectory()
    let data = try Self.writeData(in: dir)
    let text = Self.spec(data: data, epochs: 2)
    let a = try Self.train(text, runDirectory: dir.path("a"))
    let b = try Self.train(text, runDirectory: dir.path("b"))
    #expect(a.losses == b.losses)
    #expect(a.losses.count == 20)
  }

  @Test func resumeContinuesExactly() throws {
    let dir = try TemporaryDirectory()
    let data = try Self.writeData(in: dir)
    let straight = try Self.train(Self.spec(data: data, epochs: 2), runDirectory: dir.path("straight"))
    _ = try Self.train(Self.spec(data: data, epochs: 1), runDirectory: dir.path("first"))
    let resumed = try Self.train(
      Self.spec(data: data, epochs: 2), runDirectory: dir.path("second"),
      resume: dir.path("first") + "/checkpoints/last.h5")
    #expect(straight.losses.count == 20)
    #expect(resumed.losses == Array(straight.losses.suffix(10)))
    #expect(resumed.steps == 20)
  }

  @Test func hugeLearningRateDiverges() throws {
    let dir = try TemporaryDirectory()
    let data = try Self.writeData(in: dir)
    // With tanh and a softmax fused into cross-entropy the loss stays finite at any rate (it
    // only grows with the logits), so a linear model under mse is what overflows.
    let text = Self.spec(data: data, epochs: 3, lr: 1e6, layers: "    - dense: {units: 4}", loss: "mse")
    do {
      let summary = try Self.train(text, runDirectory: dir.path("run"))
      Issue.record("training with lr 1e6 did not throw; losses \(summary.losses.prefix(5))")
    } catch {
      let message = "\(error)"
      #expect(message.contains("diverged"), "\(message)")
      #expect(message.contains("lower the learning rate"), "\(message)")
    }
  }

  @Test func evaluationConfusionMatrixCountsTheTestSet() throws {
    let dir = try TemporaryDirectory()
    let data = try Self.writeData(in: dir)
    let text = Self.spec(data: data, epochs: 3)
    let run = dir.path("run")
    _ = try Self.train(text, runDirectory: run)
    let e = try PlanFixtures.experiment(text: text)
    let test = try ExperimentData.load(e, split: .test)
    #expect(test.count == Self.testCount)
    // Batch 30 leaves a partial last batch of 20.
    let plan = Plan<Float>(e, batch: 30)
    try Checkpoint.load(run + "/checkpoints/last.h5", into: plan, optimizerState: false)
    let evaluation = Evaluation.run(plan, on: test, indices: Array(0..<test.count))
    #expect(evaluation.count == Self.testCount)
    #expect(evaluation.confusion.count == 4)
    #expect(evaluation.confusion.flatMap { $0 }.reduce(0, +) == Self.testCount)
    let diagonal = (0..<4).map { evaluation.confusion[$0][$0] }.reduce(0, +)
    #expect(abs(evaluation.accuracy - Double(diagonal) / Double(Self.testCount)) < 1e-12)
    #expect(evaluation.accuracy > 0.5, "accuracy \(evaluation.accuracy) on separable data")
    #expect(evaluation.loss.isFinite)
  }
}
