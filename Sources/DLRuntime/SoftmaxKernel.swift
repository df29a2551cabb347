/// Softmax along the last dimension (notes (2.5)), max-subtracted so `exp` never overflows.
///
/// Shapes: `x`, `y`, `dy`, `dx`: `[rows, columns]`; each row is one distribution.
///
///     y[r, k] = e^{x[r,k] − m_r} / Σ_j e^{x[r,j] − m_r},   m_r = max_j x[r, j]
///     dx[r, k] = y[r, k] · (dy[r, k] − Σ_j dy[r, j] · y[r, j])
///
/// For training with cross-entropy prefer `Loss.softmaxCrossEntropy`, which fuses both and is
/// stable in the loss too. `x` may equal `y`; `dy` may equal `dx`.
public enum SoftmaxKernel {
  /// `y = softmax(x)` row by row.
  @inlinable
  public static func forward<T: DLScalar>(
    x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let input = x + r * columns
      let output = y + r * columns
      let m = rowMax(input, columns)
      var sum: T = 0
      for k in 0..<columns {
        let e = T.exp(input[k] - m)
        output[k] = e
        sum += e
      }
      let inverse = 1 / sum
      for k in 0..<columns { output[k] *= inverse }
    }
  }

  /// `dx = y ⊙ (dy − ⟨dy, y⟩)` row by row, from the saved output `y`.
  @inlinable
  public static func backward<T: DLScalar>(
    y: UnsafePointer<T>, dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>,
    rows: Int, columns: Int
  ) {
    for r in 0..<rows {
      let out = y + r * columns
      let grad = dy + r * columns
      let result = dx + r * columns
      var dot: T = 0
      for k in 0..<columns { dot += grad[k] * out[k] }
      for k in 0..<columns { result[k] = out[k] * (grad[k] - dot) }
    }
  }

  /// Largest element of a row of `count ≥ 1` elements.
  @inlinable @inline(__always)
  public static func rowMax<T: DLScalar>(_ row: UnsafePointer<T>, _ count: Int) -> T {
    var m = row[0]
    for k in 1..<max(count, 1) where row[k] > m { m = row[k] }
    return m
  }
}
