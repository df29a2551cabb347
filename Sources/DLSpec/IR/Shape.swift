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

/// A parameter tensor of a layer: `weight` [out, in] or [F, C, ky, kx], `bias` [out].
public struct ParameterShape: Hashable, Sendable {
  public var name: String
  public var shape: Shape
  /// Inputs feeding one output unit; the scale of the notes' N(0,1)/√fan_in initialisation.
  public var fanIn: Int
  public var fanOut: Int

  public init(_ name: String, _ shape: Shape, fanIn: Int, fanOut: Int) {
    self.name = name
    self.shape = shape
    self.fanIn = fanIn
    self.fanOut = fanOut
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
