import DLRuntime
import DLSpec
import Foundation

/// The training loop: mini-batch SGD-family updates over seeded shuffles, validation, metrics,
/// checkpoints and a summary, all under one run directory (docs/runs.md), which it locks.
public final class Trainer {
  public struct Options {
    /// Where the run is written; created when missing. A directory that already holds a run
    /// is refused unless `resume` continues that same run.
    public var runDirectory: String
    /// The spec text as run (overrides applied), written to spec.yaml.
    public var specText: String
    /// The canonical form of the resolved experiment, written to spec.canonical.yaml and
    /// hashed into summary.json's `spec_sha256` and the checkpoints; nil uses `specText`.
    public var specCanonical: String?
    /// The spec file, recorded in summary.json; its directory's git state is recorded too.
    public var specPath: String?
    /// The `--set` assignments, recorded in summary.json.
    public var overrides: [String]
    /// The invoking command line, recorded in summary.json.
    public var commandLine: [String]
    public var threads: Int?
    /// A run directory or checkpoint to continue from (a checkpoint outside any run seeds a
    /// new run).
    public var resume: String?
    public var initFrom: String?
    /// On resume, when the newest checkpoint fails its checks, continue from the newest older
    /// one that passes (`--resume-fallback`) instead of refusing.
    public var resumeFallback: Bool = false
    public var progress: Bool
    public var log: (String) -> Void
    /// Called on resume when the checkpoint's spec hash differs from this run's, with the
    /// checkpoint's canonical spec; throwing refuses the resume before anything is written.
    public var specChangeCheck: ((_ storedCanonical: String) throws -> Void)?
    /// Called with the run directory after each epoch's metrics row and summary are written
    /// (the learning-curves plot is redrawn here).
    public var afterEpoch: ((_ runDirectory: String) -> Void)?
    /// Polled before every step: a signal (or a step limit) ends training there with a
    /// checkpoint of that step; `StopSignal.process` is the one the signal handlers set.
    public var stop: StopSignal

    public init(
      runDirectory: String, specText: String, specCanonical: String? = nil, specPath: String? = nil,
      overrides: [String] = [], commandLine: [String] = [], threads: Int? = nil,
      resume: String? = nil, initFrom: String? = nil, progress: Bool = false,
      log: @escaping (String) -> Void = { print($0) },
      specChangeCheck: ((_ storedCanonical: String) throws -> Void)? = nil,
      afterEpoch: ((_ runDirectory: String) -> Void)? = nil, stop: StopSignal = StopSignal()
    ) {
      self.runDirectory = runDirectory
      self.specText = specText
      self.specCanonical = specCanonical
      self.specPath = specPath
      self.overrides = overrides
      self.commandLine = commandLine
      self.threads = threads
      self.resume = resume
      self.initFrom = initFrom
      self.progress = progress
      self.log = log
      self.specChangeCheck = specChangeCheck
      self.afterEpoch = afterEpoch
      self.stop = stop
    }
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public struct Summary {
    /// Epochs completed in total, over this and earlier invocations of the run.
    public var epochs: Int
    /// Epochs already completed when this invocation started (the checkpoint's epoch).
    public var startEpoch: Int
    /// The spec's `train.epochs`.
    public var epochsPlanned: Int
    /// True when a resume found the run already at or past `epochsPlanned` and trained nothing.
    public var alreadyComplete: Bool
    public var steps: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validation: Evaluation?
    /// Seconds of this invocation.
    public var wallSeconds: Double
    /// Seconds over all invocations of the run.
    public var totalWallSeconds: Double
    public var samplesPerSecond: Double
    public var losses: [Double]
    public var runDirectory: String
    /// Set when a signal (or a step limit) ended training before `epochsPlanned`.
    public var stop: Stop? = nil

    /// Epochs trained by this invocation.
    public var epochsThisRun: Int { epochs - startEpoch }
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
    let directory = options.runDirectory
    try RunDirectory.checkOut(directory)
    let continuing =
      options.resume.flatMap(RunDirectory.run(ofResume:))
      .map { RunDirectory.same($0, directory) } ?? false
    try refuseExistingRun(directory, continuing: continuing)
    try RunDirectory.prepare(directory)
    let lock = try RunLock.acquire(directory)
    defer { lock.release() }
    // Checked again under the lock: another training may have filled the directory meanwhile.
    try refuseExistingRun(directory, continuing: continuing)

    if let t = options.threads { BLAS.setThreads(t) }
    let train = try ExperimentData.load(e, split: .train)
    guard train.count > 0 else {
      throw Failure(
        description: "the training data has no samples (N = 0); nothing to train on\n"
          + "  = hint: check the spec's data.train files")
    }
    let split = try ValidationSplit(
      count: train.count, fraction: e.data?.validationSplit ?? 0, seed: UInt64(config.seed))
    guard !split.train.isEmpty else {
      throw Failure(
        description: "validation_split leaves no training samples (N = \(train.count))\n"
          + "  = hint: lower data.validation_split")
    }
    // A growing run re-plans: `plan` is replaced at each insertion (Trainer+Growth.swift).
    var plan: Plan<Float>
    var insertions = 0
    let optimizer = Optimizer<Float>(e.optimizer.value)
    let schedule = LearningRateSchedule(e.schedule.value, baseRate: e.optimizer.value.learningRate)
    let canonical = options.specCanonical ?? options.specText
    let hash = Self.specHash(canonical)
    var startEpoch = 0
    var step = 0
    var resumed: Checkpoint.Progress? = nil
    if let resume = options.resume {
      let meta: Checkpoint.Metadata
      (meta, plan) = try resumeFrom(resume, hash: hash)
      insertions = meta.growthInsertions
      startEpoch = meta.epoch
      step = meta.step
      resumed = meta.progress
      if meta.rngState.count == 4 { plan.random.generator = RandomGenerator(state: meta.rngState) }
    } else {
      plan = makePlan(insertions: 0)
      if let source = options.initFrom {
        try Checkpoint.load(source, into: plan, optimizerState: false)
      }
    }
    let summaryPath = directory + "/summary.json"
    let previous = continuing ? try? RunSummary.read(summaryPath) : nil
    if startEpoch >= config.epochs {
      // Nothing to train: the run's files, summary.json included, stay as they are.
      options.log(
        "already at epoch \(startEpoch) of \(config.epochs); raise --epochs to train more")
      return Summary(
        epochs: startEpoch, startEpoch: startEpoch, epochsPlanned: config.epochs,
        alreadyComplete: true,
        steps: step, trainLoss: previous?.trainLoss ?? .nan,
        trainAccuracy: previous?.trainAccuracy ?? .nan,
        validation: nil, wallSeconds: 0, totalWallSeconds: previous?.wallSeconds ?? 0,
        samplesPerSecond: 0, losses: [], runDirectory: directory)
    }

    // A growing run's checkpoints reach the size of the largest model its rule can build.
    let sized = e.growth == nil ? plan : Plan<Float>.outline(e.largestGrown, batch: config.batchSize)
    try RunSpace.check(
      directory, checkpointBytes: Checkpoint.estimatedBytes(sized, specCanonical: canonical),
      epochs: config.epochs - startEpoch, layers: e.model.layers.count,
      specBytes: 2 * options.specText.utf8.count + canonical.utf8.count)
    let checkpoints = directory + "/checkpoints"
    try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
    try writeText(options.specText, to: directory + "/spec.yaml")
    try writeText(canonical, to: directory + "/spec.canonical.yaml")
    try writeText(InspectRenderer.text(e), to: directory + "/ir.txt")
    let regression = e.task.value == .regression
    // metrics.csv logs the gradient norm of the layers with parameters only.
    var logged = Self.logged(plan.model)
    let metrics = try MetricsLog(
      path: directory + "/metrics.csv", layers: logged.map { plan.model.layers[$0].name },
      metrics: regression ? RegressionMetrics.names : ["accuracy"], growth: e.growth != nil,
      resumeAfter: continuing ? startEpoch : nil)

    let start = Date()
    // Regression ranks epochs by R² (higher is better, as accuracy).
    let bestName = regression ? "r2" : "accuracy"
    let bestMetric = (split.validation.isEmpty ? "train_" : "validation_") + bestName
    var record = runRecord(previous: previous, hash: hash, start: start)
    record.epochs = startEpoch
    record.steps = step
    record.best = nil
    for row in metrics.rows {
      let column = (split.validation.isEmpty ? "train_" : "val_") + bestName
      if let v = metrics.value(column, in: row), let epoch = Int(row[0]),
        record.best.map({ v > $0.value }) ?? true
      {
        record.best = RunSummary.Best(metric: bestMetric, value: v, epoch: epoch)
      }
    }
    let earlierWall = previous?.wallSeconds ?? 0
    // Warnings of epochs the resume replays are given again if they still hold.
    record.warnings = (previous?.warnings ?? []).filter { $0.epoch <= startEpoch }
    record.growth = (previous?.growth ?? []).filter { $0.epoch <= startEpoch }
    var warnings = TrainingWarnings(earlier: record.warnings)
    try record.write(to: summaryPath)

    var batches = try BatchIterator(
      indices: split.train, batchSize: config.batchSize, seed: UInt64(config.seed),
      shuffle: config.shuffle)
    try checkResumed(resumed, batches: batches.batchCount, layers: plan.model.layers.count)
    var watch = LossWatch(config)
    if let saved = resumed?.lossWatch { watch.restore(saved) }
    var stopped: Stop? = nil
    let optimizerName = e.optimizer.variant ?? "sgd"
    var stepNorms = [Double](repeating: 0, count: plan.model.layers.count)
    var samplesSeen = 0
    var lastTrainLoss = 0.0
    var lastTrainAccuracy = 0.0
    var lastValidation: Evaluation? = nil
    var losses: [Double] = []
    // Reserved up front so appending a step's loss does not allocate inside the loop (capped at
    // 8 MB: a million-epoch spec grows the array amortised instead of reserving gigabytes).
    let totalSteps = (config.epochs - startEpoch).multipliedReportingOverflow(
      by: batches.batchCount)
    losses.reserveCapacity(totalSteps.overflow ? 1 << 20 : min(totalSteps.partialValue, 1 << 20))
    var paramCount = plan.parameterCount
    var state = plan.optimizerState
    // §3.5's LR0 / (number of hidden layers), when the growth rule asks for it.
    var lrDivisor = e.growth?.value.divideLearningRate == true ? Double(Self.hiddenLayers(plan.model)) : 1
    do {
      training: for epoch in startEpoch..<config.epochs {
        batches.startEpoch(epoch)
        let epochStart = Date()
        var lossSum = 0.0
        var correct = 0
        var fit = RegressionMetrics(width: plan.classCount)
        var seen = 0
        var norms = [Double](repeating: 0, count: plan.model.layers.count)
        // A mid-epoch checkpoint: skip the batches it had done, with their sums.
        var firstBatch = 0
        if let p = resumed, p.batch > 0 {
          (firstBatch, lossSum, correct, seen, norms) =
            (p.batch, p.lossSum, p.correct, p.samples, p.gradientNormSums)
        }
        resumed = nil
        // Samples this invocation trained in the epoch, for samples/s.
        let seenBefore = seen
        var lr = schedule.rate(step: step, epoch: epoch) / lrDivisor
        for b in firstBatch..<batches.batchCount {
          // The step boundary: everything before it is done, nothing of the next step begun.
          if options.stop.shouldStop(step: step) {
            if options.progress { ProgressBar.finish() }
            let at = Position(
              epoch: epoch, batch: b, batchCount: batches.batchCount, step: step,
              progress: Checkpoint.Progress(
                batch: b, lossSum: lossSum, correct: correct, samples: seen,
                gradientNormSums: norms, lossWatch: watch.saved), insertions: insertions)
            let path = checkpoints + "/last.h5"
            try Checkpoint.save(
              plan, to: path, metadata: at.metadata(plan, hash: hash, canonical: canonical),
              optimizer: optimizerName)
            stopped = Stop(reason: options.stop.reason(step: step), at: at, checkpoint: path)
            break training
          }
          let n = train.gather(batches.indices(ofBatch: b), into: plan)
          // Batch 1 with plain SGD: the update is applied inside backward (Plan+FusedSGD),
          // after the loss is checked, so a faulty loss still leaves the parameters untouched.
          let fused = n == 1 && optimizer.isPlainSGD && plan.canFuseSGD
          let loss: Double
          if fused {
            plan.forward(1, training: true)
            loss = Double(plan.computeLoss(1, gradient: true))
          } else {
            loss = Double(plan.lossAndGradient(n))
          }
          let fault = watch.check(loss)
          let stepCorrect = regression ? 0 : plan.correctCount(n)
          var normTotal = 0.0
          var partlyUpdated = false
          if fault == nil {
            for i in stepNorms.indices { stepNorms[i] = 0 }
            let rate = schedule.rate(step: step, epoch: epoch) / lrDivisor
            stepNorms.withUnsafeMutableBufferPointer {
              guard let p = $0.baseAddress else { return }
              if fused {
                let stop = plan.backwardApplyingSGD(rate: Float(rate), norms: p)
                partlyUpdated = stop?.updatedAbove ?? false
              } else {
                plan.addGradientNorms(into: p)
              }
            }
            for v in stepNorms { normTotal += v }
          }
          if fault != nil || !normTotal.isFinite {
            if options.progress { ProgressBar.finish() }
            let layer = stepNorms.indices.first { !stepNorms[$0].isFinite }
              .map { plan.model.layers[$0].name } ?? "a layer"
            let at = Position(
              epoch: epoch, batch: b, batchCount: batches.batchCount, step: step,
              progress: Checkpoint.Progress(
                batch: b, lossSum: lossSum, correct: correct, samples: seen,
                gradientNormSums: norms, lossWatch: watch.saved), insertions: insertions)
            throw numericalFault(
              fault ?? .gradient(layer: layer), loss: loss,
              learningRate: schedule.rate(step: step, epoch: epoch) / lrDivisor, at: at, plan: plan,
              checkpoints: checkpoints, hash: hash, canonical: canonical,
              optimizer: optimizerName, partlyUpdated: partlyUpdated)
          }
          if regression { fit.add(plan, n: n) } else { correct += stepCorrect }
          for i in norms.indices { norms[i] += stepNorms[i] }
          lr = schedule.rate(step: step, epoch: epoch) / lrDivisor
          if !fused {
            optimizer.update(
              parameters: plan.parameters, gradients: plan.gradients, state: state,
              count: paramCount, learningRate: lr, step: step + 1)
          }
          step += 1
          lossSum += loss * Double(n)
          seen += n
          losses.append(loss)
          if options.progress {
            let rate =
              Double(seen - seenBefore) / max(1e-9, Date().timeIntervalSince(epochStart))
            ProgressBar.draw(
              epoch: epoch + 1, of: config.epochs, batch: b + 1, of: batches.batchCount,
              loss: lossSum / Double(seen), samplesPerSecond: rate,
              etaSeconds: Double(split.train.count - seen) / max(rate, 1e-9))
          }
        }
        samplesSeen += seen - seenBefore
        let seconds = Date().timeIntervalSince(epochStart)
        lastTrainLoss = lossSum / Double(max(1, seen))
        lastTrainAccuracy = regression ? .nan : Double(correct) / Double(max(1, seen))
        lastValidation =
          split.validation.isEmpty
          ? nil : Evaluation.run(plan, on: train, indices: split.validation)
        let meanNorms = norms.map { $0 / Double(max(1, batches.batchCount)) }
        try metrics.append(
          epoch: epoch + 1, step: step, lr: lr, trainLoss: lastTrainLoss,
          trainMetrics: regression ? fit.values.map(\.value) : [lastTrainAccuracy],
          validation: lastValidation, samplesPerSecond: Double(seen - seenBefore) / seconds,
          insertions: insertions, gradientNorms: logged.map { meanNorms[$0] })
        if options.progress { ProgressBar.finish() }
        let given = warnings.check(
          epoch: epoch + 1,
          accuracy: regression ? nil : (lastValidation?.accuracy ?? lastTrainAccuracy),
          samples: lastValidation == nil ? seen : split.validation.count,
          classes: plan.classCount, measuredOn: lastValidation == nil ? "training" : "validation",
          norms: logged.map { (plan.model.layers[$0].name, meanNorms[$0]) })
        record.warnings = warnings.given
        var line = String(format: "epoch %d/%d  loss %.4g", epoch + 1, config.epochs, lastTrainLoss)
        line += regression
          ? String(format: "  mae %.4g  r2 %.4f", fit.mae, fit.r2)
          : String(format: "  acc %.4f", lastTrainAccuracy)
        if let v = lastValidation {
          line += String(format: "  val_loss %.4g", v.loss)
          line += v.regression.map { String(format: "  val_r2 %.4f", $0.r2) }
            ?? String(format: "  val_acc %.4f", v.accuracy)
        }
        line += String(
          format: "  lr %.5g  %.0f samples/s  %.1fs", lr, Double(seen - seenBefore) / seconds,
          seconds)
        options.log(line)
        for w in given { options.log("warning[\(w.code)]: \(w.message)") }
        // The growth rule, on this epoch's row and the one before (metrics.csv's cells).
        if let g = e.growth?.value, metrics.rows.count >= 2,
          let previousValue = metrics.value(g.metric, in: metrics.rows[metrics.rows.count - 2]),
          let currentValue = metrics.value(g.metric, in: metrics.rows[metrics.rows.count - 1]),
          g.holds(
            epoch: epoch + 1, insertions: insertions, previous: previousValue,
            current: currentValue)
        {
          insertions += 1
          plan = Self.regrow(plan, experiment: e, insertions: insertions, rule: g)
          paramCount = plan.parameterCount
          state = plan.optimizerState
          stepNorms = [Double](repeating: 0, count: plan.model.layers.count)
          logged = Self.logged(plan.model)
          try metrics.regrow(layers: logged.map { plan.model.layers[$0].name })
          if g.divideLearningRate { lrDivisor = Double(Self.hiddenLayers(plan.model)) }
          let added = plan.model.layers.map(\.name).filter { $0.hasPrefix("g\(insertions)_") }
          record.growth.append(
            RunSummary.Growth(
              insertion: insertions, epoch: epoch + 1, step: step, metric: g.metric,
              previous: previousValue, current: currentValue, layers: added,
              parameters: plan.parameterCount))
          options.log(
            "growth: \(g.metric) moved \(Number.short(currentValue - previousValue)) in epoch "
              + "\(epoch + 1) (less than \(Number.short(g.minImprovement))): inserted "
              + added.joined(separator: ", ") + " (insertion \(insertions) of \(g.maxInsertions)); "
              + "\(plan.parameterCount) parameters, \(plan.allocatedBytes) bytes planned")
        }
        let meta = Checkpoint.Metadata(
          specHash: hash, specCanonical: canonical, epoch: epoch + 1, step: step,
          rngState: plan.random.generator.state,
          progress: Checkpoint.Progress(lossWatch: watch.saved), growthInsertions: insertions)
        if (epoch + 1) % e.checkpoint.value.every == 0 || epoch + 1 == config.epochs {
          try Checkpoint.save(
            plan, to: checkpoints + String(format: "/epoch-%03d.h5", epoch + 1), metadata: meta,
            optimizer: optimizerName)
          prune(checkpoints, keep: e.checkpoint.value.keepLast)
        }
        try Checkpoint.save(
          plan, to: checkpoints + "/last.h5", metadata: meta, optimizer: optimizerName)

        let wall = Date().timeIntervalSince(start)
        record.updatedAt = Date()
        record.epochs = epoch + 1
        record.steps = step
        record.trainLoss = lastTrainLoss
        record.trainAccuracy = regression ? nil : lastTrainAccuracy
        record.validationLoss = lastValidation?.loss
        record.validationAccuracy = regression ? nil : lastValidation?.accuracy
        if regression {
          record.regressionMetrics =
            fit.values.map { RunSummary.Metric("train_" + $0.name, $0.value) }
            + (lastValidation?.metricValues ?? []).map {
              RunSummary.Metric("validation_" + $0.name, $0.value)
            }
        }
        let value = regression ? (lastValidation?.regression ?? fit).r2 : (lastValidation?.accuracy ?? lastTrainAccuracy)
        if record.best.map({ value > $0.value }) ?? true {
          record.best = RunSummary.Best(metric: bestMetric, value: value, epoch: epoch + 1)
        }
        record.wallSeconds = earlierWall + wall
        record.samplesPerSecond = Double(samplesSeen) / max(wall, 1e-9)
        try record.write(to: summaryPath)
        // The curves are redrawn from metrics.csv after every epoch, so a stopped run has them.
        try PlotFile.writeLearningCurves(runDirectory: directory, title: e.name)
        options.afterEpoch?(directory)
      }
    } catch {
      record.status = .failed
      record.error = "\(error)"
      record.updatedAt = Date()
      record.wallSeconds = earlierWall + Date().timeIntervalSince(start)
      try? record.write(to: summaryPath)
      throw error
    }
    let wall = Date().timeIntervalSince(start)
    if let stopped {
      // summary.json says how far the run got: its epochs and steps are the checkpoint's.
      record.status = .stopped
      record.stopReason = stopped.description
      record.updatedAt = Date()
      record.steps = step
      record.wallSeconds = earlierWall + wall
      record.samplesPerSecond = Double(samplesSeen) / max(wall, 1e-9)
      try record.write(to: summaryPath)
      return Summary(
        epochs: stopped.at.epoch, startEpoch: startEpoch, epochsPlanned: config.epochs,
        alreadyComplete: false, steps: step, trainLoss: lastTrainLoss,
        trainAccuracy: lastTrainAccuracy, validation: lastValidation, wallSeconds: wall,
        totalWallSeconds: record.wallSeconds,
        samplesPerSecond: Double(samplesSeen) / max(wall, 1e-9), losses: losses,
        runDirectory: directory, stop: stopped)
    }
    record.status = .finished
    record.updatedAt = Date()
    record.finishedAt = record.updatedAt
    record.wallSeconds = earlierWall + wall
    try record.write(to: summaryPath)
    return Summary(
      epochs: config.epochs, startEpoch: startEpoch, epochsPlanned: config.epochs,
      alreadyComplete: false,
      steps: step, trainLoss: lastTrainLoss, trainAccuracy: lastTrainAccuracy,
      validation: lastValidation, wallSeconds: wall, totalWallSeconds: record.wallSeconds,
      samplesPerSecond: Double(samplesSeen) / max(wall, 1e-9), losses: losses,
      runDirectory: directory)
  }

  func refuseExistingRun(_ directory: String, continuing: Bool) throws {
    if !continuing { try RunDirectory.refuseExistingRun(directory) }
  }

  /// summary.json's fields for this invocation; a continued run keeps its start time.
  func runRecord(previous: RunSummary?, hash: String, start: Date) -> RunSummary {
    let e = experiment
    var r = RunSummary()
    r.name = e.name
    r.status = .running
    r.specPath = options.specPath
    r.specSHA256 = hash
    r.overrides = options.overrides
    r.commandLine = options.commandLine
    r.dlspecVersion = ToolVersion.current
    r.git = options.specPath.flatMap {
      Provenance.git(at: URL(fileURLWithPath: $0).deletingLastPathComponent().path)
    }
    r.blasCore = BLAS.coreName
    r.kernelISA = KernelISA.selected?.description ?? "none"
    r.gemm = GemmBackend.selected.description
    r.threads = BLAS.threads
    r.seed = e.train.value.seed
    r.batchSize = e.train.value.batchSize
    r.startedAt = previous?.startedAt ?? start
    r.updatedAt = start
    r.finishedAt = nil
    r.epochsPlanned = e.train.value.epochs
    // Test metrics of last.h5 no longer describe it once training goes on.
    r.test = previous?.test.flatMap { $0.checkpoint == "checkpoints/last.h5" ? nil : $0 }
    return r
  }

  /// Loads the checkpoint a resume continues from. For a run directory that is `last.h5`, or
  /// when it is missing or unreadable (a kill -9 before the first one), the newest epoch
  /// checkpoint that reads. A changed spec goes to `specChangeCheck` before any weight is read,
  /// so the caller can explain the change before a shape mismatch would.
  /// The plan is built per candidate, grown as its `growth_insertions` records.
  func resumeFrom(_ resume: String, hash: String) throws -> (Checkpoint.Metadata, Plan<Float>) {
    let candidates = RunDirectory.resumeCandidates(resume)
    guard !candidates.isEmpty else {
      throw Failure(
        description:
          "'\(resume)' has no checkpoints to resume from (checkpoints/ is empty or missing)\n"
          + "  = hint: train it anew (without --resume) into another --out")
    }
    var skipped: [String] = []
    var compared = false
    for (k, path) in candidates.enumerated() {
      let isLast = k == candidates.count - 1
      do {
        let meta = try Checkpoint.readMetadata(path)
        if !compared && meta.specHash != hash {
          compared = true
          if let stored = meta.specCanonical {
            try options.specChangeCheck?(stored)
          } else {
            options.log(
              "note: \(path) records no spec (an older dlspec wrote it); the spec is not compared")
          }
        }
        // Built as the checkpoint records: a grown run continues on its grown model.
        _ = try Checkpoint.grown(experiment, insertions: meta.growthInsertions, path: path)
        let plan = makePlan(insertions: meta.growthInsertions)
        let loaded = try Checkpoint.load(path, into: plan, optimizerState: true)
        if !skipped.isEmpty {
          options.log("note: resuming from \(path); skipped \(skipped.joined(separator: "; "))")
        }
        return (loaded, plan)
      } catch let failure as Checkpoint.Failure {
        // A damaged file: with --resume-fallback try the next older one, otherwise refuse,
        // naming it. A checkpoint of another model: stop.
        if case .mismatch = failure { throw failure }
        guard !isLast else { throw failure }
        let what = failure.description.split(separator: "\n").first.map(String.init) ?? ""
        guard options.resumeFallback else {
          throw Failure(
            description: "\(what)\n  = hint: --resume-fallback continues from the newest "
              + "older checkpoint that passes its checks (\(candidates.count - 1 - k) older)")
        }
        skipped.append(what)
      }
    }
    throw Failure(description: "no checkpoint of '\(resume)' could be read")
  }

  /// Indices of the layers with parameters: the ones metrics.csv logs.
  static func logged(_ model: ModelIR) -> [Int] {
    model.layers.indices.filter { !model.layers[$0].parameters.isEmpty }
  }

  func writeText(_ text: String, to path: String) throws {
    try FileWrite.write(text, to: path)
  }

  func prune(_ directory: String, keep: Int) {
    guard keep > 0, let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
    else { return }
    let epochs = names.filter { $0.hasPrefix("epoch-") && $0.hasSuffix(".h5") }.sorted()
    for old in epochs.dropLast(keep) {
      try? FileManager.default.removeItem(atPath: directory + "/" + old)
    }
  }
}
