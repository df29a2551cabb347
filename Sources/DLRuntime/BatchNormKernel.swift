/// Batch normalisation (Ioffe and Szegedy 2015) per channel of `x: [N, C, S]`: S = 1 for the
/// features of a dense layer's output, S = H·W for the channels of a conv layer's.
///
///     training:   μ_c = mean over (n, s) of x,  σ²_c = biased variance over the same m = N·S
///                 x̂ = (x − μ_c) / √(σ²_c + ε),  y = γ_c x̂ + β_c
///                 running_mean ← (1 − momentum)·running_mean + momentum·μ_c
///                 running_var  ← (1 − momentum)·running_var + momentum·σ²_c·m/(m − 1)
///     evaluation: y = γ_c (x − running_mean_c) / √(running_var_c + ε) + β_c
///
/// The running variance is the unbiased estimate, as PyTorch's `BatchNorm1d/2d` keep it.
/// Backward (training statistics; `dy` is d(loss)/dy):
///
///     dβ_c = Σ dy,   dγ_c = Σ dy · x̂,
///     dx = γ_c / (m √(σ²_c + ε)) · (m·dy − dβ_c − x̂ · dγ_c)
///
/// Training forward keeps x̂ (`[N, C, S]`) and 1/√(σ²_c + ε) (`[C]`) for backward. Gradients are
/// overwritten, not accumulated; `dx` may be `dy` (every dy is read before its dx is written).
public enum BatchNormKernel {
  @inlinable
  public static func trainingForward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, scale: UnsafePointer<T>,
    shift: UnsafePointer<T>, runningMean: UnsafeMutablePointer<T>,
    runningVariance: UnsafeMutablePointer<T>, normalized: UnsafeMutablePointer<T>,
    inverseDeviation: UnsafeMutablePointer<T>, batch: Int, channels: Int, spatial: Int,
    momentum: T, epsilon: T
  ) {
    let m = batch * spatial
    let count = T(m)
    for c in 0..<channels {
      var sum: T = 0
      for n in 0..<batch { sum += Reduction.sum(x + (n * channels + c) * spatial, count: spatial) }
      let mean = sum / count
      var squares: T = 0
      for n in 0..<batch {
        squares += centeredSquares(x + (n * channels + c) * spatial, count: spatial, mean: mean)
      }
      let variance = squares / count
      let inverse = 1 / (variance + epsilon).squareRoot()
      inverseDeviation[c] = inverse
      let (g, b) = (scale[c], shift[c])
      for n in 0..<batch {
        let offset = (n * channels + c) * spatial
        for s in 0..<spatial {
          let h = (x[offset + s] - mean) * inverse
          normalized[offset + s] = h
          y[offset + s] = g * h + b
        }
      }
      let unbiased = m > 1 ? variance * count / T(m - 1) : variance
      runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean
      runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * unbiased
    }
  }

  @inlinable
  public static func evaluationForward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, scale: UnsafePointer<T>,
    shift: UnsafePointer<T>, runningMean: UnsafePointer<T>, runningVariance: UnsafePointer<T>,
    batch: Int, channels: Int, spatial: Int, epsilon: T
  ) {
    for c in 0..<channels {
      let inverse = 1 / (runningVariance[c] + epsilon).squareRoot()
      let (g, b, mean) = (scale[c], shift[c], runningMean[c])
      for n in 0..<batch {
        let offset = (n * channels + c) * spatial
        for s in 0..<spatial { y[offset + s] = g * ((x[offset + s] - mean) * inverse) + b }
      }
    }
  }

  @inlinable
  public static func backward<T: DLScalar>(
    dy: UnsafePointer<T>, normalized: UnsafePointer<T>, inverseDeviation: UnsafePointer<T>,
    scale: UnsafePointer<T>, dx: UnsafeMutablePointer<T>?, dScale: UnsafeMutablePointer<T>,
    dShift: UnsafeMutablePointer<T>, batch: Int, channels: Int, spatial: Int
  ) {
    let m = T(batch * spatial)
    for c in 0..<channels {
      var sumDy: T = 0
      var sumDyH: T = 0
      for n in 0..<batch {
        let offset = (n * channels + c) * spatial
        sumDy += Reduction.sum(dy + offset, count: spatial)
        sumDyH += dot(dy + offset, normalized + offset, count: spatial)
      }
      dShift[c] = sumDy
      dScale[c] = sumDyH
      guard let dx else { continue }
      let k = scale[c] * inverseDeviation[c] / m
      for n in 0..<batch {
        let offset = (n * channels + c) * spatial
        for s in 0..<spatial {
          dx[offset + s] = k * (m * dy[offset + s] - sumDy - normalized[offset + s] * sumDyH)
        }
      }
    }
  }

  // The per-channel reductions run over contiguous rows of S elements; eight SIMD lanes break
  // the dependency on one running sum, as in `Reduction` (a plain loop measured ~4× slower).

  /// Σ (x[i] − mean)².
  @inlinable
  static func centeredSquares<T: DLScalar>(
    _ x: UnsafePointer<T>, count: Int, mean: T
  ) -> T {
    var accumulator = SIMD8<T>()
    let m = SIMD8<T>(repeating: mean)
    let raw = UnsafeRawPointer(x)
    var i = 0
    while i + 8 <= count {
      let d = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.stride, as: SIMD8<T>.self) - m
      accumulator += d * d
      i += 8
    }
    var total = accumulator.sum()
    for j in i..<count { total += (x[j] - mean) * (x[j] - mean) }
    return total
  }

  /// Σ a[i] · b[i].
  @inlinable
  static func dot<T: DLScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int) -> T {
    var accumulator = SIMD8<T>()
    let (ra, rb) = (UnsafeRawPointer(a), UnsafeRawPointer(b))
    let stride = MemoryLayout<T>.stride
    var i = 0
    while i + 8 <= count {
      accumulator +=
        ra.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
        * rb.loadUnaligned(fromByteOffset: i * stride, as: SIMD8<T>.self)
      i += 8
    }
    var total = accumulator.sum()
    for j in i..<count { total += a[j] * b[j] }
    return total
  }
}
