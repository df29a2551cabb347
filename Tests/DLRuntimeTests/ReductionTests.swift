import DLRuntime
import Testing

@Suite struct ReductionTests {
  func matchesLoops<T: DLScalar>(_ type: T.Type) {
    for count in [0, 1, 7, 8, 9, 100, 1001] {
      let values = randomValues(count, seed: UInt64(count))
      let x = tensor(T.self, [count], values)
      let exact = doubles(x)
      let sum = exact.reduce(0, +)
      let squares = exact.reduce(0) { $0 + $1 * $1 }
      let tol = tolerance(T.self) * Double(max(count, 1))
      #expect(abs(Double(Reduction.sum(x.pointer, count: count)) - sum) <= tol)
      #expect(abs(Double(Reduction.sumOfSquares(x.pointer, count: count)) - squares) <= tol)
      #expect(
        Double(Reduction.maxMagnitude(x.pointer, count: count))
          == exact.map(abs).max() ?? 0)
    }
  }

  @Test func matchPlainLoops() {
    matchesLoops(Float.self)
    matchesLoops(Double.self)
  }
}
