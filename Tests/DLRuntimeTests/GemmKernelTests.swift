import DLRuntime
import DLSpecTestSupport
import Testing

/// The own GEMM (`_CKernels/gemm_body.h`), called directly on every ISA variant this CPU can
/// run, against the plain-loop `Reference.matmul` in Float and Double: every transpose
/// combination, shapes that leave partial micro-tiles in both directions, k across several
/// inner blocks, more rows than one packed A block and more columns than one packed B block,
/// strides wider than the matrices, and BLAS's special cases (β = 0 ignores NaN in C, α = 0 and
/// k = 0 only scale C). Then the two properties the runtime relies on: AVX2 and AVX-512 give the
/// same bits, and so does any split of C into row or column blocks (what `BLAS.split` does).
@Suite struct GemmKernelTests {
  struct Shape: CustomTestStringConvertible, Sendable {
    var m: Int
    var n: Int
    var k: Int
    var testDescription: String { "\(m)×\(n)×\(k)" }
  }

  static let shapes: [Shape] = [
    Shape(m: 1, n: 1, k: 1),
    // Everything smaller than one micro-tile.
    Shape(m: 7, n: 5, k: 9),
    // Exactly one AVX-512 float tile (12 rows × 32 columns), two AVX2 ones (6 × 16).
    Shape(m: 12, n: 32, k: 16),
    // One past full tiles in every direction.
    Shape(m: 13, n: 33, k: 17),
    // k just past one inner block (256): two blocks of 129 and 128.
    Shape(m: 6, n: 20, k: 257),
    // More rows than one packed A block (144), three inner blocks, ragged columns.
    Shape(m: 150, n: 40, k: 530),
    // A dense layer's shapes, cut down: batch × units × inputs.
    Shape(m: 25, n: 130, k: 40),
  ]

  static var isas: [KernelISA] {
    guard let supported = KernelISA.supported else { return [] }
    return supported == .avx512 ? [.avx2, .avx512] : [.avx2]
  }

  struct Operands {
    var a: [Double]
    var b: [Double]
    var c: [Double]
    var lda: Int
    var ldb: Int
    var ldc: Int
  }

  /// Random A, B and C, each stored with a row stride `pad` wider than it needs.
  static func operands(_ s: Shape, transA: Bool, transB: Bool, pad: Int = 3) -> Operands {
    let (aRows, aCols) = transA ? (s.k, s.m) : (s.m, s.k)
    let (bRows, bCols) = transB ? (s.n, s.k) : (s.k, s.n)
    return Operands(
      a: randomValues(aRows * (aCols + pad), seed: 11),
      b: randomValues(bRows * (bCols + pad), seed: 12),
      c: randomValues(s.m * (s.n + pad), seed: 13), lda: aCols + pad, ldb: bCols + pad,
      ldc: s.n + pad)
  }

  /// The dense [rows, cols] matrix held in a strided one.
  static func unpad(_ x: [Double], rows: Int, cols: Int, stride: Int) -> [Double] {
    (0..<rows).flatMap { r in x[(r * stride)..<(r * stride + cols)] }
  }

  /// C (all of its stored elements, padding included) after the own GEMM in T.
  static func run<T: DLScalar>(
    _ type: T.Type, isa: KernelISA, _ s: Shape, transA: Bool, transB: Bool, alpha: Double,
    beta: Double, _ o: Operands, initialC: T? = nil
  ) -> [T] {
    let a = o.a.map { T($0) }
    let b = o.b.map { T($0) }
    var c = o.c.map { initialC ?? T($0) }
    let done = a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else {
            return false
          }
          return T.kernelGemm(
            isa: isa, transA: transA, transB: transB, m: s.m, n: s.n, k: s.k, alpha: T(alpha),
            a: pa, lda: o.lda, b: pb, ldb: o.ldb, beta: T(beta), c: pc, ldc: o.ldc)
        }
      }
    }
    #expect(done, "an operand was empty or the packing buffer could not be allocated")
    return c
  }

  /// α·op(A)·op(B) + β·C by the plain loops, on the dense matrices.
  static func expected(
    _ s: Shape, transA: Bool, transB: Bool, alpha: Double, beta: Double, _ o: Operands
  ) -> [Double] {
    let a = unpad(o.a, rows: transA ? s.k : s.m, cols: transA ? s.m : s.k, stride: o.lda)
    let b = unpad(o.b, rows: transB ? s.n : s.k, cols: transB ? s.k : s.n, stride: o.ldb)
    let c = unpad(o.c, rows: s.m, cols: s.n, stride: o.ldc)
    let product = Reference.matmul(a, b, m: s.m, n: s.n, k: s.k, transA: transA, transB: transB)
    return zip(product, c).map { alpha * $0 + (beta == 0 ? 0 : beta * $1) }
  }

  /// A k-term sum of products of values in [-1, 1] is off by at most about k units in the last
  /// place of the terms' magnitude; the fixed tolerance covers the short sums.
  static func tolerance<T: DLScalar>(_ type: T.Type, k: Int) -> Double {
    max(DLRuntimeTests.tolerance(T.self), 2 * Double(k) * Double(T.ulpOfOne))
  }

  func matchesReference<T: DLScalar>(
    _ type: T.Type, _ s: Shape, alpha: Double, beta: Double, nanC: Bool = false
  ) {
    for transA in [false, true] {
      for transB in [false, true] {
        let o = Self.operands(s, transA: transA, transB: transB)
        let want = Self.expected(s, transA: transA, transB: transB, alpha: alpha, beta: beta, o)
        for isa in Self.isas {
          let c = Self.run(
            T.self, isa: isa, s, transA: transA, transB: transB, alpha: alpha, beta: beta, o,
            initialC: nanC ? T.nan : nil)
          let label =
            "\(T.self) \(isa) \(s.testDescription) tA \(transA) tB \(transB) α \(alpha) β \(beta)"
          let got = c.map { Double($0) }
          expectClose(
            Self.unpad(got, rows: s.m, cols: s.n, stride: o.ldc), want,
            tolerance: Self.tolerance(T.self, k: s.k), label)
          // The padding between rows of C is never written.
          let padding = (0..<s.m).flatMap { r in (r * o.ldc + s.n)..<((r + 1) * o.ldc) }
          let kept = padding.allSatisfy { nanC ? c[$0].isNaN : c[$0] == T(o.c[$0]) }
          #expect(kept, "\(label): wrote outside C")
        }
      }
    }
  }

  @Test(arguments: shapes)
  func matchesReference(_ s: Shape) {
    matchesReference(Float.self, s, alpha: 0.5, beta: 2)
    matchesReference(Double.self, s, alpha: 0.5, beta: 2)
    matchesReference(Float.self, s, alpha: 1, beta: 1)
  }

  /// β = 0 must not read C (NaN there stays out of the result), as BLAS specifies.
  @Test(arguments: [shapes[3], shapes[5]])
  func betaZeroIgnoresC(_ s: Shape) {
    matchesReference(Float.self, s, alpha: 1, beta: 0, nanC: true)
    matchesReference(Double.self, s, alpha: -1.5, beta: 0, nanC: true)
  }

  /// α = 0 and k = 0 read neither A nor B and leave β·C (zeros for β = 0).
  @Test func degenerateProductsOnlyScaleC() {
    let s = Shape(m: 5, n: 7, k: 3)
    let o = Self.operands(s, transA: false, transB: false)
    let c = Self.unpad(o.c, rows: s.m, cols: s.n, stride: o.ldc)
    for isa in Self.isas {
      let scaled = Self.run(
        Double.self, isa: isa, s, transA: false, transB: false, alpha: 0, beta: 3, o)
      #expect(Self.unpad(scaled, rows: s.m, cols: s.n, stride: o.ldc) == c.map { 3 * $0 })
      let empty = Shape(m: 5, n: 7, k: 0)
      let zeroed = Self.run(
        Float.self, isa: isa, empty, transA: false, transB: true, alpha: 1, beta: 0, o,
        initialC: .nan)
      #expect(
        Self.unpad(zeroed.map { Double($0) }, rows: s.m, cols: s.n, stride: o.ldc)
          == [Double](repeating: 0, count: s.m * s.n))
    }
  }

  /// More columns than one packed block of B (about 1 MiB: 640 doubles or 1296 floats at a
  /// 200-deep inner block), so the column blocks of B are walked too.
  @Test func columnsBeyondOnePackedBlock() {
    let shapes = [Shape(m: 5, n: 700, k: 600), Shape(m: 3, n: 1300, k: 600)]
    for transB in [false, true] {
      let d = Self.operands(shapes[0], transA: false, transB: transB)
      let dWant = Self.expected(shapes[0], transA: false, transB: transB, alpha: 1, beta: 1, d)
      let f = Self.operands(shapes[1], transA: true, transB: transB)
      let fWant = Self.expected(shapes[1], transA: true, transB: transB, alpha: 1, beta: 1, f)
      for isa in Self.isas {
        let dGot = Self.run(
          Double.self, isa: isa, shapes[0], transA: false, transB: transB, alpha: 1, beta: 1, d)
        expectClose(
          Self.unpad(dGot, rows: 5, cols: 700, stride: d.ldc), dWant,
          tolerance: Self.tolerance(Double.self, k: 600), "Double \(isa) tB \(transB)")
        let fGot = Self.run(
          Float.self, isa: isa, shapes[1], transA: true, transB: transB, alpha: 1, beta: 1, f)
        expectClose(
          Self.unpad(fGot.map { Double($0) }, rows: 3, cols: 1300, stride: f.ldc), fWant,
          tolerance: Self.tolerance(Float.self, k: 600), "Float \(isa) tB \(transB)")
      }
    }
  }

  /// AVX2 (6×16 float tiles) and AVX-512 (12×32) sum every element by the same fused
  /// multiply-adds in the same order: identical bits. Needs an AVX-512 CPU to compare anything.
  @Test(arguments: shapes)
  func isasGiveIdenticalBits(_ s: Shape) {
    guard Self.isas.count == 2 else { return }
    for (transA, transB) in [(false, true), (true, false), (true, true), (false, false)] {
      let o = Self.operands(s, transA: transA, transB: transB)
      let f = Self.isas.map {
        Self.run(Float.self, isa: $0, s, transA: transA, transB: transB, alpha: 0.5, beta: 2, o)
      }
      #expect(f[0] == f[1], "Float \(s.testDescription) tA \(transA) tB \(transB)")
      let d = Self.isas.map {
        Self.run(Double.self, isa: $0, s, transA: transA, transB: transB, alpha: 1, beta: 0, o)
      }
      #expect(d[0] == d[1], "Double \(s.testDescription) tA \(transA) tB \(transB)")
    }
  }

  /// C computed in two row blocks, or two column blocks, equals C computed whole, bit for bit:
  /// the thread count of a split GEMM cannot change results.
  @Test func splitsGiveIdenticalBits() {
    let s = Shape(m: 37, n: 150, k: 300)
    for isa in Self.isas {
      for (transA, transB) in [(false, true), (true, false)] {
        let o = Self.operands(s, transA: transA, transB: transB)
        let whole = Self.run(
          Float.self, isa: isa, s, transA: transA, transB: transB, alpha: 1, beta: 1, o)
        // Rows 0..<19 and 19..<37: op(A)'s rows start at a + r·lda (or a + r when transposed).
        let top = Shape(m: 19, n: s.n, k: s.k)
        let bottom = Shape(m: s.m - 19, n: s.n, k: s.k)
        var byRows = Self.run(
          Float.self, isa: isa, top, transA: transA, transB: transB, alpha: 1, beta: 1, o)
        var lower = o
        lower.a =
          transA
          ? o.a.enumerated().filter { $0.offset % o.lda >= 19 }.map(\.element)
          : Array(o.a[(19 * o.lda)...])
        lower.lda = transA ? o.lda - 19 : o.lda
        lower.c = Array(o.c[(19 * o.ldc)...])
        let rest = Self.run(
          Float.self, isa: isa, bottom, transA: transA, transB: transB, alpha: 1, beta: 1, lower)
        byRows.replaceSubrange((19 * o.ldc)..., with: rest)
        #expect(byRows == whole, "\(isa) row split tA \(transA) tB \(transB)")
        // Columns 0..<70 and 70..<150 of C: op(B)'s columns start at b + j (or b + j·ldb).
        let left = Shape(m: s.m, n: 70, k: s.k)
        let right = Shape(m: s.m, n: s.n - 70, k: s.k)
        let leftC = Self.run(
          Float.self, isa: isa, left, transA: transA, transB: transB, alpha: 1, beta: 1, o)
        var rightO = o
        rightO.b =
          transB
          ? Array(o.b[(70 * o.ldb)...])
          : o.b.enumerated().filter { $0.offset % o.ldb >= 70 }.map(\.element)
        rightO.ldb = transB ? o.ldb : o.ldb - 70
        rightO.c = o.c.enumerated().filter { $0.offset % o.ldc >= 70 }.map(\.element)
        rightO.ldc = o.ldc - 70
        let rightC = Self.run(
          Float.self, isa: isa, right, transA: transA, transB: transB, alpha: 1, beta: 1, rightO)
        var byColumns = leftC
        for r in 0..<s.m {
          for j in 70..<s.n { byColumns[r * o.ldc + j] = rightC[r * rightO.ldc + j - 70] }
        }
        #expect(byColumns == whole, "\(isa) column split tA \(transA) tB \(transB)")
      }
    }
  }

  /// Who gets the products, per machine: the rule of `GemmBackend.selected`.
  @Test func backendRule() {
    typealias G = GemmBackend
    let mixed = G.kernelsForLargeMixed(.avx512)
    #expect(G.choose(isa: .avx512, openBLASCore: "SkylakeX", requested: nil) == mixed)
    #expect(G.choose(isa: .avx512, openBLASCore: "Cooperlake", requested: nil) == mixed)
    #expect(G.choose(isa: .avx512, openBLASCore: "Haswell", requested: nil) == .kernels(.avx512))
    #expect(G.choose(isa: .avx512, openBLASCore: "Zen", requested: nil) == .kernels(.avx512))
    #expect(G.choose(isa: .avx2, openBLASCore: "Zen", requested: nil) == .openBLAS)
    #expect(G.choose(isa: .avx2, openBLASCore: "Haswell", requested: "dlspec") == .kernels(.avx2))
    #expect(
      G.choose(isa: .avx512, openBLASCore: "SkylakeX", requested: "dlspec") == .kernels(.avx512))
    #expect(G.choose(isa: .avx512, openBLASCore: "Haswell", requested: "openblas") == .openBLAS)
    #expect(G.choose(isa: nil, openBLASCore: "Haswell", requested: "dlspec") == .openBLAS)
    // Beside OpenBLAS's AVX-512 kernels: a dense layer's x·Wᵀ and dyᵀ·x at batch 100, not its
    // dy·W (A·B) nor products below 2²¹ multiply-adds.
    #expect(mixed.isa(transA: false, transB: true, m: 100, n: 500, k: 784) == .avx512)
    #expect(mixed.isa(transA: true, transB: false, m: 500, n: 784, k: 100) == .avx512)
    #expect(mixed.isa(transA: false, transB: false, m: 100, n: 784, k: 500) == nil)
    #expect(mixed.isa(transA: true, transB: true, m: 100, n: 784, k: 500) == nil)
    #expect(mixed.isa(transA: true, transB: false, m: 140, n: 130, k: 32) == nil)
    #expect(mixed.isa(transA: false, transB: true, m: 128, n: 128, k: 128) == .avx512)
    #expect(mixed.isa(transA: false, transB: true, m: 128, n: 128, k: 127) == nil)
    #expect(G.kernels(.avx2).isa(transA: true, transB: false, m: 16, n: 128, k: 32) == .avx2)
    #expect(G.openBLAS.isa(transA: false, transB: true, m: 100, n: 500, k: 784) == nil)
  }
}
