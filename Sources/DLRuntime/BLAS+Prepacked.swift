extension BLAS {
  /// `C[m, n] = alpha · op(A)[m, k] · Wᵀ + beta · C` with W packed ahead (`PackedWeights`):
  /// `BLAS.gemm(transA:, transB: true, …, b: W)` without packing W, on the pool's threads when
  /// the product is large enough (split by rows: each worker packs only its rows of A).
  @inlinable
  public static func gemm<T: DLScalar>(
    transA: Bool, m: Int, alpha: T, a: UnsafePointer<T>, lda: Int, packed: PackedWeights<T>,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    split(
      workers: poolWorkers, transA: transA, m: m, alpha: alpha, a: a, lda: lda, packed: packed,
      beta: beta, c: c, ldc: ldc)
  }

  /// The prepacked `gemm` on up to `workers` threads of the pool (serially when it is busy).
  @inlinable
  static func split<T: DLScalar>(
    workers: Int, transA: Bool, m: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
    packed: PackedWeights<T>, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
  ) {
    packed.assertCurrent()
    let chunks =
      worthSplitting(workers: workers, m: m, n: packed.n, k: packed.k, side: m) ? workers : 1
    let job = PrepackedGemmJob(
      transA: transA, m: m, rows: (m + chunks - 1) / chunks, alpha: alpha, a: a, lda: lda,
      packed: packed, beta: beta, c: c, ldc: ldc)
    // One chunk runs here, without touching the pool (a 1-thread process never creates it).
    if chunks == 1 { job.run(0) } else { WorkerPool.shared.run(chunks: chunks, job) }
  }

  /// Rows `w·rows ..< (w + 1)·rows` of a prepacked product. A job, not a closure: see
  /// `ParallelJob`.
  @usableFromInline
  struct PrepackedGemmJob<T: DLScalar>: ParallelJob {
    @usableFromInline let transA: Bool
    @usableFromInline let m: Int
    @usableFromInline let rows: Int
    @usableFromInline let alpha: T
    @usableFromInline let a: UnsafePointer<T>
    @usableFromInline let lda: Int
    @usableFromInline let packed: PackedWeights<T>
    @usableFromInline let beta: T
    @usableFromInline let c: UnsafeMutablePointer<T>
    @usableFromInline let ldc: Int

    @inlinable
    init(
      transA: Bool, m: Int, rows: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
      packed: PackedWeights<T>, beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
      self.transA = transA
      self.m = m
      self.rows = rows
      self.alpha = alpha
      self.a = a
      self.lda = lda
      self.packed = packed
      self.beta = beta
      self.c = c
      self.ldc = ldc
    }

    @inlinable
    func run(_ w: Int) {
      let r = w * rows
      guard r < m else { return }
      let count = min(rows, m - r)
      let a = self.a + (transA ? r : r * lda)
      let c = self.c + r * ldc
      let (n, k) = (packed.n, packed.k)
      if T.kernelGemmPrepacked(
        isa: packed.isa, transA: transA, m: count, n: n, k: k, alpha: alpha, a: a, lda: lda,
        packed: packed.storage, beta: beta, c: c, ldc: ldc)
      {
        return
      }
      // The packing buffer of A could not be allocated: OpenBLAS on the unpacked W.
      T.blasGemm(
        transA: transA, transB: true, m: count, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: packed.source, ldb: k, beta: beta, c: c, ldc: ldc)
    }
  }
}
