import DLRuntime

/// Plain-loop reference implementations in `Double`, written for obviousness rather than speed.
/// Tests compare the optimised DLRuntime kernels (BLAS, im2col, fused loops) against these.
/// Every array is row-major; shapes are given in each doc comment.
public enum Reference {
  /// `C[m, n] = op(A) · op(B)` where `op(A)[i, p]` is `a[p·m + i]` if `transA` else `a[i·k + p]`
  /// (A stored `[k, m]` or `[m, k]`), and likewise for B (`[n, k]` or `[k, n]`).
  public static func matmul(
    _ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transA: Bool = false,
    transB: Bool = false
  ) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
          let aValue = transA ? a[p * m + i] : a[i * k + p]
          let bValue = transB ? b[j * k + p] : b[p * n + j]
          sum += aValue * bValue
        }
        c[i * n + j] = sum
      }
    }
    return c
  }

  /// Direct convolution (cross-correlation) with zero padding:
  /// `x: [N, C, H, W]`, `w: [F, C, KH, KW]`, `b: [F]` (or empty), result `[N, F, OH, OW]`.
  public static func conv2d(
    x: [Double], weight w: [Double], bias b: [Double], batch: Int, channels: Int,
    height: Int, width: Int, filters: Int, kernel: (Int, Int), stride: (Int, Int),
    padding: (Int, Int)
  ) -> [Double] {
    let (kh, kw) = kernel
    let (sy, sx) = stride
    let (py, px) = padding
    let oh = (height + 2 * py - kh) / sy + 1
    let ow = (width + 2 * px - kw) / sx + 1
    var y = [Double](repeating: 0, count: batch * filters * oh * ow)
    for n in 0..<batch {
      for f in 0..<filters {
        for i in 0..<oh {
          for j in 0..<ow {
            var sum = b.isEmpty ? 0 : b[f]
            for c in 0..<channels {
              for u in 0..<kh {
                for v in 0..<kw {
                  let iy = i * sy - py + u
                  let ix = j * sx - px + v
                  guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                  let xValue = x[((n * channels + c) * height + iy) * width + ix]
                  sum += w[((f * channels + c) * kh + u) * kw + v] * xValue
                }
              }
            }
            y[((n * filters + f) * oh + i) * ow + j] = sum
          }
        }
      }
    }
    return y
  }

  /// Pooling of `planes` images `[H, W]` with window `(KH, KW)`, stride `(SY, SX)`, no padding.
  /// Returns the outputs `[planes, OH, OW]` and, for max, the first argmax's in-plane index.
  public static func pool(
    x: [Double], planes: Int, height: Int, width: Int, window: (Int, Int),
    stride: (Int, Int), average: Bool
  ) -> (values: [Double], argmax: [Int]) {
    let oh = (height - window.0) / stride.0 + 1
    let ow = (width - window.1) / stride.1 + 1
    var values = [Double]()
    var argmax = [Int]()
    for p in 0..<planes {
      for i in 0..<oh {
        for j in 0..<ow {
          var best = -Double.infinity
          var bestIndex = -1
          var sum = 0.0
          for u in 0..<window.0 {
            for v in 0..<window.1 {
              let index = (i * stride.0 + u) * width + (j * stride.1 + v)
              let value = x[p * height * width + index]
              sum += value
              if value > best {
                best = value
                bestIndex = index
              }
            }
          }
          values.append(average ? sum / Double(window.0 * window.1) : best)
          argmax.append(bestIndex)
        }
      }
    }
    return (values, argmax)
  }

  /// Softmax of each row of `x: [rows, columns]`, computed naively (no max subtraction), so
  /// only use it on moderate inputs.
  public static func softmax(_ x: [Double], rows: Int, columns: Int) -> [Double] {
    var y = x
    for r in 0..<rows {
      let row = x[(r * columns)..<((r + 1) * columns)]
      let total = row.reduce(0) { $0 + Double.exp($1) }
      for k in 0..<columns { y[r * columns + k] = Double.exp(x[r * columns + k]) / total }
    }
    return y
  }

  /// Batch normalisation of `x: [n, c, s]` per channel with the batch's statistics (biased
  /// variance), written as the textbook loops: returns y and the unbiased variances the
  /// running estimate folds in.
  public static func batchNorm(
    _ x: [Double], n: Int, c: Int, s: Int, scale: [Double], shift: [Double], eps: Double
  ) -> (y: [Double], mean: [Double], unbiasedVariance: [Double]) {
    var y = x
    var means = [Double](repeating: 0, count: c)
    var unbiased = [Double](repeating: 0, count: c)
    for ch in 0..<c {
      var values: [Double] = []
      for b in 0..<n { for p in 0..<s { values.append(x[(b * c + ch) * s + p]) } }
      let m = Double(values.count)
      let mean = values.reduce(0, +) / m
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / m
      means[ch] = mean
      unbiased[ch] = values.count > 1 ? variance * m / (m - 1) : variance
      for b in 0..<n {
        for p in 0..<s {
          let i = (b * c + ch) * s + p
          y[i] = scale[ch] * (x[i] - mean) / (variance + eps).squareRoot() + shift[ch]
        }
      }
    }
    return (y, means, unbiased)
  }
}
