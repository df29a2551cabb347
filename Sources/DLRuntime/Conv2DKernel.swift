/// 2-D cross-correlation (notes (5.1)–(5.14), no kernel flip) with stride, symmetric zero
/// padding, channels and bias, lowered to im2col + one GEMM per sample.
///
/// Shapes (row-major NCHW): `x: [N, C, H, W]`, `weight: [F, C, KH, KW]`, `bias: [F]`,
/// `y: [N, F, OH, OW]` with `OH = (H + 2·PH − KH) / SH + 1`, `OW = (W + 2·PW − KW) / SW + 1`
/// (floor division).
///
///     y[n, f, i, j] = b[f] + Σ_{c,u,v} w[f, c, u, v] · x[n, c, i·SH − PH + u, j·SW − PW + v]
///
/// with x read as 0 outside the image.
///
/// Lowering: samples are processed in groups of G (`groupSize`); with S = OH·OW the group's
/// patches are unrolled into `col: [C·KH·KW, G·S]` (sample n's columns at n·S ..< (n+1)·S), so
/// one GEMM `out[F, G·S] = W[F, C·KH·KW] · col` serves the whole group and is then scattered
/// into `y`. One large GEMM beats G thin ones: a first layer with C = 1 has an inner dimension
/// of only KH·KW. The caller provides the workspace (`workspaceCount(_:batch:)` elements), so
/// the kernels never allocate; G is chosen so the workspace stays near `workspaceTarget`.
public enum Conv2DKernel {
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

  /// Preferred workspace size in elements (16 MiB of Float): groups are made this large at most,
  /// unless a single sample needs more.
  public static let workspaceTarget = 1 << 22

  /// Samples per group G for a batch: as many as fit `workspaceTarget`, at least 1.
  @inlinable
  public static func groupSize(_ g: Geometry, batch: Int) -> Int {
    let perSample = (g.patchSize + g.filters) * g.outHeight * g.outWidth
    return max(1, min(batch, workspaceTarget / max(perSample, 1)))
  }

  /// Workspace elements `forward` and `backward` need for `batch` samples:
  /// (C·KH·KW + F) · OH·OW · G, holding `col` and the GEMM output `out` of one group.
  /// Pass the same `samplesPerGroup` as to the kernels (nil: `groupSize(g, batch:)`).
  @inlinable
  public static func workspaceCount(
    _ g: Geometry, batch: Int, samplesPerGroup: Int? = nil
  ) -> Int {
    let group = min(samplesPerGroup ?? groupSize(g, batch: batch), max(batch, 1))
    return (g.patchSize + g.filters) * g.outHeight * g.outWidth * group
  }

  /// `y = conv(x, W) + b` for a batch. `bias` may be `nil`; `workspace` holds
  /// `workspaceCount(g, batch: batch, samplesPerGroup: samplesPerGroup)` elements and is
  /// clobbered. `samplesPerGroup` overrides G (tests use it to exercise several groups).
  /// `algorithm` nil takes `algorithm(for:batch:)`'s choice (Conv2DDirect.swift).
  @inlinable
  public static func forward<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
    y: UnsafeMutablePointer<T>, batch: Int, geometry g: Geometry,
    workspace: UnsafeMutablePointer<T>, samplesPerGroup: Int? = nil,
    activation: ActivationKernel<T>? = nil, algorithm: Algorithm? = nil
  ) {
    let chosen =
      algorithm ?? Self.algorithm(for: g, batch: batch, elementSize: MemoryLayout<T>.stride)
    if case .direct(let isa) = chosen {
      forwardDirect(
        x: x, weight: weight, bias: bias, y: y, batch: batch, geometry: g, workspace: workspace,
        samplesPerGroup: samplesPerGroup, isa: isa, activation: activation)
      return
    }
    let spatial = g.outHeight * g.outWidth
    let group = max(1, samplesPerGroup ?? groupSize(g, batch: batch))
    var first = 0
    while first < batch {
      let samples = min(group, batch - first)
      let width = samples * spatial
      let col = workspace
      let out = workspace + g.patchSize * width
      im2colGroup(x, first: first, samples: samples, geometry: g, col: col)
      BLAS.gemm(
        transA: false, transB: false, m: g.filters, n: width, k: g.patchSize,
        alpha: 1, a: weight, lda: g.patchSize, b: col, ldb: width,
        beta: 0, c: out, ldc: width)
      // out[f, n·S + s] → y[first + n, f, s], adding the bias and applying a fused
      // activation on the way, while the row is in cache.
      Parallel.forEachItemChunk(
        count: samples, elementsPerItem: g.filters * spatial,
        ScatterOutputJob(
          out: out, bias: bias, y: y, first: first, width: width, g: g, activation: activation))
      first += samples
    }
  }

  /// Gradients of the convolution. `dx`, `dWeight`, `dBias` may each be `nil`.
  ///
  ///     dW = Σ_groups dy_g[F, G·S] · col_gᵀ        (+ dW with `accumulate`)
  ///     db[f] = Σ_{n,i,j} dy[n, f, i, j]            (+ db with `accumulate`)
  ///     dx_n = col2im((Wᵀ · dy_g)[:, n·S ..< (n+1)·S])   (always overwritten)
  ///
  /// `workspace` (`workspaceCount(g, batch: batch)` elements) holds the group's `col` and the
  /// regrouped `dy_g`; `col` is then reused for `dcol = Wᵀ · dy_g`. `algorithm` as in `forward`
  /// (pass the same one to both).
  @inlinable
  public static func backward<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, dy: UnsafePointer<T>,
    dx: UnsafeMutablePointer<T>?, dWeight: UnsafeMutablePointer<T>?,
    dBias: UnsafeMutablePointer<T>?, batch: Int, geometry g: Geometry,
    workspace: UnsafeMutablePointer<T>, accumulate: Bool = false, samplesPerGroup: Int? = nil,
    algorithm: Algorithm? = nil
  ) {
    let chosen =
      algorithm ?? Self.algorithm(for: g, batch: batch, elementSize: MemoryLayout<T>.stride)
    if case .direct(let isa) = chosen {
      backwardDirect(
        x: x, weight: weight, dy: dy, dx: dx, dWeight: dWeight, dBias: dBias, batch: batch,
        geometry: g, workspace: workspace, accumulate: accumulate,
        samplesPerGroup: samplesPerGroup, isa: isa)
      return
    }
    let spatial = g.outHeight * g.outWidth
    let group = max(1, samplesPerGroup ?? groupSize(g, batch: batch))
    if let dBias, !accumulate { dBias.update(repeating: 0, count: g.filters) }
    if let dWeight, !accumulate { dWeight.update(repeating: 0, count: g.weightCount) }
    var first = 0
    while first < batch {
      let samples = min(group, batch - first)
      let width = samples * spatial
      let col = workspace
      let gradient = workspace + g.patchSize * width
      // dy[first + n, f, s] → gradient[f, n·S + s]: the layout the GEMMs want; each filter's
      // row is summed for the bias while it is in cache. Filters split across cores.
      Parallel.forEachItemChunk(
        count: g.filters, elementsPerItem: width,
        GatherGradientJob(
          dy: dy, gradient: gradient, dBias: dBias, first: first, samples: samples, g: g))
      if let dWeight {
        im2colGroup(x, first: first, samples: samples, geometry: g, col: col)
        // dW[F, C·KH·KW] += gradient[F, G·S] · colᵀ (dW was cleared above unless accumulating).
        BLAS.gemm(
          transA: false, transB: true, m: g.filters, n: g.patchSize, k: width,
          alpha: 1, a: gradient, lda: width, b: col, ldb: width,
          beta: 1, c: dWeight, ldc: g.patchSize)
      }
      if let dx {
        // dcol[C·KH·KW, G·S] = Wᵀ · gradient, then scatter-add each sample's patches back.
        BLAS.gemm(
          transA: true, transB: false, m: g.patchSize, n: width, k: g.filters,
          alpha: 1, a: weight, lda: g.patchSize, b: gradient, ldb: width,
          beta: 0, c: col, ldc: width)
        Parallel.forEachItemChunk(
          count: samples, elementsPerItem: g.patchSize * spatial,
          Col2imJob(col: col, dx: dx, first: first, width: width, g: g))
      }
      first += samples
    }
  }

  /// Unrolls samples `first ..< first + samples` side by side into `col: [C·KH·KW, G·S]`
  /// (sample n's columns at n·S), split across cores: the layout one GEMM serves the group in.
  @inlinable
  static func im2colGroup<T: DLScalar>(
    _ x: UnsafePointer<T>, first: Int, samples: Int, geometry g: Geometry,
    col: UnsafeMutablePointer<T>
  ) {
    let spatial = g.outHeight * g.outWidth
    Parallel.forEachItemChunk(
      count: samples, elementsPerItem: g.patchSize * spatial,
      Im2colJob(x: x, col: col, first: first, samples: samples, g: g))
  }

  /// Unrolls one sample `x: [C, H, W]` into `col: [C·KH·KW, OH·OW]`, row `(c·KH + u)·KW + v`
  /// holding `x[c, i·SH − PH + u, j·SW − PW + v]` (0 in the padding) at column `i·OW + j`.
  /// Rows are `rowStride` apart (default OH·OW), so samples can sit side by side.
  @inlinable
  public static func im2col<T: DLScalar>(
    _ x: UnsafePointer<T>, geometry g: Geometry, col: UnsafeMutablePointer<T>,
    rowStride: Int? = nil
  ) {
    let rowStep = rowStride ?? g.outHeight * g.outWidth
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
          row += rowStep
        }
      }
    }
  }

  /// Inverse scatter of `im2col`: overwrites `x: [C, H, W]` with the sum of every `col` entry
  /// that was read from each pixel (padding entries are dropped). `rowStride` as in `im2col`.
  @inlinable
  public static func col2im<T: DLScalar>(
    _ col: UnsafePointer<T>, geometry g: Geometry, rowStride: Int? = nil,
    x: UnsafeMutablePointer<T>
  ) {
    let rowStep = rowStride ?? g.outHeight * g.outWidth
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
          row += rowStep
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
