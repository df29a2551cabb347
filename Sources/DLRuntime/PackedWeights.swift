import _CKernels

/// A dense layer's weight matrix `W: [n, k]` (out × in) packed once into the own GEMM's B
/// panels, so the products `x · Wᵀ` of an evaluation pass skip packing it.
///
/// Packing op(B) is 15–25% of a batch-100 forward of a 500-wide layer; a pass over a validation
/// or test set multiplies by the same W hundreds of times. Measured single-threaded on 100-row
/// batches (docs/performance.md, "Weights packed once for evaluation"): the prepacked product
/// runs 1.1–1.25× the own GEMM packing per call and beats OpenBLAS's SkylakeX kernels from
/// n = 64 on, where the unpacked own GEMM trailed them; at n = 32 it ties and at n = 10 it runs
/// at half their speed, hence `GemmBackend.packedWeightsISA`.
///
/// The packed copy is only as current as the last `pack()`: the plan packs at the start of an
/// evaluation pass and stops using it when the pass ends (`Plan.withPreparedEvaluation`), so an
/// optimizer's in-place updates never meet a stale copy. Debug builds check that on every use.
public final class PackedWeights<T: DLScalar> {
  public let isa: KernelISA
  /// W's rows (a dense layer's outputs) and columns (its inputs).
  public let n: Int
  public let k: Int
  /// The weight matrix packed from: `[n, k]`, row stride k.
  @usableFromInline let source: UnsafePointer<T>
  @usableFromInline let storage: UnsafeMutablePointer<T>
  #if DEBUG
    private var packedChecksum: UInt64 = 0
  #endif

  /// Products with fewer rows than this keep `BLAS.gemm` (4×100×784: OpenBLAS's small kernel
  /// 1.4× the prepacked one; from 8 rows on the prepacked one leads).
  public static var minimumRows: Int { 8 }

  /// Allocates the packed buffer for `isa`; `pack()` fills it. Which weights to pack, and for
  /// which ISA, is `GemmBackend.packedWeightsISA`'s rule (`dlspec bench --gemm` and the tests
  /// pack for every ISA the CPU runs).
  public init(isa: KernelISA, source: UnsafePointer<T>, n: Int, k: Int) {
    self.isa = isa
    self.n = n
    self.k = k
    self.source = source
    let count = Self.elementCount(isa: isa, n: n, k: k)
    // 64-byte aligned: every panel load is then one aligned vector.
    storage = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<T>.stride, alignment: 64
    ).bindMemory(to: T.self, capacity: count)
  }

  deinit { storage.deallocate() }

  /// Elements of the packed form of an [n, k] W: n rounded up to the ISA's micro-tile width,
  /// times k.
  static func elementCount(isa: KernelISA, n: Int, k: Int) -> Int {
    Int(dl_gemm_packed_count(isa.rawValue, T.self == Double.self, n, k))
  }

  /// Copies the current W into the panels.
  public func pack() {
    T.kernelPackB(isa: isa, transB: true, n: n, k: k, b: source, ldb: k, out: storage)
    #if DEBUG
      packedChecksum = checksum()
    #endif
  }

  /// Debug builds: traps when W changed since `pack()` (a caller broke the contract above).
  public func assertCurrent() {
    #if DEBUG
      precondition(checksum() == packedChecksum, "weights changed since they were packed")
    #endif
  }

  #if DEBUG
    /// FNV-1a over W's bytes, 8 at a time.
    private func checksum() -> UInt64 {
      let bytes = UnsafeRawBufferPointer(start: source, count: n * k * MemoryLayout<T>.stride)
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      var i = 0
      while i + 8 <= bytes.count {
        h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
        i += 8
      }
      while i < bytes.count {
        h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3
        i += 1
      }
      return h
    }
  #endif
}

extension GemmBackend {
  /// The ISA to pack an `x · Wᵀ` weight matrix of n outputs and k inputs for, or nil to leave
  /// its products to `BLAS.gemm`: wherever the own GEMM is in use and W is at least 64 wide.
  public func packedWeightsISA(n: Int, k: Int) -> KernelISA? {
    guard n >= 64, k >= 32 else { return nil }
    switch self {
    case .kernels(let isa), .kernelsForLargeMixed(let isa): return isa
    case .openBLAS: return nil
    }
  }
}
