import DLRuntime
import DLSpecTestSupport
import Testing

@Suite struct BLASTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var transA: Bool
    var transB: Bool
    var testDescription: String { "transA \(transA) transB \(transB)" }
  }

  static let cases = [false, true].flatMap { a in
    [false, true].map { Case(transA: a, transB: $0) }
  }

  func gemmMatchesReference<T: DLScalar>(_ type: T.Type, _ c: Case) {
    let (m, n, k) = (7, 5, 9)
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
      beta: T(2), c: tc.pointer, ldc: n)
    let product = Reference.matmul(a, b, m: m, n: n, k: k, transA: c.transA, transB: c.transB)
    let expected = zip(product, initial).map { 0.5 * $0 + 2 * $1 }
    expectClose(doubles(tc), expected, tolerance: tolerance(T.self), "gemm \(T.self)")
  }

  @Test(arguments: cases)
  func gemm(_ c: Case) {
    gemmMatchesReference(Float.self, c)
    gemmMatchesReference(Double.self, c)
  }

  @Test func axpyAndScal() {
    let x = Tensor<Double>(shape: [3], values: [1, 2, 3])
    let y = Tensor<Double>(shape: [3], values: [10, 20, 30])
    BLAS.axpy(count: 3, alpha: -2, x: x.pointer, y: y.pointer)
    #expect(y.array == [8, 16, 24])
    BLAS.scal(count: 3, alpha: 0.5, x: y.pointer)
    #expect(y.array == [4, 8, 12])
  }

  @Test func threadsAndCore() {
    let before = BLAS.threads
    BLAS.setThreads(1)
    #expect(BLAS.threads == 1)
    BLAS.setThreads(before)
    #expect(BLAS.threads == before)
    #expect(!BLAS.coreName.isEmpty)
  }
}
