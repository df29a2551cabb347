import _CKernels
import _COpenBLAS

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A floating-point element type the runtime computes in: `Float` for training, `Double` for
/// gradient checks. It supplies the BLAS entry points and the transcendental functions, so every
/// kernel is written once and specialised per precision.
///
/// Kernels call these through `@inlinable` generic code; after specialisation each requirement
/// resolves to a direct call of the C function (`cblas_sgemm`, `expf`, ...).
public protocol DLScalar: BinaryFloatingPoint, SIMDScalar, Codable, TensorElement
where RawSignificand: FixedWidthInteger {
  /// Row-major `C = alpha·op(A)·op(B) + beta·C`, `op(A): [m, k]`, `op(B): [k, n]`, `C: [m, n]`.
  static func blasGemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
  /// The same product by `_CKernels`' GEMM (`dl_gemm_f32`/`_f64`) with the given ISA; false
  /// when its packing buffer could not be allocated (C untouched).
  static func kernelGemm(
    isa: KernelISA, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
  ) -> Bool
  /// `op(B)[k, n]` (B stored `[n, k]` when `transB`) packed into `out` for
  /// `kernelGemmPrepacked` (`dl_gemm_pack_b_*`); `out` holds `PackedWeights.elementCount` elements.
  static func kernelPackB(
    isa: KernelISA, transB: Bool, n: Int, k: Int, b: UnsafePointer<Self>, ldb: Int,
    out: UnsafeMutablePointer<Self>)
  /// `kernelGemm` with op(B) packed ahead by `kernelPackB` (`dl_gemm_prepacked_*`): the same
  /// bits without packing B; false when the packing buffer of A could not be allocated.
  static func kernelGemmPrepacked(
    isa: KernelISA, transA: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, packed: UnsafePointer<Self>,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
  ) -> Bool
  /// Row-major GEMV: `y = alpha·op(A)·x + beta·y`, A stored `[m, n]`.
  static func blasGemv(
    trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)
  /// Row-major rank-1 update: `A[m, n] += alpha·x·yᵀ`.
  static func blasGer(
    m: Int, n: Int, alpha: Self, x: UnsafePointer<Self>, incx: Int, y: UnsafePointer<Self>,
    incy: Int, a: UnsafeMutablePointer<Self>, lda: Int)
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
  public static func blasGemv(
    trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int
  ) {
    cblas_sgemv(
      CblasRowMajor, cblasTranspose(trans), blasint(m), blasint(n), alpha, a, blasint(lda), x,
      blasint(incx), beta, y, blasint(incy))
  }
  @inlinable
  public static func blasGer(
    m: Int, n: Int, alpha: Float, x: UnsafePointer<Float>, incx: Int, y: UnsafePointer<Float>,
    incy: Int, a: UnsafeMutablePointer<Float>, lda: Int
  ) {
    cblas_sger(
      CblasRowMajor, blasint(m), blasint(n), alpha, x, blasint(incx), y, blasint(incy), a,
      blasint(lda))
  }
  @inlinable
  public static func blasAxpy(
    n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
  ) {
    cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
  }
  @inlinable
  public static func kernelGemm(
    isa: KernelISA, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) -> Bool {
    dl_gemm_f32(
      isa.rawValue, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
  @inlinable
  public static func kernelPackB(
    isa: KernelISA, transB: Bool, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
    out: UnsafeMutablePointer<Float>
  ) {
    dl_gemm_pack_b_f32(isa.rawValue, transB, n, k, b, ldb, out)
  }
  @inlinable
  public static func kernelGemmPrepacked(
    isa: KernelISA, transA: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, packed: UnsafePointer<Float>,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) -> Bool {
    dl_gemm_prepacked_f32(isa.rawValue, transA, m, n, k, alpha, a, lda, packed, beta, c, ldc)
  }
  @inlinable
  public static func blasScal(n: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
    cblas_sscal(blasint(n), alpha, x, 1)
  }
  /// Polynomial approximation (see `fastExp`), not glibc's `expf`: ≤ 1 ulp and it vectorises.
  @inlinable public static func exp(_ x: Float) -> Float { fastExp(x) }
  @inlinable public static func log(_ x: Float) -> Float { logf(x) }
  /// Rational approximation (see `fastTanh`), not glibc's `tanhf`: ≈ 5× faster and it
  /// vectorises, at ≤ 7 ulp (relative error ≤ 4e-7) over all inputs.
  @inlinable public static func tanh(_ x: Float) -> Float { fastTanh(x) }
}

extension Float {
  /// e^x by range reduction x = n·ln 2 + r, |r| ≤ ln 2 / 2, a degree-7 polynomial for e^r
  /// (Cephes `expf` coefficients), and 2^n assembled from exponent bits in two halves so that
  /// n up to 128 and down to −150 (the subnormal range) need no special cases. Only selects and
  /// integer bit operations, so loops over it auto-vectorise. Measured ≤ 1 ulp against a Double
  /// exp on x ∈ [−87, 88]; overflows to +∞ above ≈ 88.72, gives 0 (or a subnormal) below
  /// −87.3 and propagates NaN.
  @inlinable @inline(__always)
  public static func fastExp(_ x: Float) -> Float {
    // Clamping keeps n in [−150, 129]; the true results beyond are 0 or +∞ anyway, and the
    // scaled polynomial reaches them by ordinary rounding.
    let z: Float = x < -104 ? -104 : (x > 88.8 ? 88.8 : x)
    // Adding 1.5·2²³ rounds z·log₂e to an integer held in the low mantissa bits of `t`.
    let shifter: Float = 12_582_912
    let t = z * 1.44269504088896341 + shifter
    let n = t - shifter
    // r = z − n·ln 2 with ln 2 split in two (Cody–Waite) so n·ln2_hi is exact.
    let r = (z - n * 0.693359375) - n * -2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    // 2^n = 2^⌊n/2⌋ · 2^(n − ⌊n/2⌋): each half is a normal power of two for n ∈ [−150, 129].
    let k = Int32(bitPattern: t.bitPattern &- shifter.bitPattern)
    let k1 = k >> 1
    let k2 = k &- k1
    let s1 = Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) << 23))
    let s2 = Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) << 23))
    return y * s1 * s2
  }

  /// tanh as a [13/6] odd/even rational function on [−c, c], c ≈ 7.9988 (where tanh rounds to
  /// ±1 in Float), after Eigen's `ptanh_float`; tiny inputs return x itself. Branch-free apart
  /// from selects, so loops over it auto-vectorise; glibc's `tanhf` measured ≈ 35 ns/element.
  /// Max error measured against a Double tanh on 2M points in [−10, 10]: 6.6 ulp.
  @inlinable @inline(__always)
  public static func fastTanh(_ x: Float) -> Float {
    let c: Float = 7.99881172180175781
    let z = x > c ? c : (x < -c ? -c : x)
    let z2 = z * z
    var p: Float = -2.76076847742355e-16
    p = p * z2 + 2.00018790482477e-13
    p = p * z2 + -8.60467152213735e-11
    p = p * z2 + 5.12229709037114e-08
    p = p * z2 + 1.48572235717979e-05
    p = p * z2 + 6.37261928875436e-04
    p = p * z2 + 4.89352455891786e-03
    p = p * z
    var q: Float = 1.19825839466702e-06
    q = q * z2 + 1.18534705686654e-04
    q = q * z2 + 2.26843463243900e-03
    q = q * z2 + 4.89352518554385e-03
    // Below 0.0004, tanh z = z to Float precision, and returning x keeps tanh(−0) = −0.
    return abs(x) < 0.0004 ? x : p / q
  }
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
  public static func blasGemv(
    trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int
  ) {
    cblas_dgemv(
      CblasRowMajor, cblasTranspose(trans), blasint(m), blasint(n), alpha, a, blasint(lda), x,
      blasint(incx), beta, y, blasint(incy))
  }
  @inlinable
  public static func blasGer(
    m: Int, n: Int, alpha: Double, x: UnsafePointer<Double>, incx: Int, y: UnsafePointer<Double>,
    incy: Int, a: UnsafeMutablePointer<Double>, lda: Int
  ) {
    cblas_dger(
      CblasRowMajor, blasint(m), blasint(n), alpha, x, blasint(incx), y, blasint(incy), a,
      blasint(lda))
  }
  @inlinable
  public static func blasAxpy(
    n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>
  ) {
    cblas_daxpy(blasint(n), alpha, x, 1, y, 1)
  }
  @inlinable
  public static func kernelGemm(
    isa: KernelISA, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) -> Bool {
    dl_gemm_f64(
      isa.rawValue, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
  @inlinable
  public static func kernelPackB(
    isa: KernelISA, transB: Bool, n: Int, k: Int, b: UnsafePointer<Double>, ldb: Int,
    out: UnsafeMutablePointer<Double>
  ) {
    dl_gemm_pack_b_f64(isa.rawValue, transB, n, k, b, ldb, out)
  }
  @inlinable
  public static func kernelGemmPrepacked(
    isa: KernelISA, transA: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, packed: UnsafePointer<Double>,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) -> Bool {
    dl_gemm_prepacked_f64(isa.rawValue, transA, m, n, k, alpha, a, lda, packed, beta, c, ldc)
  }
  @inlinable
  public static func blasScal(n: Int, alpha: Double, x: UnsafeMutablePointer<Double>) {
    cblas_dscal(blasint(n), alpha, x, 1)
  }
  @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
  @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
}
