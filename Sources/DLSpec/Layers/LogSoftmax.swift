import DLRuntime

/// `log_softmax`: u_k − log Σ_j e^{u_j} over a flat input (log-sum-exp, stable). With
/// `loss: cross_entropy` the loss is the negative log-likelihood −log_softmax(u)_y.
///
/// ```yaml
/// - log_softmax
/// ```
public struct LogSoftmax: ElementwiseLayerKind, ParameterlessLayerKind {
  public static let name = "log_softmax"
  public static let summary = "logarithm of softmax over a flat input"
  public init() {}

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    SoftmaxShape.check(Self.name, input)
  }

  /// Final and followed by `loss: cross_entropy`, the loss computes it from logits.
  public var fusion: Fusion { Fusion(intoCrossEntropy: .logProbabilities) }

  /// In place: backward needs only the output.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(outputInPlace: true)
  }
}

extension LogSoftmax {
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let k = b.output.elementCount
    let (x, y) = (b.x, b.y)
    return LayerProgram(
      forward: { n, _ in LogSoftmaxKernel.forward(x: x, y: y, rows: n, columns: k) },
      backward: { n, dy, dx in
        guard let dx else { return }
        LogSoftmaxKernel.backward(y: y, dy: dy, dx: dx, rows: n, columns: k)
      })
  }
}
