import DLRuntime
import Testing

/// The bias + σ epilogue (`ActivationKernel.biasForward`; relu in C) against the scalar
/// definition `σ(y + b)`, bit for bit: widths with and without a tail, relu's NaN and −0.
@Suite struct ActivationRowsTests {
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
}
