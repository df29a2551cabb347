import DLRuntime
import Testing

/// `DenseKernel.backwardApplyingSGD` against plain loops: W − rate·dy xᵀ, b − rate·dy,
/// dx = Wᵀdy with the old W, and the squared gradient norm Σ(dy_i x_j)² + Σ dy_i².
@Suite struct DenseSGDTests {
  static let (inFeatures, outFeatures, rate) = (37, 5, 0.3)

  func matchesLoops<T: DLScalar>(_ type: T.Type, bias hasBias: Bool) {
    let (i, o, rate) = (Self.inFeatures, Self.outFeatures, Self.rate)
    let xs = randomValues(i, seed: 40)
    let ws = randomValues(o * i, seed: 41)
    let bs = randomValues(o, seed: 42)
    let dys = randomValues(o, seed: 43)
    let (x, w, b, dy) = (
      tensor(T.self, [1, i], xs), tensor(T.self, [o, i], ws), tensor(T.self, [o], bs),
      tensor(T.self, [1, o], dys)
    )
    let dx = Tensor<T>(shape: [1, i])
    dx.fill(T.nan)  // overwritten, never read
    let squared = DenseKernel.backwardApplyingSGD(
      x: x.pointer, weight: w.pointer, bias: hasBias ? b.pointer : nil, dy: dy.pointer,
      dx: dx.pointer, inFeatures: i, outFeatures: o, rate: T(rate))
    var expectedW = ws
    var expectedDx = [Double](repeating: 0, count: i)
    var expectedNorm = 0.0
    for r in 0..<o {
      for c in 0..<i {
        expectedDx[c] += dys[r] * ws[r * i + c]
        expectedW[r * i + c] -= rate * dys[r] * xs[c]
        expectedNorm += (dys[r] * xs[c]) * (dys[r] * xs[c])
      }
      if hasBias { expectedNorm += dys[r] * dys[r] }
    }
    let label = "\(T.self), bias \(hasBias)"
    expectClose(doubles(w), expectedW, tolerance: tolerance(T.self), "W, \(label)")
    expectClose(doubles(dx), expectedDx, tolerance: tolerance(T.self), "dx, \(label)")
    if hasBias {
      expectClose(
        doubles(b), (0..<o).map { bs[$0] - rate * dys[$0] }, tolerance: tolerance(T.self),
        "b, \(label)")
    } else {
      #expect(doubles(b) == bs.map { Double(T($0)) }, "b untouched without bias, \(label)")
    }
    expectClose([squared], [expectedNorm], tolerance: tolerance(T.self), "norm², \(label)")
  }

  @Test(arguments: [true, false])
  func matchesPlainLoops(bias: Bool) {
    matchesLoops(Float.self, bias: bias)
    matchesLoops(Double.self, bias: bias)
  }

  /// A gradient that is not finite leaves the layer as it was: nothing to undo after a fault.
  @Test func aNonFiniteGradientTouchesNothing() {
    let x = Tensor<Float>(shape: [1, 3], values: [1, 2, 3])
    let w = Tensor<Float>(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let b = Tensor<Float>(shape: [2], values: [7, 8])
    let dy = Tensor<Float>(shape: [1, 2], values: [.infinity, 1])
    let dx = Tensor<Float>(shape: [1, 3], values: [9, 9, 9])
    let squared = DenseKernel.backwardApplyingSGD(
      x: x.pointer, weight: w.pointer, bias: b.pointer, dy: dy.pointer, dx: dx.pointer,
      inFeatures: 3, outFeatures: 2, rate: 0.1)
    #expect(!squared.isFinite)
    #expect(w.array == [1, 2, 3, 4, 5, 6])
    #expect(b.array == [7, 8])
    #expect(dx.array == [9, 9, 9])
  }
}
