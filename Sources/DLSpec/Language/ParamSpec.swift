/// The declaration of one key of a spec mapping: its name, type, range, default and meaning.
///
/// Sections and layer kinds declare their keys as `[ParamSpec]`; the same list drives the
/// checker (`ParamReader`), `dlspec inspect` (defaults) and the JSON Schema (`SchemaGenerator`),
/// so the three can never disagree.
public struct ParamSpec: Sendable {
  public var name: String
  public var type: ParamType
  public var defaultValue: ParamValue?
  public var required: Bool
  public var doc: String
  /// The code for a value outside a `.choice` (E016 unless the choice names things, like
  /// datasets, that have their own "unknown" code).
  public var unknownChoiceCode: DiagnosticCode

  public init(
    _ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil,
    required: Bool = false, doc: String, unknownChoiceCode: DiagnosticCode = .outOfRange
  ) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.required = required
    self.doc = doc
    self.unknownChoiceCode = unknownChoiceCode
  }
}

/// What a key accepts. Ranges are inclusive unless `exclusive` says otherwise.
public enum ParamType: Sendable {
  case int(min: Int?, max: Int?)
  case number(min: Double?, max: Double?, exclusiveMin: Bool, exclusiveMax: Bool)
  case bool
  case string
  case choice([String])
  /// An int ≥ min, or a list [y, x] of two such ints (kernel sizes, strides).
  case intPair(min: Int)
  /// An int ≥ 0, a pair [py, px], or the string `same`.
  case padding
  case intList(min: Int?)
  case numberList(min: Double?, exclusiveMin: Bool)
  /// An int or the string `auto` (used for sizes that can be derived).
  case intOrAuto(min: Int)
  /// A name (string) or a 0-based index (integer ≥ 0), e.g. a CSV column.
  case nameOrIndex

  /// Human description used in "expected …" messages.
  public var expected: String {
    switch self {
    case .int(let lo, let hi): return "an integer" + Self.range(lo.map(Double.init), hi.map(Double.init), false, false)
    case .number(let lo, let hi, let el, let eh): return "a number" + Self.range(lo, hi, el, eh)
    case .bool: return "true or false"
    case .string: return "a string"
    case .choice(let options): return "one of " + options.map { "'\($0)'" }.joined(separator: ", ")
    case .intPair(let lo): return "an integer ≥ \(lo) or a list [y, x] of them"
    case .padding: return "an integer ≥ 0, a list [y, x] of them, or 'same'"
    case .intList(let lo): return "a list of integers" + (lo.map { " ≥ \($0)" } ?? "")
    case .numberList(let lo, let ex): return "a list of numbers" + (lo.map { ex ? " > \($0)" : " ≥ \($0)" } ?? "")
    case .intOrAuto(let lo): return "an integer ≥ \(lo) or 'auto'"
    case .nameOrIndex: return "a name or an index ≥ 0"
    }
  }

  static func range(_ lo: Double?, _ hi: Double?, _ el: Bool, _ eh: Bool) -> String {
    let f = ParamValue.format
    switch (lo, hi) {
    case (let l?, let h?): return " in \(el ? "(" : "[")\(f(l)), \(f(h))\(eh ? ")" : "]")"
    case (let l?, nil): return el ? " > \(f(l))" : " ≥ \(f(l))"
    case (nil, let h?): return eh ? " < \(f(h))" : " ≤ \(f(h))"
    case (nil, nil): return ""
    }
  }
}

/// A checked value of a key.
public enum ParamValue: Hashable, Sendable, CustomStringConvertible {
  case int(Int)
  case number(Double)
  case bool(Bool)
  case string(String)
  case pair(Int, Int)
  case same
  case ints([Int])
  case numbers([Double])
  case auto

  public var description: String {
    switch self {
    case .int(let i): return String(i)
    case .number(let d): return Self.format(d)
    case .bool(let b): return String(b)
    case .string(let s): return s
    case .pair(let a, let b): return "[\(a), \(b)]"
    case .same: return "same"
    case .ints(let xs): return "[" + xs.map(String.init).joined(separator: ", ") + "]"
    case .numbers(let xs): return "[" + xs.map(Self.format).joined(separator: ", ") + "]"
    case .auto: return "auto"
    }
  }

  /// Integral values without a fraction ("10", not "10.0"); others, and non-finite ones, as Swift
  /// prints them.
  static func format(_ d: Double) -> String {
    d.isFinite ? JSONText.number(d) : "\(d)"
  }

  /// The value as a JSON literal.
  public var json: String {
    switch self {
    case .int(let i): return String(i)
    case .number(let d): return JSONText.number(d)
    case .bool(let b): return String(b)
    case .string(let s): return JSONText.string(s)
    case .pair(let a, let b): return "[\(a), \(b)]"
    case .same: return "\"same\""
    case .ints(let xs): return "[" + xs.map(String.init).joined(separator: ", ") + "]"
    case .numbers(let xs): return "[" + xs.map(JSONText.number).joined(separator: ", ") + "]"
    case .auto: return "\"auto\""
    }
  }
}

/// Checked values of one mapping, with where each came from.
public struct ParamValues: Sendable {
  public var values: [String: ParamValue] = [:]
  public var origins: [String: Origin] = [:]
  /// Keys in declaration order, for printing.
  public var order: [String] = []

  public init() {}

  public subscript(name: String) -> ParamValue? { values[name] }

  public func int(_ name: String) -> Int? {
    if case .int(let i)? = values[name] { return i }
    return nil
  }

  public func number(_ name: String) -> Double? {
    switch values[name] {
    case .number(let d)?: return d
    case .int(let i)?: return Double(i)
    default: return nil
    }
  }

  public func bool(_ name: String) -> Bool? {
    if case .bool(let b)? = values[name] { return b }
    return nil
  }

  public func string(_ name: String) -> String? {
    if case .string(let s)? = values[name] { return s }
    return nil
  }

  /// An int-or-pair value as (y, x).
  public func pair(_ name: String) -> (Int, Int)? {
    switch values[name] {
    case .int(let i)?: return (i, i)
    case .pair(let a, let b)?: return (a, b)
    default: return nil
    }
  }

  public func numbers(_ name: String) -> [Double]? {
    switch values[name] {
    case .numbers(let xs)?: return xs
    case .ints(let xs)?: return xs.map(Double.init)
    default: return nil
    }
  }

  public func ints(_ name: String) -> [Int]? {
    if case .ints(let xs)? = values[name] { return xs }
    return nil
  }

  public func origin(_ name: String) -> Origin { origins[name] ?? .defaulted }

  public func location(_ name: String) -> SourceLocation? { origin(name).location }
}
