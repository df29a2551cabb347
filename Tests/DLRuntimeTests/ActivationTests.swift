import DLRuntime
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ActivationTests {
  static let kinds: [TestActivation] = [
    .identity, .relu, .tanh, .sigmoid, .clippedReLU(threshold: 0.5),
  ]

  /// The textbook σ in Double, the reference for `forward`.
  static func reference(_ kind: TestActivation, _ z: Double) -> Double {
    switch kind {
    case .identity: return z
    case .relu: return max(z, 0)
    case .tanh: return Glibc.tanh(z)
    case .sigmoid: return 1 / (1 + Glibc.exp(-z))
    case .clippedReLU(let t): return min(max(z, 0), t)
    }
  }

  /// True near a kink, where central differences straddle two slopes.
  static func nearKink(_ kind: TestActivation, _ z: Double) -> Bool {
    switch kind {
    case .relu: return abs(z) < 10 * gradientStep
    case .clippedReLU(let t): return abs(z) < 10 * gradientStep || abs(z - t) < 10 * gradientStep
    default: return false
    }
  }

  func forwardMatches<T: DLScalar>(_ type: T.Type, _ kind: TestActivation) {
    let z = randomValues(101, seed: 7, low: -3, high: 3) + [0, 0.5, -0.0]
    let x = tensor(T.self, [z.count], z)
    let y = Tensor<T>(shape: [z.count])
    Activation.forward(kind, x: x.pointer, y: y.pointer, count: z.count)
    let expected = doubles(x).map { Self.reference(kind, $0) }
    expectClose(doubles(y), expected, tolerance: tolerance(T.self), "\(kind) \(T.self)")
  }

  @Test(arguments: kinds)
  func forward(_ kind: TestActivation) {
    forwardMatches(Float.self, kind)
    forwardMatches(Double.self, kind)
  }

  @Test(arguments: kinds)
  func backwardMatchesCentralDifferences(_ kind: TestActivation) {
    let z = randomValues(64, seed: 8, low: -2, high: 2)
    let w = randomValues(64, seed: 9)
    let x = Tensor<Double>(shape: [64], values: z)
    let y = Tensor<Double>(shape: [64])
    Activation.forward(kind, x: x.pointer, y: y.pointer, count: 64)
    let dy = Tensor<Double>(shape: [64], values: w)
    let dx = Tensor<Double>(shape: [64])
    Activation.backward(kind, y: y.pointer, dy: dy.pointer, dx: dx.pointer, count: 64)
    let atKink = { (i: Int) in Self.nearKink(kind, z[i]) }
    let numeric = numericGradient(z, skip: atKink) { theta in
      weightedSum(theta.map { Self.reference(kind, $0) }, w)
    }
    expectGradient(dx.array, numeric, "\(kind)")
  }

  @Test func gradientAtKinksIsZero() {
    // relu'(0) = 0 and clipped relu has slope 0 at both 0 and t, by convention.
    let x = Tensor<Float>(shape: [3], values: [0, 0.5, 0.25])
    let y = Tensor<Float>(shape: [3])
    let dy = Tensor<Float>(shape: [3], values: [1, 1, 1])
    let dx = Tensor<Float>(shape: [3])
    Activation.forward(.relu, x: x.pointer, y: y.pointer, count: 1)
    Activation.backward(.relu, y: y.pointer, dy: dy.pointer, dx: dx.pointer, count: 1)
    #expect(dx[0] == 0)
    Activation.forward(.clippedReLU(threshold: 0.5), x: x.pointer, y: y.pointer, count: 3)
    Activation.backward(
      .clippedReLU(threshold: 0.5), y: y.pointer, dy: dy.pointer, dx: dx.pointer, count: 3)
    #expect(dx.array == [0, 0, 1])
  }

  @Test func sigmoidIsStableForLargeInputs() {
    let x = Tensor<Float>(shape: [4], values: [-1000, -90, 90, 1000])
    let y = Tensor<Float>(shape: [4])
    Activation.forward(.sigmoid, x: x.pointer, y: y.pointer, count: 4)
    #expect(y.array.allSatisfy { $0.isFinite })
    #expect(y[0] == 0 && y[3] == 1)
  }

  @Test(arguments: kinds)
  func biasForwardEqualsAddThenActivate(_ kind: TestActivation) {
    let (rows, columns) = (5, 7)
    let values = randomValues(rows * columns, seed: 10, low: -2, high: 2)
    let b = randomValues(columns, seed: 11)
    let fused = Tensor<Double>(shape: [rows, columns], values: values)
    let bias = Tensor<Double>(shape: [columns], values: b)
    Activation.biasForward(kind, bias: bias.pointer, y: fused.pointer, rows: rows, columns: columns)
    let expected = values.indices.map { Self.reference(kind, values[$0] + b[$0 % columns]) }
    expectClose(fused.array, expected, tolerance: 1e-12, "bias+\(kind)")
  }

  @Test func largeCountsSplitAcrossCoresMatchSerial() {
    // Above Parallel.threshold the loop is chunked; every element must still be written once.
    let count = Parallel.threshold * 2 + 37
    let values = randomValues(count, seed: 12, low: -3, high: 3)
    let x = tensor(Float.self, [count], values)
    let y = Tensor<Float>(shape: [count])
    Activation.forward(.tanh, x: x.pointer, y: y.pointer, count: count)
    let expected = x.array.map { Float.tanh($0) }
    #expect(y.array == expected)
    let rows = count / 37
    let fused = tensor(Float.self, [rows, 37], Array(values[0..<(rows * 37)]))
    let bias = Tensor<Float>(shape: [37])
    bias.fill(1)
    Activation.biasForward(.relu, bias: bias.pointer, y: fused.pointer, rows: rows, columns: 37)
    #expect(fused.array == x.array[0..<(rows * 37)].map { max($0 + 1, 0) })
  }
}


@Suite struct FastTanhTests {
  @Test func floatTanhIsWithinSevenUlp() {
    // Float.tanh is a rational approximation; compare it with the Double tanh on a dense grid.
    var worst: Float = 0
    for i in -20_000...20_000 {
      let x = Float(i) / 1000
      let exact = Double.tanh(Double(x))
      let error = abs(Double(Float.tanh(x)) - exact)
      worst = max(worst, Float(error / Double(Float(abs(exact)).ulp.nextUp)))
    }
    #expect(worst <= 7)
    #expect(Float.tanh(-0.0).sign == .minus)
    #expect(Float.tanh(100) == Float.tanh(8) && Float.tanh(100) <= 1)
  }
}

@Suite struct FastExpTests {
  @Test func floatExpIsWithinOneUlp() {
    var worst = 0.0
    for i in -87_000...88_000 {
      let x = Float(i) / 1000
      let exact = Double.exp(Double(x))
      worst = max(worst, abs(Double(Float.exp(x)) - exact) / Double(Float(exact).ulp))
    }
    #expect(worst <= 1, "worst error \(worst) ulp")
  }

  @Test func floatExpEdgeCases() {
    #expect(Float.exp(0) == 1)
    #expect(Float.exp(89) == .infinity && Float.exp(.infinity) == .infinity)
    #expect(Float.exp(-200) == 0 && Float.exp(-.infinity) == 0)
    #expect(Float.exp(.nan).isNaN)
    // The subnormal range is reached by rounding, not flushed to zero.
    let tiny = Float.exp(-100)
    #expect(tiny > 0 && tiny.isSubnormal)
    #expect(abs(Double(tiny) - Double.exp(-100)) <= Double(Float.leastNonzeroMagnitude))
  }
}
