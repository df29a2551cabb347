/// The shape of one sample's tensor (no batch dimension): `[784]`, or `[C, H, W]`.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
  public var dims: [Int]

  public init(_ dims: [Int]) { self.dims = dims }

  public var rank: Int { dims.count }

  /// Number of elements, or nil when it overflows `Int` (a hostile spec can ask for that).
  public var count: Int? {
    var n = 1
    for d in dims {
      let (p, overflow) = n.multipliedReportingOverflow(by: d)
      if overflow { return nil }
      n = p
    }
    return n
  }

  /// Element count for shapes already checked to fit (the IR only holds such shapes).
  public var elementCount: Int { count ?? Int.max }

  public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}

/// A trainable parameter tensor of a layer: `weight` [out, in] or [F, C, ky, kx], `bias` [out],
/// batchnorm's `scale` and `shift` [C]; with how `Plan.initialize` fills it.
public struct ParameterShape: Hashable, Sendable {
  public enum Initial: Hashable, Sendable {
    /// Drawn by the spec's `train.init` scheme from fan-in and fan-out (weights).
    case scheme
    /// Every element set to this value (biases 0, batchnorm's scale 1).
    case constant(Double)
  }

  public var name: String
  public var shape: Shape
  /// Inputs feeding one output unit; the scale of the notes' N(0,1)/√fan_in initialisation.
  public var fanIn: Int
  public var fanOut: Int
  public var initial: Initial

  public init(_ name: String, _ shape: Shape, fanIn: Int, fanOut: Int, initial: Initial = .scheme) {
    self.name = name
    self.shape = shape
    self.fanIn = fanIn
    self.fanOut = fanOut
    self.initial = initial
  }
}

/// A persistent, non-trainable tensor of a layer (batchnorm's running mean and variance):
/// planned beside the parameters, set to `initial` by `Plan.initialize`, updated by the layer's
/// training forward, saved in checkpoints under `/state`.
public struct StateShape: Hashable, Sendable {
  public var name: String
  public var shape: Shape
  public var initial: Double

  public init(_ name: String, _ shape: Shape, initial: Double) {
    self.name = name
    self.shape = shape
    self.initial = initial
  }
}

/// Why a layer cannot take the shape it is given.
public struct ShapeProblem: Error, Sendable {
  public var code: DiagnosticCode
  public var message: String
  public var hint: String?

  public init(_ code: DiagnosticCode, _ message: String, hint: String? = nil) {
    self.code = code
    self.message = message
    self.hint = hint
  }
}
