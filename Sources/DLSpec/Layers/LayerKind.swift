import DLRuntime

/// Everything dlspec knows about one kind of layer. One file per kind declares all that the
/// rest of the pipeline asks of it, and the generic code (`ModelSection`, `BufferLayout`,
/// `CostReport`, `CrossChecks`, `Plan`) only reads these declarations:
///
/// * parameters and defaults (`params`, `init`), shape inference (`outputShape`), cost;
/// * trainable parameters and how each is initialised (`parameterShapes`), persistent
///   non-trainable state with its initial values (`stateShapes`);
/// * buffer needs (`buffers`: output in place, auxiliary buffers, workspace);
/// * fusion (`fusion`, and `activationKernel` for element-wise kinds);
/// * forward and backward in both modes, lowered onto DLRuntime kernels (`lower`).
///
/// Adding a kind touches four places: its file, one line in `LayerRegistry.builtIn`, one row in
/// the layer table (`Tests/DLSpecTestSupport/LayerTable.swift`), and one example spec
/// (docs/adding-a-layer.md).
public protocol LayerKind: Sendable {
  /// The name used in spec files (`conv2d`).
  static var name: String { get }
  /// One line for `inspect`, the schema and the docs.
  static var summary: String { get }
  /// The keys this kind accepts (empty for parameterless kinds like `relu`).
  static var params: [ParamSpec] { get }

  /// Builds the kind from checked values; cross-key problems go into `bag` (and give nil).
  init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag)

  /// The output shape for one sample of `input`, or why the input does not fit.
  func outputShape(for input: Shape) -> Result<Shape, ShapeProblem>

  /// Trainable parameter tensors for `input`, each with its initialisation.
  func parameterShapes(for input: Shape) -> [ParameterShape]

  /// Persistent, non-trainable tensors (batchnorm's running statistics): planned, initialised
  /// as declared, saved in checkpoints, never touched by the optimizer.
  func stateShapes(for input: Shape) -> [StateShape]

  /// Arithmetic per sample (docs/cost.md has the conventions).
  func cost(input: Shape, output: Shape) -> LayerCost

  /// Buffers the layer needs at `batch` beyond its parameters and state.
  func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds

  /// How the kind fuses with its neighbours.
  var fusion: Fusion { get }

  /// True for element-wise activation functions (relu, tanh, …): a preceding layer whose fusion
  /// accepts an activation applies `activationKernel` in its epilogue.
  var isActivation: Bool { get }

  /// The largest |σ'| of an element-wise kind whose derivative is bounded well below 1
  /// (sigmoid: 1/4), for the vanishing-gradient warning of §4.3; nil otherwise.
  var derivativeBound: Double? { get }

  /// How the kind's output reveals saturated or dead units (`dlspec gradients`); nil for kinds
  /// that are not saturating activations.
  var saturation: Saturation? { get }

  /// True when training draws random numbers (dropout), so gradcheck fixes the draws.
  var drawsRandomNumbers: Bool { get }

  /// The element-wise kernel of an activation kind, for fusion; nil for other kinds.
  func activationKernel<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T>?

  /// Forward and backward closures over the plan's pointers, calling DLRuntime kernels. Mark
  /// implementations `@_specialize(where T == Float)` and `@_specialize(where T == Double)`.
  func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T>
}

extension LayerKind {
  public func parameterShapes(for input: Shape) -> [ParameterShape] { [] }
  public func stateShapes(for input: Shape) -> [StateShape] { [] }
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds { BufferNeeds() }
  public var fusion: Fusion { Fusion() }
  public var isActivation: Bool { false }
  public var derivativeBound: Double? { nil }
  public var saturation: Saturation? { nil }
  public var drawsRandomNumbers: Bool { false }
  public func activationKernel<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T>? { nil }
  public var name: String { Self.name }
}

/// Element-wise kinds share shape inference (any shape in, same shape out) and cost (the notes'
/// convention: 2 operations per unit forward, 1 per unit backward, as in (4.12)–(4.13)).
public protocol ElementwiseLayerKind: LayerKind {}

extension ElementwiseLayerKind {
  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> { .success(input) }

  public func cost(input: Shape, output: Shape) -> LayerCost {
    let n = output.elementCount
    return LayerCost(forwardOps: 2 * n, backwardParamOps: 0, backwardInputOps: n)
  }
}

/// An element-wise activation σ: a kind gives only `activation(_:)`, the kernel of its
/// `ActivationFunction`, and gets in-place buffers, fusion into a preceding dense or conv
/// layer, and its lowering from here.
public protocol ActivationLayerKind: ElementwiseLayerKind {
  /// The kind's σ as a runtime kernel: `ActivationKernel(MyFunction.self, T(parameter))`.
  /// Mark it `@_specialize(where T == Float)` and `@_specialize(where T == Double)`.
  func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T>
}

extension ActivationLayerKind {
  public var isActivation: Bool { true }

  public func activationKernel<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T>? {
    activation(T.self)
  }

  /// In place: backward reads only the output.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(outputInPlace: true)
  }

  /// Runs in place on its input's buffer; when fused into the layer before, that layer's
  /// forward applies σ and this forward is skipped (backward always runs here).
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let count = b.output.elementCount
    let kernel = activation(T.self)
    let (x, y) = (b.x, b.y)
    return LayerProgram(
      backwardInPlace: true,
      forward: { n, _ in kernel.forward(x, y, n * count) },
      backward: { n, dy, dx in
        guard let dx else { return }
        kernel.backward(y, dy, dx, n * count)
      })
  }
}

/// Parameterless kinds (relu, flatten, …) are built from an empty mapping.
extension ParameterlessLayerKind {
  public static var params: [ParamSpec] { [] }
  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    self.init()
  }
}

public protocol ParameterlessLayerKind: LayerKind {
  init()
}
