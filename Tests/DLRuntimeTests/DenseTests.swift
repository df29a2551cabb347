import DLRuntime
import DLSpecTestSupport
import Testing

@Suite struct DenseTests {
  static let (batch, inFeatures, outFeatures) = (4, 6, 3)

  func forwardMatches<T: DLScalar>(_ type: T.Type, activation: TestActivation) {
    let (n, i, o) = (Self.batch, Self.inFeatures, Self.outFeatures)
    let xs = randomValues(n * i, seed: 20)
    let ws = randomValues(o * i, seed: 21)
    let bs = randomValues(o, seed: 22)
    let x = tensor(T.self, [n, i], xs)
    let w = tensor(T.self, [o, i], ws)
    let b = tensor(T.self, [o], bs)
    let y = Tensor<T>(shape: [n, o])
    y.fill(T.nan)  // beta = 0 must not read y
    DenseKernel.forward(
      x: x.pointer, weight: w.pointer, bias: b.pointer, y: y.pointer, batch: n,
      inFeatures: i, outFeatures: o, activation: activation.kernel(T.self))
    let z = Reference.matmul(xs, ws, m: n, n: o, k: i, transB: true)
    let expected = z.indices.map {
      ActivationTests.reference(activation, z[$0] + bs[$0 % o])
    }
    expectClose(doubles(y), expected, tolerance: tolerance(T.self), "dense \(T.self)")
  }

  @Test(arguments: [TestActivation.identity, .relu, .tanh, .sigmoid])
  func forward(_ activation: TestActivation) {
    forwardMatches(Float.self, activation: activation)
    forwardMatches(Double.self, activation: activation)
  }

  @Test func forwardWithoutBias() {
    let x = Tensor<Double>(shape: [1, 2], values: [1, 2])
    let w = Tensor<Double>(shape: [2, 2], values: [1, 0, 3, 4])
    let y = Tensor<Double>(shape: [1, 2])
    DenseKernel.forward(
      x: x.pointer, weight: w.pointer, bias: nil, y: y.pointer, batch: 1, inFeatures: 2,
      outFeatures: 2)
    #expect(y.array == [1, 11])
  }

  /// The loss Σ w ⊙ (x·Wᵀ + b) as a function of one of x, W, b.
  static func loss(x: [Double], w: [Double], b: [Double], upstream: [Double]) -> Double {
    let (n, i, o) = (batch, inFeatures, outFeatures)
    let z = Reference.matmul(x, w, m: n, n: o, k: i, transB: true)
    return weightedSum(z.indices.map { z[$0] + b[$0 % o] }, upstream)
  }

  @Test(arguments: [false, true])
  func backwardMatchesCentralDifferences(accumulate: Bool) {
    let (n, i, o) = (Self.batch, Self.inFeatures, Self.outFeatures)
    let xs = randomValues(n * i, seed: 23)
    let ws = randomValues(o * i, seed: 24)
    let bs = randomValues(o, seed: 25)
    let up = randomValues(n * o, seed: 26)
    let x = Tensor<Double>(shape: [n, i], values: xs)
    let w = Tensor<Double>(shape: [o, i], values: ws)
    let dy = Tensor<Double>(shape: [n, o], values: up)
    let dx = Tensor<Double>(shape: [n, i])
    let dw = Tensor<Double>(shape: [o, i])
    let db = Tensor<Double>(shape: [o])
    // Pre-existing gradient contents: kept with `accumulate`, discarded otherwise.
    dw.fill(accumulate ? 1 : .nan)
    db.fill(accumulate ? 1 : .nan)
    DenseKernel.backward(
      x: x.pointer, weight: w.pointer, dy: dy.pointer, dx: dx.pointer, dWeight: dw.pointer,
      dBias: db.pointer, batch: n, inFeatures: i, outFeatures: o, accumulate: accumulate)
    let offset = accumulate ? 1.0 : 0.0
    expectGradient(
      dx.array, numericGradient(xs) { Self.loss(x: $0, w: ws, b: bs, upstream: up) }, "dx")
    expectGradient(
      dw.array.map { $0 - offset },
      numericGradient(ws) { Self.loss(x: xs, w: $0, b: bs, upstream: up) }, "dW")
    expectGradient(
      db.array.map { $0 - offset },
      numericGradient(bs) { Self.loss(x: xs, w: ws, b: $0, upstream: up) }, "db")
  }
}
