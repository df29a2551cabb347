/// The per-range loops of the direct convolution, as jobs for `Parallel` (not closures, which
/// allocate when handed to another thread: see `ParallelJob`). `xp`, `dyP`: the padded input
/// and output-gradient buffers of the group in the workspace (`DirectLayout`).
extension Conv2DKernel {
  /// Forward for the samples s of a range: pads sample `first + s`, runs the C kernel into
  /// `y` and applies the fused activation.
  @usableFromInline
  struct DirectForwardJob<T: DLScalar>: RangeJob {
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let xp: UnsafeMutablePointer<T>
    @usableFromInline let packed: UnsafePointer<T>
    @usableFromInline let bias: UnsafePointer<T>?
    @usableFromInline let y: UnsafeMutablePointer<T>
    @usableFromInline let first: Int
    @usableFromInline let d: DirectLayout
    @usableFromInline let g: Geometry
    @usableFromInline let isa: KernelISA
    @usableFromInline let activation: ActivationKernel<T>?

    @inlinable
    init(
      x: UnsafePointer<T>, xp: UnsafeMutablePointer<T>, packed: UnsafePointer<T>,
      bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>, first: Int, d: DirectLayout,
      g: Geometry, isa: KernelISA, activation: ActivationKernel<T>?
    ) {
      self.x = x
      self.xp = xp
      self.packed = packed
      self.bias = bias
      self.y = y
      self.first = first
      self.d = d
      self.g = g
      self.isa = isa
      self.activation = activation
    }

    @inlinable
    func run(_ range: Range<Int>) {
      for s in range {
        let n = first + s
        let xpn = xp + s * d.inputCount
        let yn = y + n * g.outputSampleCount
        padPlanes(
          x + n * g.inputSampleCount, planes: g.channels, height: g.height, width: g.width,
          top: g.paddingY, left: g.paddingX, into: xpn, rows: d.hp, rowLength: d.xw)
        T.convDirect(
          isa, xpn, channels: g.channels, hp: d.hp, xw: d.xw, packed: packed, bias: bias,
          y: yn, outs: g.filters, oh: g.outHeight, ow: g.outWidth, kh: g.kernelHeight,
          kw: g.kernelWidth)
        if let activation { activation.forward(yn, yn, g.outputSampleCount) }
      }
    }
  }

  /// Backward, for the (padded) filters f of a range: dy's planes into `dyP` with zero
  /// borders (zero planes for f ≥ F), and their sums into `dBias[f]`.
  @usableFromInline
  struct PadGradientJob<T: DLScalar>: RangeJob {
    @usableFromInline let dy: UnsafePointer<T>
    @usableFromInline let dyP: UnsafeMutablePointer<T>
    @usableFromInline let dBias: UnsafeMutablePointer<T>?
    @usableFromInline let first: Int
    @usableFromInline let samples: Int
    @usableFromInline let d: DirectLayout
    @usableFromInline let g: Geometry

    @inlinable
    init(
      dy: UnsafePointer<T>, dyP: UnsafeMutablePointer<T>, dBias: UnsafeMutablePointer<T>?,
      first: Int, samples: Int, d: DirectLayout, g: Geometry
    ) {
      self.dy = dy
      self.dyP = dyP
      self.dBias = dBias
      self.first = first
      self.samples = samples
      self.d = d
      self.g = g
    }

    @inlinable
    func run(_ filters: Range<Int>) {
      let spatial = g.outHeight * g.outWidth
      let dyPlane = d.dyh * d.dyw
      for f in filters {
        var sum: T = 0
        for s in 0..<samples {
          let plane = dyP + (s * d.filtersPadded + f) * dyPlane
          guard f < g.filters else {
            plane.update(repeating: 0, count: dyPlane)
            continue
          }
          let source = dy + (first + s) * g.outputSampleCount + f * spatial
          padPlanes(
            source, planes: 1, height: g.outHeight, width: g.outWidth, top: d.dyTop,
            left: d.dyLeft, into: plane, rows: d.dyh, rowLength: d.dyw)
          if dBias != nil { sum += T.sum(source, count: spatial) }
        }
        if let dBias, f < g.filters { dBias[f] += sum }
      }
    }
  }

  /// Backward: zero-padded copies of the input samples of a range into `xp`.
  @usableFromInline
  struct PadInputJob<T: DLScalar>: RangeJob {
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let xp: UnsafeMutablePointer<T>
    @usableFromInline let first: Int
    @usableFromInline let d: DirectLayout
    @usableFromInline let g: Geometry

    @inlinable
    init(
      x: UnsafePointer<T>, xp: UnsafeMutablePointer<T>, first: Int, d: DirectLayout,
      g: Geometry
    ) {
      self.x = x
      self.xp = xp
      self.first = first
      self.d = d
      self.g = g
    }

    @inlinable
    func run(_ range: Range<Int>) {
      for s in range {
        padPlanes(
          x + (first + s) * g.inputSampleCount, planes: g.channels, height: g.height,
          width: g.width, top: g.paddingY, left: g.paddingX, into: xp + s * d.inputCount,
          rows: d.hp, rowLength: d.xw)
      }
    }
  }

  /// Backward: the weight gradient for the work units of a range, a unit being (input
  /// channel, block of filters, range of `tapsPerUnit` taps); each unit owns its dW entries.
  @usableFromInline
  struct WeightGradientJob<T: DLScalar>: RangeJob {
    @usableFromInline let xp: UnsafePointer<T>
    @usableFromInline let dyP: UnsafePointer<T>
    @usableFromInline let dWeight: UnsafeMutablePointer<T>
    @usableFromInline let samples: Int
    @usableFromInline let tapSplits: Int
    @usableFromInline let tapsPerUnit: Int
    @usableFromInline let accumulate: Bool
    @usableFromInline let d: DirectLayout
    @usableFromInline let g: Geometry
    @usableFromInline let isa: KernelISA

    @inlinable
    init(
      xp: UnsafePointer<T>, dyP: UnsafePointer<T>, dWeight: UnsafeMutablePointer<T>,
      samples: Int, tapSplits: Int, tapsPerUnit: Int, accumulate: Bool, d: DirectLayout,
      g: Geometry, isa: KernelISA
    ) {
      self.xp = xp
      self.dyP = dyP
      self.dWeight = dWeight
      self.samples = samples
      self.tapSplits = tapSplits
      self.tapsPerUnit = tapsPerUnit
      self.accumulate = accumulate
      self.d = d
      self.g = g
      self.isa = isa
    }

    @inlinable
    func run(_ range: Range<Int>) {
      let taps = g.kernelHeight * g.kernelWidth
      let blocks = d.filtersPadded / d.block
      for unit in range {
        let c = unit / (blocks * tapSplits)
        let o0 = (unit / tapSplits % blocks) * d.block
        let t0 = unit % tapSplits * tapsPerUnit
        guard t0 < taps else { continue }
        T.convWeightGrad(
          isa, xp, dyP, samples: samples, channels: g.channels, hp: d.hp, xw: d.xw,
          outsPadded: d.filtersPadded, dyh: d.dyh, dyw: d.dyw, dyTop: d.dyTop,
          dyLeft: d.dyLeft, oh: g.outHeight, ow: g.outWidth, kh: g.kernelHeight,
          kw: g.kernelWidth, c: c, o0: o0, outs: g.filters,
          taps: t0..<min(taps, t0 + tapsPerUnit),
          dw: dWeight, accumulate: accumulate)
      }
    }
  }

  /// Backward: the input gradient of the samples s of a range, the direct kernel on the
  /// padded dy with the flipped, transposed weights in `packed`.
  @usableFromInline
  struct DirectInputGradientJob<T: DLScalar>: RangeJob {
    @usableFromInline let dyP: UnsafePointer<T>
    @usableFromInline let packed: UnsafePointer<T>
    @usableFromInline let dx: UnsafeMutablePointer<T>
    @usableFromInline let first: Int
    @usableFromInline let d: DirectLayout
    @usableFromInline let g: Geometry
    @usableFromInline let isa: KernelISA

    @inlinable
    init(
      dyP: UnsafePointer<T>, packed: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, first: Int,
      d: DirectLayout, g: Geometry, isa: KernelISA
    ) {
      self.dyP = dyP
      self.packed = packed
      self.dx = dx
      self.first = first
      self.d = d
      self.g = g
      self.isa = isa
    }

    @inlinable
    func run(_ range: Range<Int>) {
      for s in range {
        T.convDirect(
          isa, dyP + s * d.gradientCount, channels: g.filters, hp: d.dyh, xw: d.dyw,
          packed: packed, bias: nil, y: dx + (first + s) * g.inputSampleCount,
          outs: g.channels, oh: g.height, ow: g.width, kh: g.kernelHeight,
          kw: g.kernelWidth)
      }
    }
  }
}
