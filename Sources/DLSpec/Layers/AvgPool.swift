import DLRuntime

/// `avgpool`: the mean of each window. x [C, H, W] → y [C, H', W'].
///
/// ```yaml
/// - avgpool: {size: 2, stride: 2}
/// ```
public struct AvgPool: PoolingLayerKind {
  public static let name = "avgpool"
  public static let summary = "mean over each window of a [C, H, W] input"
  public var size: (y: Int, x: Int)
  public var stride: (y: Int, x: Int)

  public init(size: (y: Int, x: Int), stride: (y: Int, x: Int)) {
    self.size = size
    self.stride = stride
  }

  /// Forward: ky·kx − 1 adds and one multiply per output. Backward: one multiply per output and
  /// ky·kx adds spreading it over the window.
  public func cost(input: Shape, output: Shape) -> LayerCost {
    let n = output.elementCount
    let k = size.y * size.x
    return LayerCost(forwardOps: n * k, backwardParamOps: 0, backwardInputOps: n * (k + 1))
  }
}

extension AvgPool {
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let input = b.input
    return LayerProgram(
      forward: { n, _ in Pool.averageForward(x: b.x, y: b.y, geometry: batchGeometry(input, n)) },
      backward: { n, dy, dx in
        guard let dx else { return }
        Pool.averageBackward(dy: dy, dx: dx, geometry: batchGeometry(input, n))
      })
  }
}
