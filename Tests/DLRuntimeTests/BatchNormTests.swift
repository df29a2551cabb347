import DLRuntime
import DLSpecTestSupport
import Testing

/// `BatchNormKernel` against plain loops (`Reference.batchNorm`) and central differences.
@Suite struct BatchNormTests {
  static let (n, c, s) = (3, 2, 4)
  static let eps = 1e-3

  struct Run<T: DLScalar> {
    var y: Tensor<T>
    var mean: Tensor<T>
    var variance: Tensor<T>
    var normalized: Tensor<T>
    var inverse: Tensor<T>
  }

  static func train<T: DLScalar>(
    _ type: T.Type, _ xs: [Double], scale: [Double], shift: [Double], momentum: Double
  ) -> Run<T> {
    let count = n * c * s
    let x = tensor(T.self, [count], xs)
    let run = Run(
      y: Tensor<T>(shape: [count]), mean: tensor(T.self, [c], [0.5, -1]),
      variance: tensor(T.self, [c], [1, 2]), normalized: Tensor<T>(shape: [count]),
      inverse: Tensor<T>(shape: [c]))
    let g = tensor(T.self, [c], scale)
    let b = tensor(T.self, [c], shift)
    BatchNormKernel.trainingForward(
      x: x.pointer, y: run.y.pointer, scale: g.pointer, shift: b.pointer,
      runningMean: run.mean.pointer, runningVariance: run.variance.pointer,
      normalized: run.normalized.pointer, inverseDeviation: run.inverse.pointer, batch: n,
      channels: c, spatial: s, momentum: T(momentum), epsilon: T(eps))
    return run
  }

  func forwardMatches<T: DLScalar>(_ type: T.Type) {
    let xs = randomValues(Self.n * Self.c * Self.s, seed: 40, low: -2, high: 3)
    let (scale, shift) = ([1.5, -0.5], [0.25, 1])
    let run = Self.train(T.self, xs, scale: scale, shift: shift, momentum: 0.1)
    let r = Reference.batchNorm(
      xs, n: Self.n, c: Self.c, s: Self.s, scale: scale, shift: shift, eps: Self.eps)
    expectClose(doubles(run.y), r.y, tolerance: tolerance(T.self) * 10, "batchnorm y \(T.self)")
    let mean = [0.9 * 0.5 + 0.1 * r.mean[0], 0.9 * -1 + 0.1 * r.mean[1]]
    let variance = [0.9 * 1 + 0.1 * r.unbiasedVariance[0], 0.9 * 2 + 0.1 * r.unbiasedVariance[1]]
    expectClose(doubles(run.mean), mean, tolerance: tolerance(T.self), "running mean")
    expectClose(doubles(run.variance), variance, tolerance: tolerance(T.self), "running var")
  }

  @Test func trainingForwardMatchesPlainLoops() {
    forwardMatches(Float.self)
    forwardMatches(Double.self)
  }

  @Test func evaluationUsesRunningStatistics() {
    let x = Tensor<Double>(shape: [4], values: [1, 2, 3, 4])
    let y = Tensor<Double>(shape: [4])
    let (g, b) = (
      Tensor<Double>(shape: [2], values: [2, 1]), Tensor<Double>(shape: [2], values: [0, 1])
    )
    let (mean, variance) = (
      Tensor<Double>(shape: [2], values: [1, 0]), Tensor<Double>(shape: [2], values: [4, 1])
    )
    // x as [n = 2, c = 2, s = 1]: channel 0 holds 1 and 3, channel 1 holds 2 and 4.
    BatchNormKernel.evaluationForward(
      x: x.pointer, y: y.pointer, scale: g.pointer, shift: b.pointer, runningMean: mean.pointer,
      runningVariance: variance.pointer, batch: 2, channels: 2, spatial: 1, epsilon: 0)
    #expect(y.array == [0, 3, 2, 5])
  }

  /// Backward of Σ w·y over x, scale and shift, against central differences of the plain loops.
  @Test func backwardMatchesCentralDifferences() {
    let count = Self.n * Self.c * Self.s
    let xs = randomValues(count, seed: 41, low: -2, high: 2)
    let w = randomValues(count, seed: 42)
    let (scale, shift) = ([1.5, -0.5], [0.25, 1])
    let run = Self.train(Double.self, xs, scale: scale, shift: shift, momentum: 0.1)
    let dy = Tensor<Double>(shape: [count], values: w)
    let dx = Tensor<Double>(shape: [count])
    let (dScale, dShift) = (Tensor<Double>(shape: [Self.c]), Tensor<Double>(shape: [Self.c]))
    let g = Tensor<Double>(shape: [Self.c], values: scale)
    BatchNormKernel.backward(
      dy: dy.pointer, normalized: run.normalized.pointer, inverseDeviation: run.inverse.pointer,
      scale: g.pointer, dx: dx.pointer, dScale: dScale.pointer, dShift: dShift.pointer,
      batch: Self.n, channels: Self.c, spatial: Self.s)
    func loss(_ x: [Double], _ scale: [Double], _ shift: [Double]) -> Double {
      let r = Reference.batchNorm(
        x, n: Self.n, c: Self.c, s: Self.s, scale: scale, shift: shift, eps: Self.eps)
      return weightedSum(r.y, w)
    }
    expectGradient(dx.array, numericGradient(xs) { loss($0, scale, shift) }, "dx")
    expectGradient(dScale.array, numericGradient(scale) { loss(xs, $0, shift) }, "dscale")
    expectGradient(dShift.array, numericGradient(shift) { loss(xs, scale, $0) }, "dshift")
  }
}
