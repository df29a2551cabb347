import _COpenBLAS

/// The OpenBLAS entry points the runtime uses, generic over precision.
///
/// Transposes are passed to BLAS as flags and never materialised. Results are bit-reproducible
/// only for a fixed thread count and core type (see PLATFORM.md): record both with a run.
public enum BLAS {
  /// Row-major GEMM: `C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C`.
  ///
  /// `op(A) = Aᵀ` when `transA`; `lda`/`ldb`/`ldc` are the row strides of the matrices *as
  /// stored* (so for `transA`, `A` is stored `[k, m]` and `lda ≥ m`). `beta = 0` overwrites `C`
  /// (BLAS does not read it, so it may hold NaN garbage); `beta = 1` accumulates.
  @inlinable
  public static func gemm<T: DLScalar>(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>, lda: Int,
    b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    T.blasGemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  /// `y[i] += alpha · x[i]` for `i < count` (an SGD step is `axpy(-lr, grad, param)`).
  @inlinable
  public static func axpy<T: DLScalar>(
    count: Int, alpha: T, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>
  ) {
    T.blasAxpy(n: count, alpha: alpha, x: x, y: y)
  }

  /// `x[i] *= alpha` for `i < count`.
  @inlinable
  public static func scal<T: DLScalar>(count: Int, alpha: T, x: UnsafeMutablePointer<T>) {
    T.blasScal(n: count, alpha: alpha, x: x)
  }

  /// Sets OpenBLAS's worker thread count (overrides `OPENBLAS_NUM_THREADS`).
  public static func setThreads(_ count: Int) {
    openblas_set_num_threads(Int32(count))
    Parallel.threads = max(1, count)
  }

  /// OpenBLAS's current worker thread count.
  public static var threads: Int {
    Int(openblas_get_num_threads())
  }

  /// The CPU kernel family OpenBLAS selected, e.g. "Haswell" or "Cooperlake". Different cores
  /// give different low bits, so reproducible runs record it.
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }
}
