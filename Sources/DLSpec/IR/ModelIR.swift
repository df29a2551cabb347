/// The model after shape inference: input shape, and every layer with its resolved kind,
/// shapes, parameters and cost.
public struct ModelIR: Sendable {
  public var input: Shape
  public var inputOrigin: Origin
  public var layers: [LayerIR]

  /// The shape of one sample's output.
  public var output: Shape { layers.last?.outputShape ?? input }

  public var parameterCount: Int {
    layers.reduce(0) { $0 + $1.parameterCount }
  }
}

/// One layer of the resolved model.
public struct LayerIR: Sendable {
  /// Position in `model.layers`, from 0.
  public var index: Int
  /// Unique name derived from the kind: `dense_1`, `relu_2`, … (checkpoint keys use it).
  public var name: String
  public var kind: any LayerKind
  public var params: ParamValues
  public var inputShape: Shape
  public var outputShape: Shape
  public var parameters: [ParameterShape]
  public var location: SourceLocation
  /// False for layers before which no layer has parameters: their input gradient is never
  /// needed, so backward skips it (and `cost` does not count it).
  public var needsInputGradient: Bool
  public var cost: LayerCost

  public var kindName: String { type(of: kind).name }

  public var parameterCount: Int {
    parameters.reduce(0) { $0 + $1.shape.elementCount }
  }
}
