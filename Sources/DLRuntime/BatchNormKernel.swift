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
      for n in 0..<batch {
        let row = x + (n * channels + c) * spatial
        for s in 0..<spatial { sum += row[s] }
      }
      let mean = sum / count
      var squares: T = 0
      for n in 0..<batch {
        let row = x + (n * channels + c) * spatial
        for s in 0..<spatial {
          let d = row[s] - mean
          squares += d * d
        }
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
        for s in 0..<spatial {
          sumDy += dy[offset + s]
          sumDyH += dy[offset + s] * normalized[offset + s]
        }
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
}
