import DLRuntime

/// The layer kinds a spec may name. A value, passed in wherever specs are checked, so tests can
/// add a fake kind; `builtIn` is the default.
public struct LayerRegistry: Sendable {
  public var kinds: [String: any LayerKind.Type]

  public init(_ kinds: [String: any LayerKind.Type]) { self.kinds = kinds }

  /// Every built-in kind, one line each, sorted.
  public static let builtIn = LayerRegistry([
    AvgPool.name: AvgPool.self,
    BatchNorm.name: BatchNorm.self,
    ClippedReLU.name: ClippedReLU.self,
    Conv2D.name: Conv2D.self,
    Dense.name: Dense.self,
    Dropout.name: Dropout.self,
    Flatten.name: Flatten.self,
    LeakyReLU.name: LeakyReLU.self,
    LogSoftmax.name: LogSoftmax.self,
    MaxPool.name: MaxPool.self,
    ReLU.name: ReLU.self,
    Sigmoid.name: Sigmoid.self,
    Softmax.name: Softmax.self,
    Tanh.name: Tanh.self,
  ])

  public var names: [String] { kinds.keys.sorted() }
}
