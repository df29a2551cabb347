import DLRuntime

/// `maxpool`: the maximum of each window. x [C, H, W] → y [C, H', W'].
/// Backward routes each output gradient to the window's (first) maximum.
///
/// ```yaml
/// - maxpool: {size: 2}            # stride defaults to the size
/// ```
public struct MaxPool: PoolingLayerKind {
  public static let name = "maxpool"
  public static let summary = "maximum over each window of a [C, H, W] input"
  public var size: (y: Int, x: Int)
  public var stride: (y: Int, x: Int)

  public init(size: (y: Int, x: Int), stride: (y: Int, x: Int)) {
    self.size = size
    self.stride = stride
  }

  /// Forward: ky·kx − 1 comparisons per output. Backward: one add per output into the
  /// routed input position (windows may overlap).
  public func cost(input: Shape, output: Shape) -> LayerCost {
    let n = output.elementCount
    return LayerCost(
      forwardOps: n * (size.y * size.x - 1), backwardParamOps: 0, backwardInputOps: n)
  }
}

extension MaxPool {
  /// The Int32 index of each output's maximum, for backward.
  public func buffers(input: Shape, output: Shape, batch: Int) -> BufferNeeds {
    BufferNeeds(auxiliary: [.init("argmax", perSample: output.elementCount, element: .int32)])
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    let input = b.input
    let argmax = b.auxiliary[0].assumingMemoryBound(to: Int32.self)
    let (x, y) = (b.x, b.y)
    return LayerProgram(
      forward: { n, _ in
        Pool.maxForward(x: x, y: y, argmax: argmax, geometry: batchGeometry(input, n))
      },
      backward: { n, dy, dx in
        guard let dx else { return }
        Pool.maxBackward(dy: dy, argmax: argmax, dx: dx, geometry: batchGeometry(input, n))
      })
  }
}
