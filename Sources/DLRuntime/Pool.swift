/// Max and average pooling over square or rectangular windows, no padding, floor output size.
///
/// Shapes: `x: [N, C, H, W]`, `y: [N, C, OH, OW]` with `OH = (H − KH) / SH + 1`,
/// `OW = (W − KW) / SW + 1`. The kernels only see `planes = N·C` independent `H × W` images.
///
///     max: y[p, i, j] = max_{u<KH, v<KW} x[p, i·SH + u, j·SW + v]
///     avg: y[p, i, j] = (1 / (KH·KW)) Σ_{u,v} x[p, i·SH + u, j·SW + v]
///
/// Max pooling records, per output, the in-plane index `(i·SH + u)·W + (j·SW + v)` of the
/// winner as `Int32` in a caller-provided `argmax: [N, C, OH, OW]` buffer; on ties the first
/// maximum in row-major window order wins. The backward pass routes `dy` to that index only.
/// Overlapping windows (stride < size) add their gradients.
public enum Pool {
  /// Sizes of one pooling layer.
  public struct Geometry: Equatable, Hashable, Sendable {
    /// N·C: the number of independent images.
    public var planes: Int
    public var height: Int
    public var width: Int
    public var windowHeight: Int
    public var windowWidth: Int
    public var strideY: Int
    public var strideX: Int

    /// A window of `windowHeight × windowWidth`; the strides default to the window (the usual
    /// non-overlapping pooling).
    public init(
      planes: Int, height: Int, width: Int, windowHeight: Int, windowWidth: Int,
      strideY: Int? = nil, strideX: Int? = nil
    ) {
      self.planes = planes
      self.height = height
      self.width = width
      self.windowHeight = windowHeight
      self.windowWidth = windowWidth
      self.strideY = strideY ?? windowHeight
      self.strideX = strideX ?? windowWidth
    }

    /// OH = (H − KH) / SH + 1.
    @inlinable public var outHeight: Int { (height - windowHeight) / strideY + 1 }
    /// OW = (W − KW) / SW + 1.
    @inlinable public var outWidth: Int { (width - windowWidth) / strideX + 1 }
    /// Elements of `x`, N·C·H·W.
    @inlinable public var inputCount: Int { planes * height * width }
    /// Elements of `y` (and of `argmax`), N·C·OH·OW.
    @inlinable public var outputCount: Int { planes * outHeight * outWidth }
    /// True when at least one window fits: OH ≥ 1 and OW ≥ 1 with positive sizes and strides.
    public var isValid: Bool {
      planes > 0 && windowHeight > 0 && windowWidth > 0 && strideY > 0 && strideX > 0
        && height >= windowHeight && width >= windowWidth
    }
  }

  /// Max pooling forward; fills `y` and the winners' in-plane indices in `argmax`.
  @inlinable
  public static func maxForward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>,
    geometry g: Geometry
  ) {
    if g.windowHeight == 2, g.windowWidth == 2, g.strideY == 2, g.strideX == 2 {
      maxForward2x2(x: x, y: y, argmax: argmax, geometry: g)
      return
    }
    // Planes are independent, so they split across cores without synchronisation.
    Parallel.forEachItemChunk(
      count: g.planes, elementsPerItem: g.height * g.width,
      MaxJob(x: x, y: y, argmax: argmax, g: g))
  }

  /// The 2×2, stride-2 window of nearly every CNN, unrolled: two input rows at a time and no
  /// inner window loops (4–5× faster than the general path). Same tie rule: the first maximum
  /// in row-major window order wins.
  @inlinable
  static func maxForward2x2<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int32>,
    geometry g: Geometry
  ) {
    Parallel.forEachItemChunk(
      count: g.planes, elementsPerItem: g.height * g.width,
      Max2x2Job(x: x, y: y, argmax: argmax, g: g))
  }

  /// Max pooling backward: `dx` is overwritten with zeros, then `dx[argmax] += dy`.
  @inlinable
  public static func maxBackward<T: DLScalar>(
    dy: UnsafePointer<T>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<T>,
    geometry g: Geometry
  ) {
    Parallel.forEachItemChunk(
      count: g.planes, elementsPerItem: g.height * g.width,
      MaxBackwardJob(dy: dy, argmax: argmax, dx: dx, g: g))
  }

  /// Average pooling forward.
  @inlinable
  public static func averageForward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, geometry g: Geometry
  ) {
    let scale = 1 / T(g.windowHeight * g.windowWidth)
    Parallel.forEachItemChunk(
      count: g.planes, elementsPerItem: g.height * g.width,
      AverageJob(x: x, y: y, scale: scale, g: g))
  }

  /// Average pooling backward: each `dy` spreads equally, `dy / (KH·KW)`, over its window;
  /// `dx` is overwritten (pixels outside every window get 0).
  @inlinable
  public static func averageBackward<T: DLScalar>(
    dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, geometry g: Geometry
  ) {
    let scale = 1 / T(g.windowHeight * g.windowWidth)
    Parallel.forEachItemChunk(
      count: g.planes, elementsPerItem: g.height * g.width,
      AverageBackwardJob(dy: dy, dx: dx, scale: scale, g: g))
  }
}
