/// The per-range loops of the im2col convolution, as jobs for `Parallel` (not closures, which
/// allocate when handed to another thread: see `ParallelJob`). S = OH·OW, G·S = `width`.
extension Conv2DKernel {
  /// Forward: `out[f, n·S + s]` → `y[first + n, f, s]` for the samples n of a range, adding
  /// the bias and applying the fused activation while the row is in cache.
  @usableFromInline
  struct ScatterOutputJob<T: DLScalar>: RangeJob {
    @usableFromInline let out: UnsafePointer<T>
    @usableFromInline let bias: UnsafePointer<T>?
    @usableFromInline let y: UnsafeMutablePointer<T>
    @usableFromInline let first: Int
    @usableFromInline let width: Int
    @usableFromInline let g: Geometry
    @usableFromInline let activation: ActivationKernel<T>?

    @inlinable
    init(
      out: UnsafePointer<T>, bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>, first: Int,
      width: Int, g: Geometry, activation: ActivationKernel<T>?
    ) {
      self.out = out
      self.bias = bias
      self.y = y
      self.first = first
      self.width = width
      self.g = g
      self.activation = activation
    }

    @inlinable
    func run(_ range: Range<Int>) {
      let spatial = g.outHeight * g.outWidth
      for n in range {
        let yn = y + (first + n) * g.outputSampleCount
        for f in 0..<g.filters {
          let source = out + f * width + n * spatial
          let target = yn + f * spatial
          let b = bias?[f] ?? 0
          for i in 0..<spatial { target[i] = source[i] + b }
          if let activation { activation.forward(target, target, spatial) }
        }
      }
    }
  }

  /// Backward: `dy[first + n, f, s]` → `gradient[f, n·S + s]` for the filters f of a range,
  /// summing each filter's row into `dBias[f]` while it is in cache.
  @usableFromInline
  struct GatherGradientJob<T: DLScalar>: RangeJob {
    @usableFromInline let dy: UnsafePointer<T>
    @usableFromInline let gradient: UnsafeMutablePointer<T>
    @usableFromInline let dBias: UnsafeMutablePointer<T>?
    @usableFromInline let first: Int
    @usableFromInline let samples: Int
    @usableFromInline let g: Geometry

    @inlinable
    init(
      dy: UnsafePointer<T>, gradient: UnsafeMutablePointer<T>, dBias: UnsafeMutablePointer<T>?,
      first: Int, samples: Int, g: Geometry
    ) {
      self.dy = dy
      self.gradient = gradient
      self.dBias = dBias
      self.first = first
      self.samples = samples
      self.g = g
    }

    @inlinable
    func run(_ filters: Range<Int>) {
      let spatial = g.outHeight * g.outWidth
      let width = samples * spatial
      for f in filters {
        let row = gradient + f * width
        for n in 0..<samples {
          (row + n * spatial).update(
            from: dy + (first + n) * g.outputSampleCount + f * spatial, count: spatial)
        }
        if let dBias {
          var sum: T = 0
          for i in 0..<width { sum += row[i] }
          dBias[f] += sum
        }
      }
    }
  }

  /// Backward: scatter-adds the patches of `dcol` (in `col`) back into `dx` for the samples
  /// of a range.
  @usableFromInline
  struct Col2imJob<T: DLScalar>: RangeJob {
    @usableFromInline let col: UnsafePointer<T>
    @usableFromInline let dx: UnsafeMutablePointer<T>
    @usableFromInline let first: Int
    @usableFromInline let width: Int
    @usableFromInline let g: Geometry

    @inlinable
    init(
      col: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, first: Int, width: Int, g: Geometry
    ) {
      self.col = col
      self.dx = dx
      self.first = first
      self.width = width
      self.g = g
    }

    @inlinable
    func run(_ range: Range<Int>) {
      let spatial = g.outHeight * g.outWidth
      for n in range {
        col2im(
          col + n * spatial, geometry: g, rowStride: width,
          x: dx + (first + n) * g.inputSampleCount)
      }
    }
  }

  /// `im2colGroup`'s loop: unrolls the samples of a range into their columns of `col`.
  @usableFromInline
  struct Im2colJob<T: DLScalar>: RangeJob {
    @usableFromInline let x: UnsafePointer<T>
    @usableFromInline let col: UnsafeMutablePointer<T>
    @usableFromInline let first: Int
    @usableFromInline let samples: Int
    @usableFromInline let g: Geometry

    @inlinable
    init(
      x: UnsafePointer<T>, col: UnsafeMutablePointer<T>, first: Int, samples: Int, g: Geometry
    ) {
      self.x = x
      self.col = col
      self.first = first
      self.samples = samples
      self.g = g
    }

    @inlinable
    func run(_ range: Range<Int>) {
      let spatial = g.outHeight * g.outWidth
      for n in range {
        im2col(
          x + (first + n) * g.inputSampleCount, geometry: g, col: col + n * spatial,
          rowStride: samples * spatial)
      }
    }
  }
}
