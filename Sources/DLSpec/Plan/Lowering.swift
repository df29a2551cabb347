import DLRuntime

/// A layer kind that the planner can run: it turns itself into forward and backward closures
/// over pointers the plan allocated. Every built-in kind conforms in its own file.
public protocol Lowerable {
  func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T>
  /// The element-wise function, for kinds that are one (fused into a preceding dense layer).
  var activationKind: Activation.Kind? { get }
}

extension Lowerable {
  public var activationKind: Activation.Kind? { nil }
}

/// Mutable random state shared by a plan's dropout layers (a class so closures can advance it
/// without copying; it is only touched from the training thread).
public final class RandomState: @unchecked Sendable {
  public var generator: RandomGenerator
  public init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
}

/// Pointers a layer's program reads and writes; all allocated once by the plan.
public struct LayerBuffers<T: DLScalar> {
  public var input: Shape
  public var output: Shape
  public var x: UnsafeMutablePointer<T>
  public var y: UnsafeMutablePointer<T>
  public var weight: UnsafeMutablePointer<T>?
  public var bias: UnsafeMutablePointer<T>?
  public var dWeight: UnsafeMutablePointer<T>?
  public var dBias: UnsafeMutablePointer<T>?
  /// Dropout mask (T) or max-pooling argmax (Int32, rebound by the layer).
  public var auxiliary: UnsafeMutableRawPointer?
  public var workspace: UnsafeMutablePointer<T>?
  public var random: RandomState
  /// Set on dense layers whose following activation is fused into their bias add.
  public var fusedActivation: Activation.Kind?
}

/// A layer's lowered form. `backward(n, dy, dx)` reads the output gradient `dy` and writes
/// parameter gradients and, when `dx` is not nil, the input gradient.
public struct LayerProgram<T: DLScalar> {
  public var forward: (_ n: Int, _ training: Bool) -> Void
  public var backward: (_ n: Int, _ dy: UnsafeMutablePointer<T>, _ dx: UnsafeMutablePointer<T>?) -> Void
  /// True when `dx` may be the same buffer as `dy` (element-wise kinds).
  public var backwardInPlace: Bool

  public init(
    backwardInPlace: Bool = false,
    forward: @escaping (_ n: Int, _ training: Bool) -> Void,
    backward: @escaping (_ n: Int, _ dy: UnsafeMutablePointer<T>, _ dx: UnsafeMutablePointer<T>?) -> Void
  ) {
    self.forward = forward
    self.backward = backward
    self.backwardInPlace = backwardInPlace
  }
}
