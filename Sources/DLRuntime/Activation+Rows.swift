import _CKernels

// The bias-add + σ epilogue of dense layers. For relu, the commonest σ, the loop is C
// (Sources/_CKernels/bias_relu.c): in Swift `row[j] = σ(row[j] + bias[j])` stayed scalar, with
// a branch per element on unpredictable signs, ~4 ns an element; a profile of mlp-deep at batch
// 1000 put 11.6% of the process there (docs/performance.md, issue 13). The C loop computes the
// same expression, so results are bit-identical. Other σ keep the Swift loop: tanh and sigmoid
// cost their transcendental anyway.

extension Activation {
  /// `y[r, j] = σ(y[r, j] + bias[j])` for `r < rows`, `j < columns`.
  @inlinable @inline(__always)
  static func biasRows<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, _ y: UnsafeMutablePointer<T>, _ bias: UnsafePointer<T>,
    rows: Int, columns: Int
  ) {
    if F.self == ReLUFunction.self {
      let (raw, b) = (UnsafeMutableRawPointer(y), UnsafeRawPointer(bias))
      if T.self == Float.self {
        dl_bias_relu_rows_f32(
          raw.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), rows,
          columns)
        return
      }
      if T.self == Double.self {
        dl_bias_relu_rows_f64(
          raw.assumingMemoryBound(to: Double.self), b.assumingMemoryBound(to: Double.self), rows,
          columns)
        return
      }
    }
    for r in 0..<rows {
      let row = y + r * columns
      for j in 0..<columns { row[j] = F.value(row[j] + bias[j], t) }
    }
  }
}
