import DLRuntime
import Testing

/// Central-difference step Δ for gradient checks in Double (3.24): truncation error ~Δ², and
/// rounding error ~1e-16/Δ, both far below `gradientTolerance`.
let gradientStep = 1e-5
/// Allowed |analytic − numeric| / max(1, |numeric|) in gradient checks.
let gradientTolerance = 1e-6

/// Deterministic uniform values in `[low, high)`.
func randomValues(_ count: Int, seed: UInt64, low: Double = -1, high: Double = 1) -> [Double] {
  var generator = RandomGenerator(seed: seed)
  return (0..<count).map { _ in low + (high - low) * generator.nextUniform() }
}

/// A tensor of `T` holding `values` rounded to `T`.
func tensor<T: DLScalar>(_ type: T.Type, _ shape: [Int], _ values: [Double]) -> Tensor<T> {
  Tensor<T>(shape: shape, values: values.map { T($0) })
}

/// Elements of a tensor widened to Double.
func doubles<T: DLScalar>(_ t: Tensor<T>) -> [Double] {
  t.array.map { Double($0) }
}

/// Checks `|actual − expected| ≤ tolerance · max(1, |expected|)` element-wise, reporting the
/// largest difference and the first few mismatches (llm.c's `check_tensor`).
func expectClose(
  _ actual: [Double], _ expected: [Double], tolerance: Double, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.count == expected.count, "\(label): \(actual.count) vs \(expected.count) elements",
    sourceLocation: sourceLocation)
  var maxDifference = 0.0
  var mismatches: [String] = []
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    let difference = abs(a - e)
    maxDifference = max(maxDifference, difference)
    if !(difference <= tolerance * max(1, abs(e))) && mismatches.count < 5 {
      mismatches.append("[\(i)] got \(a), want \(e)")
    }
  }
  let firsts = mismatches.joined(separator: "; ")
  #expect(
    mismatches.isEmpty,
    "\(label): max |diff| \(maxDifference); first mismatches: \(firsts)",
    sourceLocation: sourceLocation)
}

/// Numeric gradient of `loss` at `parameters` by central differences (3.24):
/// (f(θ + Δe_i) − f(θ − Δe_i)) / 2Δ. Entries where `skip(i)` is true (kinks) are NaN.
func numericGradient(
  _ parameters: [Double], step: Double = gradientStep, skip: (Int) -> Bool = { _ in false },
  loss: ([Double]) -> Double
) -> [Double] {
  var theta = parameters
  var gradient = [Double](repeating: .nan, count: parameters.count)
  for i in parameters.indices where !skip(i) {
    let saved = theta[i]
    theta[i] = saved + step
    let plus = loss(theta)
    theta[i] = saved - step
    let minus = loss(theta)
    theta[i] = saved
    gradient[i] = (plus - minus) / (2 * step)
  }
  return gradient
}

/// Compares an analytic gradient with `numericGradient`, ignoring skipped (NaN) entries.
func expectGradient(
  _ analytic: [Double], _ numeric: [Double], _ label: String,
  tolerance: Double = gradientTolerance, sourceLocation: SourceLocation = #_sourceLocation
) {
  let kept = numeric.indices.filter { !numeric[$0].isNaN }
  #expect(!kept.isEmpty, "\(label): every entry skipped", sourceLocation: sourceLocation)
  expectClose(
    kept.map { analytic[$0] }, kept.map { numeric[$0] }, tolerance: tolerance, label,
    sourceLocation: sourceLocation)
}

/// Σ_i w_i · y_i: a scalar loss whose gradient with respect to y is w, used to drive backward
/// passes with an arbitrary upstream gradient.
func weightedSum(_ y: [Double], _ w: [Double]) -> Double {
  zip(y, w).reduce(0) { $0 + $1.0 * $1.1 }
}

/// Absolute tolerance for comparing a kernel in `T` with a Double reference.
func tolerance<T: DLScalar>(_ type: T.Type) -> Double {
  T.self == Float.self ? 2e-5 : 1e-12
}

/// The built-in activation functions as test arguments (the runtime has no enum of them: a
/// layer kind brings its `ActivationFunction`, and `ActivationKernel` runs it).
enum TestActivation: Hashable, Sendable, CustomTestStringConvertible {
  case identity
  case relu
  case tanh
  case sigmoid
  case clippedReLU(threshold: Double)

  var testDescription: String { "\(self)" }

  func kernel<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    switch self {
    case .identity: return ActivationKernel(IdentityFunction.self, 0)
    case .relu: return ActivationKernel(ReLUFunction.self, 0)
    case .tanh: return ActivationKernel(TanhFunction.self, 0)
    case .sigmoid: return ActivationKernel(SigmoidFunction.self, 0)
    case .clippedReLU(let t): return ActivationKernel(ClippedReLUFunction.self, T(t))
    }
  }
}

/// The kernels' entry points in the shape the tests were written against.
extension Activation {
  static func forward<T: DLScalar>(
    _ kind: TestActivation, x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, count: Int
  ) {
    kind.kernel(T.self).forward(x, y, count)
  }

  static func backward<T: DLScalar>(
    _ kind: TestActivation, y: UnsafePointer<T>, dy: UnsafePointer<T>,
    dx: UnsafeMutablePointer<T>, count: Int
  ) {
    kind.kernel(T.self).backward(y, dy, dx, count)
  }

  static func biasForward<T: DLScalar>(
    _ kind: TestActivation, bias: UnsafePointer<T>?, y: UnsafeMutablePointer<T>, rows: Int,
    columns: Int
  ) {
    kind.kernel(T.self).biasForward(bias, y, rows, columns)
  }
}
