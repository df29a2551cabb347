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

  public var stateCount: Int {
    layers.reduce(0) { $0 + $1.state.reduce(0) { $0 + $1.shape.elementCount } }
  }

  /// The one place of the rule "a final softmax (or log_softmax) fuses into cross-entropy":
  /// the loss computes it stably from logits, so training stops before the last layer. Plan,
  /// CostReport and CrossChecks all ask here.
  public func lastLayerFusesIntoLoss(_ loss: LossKind) -> Bool {
    loss == .crossEntropy && layers.last?.kind.fusion.intoCrossEntropy != nil
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
  /// Non-trainable state (`kind.stateShapes(for: inputShape)`).
  public var state: [StateShape]
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
