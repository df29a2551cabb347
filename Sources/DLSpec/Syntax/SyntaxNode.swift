/// A YAML node with its source location: the syntax tree the checker walks.
///
/// Converted once from Yams' `Node`, so the rest of dlspec never sees Yams types and every
/// value keeps the line and column it was written at.
public struct SyntaxNode: Sendable {
  public enum Value: Sendable {
    /// `quoted` is true for '…' and "…" scalars, which are always strings.
    case scalar(String, quoted: Bool)
    case mapping([(key: SyntaxNode, value: SyntaxNode)])
    case sequence([SyntaxNode])
  }

  public var value: Value
  public var location: SourceLocation

  public init(_ value: Value, at location: SourceLocation) {
    self.value = value
    self.location = location
  }

  /// A short noun for the node's kind, used in "expected X, found Y" messages.
  public var kindDescription: String {
    switch value {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .scalar(let s, let quoted):
      if quoted { return "the string \"\(s.prefix(40))\"" }
      // Integer syntax beyond 64 bits resolves to a Double; say what it is, not "1.8e19".
      if ScalarValue.looksLikeInt(s), Int(s) == nil {
        let digits = s.count > 40 ? "\(s.prefix(40))…" : s
        return s.hasPrefix("-")
          ? "\(digits), which is too small for an integer; the smallest is \(Int.min)"
          : "\(digits), which is too large for an integer; the largest is \(Int.max)"
      }
      switch ScalarValue(plain: s) {
      case .null: return "an empty value"
      case .bool(let b): return "the boolean \(b)"
      case .int(let i): return "the integer \(i)"
      case .double(let d): return "the number \(d)"
      case .string(let s): return "the string \"\(s.prefix(40))\""
      }
    }
  }

  public var mappingPairs: [(key: SyntaxNode, value: SyntaxNode)]? {
    if case .mapping(let pairs) = value { return pairs }
    return nil
  }

  public var sequenceItems: [SyntaxNode]? {
    if case .sequence(let items) = value { return items }
    return nil
  }

  /// The scalar's typed value: plain scalars are resolved like YAML 1.2's core schema,
  /// quoted ones are strings.
  public var scalar: ScalarValue? {
    guard case .scalar(let s, let quoted) = value else { return nil }
    return quoted ? .string(s) : ScalarValue(plain: s)
  }
}

/// A resolved scalar (YAML 1.2 core schema, minus octal/hex, which no spec needs).
public enum ScalarValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)

  public init(plain s: String) {
    switch s {
    case "", "~", "null", "Null", "NULL": self = .null
    case "true", "True", "TRUE": self = .bool(true)
    case "false", "False", "FALSE": self = .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": self = .double(.infinity)
    case "-.inf", "-.Inf", "-.INF": self = .double(-.infinity)
    case ".nan", ".NaN", ".NAN": self = .double(.nan)
    default:
      if ScalarValue.looksLikeInt(s), let i = Int(s) {
        self = .int(i)
      } else if ScalarValue.looksLikeInt(s) {
        // Integer syntax but beyond 64 bits: keep it numeric so range checks can report it.
        self = .double(Double(s) ?? .infinity)
      } else if ScalarValue.looksLikeFloat(s), let d = Double(s) {
        self = .double(d)
      } else {
        self = .string(s)
      }
    }
  }

  static func looksLikeInt(_ s: String) -> Bool {
    var u = Substring(s)
    if u.first == "-" || u.first == "+" { u = u.dropFirst() }
    return !u.isEmpty && u.allSatisfy { $0.isASCII && $0.isNumber }
  }

  static func looksLikeFloat(_ s: String) -> Bool {
    var u = Substring(s)
    if u.first == "-" || u.first == "+" { u = u.dropFirst() }
    guard let first = u.first, first.isNumber || first == "." else { return false }
    return u.allSatisfy { c in
      c.isASCII && (c.isNumber || c == "." || c == "e" || c == "E" || c == "-" || c == "+")
    } && u.contains { $0.isNumber }
  }
}
