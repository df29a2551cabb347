import Foundation

/// Python source literals for generated code: strings escaped so any spec text (quotes,
/// backslashes, Unicode, control characters) reads back as the same `str`, and numbers
/// written so Python parses the same double.
enum PythonLiteral {
  /// A double-quoted `str` literal of `s`.
  static func string(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
          || (0x2028...0x2029).contains(scalar.value)
        {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// A multi-line text as parenthesised, implicitly concatenated literals, one per line, so
  /// the generated file stays readable.
  static func text(_ s: String, indent: String = "    ") -> String {
    var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    let endsWithNewline = s.hasSuffix("\n")
    guard !lines.isEmpty else { return string(s) }
    let parts = lines.enumerated().map { i, line in
      indent + string(line + (i < lines.count - 1 || endsWithNewline ? "\n" : ""))
    }
    return "(\n" + parts.joined(separator: "\n") + "\n)"
  }

  /// A float literal that Python reads back as exactly `x` (Swift's shortest round-trip form).
  static func number(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(format: "%.1f", x) }
    return "\(x)"
  }

  /// A Python bool.
  static func bool(_ b: Bool) -> String { b ? "True" : "False" }

  /// A tuple of integers, `(1, 28, 28)` or `(784,)`.
  static func tuple(_ values: [Int]) -> String {
    values.count == 1
      ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
  }
}
