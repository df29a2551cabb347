/// The resolved `growth:` section (§3.5, docs/growth.md): when the rule holds after an epoch,
/// `block` is inserted before layer `anchor` of the spec's model, at most `maxInsertions`
/// times, each copy initialised by `initScheme`.
public struct GrowthConfig: Sendable {
  /// The metrics.csv column the rule watches (`train_accuracy`, `val_loss`, …).
  public var metric: String
  /// Grow when the metric improved by less than this over the last epoch (in the metric's
  /// units: accuracy 0.001 is 0.1 points; for losses, improving is going down).
  public var minImprovement: Double
  /// The rule is checked at the end of epochs after this one.
  public var afterEpoch: Int
  public var maxInsertions: Int
  /// Index in the spec's `model.layers` before which every copy is inserted; copies stack
  /// in order, the newest nearest the anchor.
  public var anchor: Int
  /// The block's layers, shapes inferred at the anchor (a block keeps its input's shape).
  public var block: [LayerIR]
  public var initScheme: InitScheme
  /// The notes' LR0 / (number of hidden layers): the schedule's lr divided by the layers
  /// with parameters before the output layer.
  public var divideLearningRate: Bool

  public init(
    metric: String, minImprovement: Double, afterEpoch: Int, maxInsertions: Int, anchor: Int,
    block: [LayerIR], initScheme: InitScheme, divideLearningRate: Bool
  ) {
    self.metric = metric
    self.minImprovement = minImprovement
    self.afterEpoch = afterEpoch
    self.maxInsertions = maxInsertions
    self.anchor = anchor
    self.block = block
    self.initScheme = initScheme
    self.divideLearningRate = divideLearningRate
  }

  /// True when the metric is better when higher (accuracy, R²).
  public var higherIsBetter: Bool { metric.hasSuffix("accuracy") || metric.hasSuffix("r2") }

  /// The rule at the end of `epoch` (1-based) with `insertions` made: the metric moved from
  /// `previous` to `current`.
  public func holds(epoch: Int, insertions: Int, previous: Double?, current: Double?) -> Bool {
    guard epoch > afterEpoch, insertions < maxInsertions, let previous, let current,
      previous.isFinite, current.isFinite
    else { return false }
    let improvement = higherIsBetter ? current - previous : previous - current
    return improvement < minImprovement
  }
}

extension ModelIR {
  /// The model after `insertions` copies of the growth block: copy k's layers are named
  /// `g<k>_<name>` (`g2_dense_1`), the spec's own layers keep their names, so checkpoints,
  /// optimizer state and metrics.csv columns follow each layer across growth.
  public func grown(_ g: GrowthConfig, insertions: Int) -> ModelIR {
    guard insertions > 0 else { return self }
    var list = Array(layers[..<g.anchor])
    for k in 1...insertions {
      list += g.block.map { l in
        var copy = l
        copy.name = "g\(k)_" + l.name
        return copy
      }
    }
    list += layers[g.anchor...]
    var seenParameters = false
    for i in list.indices {
      list[i].index = i
      list[i].needsInputGradient = seenParameters
      if !list[i].parameters.isEmpty { seenParameters = true }
    }
    var m = self
    m.layers = list
    return m
  }
}

extension Experiment {
  /// The experiment with the model grown by `insertions` copies of its growth block (itself
  /// when there is no growth section or no insertion).
  public func grown(insertions: Int) -> Experiment {
    guard let g = growth?.value, insertions > 0 else { return self }
    var e = self
    e.model = model.grown(g, insertions: insertions)
    return e
  }

  /// The largest model the growth rule can build (every insertion made).
  public var largestGrown: Experiment { grown(insertions: growth?.value.maxInsertions ?? 0) }
}
