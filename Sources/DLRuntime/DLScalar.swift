#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import _COpenBLAS

/// A floating-point element type the runtime computes in: `Float` for training, `Double` for
/// gradient checks. It supplies the BLAS entry points and the transcendental functions, so every
/// kernel is written once and specialised per precision.
///
/// Kernels call these through `@inlinable` generic code; after specialisation each requirement
/// resolves to a direct call of the C function (`cblas_sgemm`, `expf`, ...).
public protocol DLScalar: BinaryFloatingPoint, Sendable
where RawSignificand: FixedWidthInteger {
  /// Row-major `C = alpha·op(A)·op(B) + beta·C` with `op(A): [m, k]`, `op(B): [k, n]`, `C: [m, n]`.
  static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// `y ← alpha·x + y` over `n` contiguous elements.
  static func blasAxpy(n: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
  /// `x ← alpha·x` over `n` contiguous elements.
  static func blasScal(n: Int, alpha: Self, x: UnsafeMutablePointer<Self>)

  /// e^x.
  static func exp(_ x: Self) -> Self
  /// Natural logarithm.
  static func log(_ x: Self) -> Self
  /// Hyperbolic tangent.
  static func tanh(_ x: Self) -> Self
  /// log(1 + x), accurate for small x.
  static func log1p(_ x: Self) -> Self
}

@usableFromInline
func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE {
  t ? CblasTrans : CblasNoTrans
}

extension Float: DLScalar {
  @inlinable
  public static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, cblasTranspose(transA), cblasTranspose(transB),
      blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
      beta, c, blasint(ldc))
  }
  @inlinable
  public static func blasAxpy(
    n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
  ) {
    cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
  }
  @inlinable
  public static func blasScal(n: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
    cblas_sscal(blasint(n), alpha, x, 1)
  }
  @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
  @inlinable public static func log(_ x: Float) -> Float { logf(x) }
  @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
  @inlinable public static func log1p(_ x: Float) -> Float { log1pf(x) }
}

extension Double: DLScalar {
  @inlinable
  public static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, cblasTranspose(transA), cblasTranspose(transB),
      blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
      beta, c, blasint(ldc))
  }
  @inlinable
  public static func blasAxpy(
    n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>
  ) {
    cblas_daxpy(blasint(n), alpha, x, 1, y, 1)
  }
  @inlinable
  public static func blasScal(n: Int, alpha: Double, x: UnsafeMutablePointer<Double>) {
    cblas_dscal(blasint(n), alpha, x, 1)
  }
  @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
  @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
  @inlinable public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
}
