import Foundation
import Yams

/// One `--set KEY=VALUE` argument, parsed: the key path, with where each step was written,
/// and the value as a syntax node. Everything is located in the override's own pseudo-source
/// (`SourceFile.override`), so a problem with either part points at its column there.
///
/// ```text
/// model.layers[2].dense.units=64     key `model`, key `layers`, index 2, key `dense`, key `units`
/// model.input=[1, 28, 28]            the value is YAML: a list, a number, a string, {…}
/// ```
/// The value must be plain data: YAML tags (`!!python/object …`), anchors and aliases are
/// refused, so an override never means something other than the text it shows.
struct OverrideAssignment {
  enum Segment: Equatable {
    case key(String)
    case index(Int)
  }

  struct Step {
    var segment: Segment
    var location: SourceLocation
    /// The key path up to and including this step, as written: `model.layers[2]`.
    var written: String

    var isIndex: Bool {
      if case .index = segment { return true }
      return false
    }
  }

  var source: SourceFile
  var steps: [Step]
  var value: SyntaxNode

  static let example =
    "e.g. train.epochs=3, optimizer.sgd.lr=0.05 or model.layers[0].dense.units=64"
  static let indexForm = "write an index as layers[0]"

  static func parse(_ assignment: String) -> Result<OverrideAssignment, Diagnostic> {
    let source = SourceFile.override(assignment)
    do {
      return .success(try read(assignment, source: source))
    } catch let d as Diagnostic {
      return .failure(d)
    } catch {
      return .failure(Diagnostic(.badOverride, at: source.location(line: 1, column: 1), "\(error)"))
    }
  }

  static func read(_ assignment: String, source: SourceFile) throws -> OverrideAssignment {
    let chars = Array(source.text.unicodeScalars)
    func problem(_ code: DiagnosticCode, at i: Int, _ message: String, hint: String) -> Diagnostic {
      Diagnostic(code, at: source.location(line: 1, column: i + 1), message, hint: hint)
    }
    let raw = Array(assignment.unicodeScalars)
    if let i = raw.firstIndex(where: { $0.value < 0x20 || $0.value == 0x7F }) {
      let code = String(format: "U+%04X", raw[i].value)
      throw problem(
        .badOverride, at: i, "an override is one line of text; found the control character \(code)",
        hint: "remove line breaks and tabs from the --set argument")
    }
    guard let eq = chars.firstIndex(of: "=") else {
      throw problem(
        .badOverride, at: chars.count, "expected KEY=VALUE, found no '='", hint: example)
    }
    let steps = try readPath(chars[..<eq], problem: problem, source: source)
    let valueStart = eq + 1
    let value = try readValue(String(String.UnicodeScalarView(chars[valueStart...])),
      offset: valueStart, source: source)
    return OverrideAssignment(source: source, steps: steps, value: value)
  }

  /// `name(.name|[index])*`, every step with its column.
  static func readPath(
    _ key: ArraySlice<Unicode.Scalar>,
    problem: (DiagnosticCode, Int, String, String) -> Diagnostic, source: SourceFile
  ) throws -> [Step] {
    let end = key.endIndex
    var steps: [Step] = []
    var i = key.startIndex
    func written(_ upTo: Int) -> String { String(String.UnicodeScalarView(key[..<upTo])) }
    while true {
      let start = i
      while i < end, key[i] != ".", key[i] != "[", key[i] != "]" { i += 1 }
      if i == start {
        throw problem(.badOverride, start, emptyName(key, at: start), example)
      }
      steps.append(
        Step(
          segment: .key(String(String.UnicodeScalarView(key[start..<i]))),
          location: source.location(line: 1, column: start + 1), written: written(i)))
      while i < end, key[i] == "[" {
        let open = i
        i += 1
        let digitsStart = i
        while i < end, key[i] != "]" { i += 1 }
        guard i < end else {
          throw problem(.badOverride, open, "'[' has no closing ']'", indexForm)
        }
        let inner = String(String.UnicodeScalarView(key[digitsStart..<i]))
        guard !inner.isEmpty else {
          throw problem(.badOverride, i, "the index in '[]' is empty", indexForm)
        }
        if inner.hasPrefix("-"), Int(inner) != nil {
          throw problem(
            .badOverride, digitsStart, "the index \(inner) is negative",
            "list items count from 0, the first item is [0]; negative indices are not supported")
        }
        let digits = inner.unicodeScalars.allSatisfy { $0.isASCII && ("0"..."9").contains($0) }
        guard digits, let n = Int(inner) else {
          throw problem(
            .badOverride, digitsStart,
            digits
              ? "the index \(inner) is too large"
              : "an index must be a whole number, found '\(inner)'",
            "list items count from 0: model.layers[0] is the first layer")
        }
        i += 1
        steps.append(
          Step(segment: .index(n), location: source.location(line: 1, column: digitsStart + 1),
            written: written(i)))
      }
      if i == end { return steps }
      switch key[i] {
      case ".": i += 1
      case "]": throw problem(.badOverride, i, "']' without an opening '['", indexForm)
      default:
        throw problem(
          .badOverride, i, "expected '.' or '[' after ']', found '\(key[i])'", example)
      }
    }
  }

  static func emptyName(_ key: ArraySlice<Unicode.Scalar>, at i: Int) -> String {
    if key.isEmpty { return "the key before '=' is empty" }
    if i == key.endIndex { return "the key ends with '.': a name must follow it" }
    if i == key.startIndex { return "the key must start with a name, found '\(key[i])'" }
    switch key[i] {
    case ".": return "empty name between two dots"
    case "[": return "an index follows a name without a dot: write layers[0], not layers.[0]"
    default: return "expected a name, found '\(key[i])'"
    }
  }

  /// The value as YAML, located at its column; tags, anchors and aliases are refused.
  static func readValue(_ text: String, offset: Int, source: SourceFile) throws -> SyntaxNode {
    let valueSource = SourceFile(path: source.path, text: text)
    func shifted(_ d: Diagnostic) -> Diagnostic {
      var d = d
      d.location = source.location(line: 1, column: offset + (d.location?.column ?? 1))
      return d
    }
    if let v = DepthGuard.firstViolation(in: text) {
      throw shifted(
        Diagnostic(
          .tooDeep, at: valueSource.location(line: 1, column: v.column),
          "the value nests too deeply: \(v.what)", hint: "a spec value needs a few levels at most"))
    }
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      var d = SyntaxParser.diagnostic(for: error, in: valueSource)
      if d.message.contains("undefined alias") {
        d.code = .overrideTag
        d.message = "YAML aliases (*name) are not allowed in an override"
        d.hint = "write the value out in full; a value starting with '*' must be quoted"
      } else {
        d.message = d.message.replacingOccurrences(
          of: "YAML syntax error", with: "the value is not valid YAML")
      }
      throw shifted(d)
    }
    guard let node else {
      // `name=` (nothing after '='): YAML's empty value.
      let end = source.location(line: 1, column: offset + 1)
      return SyntaxNode(.scalar("", quoted: false), at: end)
    }
    var budget = SyntaxParser.maximumNodes
    return try convert(
      node, chars: Array(text.unicodeScalars), offset: offset, source: source, budget: &budget)
  }

  /// Yams node → syntax node at its column in the override, refusing any node that starts
  /// with a tag (`!`) or an anchor (`&`): libyaml starts a node's mark at its properties.
  static func convert(
    _ node: Node, chars: [Unicode.Scalar], offset: Int, source: SourceFile, budget: inout Int
  ) throws -> SyntaxNode {
    budget -= 1
    let column = node.mark?.column ?? 1
    let location = source.location(line: 1, column: offset + column)
    guard budget >= 0 else {
      throw Diagnostic(
        .tooManyNodes, at: location, "the value has more than \(SyntaxParser.maximumNodes) nodes",
        hint: "set a smaller value")
    }
    if column >= 1, column <= chars.count, chars[column - 1] == "!" || chars[column - 1] == "&" {
      let word = String(String.UnicodeScalarView(chars[(column - 1)...].prefix { $0 != " " }))
      if chars[column - 1] == "!" {
        // The hint quotes the whole value, as the user would write it to mean the text.
        let key = source.text.unicodeScalars.prefix { $0 != "=" }
        let value = String(String.UnicodeScalarView(chars))
        throw Diagnostic(
          .overrideTag, at: location, "YAML tags are not allowed in an override: '\(word)'",
          hint: "a spec takes plain values; to pass this text as a string, quote it: "
            + "--set '\(String(key))=\"\(value)\"'")
      }
      throw Diagnostic(
        .overrideTag, at: location, "YAML anchors (\(word)) are not allowed in an override",
        hint: "write the value out in full; a value starting with '&' must be quoted")
    }
    switch node {
    case .scalar(let s):
      let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
        || s.style == .literal || s.style == .folded
      return SyntaxNode(.scalar(s.string, quoted: quoted), at: location)
    case .mapping(let m):
      var pairs: [(key: SyntaxNode, value: SyntaxNode)] = []
      for (k, v) in m {
        let key = try convert(k, chars: chars, offset: offset, source: source, budget: &budget)
        let value = try convert(v, chars: chars, offset: offset, source: source, budget: &budget)
        pairs.append((key, value))
      }
      return SyntaxNode(.mapping(pairs), at: location)
    case .sequence(let seq):
      var items: [SyntaxNode] = []
      for item in seq {
        items.append(
          try convert(item, chars: chars, offset: offset, source: source, budget: &budget))
      }
      return SyntaxNode(.sequence(items), at: location)
    case .alias:
      throw Diagnostic(
        .overrideTag, at: location, "YAML aliases (*name) are not allowed in an override",
        hint: "write the value out in full")
    }
  }
}
