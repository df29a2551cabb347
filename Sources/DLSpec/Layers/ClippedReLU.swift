import DLRuntime

/// `clipped_relu`: min(max(z, 0), t) element-wise (problem 3.4); gradient 1 on 0 < z < t.
///
/// ```yaml
/// - clipped_relu: {t: 6}
/// ```
public struct ClippedReLU: ActivationLayerKind {
  public static let name = "clipped_relu"
  public static let summary = "ReLU clipped at t: min(max(z, 0), t)"
  public static let params = [
    ParamSpec(
      "t", .number(min: 0, max: nil, exclusiveMin: true, exclusiveMax: false),
      default: .number(1), doc: "the clipping threshold t > 0")
  ]

  public var t: Double

  public init?(_ values: ParamValues, at location: SourceLocation, bag: inout DiagnosticBag) {
    guard let t = values.number("t") else { return nil }
    self.t = t
  }

  /// Dead where z ≤ 0, as ReLU (the clipped side z ≥ t is not counted).
  public var saturation: Saturation? { .nonPositive }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func activation<T: DLScalar>(_ type: T.Type) -> ActivationKernel<T> {
    ActivationKernel(ClippedReLUFunction.self, T(t))
  }
}
