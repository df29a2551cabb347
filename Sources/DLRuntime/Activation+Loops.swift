import _CKernels

// The element-wise loops of an activation. For relu, the commonest σ, they are C
// (Sources/_CKernels/relu.c): in Swift `y[i] = σ(x[i])` and the bias epilogue stayed scalar,
// with a branch per element on unpredictable signs, ~4 ns an element; a profile of mlp-deep at
// batch 1000 put 11.6% of the process in the epilogue, one of the fashion CNN ~8% in relu's
// forward and backward (docs/performance.md, issue 13). The C loops compute the same
// expressions, so results are bit-identical. Other σ keep the Swift loops: tanh and sigmoid
// cost their transcendental anyway.

extension Activation {
  /// `y[r, j] = σ(y[r, j] + bias[j])` for `r < rows`, `j < columns`.
  @inlinable @inline(__always)
  static func biasRows<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, _ y: UnsafeMutablePointer<T>, _ bias: UnsafePointer<T>,
    rows: Int, columns: Int
  ) {
    if F.self == ReLUFunction.self {
      if T.self == Float.self {
        dl_bias_relu_rows_f32(float(y), float(bias), rows, columns)
        return
      }
      if T.self == Double.self {
        dl_bias_relu_rows_f64(double(y), double(bias), rows, columns)
        return
      }
    }
    for r in 0..<rows {
      let row = y + r * columns
      for j in 0..<columns { row[j] = F.value(row[j] + bias[j], t) }
    }
  }

  /// `y[i] = σ(x[i])` for `i < count` (`x` may be `y`).
  @inlinable @inline(__always)
  static func mapRange<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int
  ) {
    if F.self == ReLUFunction.self {
      if T.self == Float.self {
        dl_relu_f32(float(x), float(y), count)
        return
      }
      if T.self == Double.self {
        dl_relu_f64(double(x), double(y), count)
        return
      }
    }
    for i in 0..<count { y[i] = F.value(x[i], t) }
  }

  /// `dx[i] = dy[i] · σ'(z[i])` from `y`, for `i < count` (`dx` may be `dy`).
  @inlinable @inline(__always)
  static func zipRange<F: ActivationFunction, T: DLScalar>(
    _ function: F.Type, _ t: T, _ y: UnsafePointer<T>, _ dy: UnsafePointer<T>,
    _ dx: UnsafeMutablePointer<T>, count: Int
  ) {
    if F.self == ReLUFunction.self {
      if T.self == Float.self {
        dl_relu_grad_f32(float(y), float(dy), float(dx), count)
        return
      }
      if T.self == Double.self {
        dl_relu_grad_f64(double(y), double(dy), double(dx), count)
        return
      }
    }
    for i in 0..<count { dx[i] = F.gradient(y[i], dy[i], t) }
  }

  // The same memory seen as the concrete type, once `T` is known to be it.
  @inlinable @inline(__always)
  static func float<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
  }
  @inlinable @inline(__always)
  static func float<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
  }
  @inlinable @inline(__always)
  static func double<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Double> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
  }
  @inlinable @inline(__always)
  static func double<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
  }
}
