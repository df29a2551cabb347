import DLRuntime

// The types a kind lowers itself with. They live in Layers, below IR, Cost and Plan: a kind
// declares its buffers and programs in these terms, and the planner only allocates and runs
// them (docs/architecture.md).

/// Whether a forward pass trains or evaluates. Kinds whose maths differ between the two say so
/// in their lowering: dropout masks only in training, batchnorm normalises with the batch's
/// statistics in training and with its running statistics (state) in evaluation.
public enum Mode: Sendable {
  case training
  case evaluation
}

/// Mutable random state shared by a plan's layers that draw (dropout). A class so closures can
/// advance it without copying; it is only touched from the training thread.
public final class RandomState: @unchecked Sendable {
  public var generator: RandomGenerator
  public init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
}

/// What a kind needs allocated besides its parameters, at a batch size. `BufferLayout` turns
/// these into buffers, so `cost` and the planner read one declaration.
public struct BufferNeeds: Sendable {
  /// One auxiliary buffer the layer keeps from forward to backward (a dropout mask, an argmax,
  /// batchnorm's normalised input): `perSample × batch + fixed` elements.
  public struct Auxiliary: Sendable {
    public enum Element: Sendable {
      /// The plan's scalar (Float in training, Double in gradcheck).
      case scalar
      /// Int32 indices.
      case int32
    }

    /// Appended to the layer's name: "dense_1 mask".
    public var name: String
    public var perSample: Int
    public var fixed: Int
    public var element: Element

    public init(_ name: String, perSample: Int, fixed: Int = 0, element: Element = .scalar) {
      self.name = name
      self.perSample = perSample
      self.fixed = fixed
      self.element = element
    }
  }

  /// True when the layer writes its output over its input's buffer (a reshape, an element-wise
  /// function whose backward needs only its output). It gets its own buffer anyway when its
  /// input is the data batch, which must not be overwritten.
  public var outputInPlace: Bool
  public var auxiliary: [Auxiliary]
  /// Scratch elements for a whole batch (shared by every layer: the largest is allocated).
  public var workspace: Int

  public init(outputInPlace: Bool = false, auxiliary: [Auxiliary] = [], workspace: Int = 0) {
    self.outputInPlace = outputInPlace
    self.auxiliary = auxiliary
    self.workspace = workspace
  }
}

/// How a kind combines with its neighbours.
public struct Fusion: Sendable, Equatable {
  /// What a final layer is to a cross-entropy loss that computes softmax itself from logits.
  public enum LossFusion: Sendable, Equatable {
    /// The layer computes probabilities (softmax): skipped in training, the loss does it.
    case probabilities
    /// The layer computes log-probabilities (log_softmax): likewise.
    case logProbabilities
  }

  /// The layer's forward can end by applying the following element-wise kind's σ, while the
  /// output is in cache (dense and conv2d: bias add + σ in one pass).
  public var acceptsActivation: Bool
  /// Non-nil when a final layer of this kind fuses into `loss: cross_entropy`.
  public var intoCrossEntropy: LossFusion?

  public init(acceptsActivation: Bool = false, intoCrossEntropy: LossFusion? = nil) {
    self.acceptsActivation = acceptsActivation
    self.intoCrossEntropy = intoCrossEntropy
  }
}

/// Pointers a layer's program reads and writes; all allocated once by the plan.
public struct LayerBuffers<T: DLScalar> {
  public var input: Shape
  public var output: Shape
  public var x: UnsafeMutablePointer<T>
  public var y: UnsafeMutablePointer<T>
  /// The layer's parameters and their gradients, in `parameterShapes(for:)` order.
  public var parameters: [UnsafeMutablePointer<T>]
  public var gradients: [UnsafeMutablePointer<T>]
  /// The layer's state, in `stateShapes(for:)` order.
  public var state: [UnsafeMutablePointer<T>]
  /// The buffers of `BufferNeeds.auxiliary`, in its order (Int32 ones rebound by the layer).
  public var auxiliary: [UnsafeMutableRawPointer]
  public var workspace: UnsafeMutablePointer<T>?
  public var random: RandomState
  /// Set on layers whose fusion accepts an activation when the next layer is one: apply it at
  /// the end of forward (the next layer's forward is then skipped).
  public var fusedActivation: ActivationKernel<T>?

  public init(
    input: Shape, output: Shape, x: UnsafeMutablePointer<T>, y: UnsafeMutablePointer<T>,
    parameters: [UnsafeMutablePointer<T>] = [], gradients: [UnsafeMutablePointer<T>] = [],
    state: [UnsafeMutablePointer<T>] = [], auxiliary: [UnsafeMutableRawPointer] = [],
    workspace: UnsafeMutablePointer<T>? = nil, random: RandomState,
    fusedActivation: ActivationKernel<T>? = nil
  ) {
    self.input = input
    self.output = output
    self.x = x
    self.y = y
    self.parameters = parameters
    self.gradients = gradients
    self.state = state
    self.auxiliary = auxiliary
    self.workspace = workspace
    self.random = random
    self.fusedActivation = fusedActivation
  }
}

/// A layer's lowered form. `backward(n, dy, dx)` reads the output gradient `dy` and writes
/// parameter gradients and, when `dx` is not nil, the input gradient.
public struct LayerProgram<T: DLScalar> {
  public var forward: (_ n: Int, _ mode: Mode) -> Void
  public var backward:
    (_ n: Int, _ dy: UnsafeMutablePointer<T>, _ dx: UnsafeMutablePointer<T>?) -> Void
  /// True when `dx` may be the same buffer as `dy` (element-wise kinds).
  public var backwardInPlace: Bool
  /// For a kind with parameters, a backward of one sample (batch 1) that applies plain SGD
  /// (θ ← θ − rate·∇θ) to them instead of writing their gradients, and returns Σ‖∇θ‖²; when
  /// that is not finite it must leave the parameters and `dx` untouched. `nil`: the kind has
  /// none, and a plan containing it takes the ordinary gradient-then-optimizer path.
  public var backwardApplyingSGD:
    ((_ dy: UnsafeMutablePointer<T>, _ dx: UnsafeMutablePointer<T>?, _ rate: T) -> Double)?
  /// For a kind whose evaluation forward can use a form of its parameters prepared once (dense:
  /// W packed into the GEMM's panels): `begin` prepares it from the current parameters and
  /// `forward(n, .evaluation)` uses it until `end`. `Plan.withPreparedEvaluation` calls both
  /// around a pass over unchanged parameters. `nil`: nothing to prepare.
  public var evaluationPreparation: (begin: () -> Void, end: () -> Void)?

  public init(
    backwardInPlace: Bool = false,
    forward: @escaping (_ n: Int, _ mode: Mode) -> Void,
    backward:
      @escaping (
        _ n: Int, _ dy: UnsafeMutablePointer<T>, _ dx: UnsafeMutablePointer<T>?
      ) -> Void
  ) {
    self.forward = forward
    self.backward = backward
    self.backwardInPlace = backwardInPlace
    self.backwardApplyingSGD = nil
    self.evaluationPreparation = nil
  }
}
