import DLRuntime

/// `batchnorm`: batch normalisation with a learned scale γ and shift β per feature (after
/// dense, input [F]) or per channel (after conv2d, input [C, H, W]); output shape = input shape.
///
///     training:   y = γ (x − μ_B) / √(σ²_B + eps) + β, μ_B and σ²_B over the batch (and H, W);
///                 running_mean, running_var ← (1 − momentum)·running + momentum·batch value
///     evaluation: y = γ (x − running_mean) / √(running_var + eps) + β
///
/// Parameters `scale` [C] (initialised to 1) and `shift` [C] (0) are trained; `running_mean`
/// [C] (0) and `running_var` [C] (1, the unbiased batch variance is folded in) are state:
/// saved in checkpoints, untouched by the optimizer (`BatchNormKernel` has the formulas).
///
/// ```yaml
/// - batchnorm                          # momentum 0.1, eps 1e-5 (PyTorch's defaults)
/// - batchnorm: {momentum: 0.01, eps: 0.001}
/// ```
public struct BatchNorm: LayerKind {
  public static let name = "batchnorm"
  public static let summary =
    "batch normalisation over features ([F]) or channels ([C, H, W]), learned scale and shift"
  public static let params = [
    ParamSpec(
      "momentum", .number(min: 0, max: 1, exclusiveMin: true, exclusiveMax: false),
      default: .number(0.1), doc: "weight of the batch statistics in the running ones, (0, 1]"),
    ParamSpec(
      "eps", .number(min: 0, max: nil, exclusiveMin: true, exclusiveMax: false),
      default: .number(1e-5), doc: "added to the variance before the square root, > 0"),
  ]

  public var momentum: Double
  public var eps: Double

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let momentum = values.number("momentum"), let eps = values.number("eps") else {
      return nil
    }
    self.momentum = momentum
    self.eps = eps
  }

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    guard input.rank == 1 || input.rank == 3 else {
      return .failure(
        ShapeProblem(
          .shapeMismatch,
          "batchnorm normalises features [F] or channels [C, H, W], but it receives \(input)",
          hint: "put batchnorm after a dense or conv2d layer"))
    }
    return .success(input)
  }

  /// (channels, positions per channel) of one sample.
  static func layout(_ input: Shape) -> (channels: Int, spatial: Int) {
    let c = input.dims.first ?? 1
    return (c, input.elementCount / max(c, 1))
  }

  public func parameterShapes(for input: Shape) -> [ParameterShape] {
    let c = Self.layout(input).channels
    return [
      ParameterShape("scale", Shape([c]), fanIn: 1, fanOut: 1, initial: .constant(1)),
      ParameterShape("shift", Shape([c]), fanIn: 1, fanOut: 1, initial: .constant(0)),
    ]
  }

  public func stateShapes(for input: Shape) -> [StateShape] {
    let c = Self.layout(input).channels
    return [
      StateShape("running_mean", Shape([c]), initial: 0),
      StateShape("running_var", Shape([c]), initial: 1),
    ]
  }

  /// Per element forward: mean (1 add), variance (subtract, square, add: 3), normalise
  /// (subtract, multiply: 2), scale and shift (2): 8. Backward: dβ (1 add) and dγ (multiply,
  /// add: 2) are the parameter gradients, 3; dx = k(m·dy − dβ − x̂·dγ) is 5. The per-channel
  /// square roots and running updates are O(C) and not counted.
  public func cost(input: Shape, output: Shape) -> LayerCost {
    let n = output.elementCount
    return LayerCost(forwardOps: 8 * n, backwardParamOps: 3 * n, backwardInputOps: 5 * n)
  }

  /// x̂ for every element and 1/√(σ² + eps) per channel, kept from forward for backward.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(auxiliary: [
      .init("normalized", perSample: output.elementCount),
      .init("inverse std", perSample: 0, fixed: Self.layout(input).channels),
    ])
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let (channels, spatial) = Self.layout(b.input)
    let (x, y) = (b.x, b.y)
    let (scale, shift, dScale, dShift) = (
      b.parameters[0], b.parameters[1], b.gradients[0], b.gradients[1]
    )
    let (mean, variance) = (b.state[0], b.state[1])
    let normalized = b.auxiliary[0].assumingMemoryBound(to: T.self)
    let inverse = b.auxiliary[1].assumingMemoryBound(to: T.self)
    let (momentum, eps) = (T(self.momentum), T(self.eps))
    return LayerProgram(
      backwardInPlace: true,
      forward: { n, mode in
        switch mode {
        case .training:
          BatchNormKernel.trainingForward(
            x: x, y: y, scale: scale, shift: shift, runningMean: mean,
            runningVariance: variance, normalized: normalized, inverseDeviation: inverse,
            batch: n, channels: channels, spatial: spatial, momentum: momentum, epsilon: eps)
        case .evaluation:
          BatchNormKernel.evaluationForward(
            x: x, y: y, scale: scale, shift: shift, runningMean: mean,
            runningVariance: variance, batch: n, channels: channels, spatial: spatial,
            epsilon: eps)
        }
      },
      backward: { n, dy, dx in
        BatchNormKernel.backward(
          dy: dy, normalized: normalized, inverseDeviation: inverse, scale: scale, dx: dx,
          dScale: dScale, dShift: dShift, batch: n, channels: channels, spatial: spatial)
      })
  }
}
