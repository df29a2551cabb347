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

  public var isActivation: Bool { false }
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

extension Softmax: Lowerable {
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let k = b.output.elementCount
    return LayerProgram(
      forward: { n, _ in DLRuntime.Softmax.forward(x: b.x, y: b.y, rows: n, columns: k) },
      backward: { n, dy, dx in
        guard let dx else { return }
        DLRuntime.Softmax.backward(y: b.y, dy: dy, dx: dx, rows: n, columns: k)
      })
  }
}
