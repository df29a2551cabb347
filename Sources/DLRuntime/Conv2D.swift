/// 2-D cross-correlation (notes (5.1)–(5.14), no kernel flip) with stride, symmetric zero
/// padding, channels and bias, lowered to im2col + one GEMM per sample.
///
/// Shapes (row-major NCHW): `x: [N, C, H, W]`, `weight: [F, C, KH, KW]`, `bias: [F]`,
/// `y: [N, F, OH, OW]` with `OH = (H + 2·PH − KH) / SH + 1`, `OW = (W + 2·PW − KW) / SW + 1`
/// (floor division).
///
///     y[n, f, i, j] = b[f] + Σ_{c,u,v} w[f, c, u, v] · x[n, c, i·SH − PH + u, j·SW − PW + v]
///
/// with x read as 0 outside the image. Per sample, `col: [C·KH·KW, OH·OW]` holds the unrolled
/// patches and `y_n[F, OH·OW] = W[F, C·KH·KW] · col`. The caller provides `col` as workspace
/// of `workspaceCount` elements, so the kernels never allocate.
public enum Conv2D {
  /// Sizes of one convolution; everything else is derived from these.
  public struct Geometry: Equatable, Hashable, Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var filters: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var paddingY: Int
    public var paddingX: Int

    public init(
      channels: Int, height: Int, width: Int, filters: Int,
      kernelHeight: Int, kernelWidth: Int,
      strideY: Int = 1, strideX: Int = 1, paddingY: Int = 0, paddingX: Int = 0
    ) {
      self.channels = channels
      self.height = height
      self.width = width
      self.filters = filters
      self.kernelHeight = kernelHeight
      self.kernelWidth = kernelWidth
      self.strideY = strideY
      self.strideX = strideX
      self.paddingY = paddingY
      self.paddingX = paddingX
    }

    /// OH = (H + 2·PH − KH) / SH + 1.
    @inlinable public var outHeight: Int { (height + 2 * paddingY - kernelHeight) / strideY + 1 }
    /// OW = (W + 2·PW − KW) / SW + 1.
    @inlinable public var outWidth: Int { (width + 2 * paddingX - kernelWidth) / strideX + 1 }
    /// C·KH·KW: the GEMM's inner dimension and the rows of `col`.
    @inlinable public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Elements of one input sample, C·H·W.
    @inlinable public var inputSampleCount: Int { channels * height * width }
    /// Elements of one output sample, F·OH·OW.
    @inlinable public var outputSampleCount: Int { filters * outHeight * outWidth }
    /// Elements of the weight, F·C·KH·KW.
    @inlinable public var weightCount: Int { filters * patchSize }
    /// True when the window fits: OH ≥ 1 and OW ≥ 1 with positive strides.
    public var isValid: Bool {
      channels > 0 && height > 0 && width > 0 && filters > 0 && kernelHeight > 0
        && kernelWidth > 0 && strideY > 0 && strideX > 0 && paddingY >= 0 && paddingX >= 0
        && height + 2 * paddingY >= kernelHeight && width + 2 * paddingX >= kernelWidth
    }
  }

  /// Workspace elements both `forward` and `backward` need: C·KH·KW·OH·OW (one sample's `col`).
  @inlinable
  public static func workspaceCount(_ g: Geometry) -> Int {
    g.patchSize * g.outHeight * g.outWidth
  }

  /// `y = conv(x, W) + b` for a batch. `bias` may be `nil`; `workspace` holds
  /// `workspaceCount(g)` elements and is clobbered.
  @inlinable
  public static func forward<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
    y: UnsafeMutablePointer<T>, batch: Int, geometry g: Geometry,
    workspace: UnsafeMutablePointer<T>
  ) {
    let spatial = g.outHeight * g.outWidth
    for n in 0..<batch {
      let xn = x + n * g.inputSampleCount
      let yn = y + n * g.outputSampleCount
      im2col(xn, geometry: g, col: workspace)
      BLAS.gemm(
        transA: false, transB: false, m: g.filters, n: spatial, k: g.patchSize,
        alpha: 1, a: weight, lda: g.patchSize, b: workspace, ldb: spatial,
        beta: 0, c: yn, ldc: spatial)
      if let bias {
        for f in 0..<g.filters {
          let plane = yn + f * spatial
          let b = bias[f]
          for i in 0..<spatial { plane[i] += b }
        }
      }
    }
  }

  /// Gradients of the convolution. `dx`, `dWeight`, `dBias` may each be `nil`.
  ///
  ///     dW = Σ_n dy_n[F, OH·OW] · col_nᵀ          (+ dW with `accumulate`)
  ///     db[f] = Σ_{n,i,j} dy[n, f, i, j]            (+ db with `accumulate`)
  ///     dx_n = col2im(Wᵀ · dy_n)                    (always overwritten)
  ///
  /// `workspace` (`workspaceCount(g)` elements) holds `col_n`, then is reused for `dcol_n`.
  @inlinable
  public static func backward<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, dy: UnsafePointer<T>,
    dx: UnsafeMutablePointer<T>?, dWeight: UnsafeMutablePointer<T>?,
    dBias: UnsafeMutablePointer<T>?, batch: Int, geometry g: Geometry,
    workspace: UnsafeMutablePointer<T>, accumulate: Bool = false
  ) {
    let spatial = g.outHeight * g.outWidth
    if let dBias, !accumulate { dBias.update(repeating: 0, count: g.filters) }
    for n in 0..<batch {
      let xn = x + n * g.inputSampleCount
      let dyn = dy + n * g.outputSampleCount
      if let dWeight {
        im2col(xn, geometry: g, col: workspace)
        // The first sample overwrites dW unless accumulating; later ones add.
        let beta: T = (n == 0 && !accumulate) ? 0 : 1
        BLAS.gemm(
          transA: false, transB: true, m: g.filters, n: g.patchSize, k: spatial,
          alpha: 1, a: dyn, lda: spatial, b: workspace, ldb: spatial,
          beta: beta, c: dWeight, ldc: g.patchSize)
      }
      if let dBias {
        for f in 0..<g.filters {
          let plane = dyn + f * spatial
          var sum: T = 0
          for i in 0..<spatial { sum += plane[i] }
          dBias[f] += sum
        }
      }
      if let dx {
        // dcol[C·KH·KW, OH·OW] = Wᵀ · dy_n, then scatter-add the patches back.
        BLAS.gemm(
          transA: true, transB: false, m: g.patchSize, n: spatial, k: g.filters,
          alpha: 1, a: weight, lda: g.patchSize, b: dyn, ldb: spatial,
          beta: 0, c: workspace, ldc: spatial)
        col2im(workspace, geometry: g, x: dx + n * g.inputSampleCount)
      }
    }
    if batch == 0, let dWeight, !accumulate {
      dWeight.update(repeating: 0, count: g.weightCount)
    }
  }

  /// Unrolls one sample `x: [C, H, W]` into `col: [C·KH·KW, OH·OW]`, row `(c·KH + u)·KW + v`
  /// holding `x[c, i·SH − PH + u, j·SW − PW + v]` (0 in the padding) at column `i·OW + j`.
  @inlinable
  public static func im2col<T: DLScalar>(
    _ x: UnsafePointer<T>, geometry g: Geometry, col: UnsafeMutablePointer<T>
  ) {
    let oh = g.outHeight
    let ow = g.outWidth
    var row = col
    for c in 0..<g.channels {
      let plane = x + c * g.height * g.width
      for u in 0..<g.kernelHeight {
        for v in 0..<g.kernelWidth {
          // Output columns j whose source column j·SW − PW + v lies inside [0, W).
          let (jStart, jEnd) = validRange(
            offset: v - g.paddingX, stride: g.strideX, extent: g.width, count: ow)
          for i in 0..<oh {
            let out = row + i * ow
            let iy = i * g.strideY - g.paddingY + u
            if iy < 0 || iy >= g.height {
              out.update(repeating: 0, count: ow)
              continue
            }
            let src = plane + iy * g.width + (v - g.paddingX)
            for j in 0..<jStart { out[j] = 0 }
            if g.strideX == 1 {
              for j in jStart..<jEnd { out[j] = src[j] }
            } else {
              for j in jStart..<jEnd { out[j] = src[j * g.strideX] }
            }
            for j in jEnd..<ow { out[j] = 0 }
          }
          row += oh * ow
        }
      }
    }
  }

  /// Inverse scatter of `im2col`: overwrites `x: [C, H, W]` with the sum of every `col` entry
  /// that was read from each pixel (padding entries are dropped).
  @inlinable
  public static func col2im<T: DLScalar>(
    _ col: UnsafePointer<T>, geometry g: Geometry, x: UnsafeMutablePointer<T>
  ) {
    let oh = g.outHeight
    let ow = g.outWidth
    x.update(repeating: 0, count: g.inputSampleCount)
    var row = col
    for c in 0..<g.channels {
      let plane = x + c * g.height * g.width
      for u in 0..<g.kernelHeight {
        for v in 0..<g.kernelWidth {
          let (jStart, jEnd) = validRange(
            offset: v - g.paddingX, stride: g.strideX, extent: g.width, count: ow)
          for i in 0..<oh {
            let iy = i * g.strideY - g.paddingY + u
            if iy < 0 || iy >= g.height { continue }
            let source = row + i * ow
            let dst = plane + iy * g.width + (v - g.paddingX)
            if g.strideX == 1 {
              for j in jStart..<jEnd { dst[j] += source[j] }
            } else {
              for j in jStart..<jEnd { dst[j * g.strideX] += source[j] }
            }
          }
          row += oh * ow
        }
      }
    }
  }

  /// The half-open range of output indices j in `0..<count` with `0 ≤ j·stride + offset <
  /// extent`, computed once per kernel tap so the inner loops carry no bounds tests.
  @inlinable @inline(__always)
  static func validRange(offset: Int, stride: Int, extent: Int, count: Int) -> (Int, Int) {
    // First j with j·stride + offset ≥ 0: ⌈−offset / stride⌉ when offset < 0.
    let start = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    // Last j with j·stride + offset ≤ extent − 1.
    let limit = extent - 1 - offset
    let end = limit < 0 ? 0 : min(count, limit / stride + 1)
    return (min(start, end), end)
  }
}
