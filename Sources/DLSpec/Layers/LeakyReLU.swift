import DLRuntime

/// `leaky_relu`: z for z > 0, slope·z otherwise, element-wise; gradient 1 for z > 0 and
/// `slope` for z ≤ 0 (the kink z = 0 takes the slope; gradcheck skips it). Default slope 0.01.
///
/// The gradient is read off the output, as for every activation: with slope ≥ 0, y > 0 iff
/// z > 0, which is why the slope may not be negative.
///
/// ```yaml
/// - leaky_relu: {slope: 0.1}
/// ```
public struct LeakyReLU: ActivationLayerKind {
  public static let name = "leaky_relu"
  public static let summary = "leaky rectifier: z for z > 0, slope·z otherwise"
  public static let params = [
    ParamSpec(
      "slope", .number(min: 0, max: nil, exclusiveMin: false, exclusiveMax: false),
      default: .number(0.01), doc: "the slope for z ≤ 0, at least 0")
  ]

  public var slope: Double

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let slope = values.number("slope") else { return nil }
    self.slope = slope
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    ActivationKernel(LeakyReLUFunction.self, T(slope))
  }
}

/// σ(z) = z > 0 ? z : t·z with t the slope; σ' from y: 1 where y > 0, t elsewhere.
public enum LeakyReLUFunction: ActivationFunction {
  @inlinable @inline(__always)
  public static func value<T: DLScalar>(_ z: T, _ t: T) -> T { z > 0 ? z : t * z }
  @inlinable @inline(__always)
  public static func gradient<T: DLScalar>(_ y: T, _ dy: T, _ t: T) -> T { y > 0 ? dy : t * dy }
}
