/// Log-softmax along the last dimension, stable via log-sum-exp.
///
/// Shapes: `x`, `y`, `dy`, `dx`: `[rows, columns]`.
///
///     y[r, k] = x[r, k] − m_r − log Σ_j e^{x[r,j] − m_r},   m_r = max_j x[r, j]
///     dx[r, k] = dy[r, k] − e^{y[r, k]} · Σ_j dy[r, j]
///
/// Pair with `Loss.negativeLogLikelihood`. `x` may equal `y`; `dy` may equal `dx`.
public enum LogSoftmaxKernel {
  /// `y = log softmax(x)` row by row.
  @inlinable
  public static func forward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let input = x + r * columns
      let output = y + r * columns
      // (x − m) − log Σ e^{x − m}: subtracting m first keeps x − m exact for nearby logits,
      // where x − (m + log Σ) would round at the magnitude of m (1e-4 at m = 1000 in Float).
      let (m, logSum) = shiftedLogSumExp(input, columns)
      for k in 0..<columns { output[k] = (input[k] - m) - logSum }
    }
  }

  /// `dx = dy − softmax · Σ dy` row by row, from the saved output `y` (softmax = e^y).
  @inlinable
  public static func backward<T: DLScalar>(
    y: UnsafePointer<T>, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>,
    rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let out = y + r * columns
      let grad = dy + r * columns
      let result = dx + r * columns
      var sum: T = 0
      for k in 0..<columns { sum += grad[k] }
      for k in 0..<columns { result[k] = grad[k] - T.exp(out[k]) * sum }
    }
  }

  /// log Σ_k e^{row[k]} split as (m, log Σ_k e^{row[k] − m}) with m = max_k row[k], so no
  /// term overflows and callers can subtract m before adding the (small) second part.
  @inlinable @inline(__always)
  public static func shiftedLogSumExp<T: DLScalar>(
    _ row: UnsafePointer<T>, _ count: Int
  ) -> (max: T, logSum: T) {
    let m = SoftmaxKernel.rowMax(row, count)
    var sum: T = 0
    for k in 0..<count { sum += T.exp(row[k] - m) }
    return (m, T.log(sum))
  }
}
