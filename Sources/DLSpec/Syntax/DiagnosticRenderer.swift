import Foundation

/// Turns diagnostics into the text compilers print, or into JSON. The one place diagnostics
/// are formatted.
public enum DiagnosticRenderer {
  /// `file:line:col: error[E020]: message`, the source line, a caret under the column, and the
  /// hint. `sources` maps file paths to their text so the line can be quoted; an override's
  /// line (`--set …`) is found from its name when `sources` lacks it.
  public static func text(_ diagnostics: [Diagnostic], sources: [String: SourceFile]) -> String {
    var out = ""
    // Each quoted line is split into scalars once, however many diagnostics point into it:
    // 100,000 warnings on one 800 KB flow-style line must not each rescan the line.
    var lines = LineCache()
    for d in diagnostics {
      let file = d.location?.file ?? ""
      out += text(d, source: sources[file] ?? SourceFile(overrideNamed: file), lines: &lines)
    }
    return out
  }

  public static func text(_ d: Diagnostic, source: SourceFile?) -> String {
    var lines = LineCache()
    return text(d, source: source, lines: &lines)
  }

  /// The last source line quoted, as UTF-8 (tabs shown as spaces) with the byte offset of
  /// each scalar, so an excerpt is a byte-range copy.
  struct LineCache {
    private var file = ""
    private var number = 0
    private var line = ScalarLine(utf8: [], offsets: [0])

    mutating func scalars(of text: Substring, file: String, number: Int) -> ScalarLine {
      if file != self.file || number != self.number || line.offsets.count <= 1 {
        self.file = file
        self.number = number
        line = ScalarLine(text)
      }
      return line
    }
  }

  /// A line's UTF-8 bytes and the offset where each scalar starts (plus the end).
  struct ScalarLine {
    var utf8: [UInt8]
    var offsets: [Int]
    var count: Int { offsets.count - 1 }

    init(utf8: [UInt8], offsets: [Int]) {
      self.utf8 = utf8
      self.offsets = offsets
    }

    init(_ text: Substring) {
      utf8 = text.utf8.map { $0 == UInt8(ascii: "\t") ? UInt8(ascii: " ") : $0 }
      offsets = []
      offsets.reserveCapacity(utf8.count + 1)
      for (i, b) in utf8.enumerated() where b & 0xC0 != 0x80 { offsets.append(i) }
      offsets.append(utf8.count)
    }

    func text(_ range: Range<Int>) -> String {
      String(decoding: utf8[offsets[range.lowerBound]..<offsets[range.upperBound]], as: UTF8.self)
    }
  }

  static func text(_ d: Diagnostic, source: SourceFile?, lines: inout LineCache) -> String {
    var out = ""
    if let loc = d.location { out += "\(loc): " }
    out += "\(d.severity.rawValue)[\(d.code.rawValue)]: \(d.message)\n"
    if let loc = d.location, let line = source?.line(loc.line) {
      let number = String(loc.line)
      let gutter = String(repeating: " ", count: number.count)
      // Long lines (a minified spec, a huge scalar) are cut around the column.
      let shown = excerpt(
        lines.scalars(of: line, file: loc.file, number: loc.line), column: loc.column)
      out += " \(number) | \(shown.text)\n"
      out += " \(gutter) | \(String(repeating: " ", count: shown.caret - 1))^\n"
      if let hint = d.hint { out += " \(gutter) = hint: \(hint)\n" }
    } else if let hint = d.hint {
      out += "  = hint: \(hint)\n"
    }
    return out
  }

  /// At most `excerptLimit` scalars of the line around `column`, with an ellipsis on each side
  /// that was cut, and the caret's column within the excerpt. Costs O(excerptLimit).
  static func excerpt(_ line: ScalarLine, column: Int) -> (text: String, caret: Int) {
    let limit = excerptLimit
    if line.count <= limit { return (line.text(0..<line.count), max(1, column)) }
    let start = max(0, min(column - 1 - limit / 2, line.count - limit))
    let end = min(line.count, start + limit)
    let text = (start > 0 ? "…" : "") + line.text(start..<end) + (end < line.count ? "…" : "")
    return (text, max(1, column - start + (start > 0 ? 1 : 0)))
  }

  static func excerpt(_ line: Substring, column: Int) -> (text: String, caret: Int) {
    excerpt(ScalarLine(line), column: column)
  }

  /// The widest source excerpt a diagnostic quotes, in scalars (plus two ellipses).
  public static let excerptLimit = 100

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
