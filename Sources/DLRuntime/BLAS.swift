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
    // A GEMM with a dimension of 1 (batch size 1, a one-output layer) is a matrix-vector product
    // or an outer product: GEMV and GER skip the packing that dominates such small GEMMs.
    if m == 1 || n == 1 || k == 1 {
      thin(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    split(
      workers: poolWorkers, isa: kernelISA(transA: transA, transB: transB, m: m, n: n, k: k),
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a,
      lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  /// `gemm` on up to `workers` threads of the pool (serially when it is busy).
  @inlinable
  static func split<T: DLScalar>(
    workers: Int, isa: KernelISA?, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    guard worthSplitting(workers: workers, m: m, n: n, k: k, side: max(m, n)) else {
      serial(
        isa: isa, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    // Split C into row blocks, or column blocks when C is wider than tall; each worker runs a
    // single-threaded GEMM on its block. op(A)'s rows start at a + r·lda (or a + r when A is
    // stored transposed); op(B)'s columns at b + j (or b + j·ldb). Each worker packs the
    // operand it shares in full (OpenBLAS as the own GEMM), so splitting the longer side of C
    // makes the shared operand the smaller one: x, not W, in a dense layer's x·Wᵀ and dy·W.
    let byRows = m >= n
    let job = SplitGemmJob(
      isa: isa, byRows: byRows,
      block: byRows ? (m + workers - 1) / workers : (n + workers - 1) / workers,
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
      ldb: ldb, beta: beta, c: c, ldc: ldc)
    WorkerPool.shared.run(chunks: workers, job)
  }

  /// Workers a GEMM may split across: the pool's threads when `splitting`, else 1.
  @inlinable
  static var poolWorkers: Int {
    splitting ? min(Parallel.threads, WorkerPool.shared.capacity) : 1
  }

  /// Whether an m×n×k product cut along a side of `side` elements is worth `workers` threads:
  /// below 2²¹ multiply-adds the hand-off and the second packing of the shared operand cost
  /// more than half the product saves.
  @inlinable
  static func worthSplitting(workers: Int, m: Int, n: Int, k: Int, side: Int) -> Bool {
    workers > 1 && m * n * k >= GemmBackend.largeProduct && side >= 2 * workers
  }

  /// The ISA of the own GEMM for an m×n×k product, or nil for OpenBLAS: the own GEMM when
  /// `GemmBackend.selected` gives it this product and the product is wide and deep enough that
  /// packing and the padding of the last micro-tiles pay off (on 100×10×100 it runs at half
  /// OpenBLAS's speed; docs/performance.md, "The own GEMM"). Chosen once per product, before
  /// it is split, so a split product gives the same bits as a whole one.
  @inlinable
  static func kernelISA(transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> KernelISA? {
    guard m >= 16, n >= 128, k >= 32 else { return nil }
    return GemmBackend.selected.isa(transA: transA, transB: transB, m: m, n: n, k: k)
  }

  /// A single-threaded GEMM: the own one with `isa`, else OpenBLAS (also if the own one cannot
  /// allocate its packing buffer).
  @inlinable
  public static func serial<T: DLScalar>(
    isa: KernelISA?, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    if let isa,
      T.kernelGemm(
        isa: isa, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a,
        lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    {
      return
    }
    T.blasGemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }

  /// Block `w` of a split GEMM: rows `w·block ..< (w + 1)·block` of C (or those columns when
  /// not `byRows`), as a single-threaded GEMM. A job, not a closure: see `ParallelJob`.
  @usableFromInline
  struct SplitGemmJob<T: DLScalar>: ParallelJob {
    @usableFromInline let isa: KernelISA?
    @usableFromInline let byRows: Bool
    @usableFromInline let block: Int
    @usableFromInline let transA: Bool
    @usableFromInline let transB: Bool
    @usableFromInline let m: Int
    @usableFromInline let n: Int
    @usableFromInline let k: Int
    @usableFromInline let alpha: T
    @usableFromInline let a: UnsafePointer<T>
    @usableFromInline let lda: Int
    @usableFromInline let b: UnsafePointer<T>
    @usableFromInline let ldb: Int
    @usableFromInline let beta: T
    @usableFromInline let c: UnsafeMutablePointer<T>
    @usableFromInline let ldc: Int

    @inlinable
    init(
      isa: KernelISA?, byRows: Bool, block: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
      alpha: T,
      a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int, beta: T,
      c: UnsafeMutablePointer<T>, ldc: Int
    ) {
      self.isa = isa
      self.byRows = byRows
      self.block = block
      self.transA = transA
      self.transB = transB
      self.m = m
      self.n = n
      self.k = k
      self.alpha = alpha
      self.a = a
      self.lda = lda
      self.b = b
      self.ldb = ldb
      self.beta = beta
      self.c = c
      self.ldc = ldc
    }

    @inlinable
    func run(_ w: Int) {
      if byRows {
        let r = w * block
        guard r < m else { return }
        BLAS.serial(
          isa: isa, transA: transA, transB: transB, m: min(block, m - r), n: n, k: k, alpha: alpha,
          a: a + (transA ? r : r * lda), lda: lda, b: b, ldb: ldb, beta: beta,
          c: c + r * ldc, ldc: ldc)
      } else {
        let j = w * block
        guard j < n else { return }
        BLAS.serial(
          isa: isa, transA: transA, transB: transB, m: m, n: min(block, n - j), k: k, alpha: alpha,
          a: a, lda: lda, b: b + (transB ? j * ldb : j), ldb: ldb, beta: beta,
          c: c + j, ldc: ldc)
      }
    }
  }

  /// `gemm` for m, n or k equal to 1, through GEMV/GER.
  @inlinable
  static func thin<T: DLScalar>(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    if m == 1 {
      // cᵀ[n] = op(B)ᵀ[n, k] · op(A)ᵀ[k]; op(A)'s single row is strided by lda when A is
      // stored transposed.
      T.blasGemv(
        trans: !transB, m: transB ? n : k, n: transB ? k : n, alpha: alpha, a: b, lda: ldb,
        x: a, incx: transA ? lda : 1, beta: beta, y: c, incy: 1)
    } else if n == 1 {
      // c[m] (stride ldc) = op(A)[m, k] · op(B)[k]; op(B)'s single column is strided by ldb
      // unless B is stored transposed.
      T.blasGemv(
        trans: transA, m: transA ? k : m, n: transA ? m : k, alpha: alpha, a: a, lda: lda,
        x: b, incx: transB ? 1 : ldb, beta: beta, y: c, incy: ldc)
    } else {
      // k = 1: C = beta·C + alpha · (op(A)'s column) (op(B)'s row)ᵀ.
      let incx = transA ? 1 : lda
      let incy = transB ? ldb : 1
      if beta == 0 {
        // Overwrite directly: one pass instead of clearing C and then updating it.
        for i in 0..<m {
          let row = c + i * ldc
          let xi = alpha * a[i * incx]
          if incy == 1 {
            for j in 0..<n { row[j] = xi * b[j] }
          } else {
            for j in 0..<n { row[j] = xi * b[j * incy] }
          }
        }
        return
      }
      for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
          row.update(repeating: 0, count: n)
        } else if beta != 1 {
          for j in 0..<n { row[j] *= beta }
        }
      }
      T.blasGer(m: m, n: n, alpha: alpha, x: a, incx: incx, y: b, incy: incy, a: c, lda: ldc)
    }
  }

  /// True when `setThreads` has put OpenBLAS on one thread and GEMMs are split across the
  /// worker pool instead. OpenBLAS 0.3.21's own threading mallocs a job list per call and
  /// scales thin products poorly; splitting C ourselves allocates nothing.
  public nonisolated(unsafe) static var splitting = false

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

  /// Uses `count` threads for everything: OpenBLAS itself runs single-threaded and `gemm`
  /// splits large products across `count` workers of the pool (see `splitting`).
  public static func setThreads(_ count: Int) {
    openblas_set_num_threads(1)
    stopOpenBLASThreads
    Parallel.threads = max(1, count)
    splitting = count > 1
  }

  /// OpenBLAS starts a worker per core at load and, idle, each polls with sched_yield for
  /// ~0.1 s after every threaded call; with every call on one thread they are never used, but
  /// their first polling window competes with the pool's workers for the cores (the first
  /// hundred steps of a 2-thread run were up to 2× slower). Stopped once; OpenBLAS runs
  /// single-threaded calls in the caller without them.
  private static let stopOpenBLASThreads: Void = { _ = blas_thread_shutdown_() }()

  /// Threads GEMM uses: the pool's when splitting, else OpenBLAS's own.
  public static var threads: Int {
    splitting ? Parallel.threads : Int(openblas_get_num_threads())
  }

  /// The CPU kernel family OpenBLAS selected, e.g. "Haswell" or "Cooperlake". Different cores
  /// give different low bits, so reproducible runs record it.
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }
}
