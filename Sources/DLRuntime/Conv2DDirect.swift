import _CKernels

/// Direct convolution: the alternative to im2col + GEMM for stride-1 layers with few channels,
/// where the GEMM's inner dimension (C·KH·KW: 9 for a first layer) is too short for BLAS and
/// im2col/col2im cost as much as the product.
///
/// Forward runs the C kernel on a zero-padded copy of each sample; the input gradient is the
/// same kernel on the padded output gradient with the weights flipped and transposed
/// (dx = full correlation of dy with W rotated by 180°); the weight gradient has its own kernel,
/// split over (input channel, block of filters, taps) so that no two workers write the same
/// entry and the sums do not depend on the thread count.
extension Conv2DKernel {
  /// How a convolution is computed. `Conv2DKernel.algorithm(for:batch:)` picks it from the
  /// shape, the batch and the ISA; it is the same for every step of a plan (bit-identical
  /// reruns), and the ISA never changes results (see `KernelISA`).
  public enum Algorithm: Equatable, Hashable, Sendable, CustomStringConvertible {
    case im2col
    case direct(KernelISA)

    public var description: String {
      switch self {
      case .im2col: return "im2col+gemm"
      case .direct(let isa): return "direct-\(isa)"
      }
    }
  }

  /// True when the direct kernels can compute this shape: stride 1, and padding below the
  /// kernel size (the input gradient pads the output gradient by KH − 1 − PH).
  public static func supportsDirect(_ g: Geometry) -> Bool {
    g.isValid && g.strideY == 1 && g.strideX == 1 && g.paddingY < g.kernelHeight
      && g.paddingX < g.kernelWidth
  }

  /// The rule, per shape: direct when the ISA allows it, the shape is supported, output rows
  /// are at least 8 pixels (a chunk of 16 lanes is then at least half used), the patch is at
  /// most 576 (= 64 channels × 3×3: beyond, GEMM's blocking wins), and the direct buffers for at
  /// least one sample fit the workspace im2col would use; otherwise im2col + GEMM. Callers
  /// that pass `.direct` themselves size the workspace by `directWorkspaceCount` too.
  /// `elementSize`: bytes of the element type (4 for Float, 8 for Double).
  public static func algorithm(
    for g: Geometry, batch: Int, elementSize: Int = 4, isa: KernelISA? = KernelISA.selected
  ) -> Algorithm {
    guard let isa, supportsDirect(g), g.outWidth >= 8, g.patchSize <= 576,
      directWorkspaceCount(g, batch: batch, isa: isa, elementSize: elementSize)
        <= workspaceCount(g, batch: batch)
    else { return .im2col }
    return .direct(isa)
  }

  /// Sizes of the direct kernels' padded buffers for element type T.
  @usableFromInline
  struct DirectLayout {
    @usableFromInline let lanes: Int
    @usableFromInline let block: Int
    /// Padded input plane: rows, row length.
    @usableFromInline let hp: Int
    @usableFromInline let xw: Int
    /// Padded output-gradient plane: rows, row length, and where dy starts in it.
    @usableFromInline let dyh: Int
    @usableFromInline let dyw: Int
    @usableFromInline let dyTop: Int
    @usableFromInline let dyLeft: Int
    @usableFromInline let filtersPadded: Int
    @usableFromInline let channelsPadded: Int
    /// Packed weights (forward or transposed for dx, whichever is larger).
    @usableFromInline let packCount: Int
    /// Padded input and padded output gradient of one sample.
    @usableFromInline let inputCount: Int
    @usableFromInline let gradientCount: Int

    @inlinable
    init(_ g: Geometry, isa: KernelISA, elementSize: Int) {
      func roundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }
      lanes = 64 / elementSize
      block = isa.block
      hp = g.height + 2 * g.paddingY
      dyTop = g.kernelHeight - 1 - g.paddingY
      dyLeft = g.kernelWidth - 1 - g.paddingX
      dyh = g.outHeight + 2 * dyTop
      // One row length for both padded planes (the weight-gradient kernel needs them equal),
      // long enough for the last chunk of forward's rows (OW), of dx's rows (W), and for dy
      // placed dyLeft columns in.
      let row = max(
        roundUp(g.outWidth, lanes) + g.kernelWidth - 1,
        roundUp(g.width, lanes) + g.kernelWidth - 1, dyLeft + roundUp(g.outWidth, lanes))
      xw = row
      dyw = row
      filtersPadded = roundUp(g.filters, block)
      channelsPadded = roundUp(g.channels, block)
      let taps = g.kernelHeight * g.kernelWidth
      packCount = max(filtersPadded * g.patchSize, channelsPadded * g.filters * taps)
      inputCount = g.channels * hp * xw
      gradientCount = filtersPadded * dyh * dyw
    }
  }

  /// Samples the direct kernels handle at once: as many as fit the workspace `workspaceCount`
  /// gives im2col (so that choosing the direct kernels does not change a plan's memory), at
  /// least 1.
  @inlinable
  static func directGroupSize(
    _ g: Geometry, batch: Int, isa: KernelISA, elementSize: Int, samplesPerGroup: Int? = nil
  ) -> Int {
    let d = DirectLayout(g, isa: isa, elementSize: elementSize)
    let available = workspaceCount(g, batch: batch, samplesPerGroup: samplesPerGroup)
    let perSample = d.inputCount + d.gradientCount
    return max(1, min(max(batch, 1), (available - d.packCount) / perSample))
  }

  /// Workspace elements the direct kernels use; at most `workspaceCount(g, batch:
  /// samplesPerGroup:)` whenever `algorithm(for:batch:)` picks them. A caller that forces
  /// `.direct` on a tiny shape allocates the larger of the two.
  public static func directWorkspaceCount(
    _ g: Geometry, batch: Int, isa: KernelISA, elementSize: Int, samplesPerGroup: Int? = nil
  ) -> Int {
    let d = DirectLayout(g, isa: isa, elementSize: elementSize)
    let group = directGroupSize(
      g, batch: batch, isa: isa, elementSize: elementSize, samplesPerGroup: samplesPerGroup)
    return d.packCount + group * (d.inputCount + d.gradientCount)
  }

  /// `forward` with the direct kernel (`algorithm` must be `.direct`, and `supportsDirect(g)`).
  @inlinable
  static func forwardDirect<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
    y: UnsafeMutablePointer<T>, batch: Int, geometry g: Geometry,
    workspace: UnsafeMutablePointer<T>, samplesPerGroup: Int?, isa: KernelISA,
    activation: ActivationKernel<T>?
  ) {
    let d = DirectLayout(g, isa: isa, elementSize: MemoryLayout<T>.stride)
    let group = directGroupSize(
      g, batch: batch, isa: isa, elementSize: MemoryLayout<T>.stride,
      samplesPerGroup: samplesPerGroup)
    let packed = workspace
    let taps = g.patchSize
    // wp[(o / B)·taps + t][o % B] = W[o, t], zero for o ≥ F.
    for o in 0..<d.filtersPadded {
      let base = packed + (o / d.block) * taps * d.block + o % d.block
      for t in 0..<taps { base[t * d.block] = o < g.filters ? weight[o * taps + t] : 0 }
    }
    let xp = workspace + d.packCount
    var first = 0
    while first < batch {
      let samples = min(group, batch - first)
      Parallel.forEachItemChunk(
        count: samples, elementsPerItem: g.outputSampleCount * taps,
        DirectForwardJob(
          x: x, xp: xp, packed: packed, bias: bias, y: y, first: first, d: d, g: g, isa: isa,
          activation: activation))
      first += samples
    }
  }

  /// `backward` with the direct kernels.
  @inlinable
  static func backwardDirect<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, dy: UnsafePointer<T>,
    dx: UnsafeMutablePointer<T>?, dWeight: UnsafeMutablePointer<T>?,
    dBias: UnsafeMutablePointer<T>?, batch: Int, geometry g: Geometry,
    workspace: UnsafeMutablePointer<T>, accumulate: Bool, samplesPerGroup: Int?,
    isa: KernelISA
  ) {
    let d = DirectLayout(g, isa: isa, elementSize: MemoryLayout<T>.stride)
    let group = directGroupSize(
      g, batch: batch, isa: isa, elementSize: MemoryLayout<T>.stride,
      samplesPerGroup: samplesPerGroup)
    let spatial = g.outHeight * g.outWidth
    let taps = g.kernelHeight * g.kernelWidth
    let packed = workspace
    let xp = workspace + d.packCount
    let dyP = xp + group * d.inputCount
    if let dBias, !accumulate { dBias.update(repeating: 0, count: g.filters) }
    if dx != nil {
      // wq[(c / B)·(F·taps) + (f·KH + u')·KW + v'][c % B] = W[f, c, KH−1−u', KW−1−v'].
      let tapsT = g.filters * taps
      for c in 0..<d.channelsPadded {
        let base = packed + (c / d.block) * tapsT * d.block + c % d.block
        for f in 0..<g.filters {
          for u in 0..<g.kernelHeight {
            for v in 0..<g.kernelWidth {
              let t = (f * g.kernelHeight + u) * g.kernelWidth + v
              let source =
                ((f * g.channels + c) * g.kernelHeight + g.kernelHeight - 1 - u) * g.kernelWidth
                + g.kernelWidth - 1 - v
              base[t * d.block] = c < g.channels ? weight[source] : 0
            }
          }
        }
      }
    }
    // Weight-gradient work units: (input channel, filter block, tap range), enough of them for
    // every worker; each unit owns its dW entries.
    let blocks = d.filtersPadded / d.block
    let tapSplits = min(
      taps,
      max(
        1,
        (Parallel.threads + g.channels * blocks - 1)
          / (g.channels * blocks)))
    let tapsPerUnit = (taps + tapSplits - 1) / tapSplits
    var first = 0
    while first < batch {
      let samples = min(group, batch - first)
      // dy → padded planes (zero borders; zero planes for the filters beyond F), bias sums.
      Parallel.forEachItemChunk(
        count: d.filtersPadded, elementsPerItem: samples * spatial,
        PadGradientJob(
          dy: dy, dyP: dyP, dBias: dBias, first: first, samples: samples, d: d, g: g))
      if let dWeight {
        Parallel.forEachItemChunk(
          count: samples, elementsPerItem: g.inputSampleCount,
          PadInputJob(x: x, xp: xp, first: first, d: d, g: g))
        let units = g.channels * blocks * tapSplits
        let add = accumulate || first > 0
        Parallel.forEachItemChunk(
          count: units, elementsPerItem: samples * spatial * tapsPerUnit * d.block,
          WeightGradientJob(
            xp: xp, dyP: dyP, dWeight: dWeight, samples: samples, tapSplits: tapSplits,
            tapsPerUnit: tapsPerUnit, accumulate: add, d: d, g: g, isa: isa))
      }
      if let dx {
        Parallel.forEachItemChunk(
          count: samples, elementsPerItem: g.inputSampleCount * g.filters * taps,
          DirectInputGradientJob(
            dyP: dyP, packed: packed, dx: dx, first: first, d: d, g: g, isa: isa))
      }
      first += samples
    }
  }

  /// Zero-padded copies of `planes` planes [height][width] into [rows][rowLength].
  @inlinable
  static func padPlanes<T: DLScalar>(
    _ source: UnsafePointer<T>, planes: Int, height: Int, width: Int, top: Int, left: Int,
    into target: UnsafeMutablePointer<T>, rows: Int, rowLength: Int
  ) {
    T.padPlanes(
      source, planes: planes, height: height, width: width, top: top, left: left, into: target,
      rows: rows, rowLength: rowLength)
  }
}

/// The C kernels for the two element types. `T.self == Float.self` folds away once a caller
/// is specialised, leaving a direct call.
extension DLScalar {
  @inlinable
  static func convDirect(
    _ isa: KernelISA, _ xp: UnsafePointer<Self>, channels: Int, hp: Int, xw: Int,
    packed: UnsafePointer<Self>, bias: UnsafePointer<Self>?, y: UnsafeMutablePointer<Self>,
    outs: Int, oh: Int, ow: Int, kh: Int, kw: Int
  ) {
    if Self.self == Float.self {
      dl_conv_direct_f32(
        isa.rawValue, xp.float, channels, hp, xw, packed.float, bias?.float, y.mutableFloat,
        outs, oh, ow, kh, kw)
    } else {
      dl_conv_direct_f64(
        isa.rawValue, xp.double, channels, hp, xw, packed.double, bias?.double,
        y.mutableDouble, outs, oh, ow, kh, kw)
    }
  }

  @inlinable
  static func convWeightGrad(
    _ isa: KernelISA, _ xp: UnsafePointer<Self>, _ dyP: UnsafePointer<Self>, samples: Int,
    channels: Int, hp: Int, xw: Int, outsPadded: Int, dyh: Int, dyw: Int, dyTop: Int,
    dyLeft: Int, oh: Int, ow: Int, kh: Int, kw: Int, c: Int, o0: Int, outs: Int,
    taps: Range<Int>, dw: UnsafeMutablePointer<Self>, accumulate: Bool
  ) {
    if Self.self == Float.self {
      dl_conv_weight_grad_f32(
        isa.rawValue, xp.float, dyP.float, samples, channels, hp, xw, outsPadded, dyh, dyw,
        dyTop, dyLeft, oh, ow, kh, kw, c, o0, outs, taps.lowerBound, taps.upperBound,
        dw.mutableFloat, accumulate)
    } else {
      dl_conv_weight_grad_f64(
        isa.rawValue, xp.double, dyP.double, samples, channels, hp, xw, outsPadded, dyh, dyw,
        dyTop, dyLeft, oh, ow, kh, kw, c, o0, outs, taps.lowerBound, taps.upperBound,
        dw.mutableDouble, accumulate)
    }
  }

  @inlinable
  static func padPlanes(
    _ source: UnsafePointer<Self>, planes: Int, height: Int, width: Int, top: Int, left: Int,
    into target: UnsafeMutablePointer<Self>, rows: Int, rowLength: Int
  ) {
    if Self.self == Float.self {
      dl_pad_planes_f32(
        source.float, planes, height, width, top, left, target.mutableFloat, rows, rowLength)
    } else {
      dl_pad_planes_f64(
        source.double, planes, height, width, top, left, target.mutableDouble, rows, rowLength)
    }
  }

  /// Σ x[i] in the C kernels' fixed order.
  @inlinable
  static func sum(_ x: UnsafePointer<Self>, count: Int) -> Self {
    if Self.self == Float.self {
      return Self(dl_sum_f32(x.float, count))
    } else {
      return Self(dl_sum_f64(x.double, count))
    }
  }
}

extension UnsafePointer where Pointee: DLScalar {
  @inlinable var float: UnsafePointer<Float> {
    UnsafeRawPointer(self).assumingMemoryBound(to: Float.self)
  }
  @inlinable var double: UnsafePointer<Double> {
    UnsafeRawPointer(self).assumingMemoryBound(to: Double.self)
  }
}

extension UnsafeMutablePointer where Pointee: DLScalar {
  @inlinable var float: UnsafePointer<Float> { UnsafePointer(self).float }
  @inlinable var double: UnsafePointer<Double> { UnsafePointer(self).double }
  @inlinable var mutableFloat: UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(self).assumingMemoryBound(to: Float.self)
  }
  @inlinable var mutableDouble: UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(self).assumingMemoryBound(to: Double.self)
  }
}
