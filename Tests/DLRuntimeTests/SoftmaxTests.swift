import DLRuntime
import DLSpecTestSupport
import Testing

@Suite struct SoftmaxTests {
  static let (rows, columns) = (4, 5)

  func forwardMatches<T: DLScalar>(_ type: T.Type) {
    let xs = randomValues(Self.rows * Self.columns, seed: 50, low: -3, high: 3)
    let x = tensor(T.self, [Self.rows, Self.columns], xs)
    let y = Tensor<T>(shape: [Self.rows, Self.columns])
    let expected = Reference.softmax(doubles(x), rows: Self.rows, columns: Self.columns)
    SoftmaxKernel.forward(x: x.pointer, y: y.pointer, rows: Self.rows, columns: Self.columns)
    expectClose(doubles(y), expected, tolerance: tolerance(T.self), "softmax \(T.self)")
    LogSoftmaxKernel.forward(x: x.pointer, y: y.pointer, rows: Self.rows, columns: Self.columns)
    expectClose(
      doubles(y), expected.map { Double.log($0) }, tolerance: tolerance(T.self),
      "log_softmax \(T.self)")
  }

  @Test func forward() {
    forwardMatches(Float.self)
    forwardMatches(Double.self)
  }

  @Test func stableForLargeLogits() {
    // Naive exp(1000) overflows; the max-subtracted forms must not.
    let x = Tensor<Float>(shape: [1, 3], values: [1000, 1001, 1002])
    let y = Tensor<Float>(shape: [1, 3])
    SoftmaxKernel.forward(x: x.pointer, y: y.pointer, rows: 1, columns: 3)
    expectClose(
      doubles(y), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219],
      tolerance: 1e-6, "softmax")
    LogSoftmaxKernel.forward(x: x.pointer, y: y.pointer, rows: 1, columns: 3)
    #expect(y.array.allSatisfy { $0.isFinite })
    expectClose(
      doubles(y), [-2.40760596444438, -1.40760596444438, -0.4076059644443803],
      tolerance: 1e-6, "log_softmax")
  }

  @Test(arguments: [false, true])
  func backwardMatchesCentralDifferences(log: Bool) {
    let (r, c) = (Self.rows, Self.columns)
    let xs = randomValues(r * c, seed: 51, low: -2, high: 2)
    let up = randomValues(r * c, seed: 52)
    let x = Tensor<Double>(shape: [r, c], values: xs)
    let y = Tensor<Double>(shape: [r, c])
    let dy = Tensor<Double>(shape: [r, c], values: up)
    let dx = Tensor<Double>(shape: [r, c])
    if log {
      LogSoftmaxKernel.forward(x: x.pointer, y: y.pointer, rows: r, columns: c)
      LogSoftmaxKernel.backward(y: y.pointer, dy: dy.pointer, dx: dx.pointer, rows: r, columns: c)
    } else {
      SoftmaxKernel.forward(x: x.pointer, y: y.pointer, rows: r, columns: c)
      SoftmaxKernel.backward(y: y.pointer, dy: dy.pointer, dx: dx.pointer, rows: r, columns: c)
    }
    let numeric = numericGradient(xs) { theta in
      let p = Reference.softmax(theta, rows: r, columns: c)
      return weightedSum(log ? p.map { Double.log($0) } : p, up)
    }
    expectGradient(dx.array, numeric, log ? "log_softmax" : "softmax")
  }
}
