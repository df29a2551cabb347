import DLRuntime

/// Everything dlspec knows about one kind of layer. One file per kind holds its parameters
/// and defaults, shape inference, cost, and its lowering onto runtime kernels.
///
/// Adding a kind touches four places: its file, one line in `LayerRegistry.builtIn`, one row in
/// the layer test table, and one example spec (docs/adding-a-layer.md).
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

  /// Parameter tensors for `input` (weights first, then bias).
  func parameterShapes(for input: Shape) -> [ParameterShape]

  /// Arithmetic per sample (docs/cost.md has the conventions).
  func cost(input: Shape, output: Shape) -> LayerCost

  /// True for element-wise activation functions (relu, tanh, …): they can fuse with the
  /// preceding dense or conv layer's bias addition.
  var isActivation: Bool { get }
}

extension LayerKind {
  public func parameterShapes(for input: Shape) -> [ParameterShape] { [] }
  public var isActivation: Bool { false }
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

  public var isActivation: Bool { true }
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
