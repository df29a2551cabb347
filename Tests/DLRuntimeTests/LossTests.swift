import DLRuntime
import Testing

@Suite struct LossTests {
  /// Logits [1, 2, 3] twice, labels 2 and 0. By hand: softmax = e^u / Σe^u =
  /// [0.0900306, 0.2447285, 0.6652410]; −log p₂ = 0.4076060, −log p₀ = 2.4076060; mean 1.4076060.
  /// Gradient (p − e(y)) / N with N = 2.
  func softmaxCrossEntropyByHand<T: DLScalar>(_ type: T.Type) {
    let logits = Tensor<T>(shape: [2, 3], values: [1, 2, 3, 1, 2, 3])
    var labels: [Int32] = [2, 0]
    let gradient = Tensor<T>(shape: [2, 3])
    let probabilities = Tensor<T>(shape: [2, 3])
    let loss = Loss.softmaxCrossEntropy(
      logits: logits.pointer, labels: &labels, batch: 2, classes: 3,
      dLogits: gradient.pointer, probabilities: probabilities.pointer)
    let p = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]
    #expect(abs(Double(loss) - 1.40760596444438) < tolerance(T.self))
    expectClose(doubles(probabilities), p + p, tolerance: tolerance(T.self), "probabilities")
    expectClose(
      doubles(gradient),
      [
        0.04501528658519023, 0.12236423552739883, -0.16737952211258905,
        -0.4549847134148098, 0.12236423552739883, 0.33262047788741095,
      ],
      tolerance: tolerance(T.self), "dLogits")
  }

  @Test func softmaxCrossEntropyHandComputed() {
    softmaxCrossEntropyByHand(Float.self)
    softmaxCrossEntropyByHand(Double.self)
  }

  @Test func softmaxCrossEntropyIsStable() {
    let logits = Tensor<Float>(shape: [1, 3], values: [-1000, 0, 1000])
    var label: Int32 = 0
    let loss = Loss.softmaxCrossEntropy(
      logits: logits.pointer, labels: &label, batch: 1, classes: 3)
    #expect(loss == 2000)
  }

  static let (batch, classes) = (3, 4)
  static let labels: [Int32] = [1, 3, 0]

  /// One loss under test: evaluates mean loss and writes the gradient for a given input.
  enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case softmaxCrossEntropy, crossEntropy, negativeLogLikelihood
    case squaredErrorDense, squaredErrorOneHot, absoluteErrorDense, absoluteErrorOneHot
    var testDescription: String { rawValue }

    /// Loss at `z`; writes the gradient into `gradient` if given.
    func evaluate(_ z: [Double], gradient: UnsafeMutablePointer<Double>?) -> Double {
      let (n, k) = (LossTests.batch, LossTests.classes)
      let targets = randomValues(n * k, seed: 60)
      var labels = LossTests.labels
      return z.withUnsafeBufferPointer { zb in
        targets.withUnsafeBufferPointer { tb in
          let z = zb.baseAddress.unsafelyUnwrapped
          let t = tb.baseAddress.unsafelyUnwrapped
          switch self {
          case .softmaxCrossEntropy:
            return Loss.softmaxCrossEntropy(
              logits: z, labels: &labels, batch: n, classes: k, dLogits: gradient)
          case .crossEntropy:
            return Loss.crossEntropy(
              probabilities: z, labels: &labels, batch: n, classes: k, dProbabilities: gradient)
          case .negativeLogLikelihood:
            return Loss.negativeLogLikelihood(
              logProbabilities: z, labels: &labels, batch: n, classes: k,
              dLogProbabilities: gradient)
          case .squaredErrorDense:
            return Loss.squaredError(
              predictions: z, targets: t, batch: n, classes: k, dPredictions: gradient)
          case .squaredErrorOneHot:
            return Loss.squaredError(
              predictions: z, labels: &labels, batch: n, classes: k, dPredictions: gradient)
          case .absoluteErrorDense:
            return Loss.absoluteError(
              predictions: z, targets: t, batch: n, classes: k, dPredictions: gradient)
          case .absoluteErrorOneHot:
            return Loss.absoluteError(
              predictions: z, labels: &labels, batch: n, classes: k, dPredictions: gradient)
          }
        }
      }
    }
  }

  @Test(arguments: Kind.allCases)
  func gradientMatchesCentralDifferences(_ kind: Kind) {
    let count = Self.batch * Self.classes
    // Probabilities must be positive for −log; other losses take any real input.
    let z = randomValues(count, seed: 61, low: kind == .crossEntropy ? 0.1 : -2, high: 1)
    let gradient = Tensor<Double>(shape: [count])
    gradient.fill(.nan)
    _ = kind.evaluate(z, gradient: gradient.pointer)
    let numeric = numericGradient(z) { kind.evaluate($0, gradient: nil) }
    expectGradient(gradient.array, numeric, kind.rawValue)
  }

  @Test func valuesOfSimpleLosses() {
    // One sample, classes 3, label 1, predictions [0.5, 0.25, -1].
    var label: Int32 = 1
    var z: [Double] = [0.5, 0.25, -1]
    var targets: [Double] = [0, 1, 0]
    let d = Tensor<Double>(shape: [3])
    #expect(Loss.squaredError(predictions: &z, labels: &label, batch: 1, classes: 3) == 1.8125)
    #expect(
      Loss.squaredError(predictions: &z, targets: &targets, batch: 1, classes: 3) == 1.8125)
    #expect(
      Loss.absoluteError(
        predictions: &z, labels: &label, batch: 1, classes: 3, dPredictions: d.pointer) == 2.25)
    #expect(d.array == [1, -1, -1])
    // The L1 subgradient at an exact match is 0.
    var exact: [Double] = [0, 1, 0]
    _ = Loss.absoluteError(
      predictions: &exact, labels: &label, batch: 1, classes: 3, dPredictions: d.pointer)
    #expect(d.array == [0, 0, 0])
    // Cross-entropy clamps a zero probability instead of returning infinity.
    var zeroProbability: [Float] = [1, 0, 0]
    let clamped = Loss.crossEntropy(
      probabilities: &zeroProbability, labels: &label, batch: 1, classes: 3)
    #expect(clamped.isFinite && abs(Double(clamped) + Double.log(Loss.probabilityFloor)) < 1e-4)
    var logProbabilities: [Double] = [-1, -2, -3]
    #expect(
      Loss.negativeLogLikelihood(
        logProbabilities: &logProbabilities, labels: &label, batch: 1, classes: 3) == 2)
  }

  @Test func argmaxAndAccuracy() {
    var scores: [Float] = [0.1, 0.7, 0.2, 5, 5, 1, -1, -2, -0.5]
    var labels: [Int32] = [1, 1, 2]
    var predictions = [Int32](repeating: -1, count: 3)
    Metrics.argmax(scores: &scores, batch: 3, classes: 3, predictions: &predictions)
    #expect(predictions == [1, 0, 2])  // ties pick the first index
    #expect(Metrics.correctCount(scores: &scores, labels: &labels, batch: 3, classes: 3) == 2)
  }
}
