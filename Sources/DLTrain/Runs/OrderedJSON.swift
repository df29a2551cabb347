import DLSpec
import Foundation

/// JSON written by `runs` and `sweep`: keys in the order given (so goldens read like the table)
/// and explicit nulls for values a run does not have.
public indirect enum OrderedJSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case number(Double)
  case string(String)
  case array([OrderedJSON])
  case object([(String, OrderedJSON)])

  public static func == (a: OrderedJSON, b: OrderedJSON) -> Bool { a.render() == b.render() }

  /// `nil` as null, else a number.
  public static func number(_ d: Double?) -> OrderedJSON { d.map { .number($0) } ?? .null }
  public static func int(_ i: Int?) -> OrderedJSON { i.map { .int($0) } ?? .null }
  public static func string(_ s: String?) -> OrderedJSON { s.map { .string($0) } ?? .null }

  /// Pretty-printed with two-space indents; arrays of scalars stay on one line.
  public func render(indent: Int = 0) -> String {
    let pad = String(repeating: "  ", count: indent)
    let inner = String(repeating: "  ", count: indent + 1)
    switch self {
    case .null: return "null"
    case .bool(let b): return String(b)
    case .int(let i): return String(i)
    case .number(let d): return JSONText.number(d)
    case .string(let s): return JSONText.string(s)
    case .array(let xs):
      if xs.isEmpty { return "[]" }
      let flat = xs.allSatisfy {
        switch $0 {
        case .array, .object: return false
        default: return true
        }
      }
      if flat { return "[" + xs.map { $0.render() }.joined(separator: ", ") + "]" }
      return "[\n" + xs.map { inner + $0.render(indent: indent + 1) }.joined(separator: ",\n")
        + "\n\(pad)]"
    case .object(let pairs):
      if pairs.isEmpty { return "{}" }
      return "{\n"
        + pairs.map { inner + JSONText.string($0.0) + ": " + $0.1.render(indent: indent + 1) }
        .joined(separator: ",\n") + "\n\(pad)}"
    }
  }
}
