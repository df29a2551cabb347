import Foundation
import DLRuntime
import DLSpec

/// The training loop: mini-batch SGD-family updates over seeded shuffles, validation, metrics,
/// checkpoints and a summary, all under one run directory.
public final class Trainer {
  public struct Options {
    public var runDirectory: String
    public var specText: String
    public var threads: Int?
    public var resume: String?
    public var initFrom: String?
    public var progress: Bool
    public var log: (String) -> Void

    public init(
      runDirectory: String, specText: String, threads: Int? = nil, resume: String? = nil,
      initFrom: String? = nil, progress: Bool = false, log: @escaping (String) -> Void = { print($0) }
    ) {
      self.runDirectory = runDirectory
      self.specText = specText
      self.threads = threads
      self.resume = resume
      self.initFrom = initFrom
      self.progress = progress
      self.log = log
    }
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public struct Summary {
    public var epochs: Int
    public var steps: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validation: Evaluation?
    public var wallSeconds: Double
    public var samplesPerSecond: Double
    public var losses: [Double]
  }

  let experiment: Experiment
  let options: Options

  public init(_ e: Experiment, options: Options) {
    experiment = e
    self.options = options
  }

  public static func specHash(_ text: String) -> String { SHA256.hex(of: Array(text.utf8)) }

  public func run() throws -> Summary {
    let e = experiment
    let config = e.train.value
    if let t = options.threads { BLAS.setThreads(t) }
    let train = try ExperimentData.load(e, split: .train)
    let split = try ValidationSplit(count: train.count, fraction: e.data?.validationSplit ?? 0, seed: UInt64(config.seed))
    let plan = Plan<Float>(e, batch: config.batchSize, seed: UInt64(config.seed))
    plan.initialize(config.initScheme, seed: UInt64(config.seed))
    let optimizer = Optimizer<Float>(e.optimizer.value)
    let schedule = LearningRateSchedule(e.schedule.value, baseRate: e.optimizer.value.learningRate)
    let hash = Self.specHash(options.specText)
    var startEpoch = 0
    var step = 0
    if let resume = options.resume {
      let meta = try Checkpoint.load(resume, into: plan, optimizerState: true)
      if meta.specHash != hash {
        options.log("note: resuming from a checkpoint of a different spec (hash \(meta.specHash.prefix(12)))")
      }
      startEpoch = meta.epoch
      step = meta.step
      if meta.rngState.count == 4 { plan.random.generator = RandomGenerator(state: meta.rngState) }
    } else if let source = options.initFrom {
      try Checkpoint.load(source, into: plan, optimizerState: false)
    }
    let fm = FileManager.default
    let checkpoints = options.runDirectory + "/checkpoints"
    try fm.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
    try options.specText.write(toFile: options.runDirectory + "/spec.yaml", atomically: true, encoding: .utf8)
    try InspectRenderer.text(e).write(toFile: options.runDirectory + "/ir.txt", atomically: true, encoding: .utf8)
    let metrics = MetricsLog(path: options.runDirectory + "/metrics.csv", layers: e.model.layers.map(\.name), append: options.resume != nil)
    var batches = try BatchIterator(indices: split.train, batchSize: config.batchSize, seed: UInt64(config.seed), shuffle: config.shuffle)
    let start = Date()
    var samplesSeen = 0
    var lastTrainLoss = 0.0
    var lastTrainAccuracy = 0.0
    var lastValidation: Evaluation? = nil
    var losses: [Double] = []
    // Reserved up front so appending a step's loss does not allocate inside the loop (capped at
    // 8 MB: a million-epoch spec grows the array amortised instead of reserving gigabytes).
    let totalSteps = (config.epochs - startEpoch).multipliedReportingOverflow(by: batches.batchCount)
    losses.reserveCapacity(totalSteps.overflow ? 1 << 20 : min(totalSteps.partialValue, 1 << 20))
    let paramCount = plan.parameterCount
    let state = plan.optimizerState
    for epoch in startEpoch..<config.epochs {
      batches.startEpoch(epoch)
      let epochStart = Date()
      var lossSum = 0.0
      var correct = 0
      var seen = 0
      var norms = [Double](repeating: 0, count: e.model.layers.count)
      var lr = schedule.rate(step: step, epoch: epoch)
      for b in 0..<batches.batchCount {
        let n = batches.gather(batch: b, from: train, x: plan.input, y: plan.labels)
        let loss = Double(plan.lossAndGradient(n))
        guard loss.isFinite else {
          throw Failure(
            description: "training diverged: the loss is \(loss) at epoch \(epoch + 1), step \(step + 1) "
              + "(learning rate \(lr)); checkpoints/last.h5 keeps the last good epoch\n"
              + "  = hint: lower the learning rate (optimizer lr or the schedule's values)")
        }
        correct += plan.correctCount(n)
        norms.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { plan.addGradientNorms(into: p) } }
        lr = schedule.rate(step: step, epoch: epoch)
        optimizer.update(
          parameters: plan.parameters, gradients: plan.gradients, state: state, count: paramCount,
          learningRate: lr, step: step + 1)
        step += 1
        lossSum += loss * Double(n)
        seen += n
        losses.append(loss)
        if options.progress {
          let rate = Double(seen) / max(1e-9, Date().timeIntervalSince(epochStart))
          ProgressBar.draw(
            epoch: epoch + 1, of: config.epochs, batch: b + 1, of: batches.batchCount,
            loss: lossSum / Double(seen), samplesPerSecond: rate,
            etaSeconds: Double(split.train.count - seen) / max(rate, 1e-9))
        }
      }
      samplesSeen += seen
      let seconds = Date().timeIntervalSince(epochStart)
      lastTrainLoss = lossSum / Double(max(1, seen))
      lastTrainAccuracy = Double(correct) / Double(max(1, seen))
      lastValidation = split.validation.isEmpty ? nil : Evaluation.run(plan, on: train, indices: split.validation)
      let meanNorms = norms.map { $0 / Double(max(1, batches.batchCount)) }
      metrics.append(
        epoch: epoch + 1, step: step, lr: lr, trainLoss: lastTrainLoss, trainAccuracy: lastTrainAccuracy,
        validation: lastValidation, samplesPerSecond: Double(seen) / seconds, gradientNorms: meanNorms)
      if options.progress { ProgressBar.finish() }
      var line = String(format: "epoch %d/%d  loss %.4f  acc %.4f", epoch + 1, config.epochs, lastTrainLoss, lastTrainAccuracy)
      if let v = lastValidation { line += String(format: "  val_loss %.4f  val_acc %.4f", v.loss, v.accuracy) }
      line += String(format: "  lr %.5g  %.0f samples/s  %.1fs", lr, Double(seen) / seconds, seconds)
      options.log(line)
      let meta = Checkpoint.Metadata(specHash: hash, epoch: epoch + 1, step: step, rngState: plan.random.generator.state)
      let optimizerName = e.optimizer.variant ?? "sgd"
      if (epoch + 1) % e.checkpoint.value.every == 0 || epoch + 1 == config.epochs {
        try Checkpoint.save(plan, to: checkpoints + String(format: "/epoch-%03d.h5", epoch + 1), metadata: meta, optimizer: optimizerName)
        prune(checkpoints, keep: e.checkpoint.value.keepLast)
      }
      try Checkpoint.save(plan, to: checkpoints + "/last.h5", metadata: meta, optimizer: optimizerName)
    }
    let wall = Date().timeIntervalSince(start)
    let summary = Summary(
      epochs: config.epochs, steps: step, trainLoss: lastTrainLoss, trainAccuracy: lastTrainAccuracy,
      validation: lastValidation, wallSeconds: wall, samplesPerSecond: Double(samplesSeen) / max(wall, 1e-9),
      losses: losses)
    try writeSummary(summary, hash: hash)
    return summary
  }

  func prune(_ directory: String, keep: Int) {
    guard keep > 0, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    let epochs = names.filter { $0.hasPrefix("epoch-") && $0.hasSuffix(".h5") }.sorted()
    for old in epochs.dropLast(keep) { try? FileManager.default.removeItem(atPath: directory + "/" + old) }
  }

  func writeSummary(_ s: Summary, hash: String) throws {
    var fields = [
      "\"name\": \(JSONText.string(experiment.name))",
      "\"spec_hash\": \(JSONText.string(hash))",
      "\"epochs\": \(s.epochs)", "\"steps\": \(s.steps)",
      "\"train_loss\": \(JSONText.number(s.trainLoss))",
      "\"train_accuracy\": \(JSONText.number(s.trainAccuracy))",
      "\"wall_seconds\": \(JSONText.number(s.wallSeconds))",
      "\"samples_per_second\": \(JSONText.number(s.samplesPerSecond))",
      "\"threads\": \(BLAS.threads)", "\"blas_core\": \(JSONText.string(BLAS.coreName))",
    ]
    if let v = s.validation {
      fields.append("\"validation_loss\": \(JSONText.number(v.loss))")
      fields.append("\"validation_accuracy\": \(JSONText.number(v.accuracy))")
    }
    try ("{\n  " + fields.joined(separator: ",\n  ") + "\n}\n")
      .write(toFile: options.runDirectory + "/summary.json", atomically: true, encoding: .utf8)
  }
}
