import DLRuntime

/// `flatten`: [C, H, W] → [C·H·W] in row-major (C, then H, then W) order; free at run time
/// (the planner aliases the buffer). On a flat input it does nothing.
///
/// ```yaml
/// - flatten
/// ```
public struct Flatten: ParameterlessLayerKind {
  public static let name = "flatten"
  public static let summary = "reshape [C, H, W] to [C·H·W] (no arithmetic)"

  public init() {}

  public func outputShape(for input: Shape) -> Result<Shape, ShapeProblem> {
    .success(Shape([input.elementCount]))
  }

  public func cost(input: Shape, output: Shape) -> LayerCost {
    LayerCost(forwardOps: 0, backwardParamOps: 0, backwardInputOps: 0)
  }
}

extension Flatten {
  /// A reshape: the output aliases the input's buffer.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(outputInPlace: true)
  }

  /// A reshape: the output aliases the input buffer (or is a copy of the data batch when it is
  /// the first layer), and the gradient passes through unchanged.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let count = b.output.elementCount
    let (x, y) = (b.x, b.y)
    return LayerProgram(
      backwardInPlace: true,
      forward: { n, _ in if x != y { y.update(from: x, count: n * count) } },
      backward: { n, dy, dx in if let dx, dx != dy { dx.update(from: dy, count: n * count) } })
  }
}
