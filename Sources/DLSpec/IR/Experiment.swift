/// The checked, fully resolved experiment: the IR every later stage reads.
///
/// Immutable; every default is written in (and marked as such in `params`), every shape is
/// inferred. Built only by `SpecChecker`, verified by `IRVerifier`.
public struct Experiment: Sendable {
  public var version: Int
  public var name: String
  public var nameOrigin: Origin
  /// The spec file's path as given, and its directory (data paths are relative to it).
  public var sourcePath: String
  public var data: DataConfig?
  public var model: ModelIR
  public var loss: Section<LossKind>
  public var optimizer: Section<OptimizerConfig>
  public var schedule: Section<ScheduleConfig>
  public var train: Section<TrainConfig>
  public var checkpoint: Section<CheckpointConfig>
  /// Classification or regression: given by `task:` or inferred (`TaskInference`).
  public var task: Section<TaskKind>
  /// `growth:` (§3.5): the rule that inserts layers during training; nil without one.
  public var growth: Section<GrowthConfig>? = nil
}

/// A resolved section: its typed value, the chosen variant's name (for `sgd`, `piecewise`, …),
/// and every key with its origin, for `inspect`.
public struct Section<Value: Sendable>: Sendable {
  public var value: Value
  public var variant: String?
  public var params: ParamValues
  public var origin: Origin

  public init(_ value: Value, variant: String?, params: ParamValues, origin: Origin) {
    self.value = value
    self.variant = variant
    self.params = params
    self.origin = origin
  }
}

public enum LossKind: String, Sendable, CaseIterable {
  case crossEntropy = "cross_entropy"
  case mse
  case l1
}

public enum OptimizerConfig: Sendable, Equatable {
  case sgd(lr: Double, momentum: Double, nesterov: Bool, weightDecay: Double)
  case rmsprop(lr: Double, rho: Double, eps: Double, momentum: Double, weightDecay: Double)
  case adam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double)

  public var learningRate: Double {
    switch self {
    case .sgd(let lr, _, _, _), .rmsprop(let lr, _, _, _, _), .adam(let lr, _, _, _, _): return lr
    }
  }

  /// Numbers of optimizer state kept per parameter (momentum buffers, moment estimates).
  public var stateSlotsPerParameter: Int {
    switch self {
    case .sgd(_, let momentum, _, _): return momentum > 0 ? 1 : 0
    case .rmsprop(_, _, _, let momentum, _): return momentum > 0 ? 2 : 1
    case .adam: return 2
    }
  }
}

public enum ScheduleUnit: String, Sendable {
  case step
  case epoch
}

public enum ScheduleConfig: Sendable, Equatable {
  case constant
  /// α_ℓ = c0 / (c1 + ℓ) (2.17).
  case inverse(c0: Double, c1: Double, unit: ScheduleUnit)
  /// values[i] while ℓ < boundaries[i]; the last value after the last boundary (§2.2.2).
  case piecewise(boundaries: [Int], values: [Double], unit: ScheduleUnit)
  /// lr · gamma^⌊ℓ / stepSize⌋.
  case step(stepSize: Int, gamma: Double, unit: ScheduleUnit)
  /// lr · gamma^ℓ.
  case exponential(gamma: Double, unit: ScheduleUnit)
}

public enum InitScheme: String, Sendable, CaseIterable {
  /// N(0, 1)/√fan_in, the notes' numpy example.
  case fanInNormal = "fan_in_normal"
  /// Glorot: U(−a, a), a = √(6 / (fan_in + fan_out)).
  case xavier
  /// He: N(0, 2 / fan_in).
  case he
}

public struct TrainConfig: Sendable, Equatable {
  public var epochs: Int
  public var batchSize: Int
  public var seed: Int
  public var initScheme: InitScheme
  public var shuffle: Bool
  /// Training stops when a step's loss exceeds this multiple of the run's first loss (0: never).
  public var divergenceFactor: Double = 1e6
  /// Training stops when the loss grows for this many steps in a row (0: never).
  public var divergencePatience: Int = 50
}

public struct CheckpointConfig: Sendable, Equatable {
  /// Write `epoch-NNN.h5` every this many epochs (`last.h5` is written every epoch).
  public var every: Int
  /// Keep only the newest this many epoch checkpoints; 0 keeps all.
  public var keepLast: Int
}

/// Where training data comes from. Paths are resolved against the spec file's directory.
public struct DataConfig: Sendable, Equatable {
  public enum Source: Sendable, Equatable {
    case named(String)
    case files(train: DataFile, test: DataFile?)
  }

  public var source: Source
  public var validationSplit: Double
  /// Number of classes when the spec or the named dataset says so.
  public var classes: Int?
  public var params: ParamValues.Snapshot
}

public struct DataFile: Sendable, Equatable {
  public enum Format: Sendable, Equatable {
    case hdf5(path: String, x: String, y: String)
    case idx(images: String, labels: String)
  }

  public var format: Format
  public var location: SourceLocation
}

extension ParamValues {
  /// An `Equatable` copy of the values, for configs compared in tests.
  public struct Snapshot: Sendable, Equatable {
    public var values: [String: ParamValue]
  }

  public var snapshot: Snapshot { Snapshot(values: values) }
}
