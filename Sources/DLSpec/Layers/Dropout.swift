import DLRuntime

/// `dropout`: during training, zero each unit with probability p and scale survivors by
/// 1/(1 − p) (inverted dropout), so evaluation is the identity. Seeded from `train.seed`.
///
/// ```yaml
/// - dropout: {p: 0.5}
/// ```
public struct Dropout: LayerKind {
  public static let name = "dropout"
  public static let summary = "inverted dropout with drop probability p (identity when evaluating)"
  public static let params = [
    ParamSpec(
      "p", .number(min: 0, max: 1, exclusiveMin: false, exclusiveMax: true), required: true,
      doc: "probability of dropping a unit, in [0, 1)")
  ]

  public var p: Double

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let p = values.number("p") else { return nil }
    self.p = p
  }

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> { .success(input) }

  /// One multiply by the mask per unit, forward and backward.
  public func cost(input: Shape, output: Shape) -> LayerCost {
    let n = output.elementCount
    return LayerCost(forwardOps: n, backwardParamOps: 0, backwardInputOps: n)
  }
}

extension Dropout {
  /// The mask of the last training forward, one scalar per output element.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(auxiliary: [.init("mask", perSample: output.elementCount)])
  }

  public var drawsRandomNumbers: Bool { true }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let count = b.output.elementCount
    let p = self.p
    let mask = b.auxiliary[0].assumingMemoryBound(to: T.self)
    let (x, y, random) = (b.x, b.y, b.random)
    return LayerProgram(
      backwardInPlace: true,
      forward: { n, mode in
        switch mode {
        case .training:
          DropoutKernel.forward(
            x: x, y: y, mask: mask, count: n * count, rate: p, generator: &random.generator)
        case .evaluation:
          y.update(from: x, count: n * count)
        }
      },
      backward: { n, dy, dx in
        guard let dx else { return }
        DropoutKernel.backward(dy: dy, mask: mask, dx: dx, count: n * count)
      })
  }
}
