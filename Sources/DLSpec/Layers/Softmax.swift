import DLRuntime

/// `softmax`: e^{u_k} / Σ_j e^{u_j} over a flat input (computed max-subtracted, so stable).
/// Followed by `loss: cross_entropy`, the pair runs as one fused, stable kernel (3.9).
///
/// ```yaml
/// - softmax
/// ```
public struct Softmax: ElementwiseLayerKind, ParameterlessLayerKind {
  public static let name = "softmax"
  public static let summary = "softmax over a flat input"
  public init() {}

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    SoftmaxShape.check(Self.name, input)
  }

  /// Final and followed by `loss: cross_entropy`, the loss computes it from logits.
  public var fusion: Fusion { Fusion(intoCrossEntropy: .probabilities) }

  /// In place: backward needs only the output.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(outputInPlace: true)
  }
}

enum SoftmaxShape {
  static func check(_ name: String, _ input: Shape) -> Result<Shape, ShapeProblem> {
    guard input.rank == 1 else {
      return .failure(
        ShapeProblem(
          .needsFlatten, "\(name) works over a flat input, but it receives \(input)",
          hint: "insert `- flatten` (and usually a dense layer) before it"))
    }
    return .success(input)
  }
}

extension Softmax {
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let k = b.output.elementCount
    let (x, y) = (b.x, b.y)
    return LayerProgram(
      forward: { n, _ in SoftmaxKernel.forward(x: x, y: y, rows: n, columns: k) },
      backward: { n, dy, dx in
        guard let dx else { return }
        SoftmaxKernel.backward(y: y, dy: dy, dx: dx, rows: n, columns: k)
      })
  }
}
