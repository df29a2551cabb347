import Foundation

/// Turns diagnostics into the text compilers print, or into JSON. The one place diagnostics
/// are formatted.
public enum DiagnosticRenderer {
  /// `file:line:col: error[E020]: message`, the source line, a caret under the column, and the
  /// hint. `sources` maps file paths to their text so the line can be quoted; an override's
  /// line (`--set …`) is found from its name when `sources` lacks it.
  public static func text(_ diagnostics: [Diagnostic], sources: [String: SourceFile]) -> String {
    var out = ""
    for d in diagnostics {
      let file = d.location?.file ?? ""
      out += text(d, source: sources[file] ?? SourceFile(overrideNamed: file))
    }
    return out
  }

  public static func text(_ d: Diagnostic, source: SourceFile?) -> String {
    var out = ""
    if let loc = d.location { out += "\(loc): " }
    out += "\(d.severity.rawValue)[\(d.code.rawValue)]: \(d.message)\n"
    if let loc = d.location, let line = source?.line(loc.line) {
      let number = String(loc.line)
      let gutter = String(repeating: " ", count: number.count)
      // Long lines (a minified spec, a huge scalar) are cut around the column.
      let shown = excerpt(line, column: loc.column)
      out += " \(number) | \(shown.text)\n"
      out += " \(gutter) | \(String(repeating: " ", count: shown.caret - 1))^\n"
      if let hint = d.hint { out += " \(gutter) = hint: \(hint)\n" }
    } else if let hint = d.hint {
      out += "  = hint: \(hint)\n"
    }
    return out
  }

  static func excerpt(_ line: Substring, column: Int) -> (text: String, caret: Int) {
    let scalars = Array(line.unicodeScalars.map { $0 == "\t" ? " " : $0 })
    let limit = 100
    if scalars.count <= limit { return (String(String.UnicodeScalarView(scalars)), max(1, column)) }
    let start = max(0, min(column - 1 - limit / 2, scalars.count - limit))
    let slice = scalars[start..<min(scalars.count, start + limit)]
    return ("…" + String(String.UnicodeScalarView(slice)) + "…", max(1, column - start + 1))
  }

  /// One summary line, e.g. "2 errors, 1 warning".
  public static func summary(_ diagnostics: [Diagnostic]) -> String {
    let e = diagnostics.filter { $0.severity == .error }.count
    let w = diagnostics.count - e
    return "\(e) error\(e == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s")"
  }

  /// The same diagnostics as a JSON array (stable key order).
  public static func json(_ diagnostics: [Diagnostic], file: String, valid: Bool) -> String {
    var items: [String] = []
    for d in diagnostics {
      var fields = [
        "\"severity\": \(JSONText.string(d.severity.rawValue))",
        "\"code\": \(JSONText.string(d.code.rawValue))",
      ]
      if let l = d.location {
        fields.append("\"file\": \(JSONText.string(l.file))")
        fields.append("\"line\": \(l.line)")
        fields.append("\"column\": \(l.column)")
      }
      fields.append("\"message\": \(JSONText.string(d.message))")
      if let h = d.hint { fields.append("\"hint\": \(JSONText.string(h))") }
      items.append("    {" + fields.joined(separator: ", ") + "}")
    }
    let list = items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n  ]"
    return "{\n  \"file\": \(JSONText.string(file)),\n  \"valid\": \(valid),\n  \"diagnostics\": \(list)\n}\n"
  }
}

/// Minimal JSON text helpers: dlspec writes JSON with a fixed key order so goldens are stable.
public enum JSONText {
  public static func string(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          out += String(format: "\\u%04x", u.value)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }

  /// Numbers as JSON: integers without a fraction, others with full precision; non-finite
  /// values (never valid in a checked spec) as null.
  public static func number(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
  }
}
