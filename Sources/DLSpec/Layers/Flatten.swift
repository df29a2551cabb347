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
