import DLSpecTestSupport
import Testing

@testable import DLRuntime

@Suite struct BLASTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var transA: Bool
    var transB: Bool
    var testDescription: String { "transA \(transA) transB \(transB)" }
  }

  static let cases = [false, true].flatMap { a in
    [false, true].map { Case(transA: a, transB: $0) }
  }

  func gemmMatchesReference<T: DLScalar>(
    _ type: T.Type, _ c: Case, m: Int = 7, n: Int = 5, k: Int = 9, beta: Double = 2
  ) {
    let a = randomValues(m * k, seed: 1)
    let b = randomValues(k * n, seed: 2)
    let initial = randomValues(m * n, seed: 3)
    let ta = tensor(T.self, [m * k], a)
    let tb = tensor(T.self, [k * n], b)
    let tc = tensor(T.self, [m, n], initial)
    // C = 0.5·op(A)·op(B) + 2·C exercises both scalars.
    BLAS.gemm(
      transA: c.transA, transB: c.transB, m: m, n: n, k: k, alpha: T(0.5),
      a: ta.pointer, lda: c.transA ? m : k, b: tb.pointer, ldb: c.transB ? k : n,
      beta: T(beta), c: tc.pointer, ldc: n)
    let product = Reference.matmul(a, b, m: m, n: n, k: k, transA: c.transA, transB: c.transB)
    let expected = zip(product, initial).map { 0.5 * $0 + beta * $1 }
    expectClose(
      doubles(tc), expected, tolerance: tolerance(T.self), "gemm \(T.self) \(m)×\(n)×\(k) β \(beta)"
    )
  }

  @Test(arguments: cases)
  func gemm(_ c: Case) {
    gemmMatchesReference(Float.self, c)
    gemmMatchesReference(Double.self, c)
  }

  /// m, n or k = 1 go through GEMV/GER (and a direct outer product for β = 0).
  @Test(arguments: cases)
  func thinShapes(_ c: Case) {
    for (m, n, k) in [(1, 5, 9), (7, 1, 9), (7, 5, 1), (1, 1, 4), (1, 6, 1)] {
      for beta in [0.0, 1.0, 2.0] {
        gemmMatchesReference(Float.self, c, m: m, n: n, k: k, beta: beta)
        gemmMatchesReference(Double.self, c, m: m, n: n, k: k, beta: beta)
      }
    }
  }

  /// Large products split into row or column blocks across the worker pool, by OpenBLAS and by
  /// every own-GEMM ISA this CPU runs; the own GEMM's split gives the bits of the whole product.
  /// Called directly with 2 workers: `setThreads` is global and would change other tests'
  /// arithmetic.
  @Test(arguments: cases)
  func splitAcrossWorkers(_ c: Case) {
    let isas: [KernelISA?] = [nil] + GemmKernelTests.isas
    for (m, n, k) in [(130, 140, 150), (6, 400, 900), (300, 140, 60)] {
      let a = randomValues(m * k, seed: 4)
      let b = randomValues(k * n, seed: 5)
      let ta = tensor(Double.self, [m * k], a)
      let tb = tensor(Double.self, [k * n], b)
      let expected = Reference.matmul(a, b, m: m, n: n, k: k, transA: c.transA, transB: c.transB)
      for isa in isas {
        func product(workers: Int) -> [Double] {
          let tc = tensor(Double.self, [m, n], [Double](repeating: .nan, count: m * n))
          BLAS.split(
            workers: workers, isa: isa, transA: c.transA, transB: c.transB, m: m, n: n, k: k,
            alpha: 1, a: ta.pointer, lda: c.transA ? m : k, b: tb.pointer,
            ldb: c.transB ? k : n, beta: 0, c: tc.pointer, ldc: n)
          return doubles(tc)
        }
        let split = product(workers: 2)
        let label = "split \(m)×\(n)×\(k) \(isa.map { "\($0)" } ?? "openblas")"
        expectClose(split, expected, tolerance: 1e-9, label)
        if isa != nil { #expect(split == product(workers: 1), "\(label): bits differ from whole") }
      }
    }
  }

  @Test func axpyAndScal() {
    let x = Tensor<Double>(shape: [3], values: [1, 2, 3])
    let y = Tensor<Double>(shape: [3], values: [10, 20, 30])
    BLAS.axpy(count: 3, alpha: -2, x: x.pointer, y: y.pointer)
    #expect(y.array == [8, 16, 24])
    BLAS.scal(count: 3, alpha: 0.5, x: y.pointer)
    #expect(y.array == [4, 8, 12])
  }

  @Test func coreName() {
    #expect(!BLAS.coreName.isEmpty)
  }
}
