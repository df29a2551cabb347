import DLSpecTestSupport
import Testing

@testable import DLRuntime

/// The own GEMM with op(B) packed ahead (`dl_gemm_pack_b_*`, `dl_gemm_prepacked_*`,
/// `PackedWeights`, `BLAS.gemm(…, packed:)`): on every ISA variant this CPU runs, in Float and
/// Double, it gives the bits of the own GEMM packing B per call (which `GemmKernelTests` checks
/// against the plain loops, and this suite checks again), for B stored either way, both
/// transposes of A, β = 0 over NaN and β ≠ 0, k over several inner blocks and ragged tiles; and
/// so does any split of C into row blocks across the pool.
@Suite struct PackedWeightsTests {
  typealias Shape = GemmKernelTests.Shape

  static let shapes: [Shape] =
    GemmKernelTests.shapes + [
      // A 500-wide dense layer at batch 100 (two inner blocks of 392), and more columns than one
      // B block of the unpacked GEMM (about 1 MiB), so the packed offsets of later blocks are used.
      Shape(m: 100, n: 500, k: 784),
      Shape(m: 3, n: 1300, k: 600),
    ]

  /// C (every stored element) after the prepacked product in T: B packed by `kernelPackB` from
  /// the same operands `GemmKernelTests.run` multiplies.
  static func runPrepacked<T: DLScalar>(
    _ type: T.Type, isa: KernelISA, _ s: Shape, transA: Bool, transB: Bool, alpha: Double,
    beta: Double, _ o: GemmKernelTests.Operands, initialC: T? = nil
  ) -> [T] {
    let a = o.a.map { T($0) }
    let b = o.b.map { T($0) }
    var c = o.c.map { initialC ?? T($0) }
    let count = PackedWeights<T>.elementCount(isa: isa, n: s.n, k: s.k)
    var packed = [T](repeating: .nan, count: max(count, 1))
    let done = a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          packed.withUnsafeMutableBufferPointer { p in
            guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress,
              let pp = p.baseAddress
            else { return false }
            T.kernelPackB(
              isa: isa, transB: transB, n: s.n, k: s.k, b: pb, ldb: o.ldb, out: pp)
            return T.kernelGemmPrepacked(
              isa: isa, transA: transA, m: s.m, n: s.n, k: s.k, alpha: T(alpha), a: pa,
              lda: o.lda, packed: pp, beta: T(beta), c: pc, ldc: o.ldc)
          }
        }
      }
    }
    #expect(done, "an operand was empty or the packing buffer could not be allocated")
    return c
  }

  func sameBitsAsPackingPerCall<T: DLScalar>(
    _ type: T.Type, _ s: Shape, alpha: Double, beta: Double, nanC: Bool = false
  ) {
    for transA in [false, true] {
      for transB in [true, false] {
        let o = GemmKernelTests.operands(s, transA: transA, transB: transB)
        let want = GemmKernelTests.expected(
          s, transA: transA, transB: transB, alpha: alpha, beta: beta, o)
        for isa in GemmKernelTests.isas {
          let label =
            "\(T.self) \(isa) \(s.testDescription) tA \(transA) tB \(transB) α \(alpha) β \(beta)"
          let initial: T? = nanC ? .nan : nil
          let got = Self.runPrepacked(
            T.self, isa: isa, s, transA: transA, transB: transB, alpha: alpha, beta: beta, o,
            initialC: initial)
          let perCall = GemmKernelTests.run(
            T.self, isa: isa, s, transA: transA, transB: transB, alpha: alpha, beta: beta, o,
            initialC: initial)
          #expect(
            got.map { Double($0).bitPattern } == perCall.map { Double($0).bitPattern },
            "\(label): bits differ from the GEMM packing B per call")
          expectClose(
            GemmKernelTests.unpad(got.map { Double($0) }, rows: s.m, cols: s.n, stride: o.ldc),
            want, tolerance: GemmKernelTests.tolerance(T.self, k: s.k), label)
        }
      }
    }
  }

  @Test(arguments: shapes)
  func matchesThePerCallGEMM(_ s: Shape) {
    sameBitsAsPackingPerCall(Float.self, s, alpha: 1, beta: 0, nanC: true)
    sameBitsAsPackingPerCall(Double.self, s, alpha: 0.5, beta: 2)
  }

  /// `PackedWeights` over a dense layer's W [n, k] and `BLAS.split` with 2 workers and with 1:
  /// x·Wᵀ + β·C equal to the plain loops, and to each other bit for bit (rows are split, each
  /// worker packs only its rows of x). After W changes, `pack()` follows it.
  @Test func denseProductSplitAcrossWorkers() {
    for isa in GemmKernelTests.isas {
      for (m, n, k) in [(100, 130, 300), (9, 64, 40), (37, 500, 600)] {
        let x = tensor(Float.self, [m * k], randomValues(m * k, seed: 21))
        let w = tensor(Float.self, [n * k], randomValues(n * k, seed: 22))
        let packed = PackedWeights(isa: isa, source: w.pointer, n: n, k: k)
        func product(workers: Int) -> [Double] {
          let c = tensor(Float.self, [m, n], randomValues(m * n, seed: 23))
          BLAS.split(
            workers: workers, transA: false, m: m, alpha: 1, a: x.pointer, lda: k,
            packed: packed, beta: 0.5, c: c.pointer, ldc: n)
          return doubles(c)
        }
        let label = "\(isa) \(m)×\(n)×\(k)"
        for round in 0..<2 {
          packed.pack()
          let c0 = randomValues(m * n, seed: 23).map { Double(Float($0)) }
          let xs = doubles(x)
          let ws = doubles(w)
          let want = zip(
            Reference.matmul(xs, ws, m: m, n: n, k: k, transA: false, transB: true), c0
          ).map { $0 + 0.5 * $1 }
          let whole = product(workers: 1)
          expectClose(whole, want, tolerance: 1e-4, "\(label) round \(round)")
          #expect(product(workers: 2) == whole, "\(label): a 2-worker split changed bits")
          // An optimizer step writes W in place; the next pass packs again.
          for i in 0..<(n * k) { w.pointer[i] *= -0.5 }
        }
      }
    }
  }

  /// Which weights are packed: wherever the own GEMM is in use, from 64 outputs and 32 inputs
  /// on (at 32 outputs the prepacked product only ties OpenBLAS, at 10 it trails 2×).
  @Test func packingRule() {
    let mixed = GemmBackend.kernelsForLargeMixed(.avx512)
    #expect(mixed.packedWeightsISA(n: 100, k: 784) == .avx512)
    #expect(mixed.packedWeightsISA(n: 64, k: 32) == .avx512)
    #expect(mixed.packedWeightsISA(n: 63, k: 784) == nil)
    #expect(mixed.packedWeightsISA(n: 500, k: 31) == nil)
    #expect(mixed.packedWeightsISA(n: 10, k: 100) == nil)
    #expect(GemmBackend.kernels(.avx2).packedWeightsISA(n: 500, k: 500) == .avx2)
    #expect(GemmBackend.openBLAS.packedWeightsISA(n: 500, k: 500) == nil)
  }
}
