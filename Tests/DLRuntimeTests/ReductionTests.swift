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
      // Summed in Double from the stored values: as exact as the plain Double loop.
      #expect(
        abs(Reduction.squaredNormInDouble(x.pointer, count: count) - squares)
          <= 1e-12 * max(1, squares))
      #expect(
        Double(Reduction.maxMagnitude(x.pointer, count: count))
          == exact.map(abs).max() ?? 0)
    }
  }

  @Test func matchPlainLoops() {
    matchesLoops(Float.self)
    matchesLoops(Double.self)
  }

  /// Float gradients of 1e20 square to 1e40, beyond Float: the Double sum keeps them.
  @Test func squaredNormInDoubleDoesNotOverflowFloat() {
    let x = Tensor<Float>(shape: [9], values: [Float](repeating: 1e20, count: 9))
    #expect(!Reduction.sumOfSquares(x.pointer, count: 9).isFinite)
    let wide = Reduction.squaredNormInDouble(x.pointer, count: 9)
    let exact = 9 * Double(Float(1e20)) * Double(Float(1e20))
    #expect(abs(wide - exact) <= 1e-15 * exact)
  }
}
