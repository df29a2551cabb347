/// One semantic difference between two resolved experiments.
public struct SpecChange: Sendable, Equatable {
  /// What a change touches; it decides whether a run may resume across it.
  public enum Kind: String, Sendable, CaseIterable {
    case architecture
    case loss
    case optimizer
    case learningRate = "learning_rate"
    case schedule
    case epochs
    case checkpoint
    case data
    case training
    case metadata

    /// Words for text and markdown output (`learning rate`).
    public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// True when a checkpoint of the old spec can go on training under the new one: nothing
    /// here alters shapes, the architecture, the optimizer's state, the data or the batch.
    public var isSafeToResume: Bool {
      switch self {
      case .epochs, .learningRate, .schedule, .checkpoint, .metadata: return true
      case .architecture, .loss, .optimizer, .data, .training: return false
      }
    }
  }

  public enum Operation: String, Sendable {
    /// A value differs (`old` and `new` set).
    case changed
    /// Only in the new spec (`old` nil); a layer's path uses its index in the new spec.
    case inserted
    /// Only in the old spec (`new` nil); a layer's path uses its index in the old spec.
    case deleted
  }

  /// Key path, `model.layers[3].dense.units`; layer indices count from 0.
  public var path: String
  public var old: String?
  public var new: String?
  public var kind: Kind
  public var operation: Operation
  /// The cost of the layer the change touches, before and after; nil when it touches none.
  public var cost: LayerCostChange?

  public var isSafeToResume: Bool { kind.isSafeToResume }

  public init(
    path: String, old: String?, new: String?, kind: Kind, cost: LayerCostChange? = nil
  ) {
    self.path = path
    self.old = old
    self.new = new
    self.kind = kind
    self.operation = old == nil ? .inserted : new == nil ? .deleted : .changed
    self.cost = cost
  }
}

/// A before → after pair of one count (parameters, FLOPs, bytes).
public struct CountChange: Sendable, Equatable {
  public var old: Int
  public var new: Int

  public init(old: Int, new: Int) {
    self.old = old
    self.new = new
  }

  public var delta: Int { new - old }

  /// The change in percent of `old`; nil when `old` is 0.
  public var percent: Double? { old == 0 ? nil : Double(new - old) / Double(old) * 100 }
}

/// The cost of one layer in the old and the new spec (zero on the side where it is absent).
public struct LayerCostChange: Sendable, Equatable {
  /// The layer's name in the new spec (`dense_2`), or in the old one for a deletion.
  public var layer: String
  public var parameters: CountChange
  /// Forward plus backward FLOPs per sample, as `dlspec cost` counts them.
  public var flopsPerSample: CountChange

  public init(layer: String, parameters: CountChange, flopsPerSample: CountChange) {
    self.layer = layer
    self.parameters = parameters
    self.flopsPerSample = flopsPerSample
  }
}

/// Whole-experiment cost of the two specs, each at its own `train.batch_size`.
public struct CostTotalsChange: Sendable, Equatable {
  public var parameters: CountChange
  public var forwardFLOPsPerSample: CountChange
  public var backwardFLOPsPerSample: CountChange
  /// Training memory in bytes (activations, gradients, optimizer state, workspace).
  public var trainingMemoryBytes: CountChange
  public var batchSize: CountChange
}
