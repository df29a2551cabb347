import DLRuntime
import Testing

/// The element-wise loops of `ActivationKernel` (relu's in C) against the scalar definitions,
/// bit for bit: the bias + σ epilogue `σ(y + b)`, forward `σ(x)` and backward `dy · σ'(y)`, at
/// lengths with and without a vector tail, in place and not, with NaN and −0.
@Suite struct ActivationLoopsTests {
  func matchesScalar<T: DLScalar, F: ActivationFunction>(
    _ type: T.Type, _ function: F.Type, _ t: T, columns: Int
  ) {
    let rows = 3
    var values = randomValues(rows * columns, seed: UInt64(columns)).map { T($0 * 4) }
    values[0] = T.nan
    values[min(1, values.count - 1)] = -0.0
    let bias = randomValues(columns, seed: 99).map { T($0) }
    let y = Tensor<T>(shape: [rows, columns], values: values)
    let b = Tensor<T>(shape: [columns], values: bias)
    ActivationKernel(F.self, t).biasForward(b.pointer, y.pointer, rows, columns)
    for r in 0..<rows {
      for j in 0..<columns {
        let expected = F.value(values[r * columns + j] + bias[j], t)
        let actual = y.array[r * columns + j]
        #expect(
          Double(actual).bitPattern == Double(expected).bitPattern
            || (actual.isNaN && expected.isNaN),
          "\(F.self) \(T.self) [\(r), \(j)] of \(columns): \(actual) vs \(expected)")
      }
    }
  }

  @Test(arguments: [1, 7, 8, 21, 64])
  func vectorEpilogueIsTheScalarOne(columns: Int) {
    for t in [Float(0), 1.5] {
      matchesScalar(Float.self, ReLUFunction.self, t, columns: columns)
      matchesScalar(Float.self, IdentityFunction.self, t, columns: columns)
      matchesScalar(Float.self, TanhFunction.self, t, columns: columns)
      matchesScalar(Float.self, ClippedReLUFunction.self, t, columns: columns)
    }
    matchesScalar(Double.self, ReLUFunction.self, 0, columns: columns)
    matchesScalar(Double.self, SigmoidFunction.self, 0, columns: columns)
  }

  func reluLoopsMatch<T: DLScalar>(_ type: T.Type, count: Int, inPlace: Bool) {
    var x = randomValues(count, seed: UInt64(count) + 7).map { T($0) }
    if count > 2 { (x[0], x[1], x[2]) = (T.nan, -0.0, 0) }
    let dyValues = randomValues(count, seed: 5).map { T($0) }
    let kernel = ActivationKernel(ReLUFunction.self, T(0))
    let input = Tensor<T>(shape: [max(count, 1)], values: x + (count == 0 ? [0] : []))
    let output = inPlace ? input : Tensor<T>(shape: [max(count, 1)])
    kernel.forward(input.pointer, output.pointer, count)
    let y = Array(output.array.prefix(count))
    for i in 0..<count {
      let expected = ReLUFunction.value(x[i], T(0))
      #expect(
        Double(y[i]).bitPattern == Double(expected).bitPattern,
        "relu \(T.self) [\(i)] of \(count): \(y[i]) vs \(expected)")
    }
    let dy = Tensor<T>(shape: [max(count, 1)], values: dyValues + (count == 0 ? [0] : []))
    let dx = inPlace ? dy : Tensor<T>(shape: [max(count, 1)])
    kernel.backward(output.pointer, dy.pointer, dx.pointer, count)
    for i in 0..<count {
      let expected = ReLUFunction.gradient(y[i], dyValues[i], T(0))
      #expect(
        Double(dx.array[i]).bitPattern == Double(expected).bitPattern,
        "relu gradient \(T.self) [\(i)] of \(count)")
    }
  }

  @Test(arguments: [0, 1, 3, 4, 5, 17, 1000])
  func reluForwardAndBackwardAreTheScalarOnes(count: Int) {
    for inPlace in [false, true] {
      reluLoopsMatch(Float.self, count: count, inPlace: inPlace)
      reluLoopsMatch(Double.self, count: count, inPlace: inPlace)
    }
  }
}
