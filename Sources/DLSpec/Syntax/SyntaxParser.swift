import Foundation
import Yams

/// Text → `SyntaxNode`, turning every way YAML can go wrong into a located diagnostic.
public enum SyntaxParser {
  /// Bounds the nodes visited while converting, so an alias bomb (`a: &a [*b, *b, …]` nested a
  /// few levels) costs bounded time and memory instead of exponential.
  public static let maximumNodes = 200_000

  public static func parse(_ source: SourceFile) -> Result<SyntaxNode, Diagnostic> {
    if let v = DepthGuard.firstViolation(in: source.text) {
      return .failure(
        Diagnostic(
          .tooDeep, at: source.location(line: v.line, column: v.column),
          "document nests too deeply: \(v.what)",
          hint: "a spec never needs more than a few levels; check for runaway brackets"))
    }
    let node: Node?
    do {
      node = try Yams.compose(yaml: source.text)
    } catch let error as YamlError {
      return .failure(diagnostic(for: error, in: source))
    } catch {
      return .failure(
        Diagnostic(.yamlSyntax, at: source.location(line: 1, column: 1), "\(error)"))
    }
    guard let root = node else {
      return .failure(
        Diagnostic(
          .emptyFile, at: source.location(line: 1, column: 1), "the spec file is empty",
          hint: "start with `dlspec: 1`, then `model:` and `loss:` (see docs/spec-language.md)"))
    }
    var budget = maximumNodes
    guard let tree = convert(root, source: source, budget: &budget) else {
      return .failure(
        Diagnostic(
          .tooManyNodes, at: source.location(line: 1, column: 1),
          "the document expands to more than \(maximumNodes) nodes",
          hint: "YAML aliases (*name) that repeat large anchors multiply the document's size"))
    }
    return .success(tree)
  }

  static func convert(_ node: Node, source: SourceFile, budget: inout Int) -> SyntaxNode? {
    budget -= 1
    if budget < 0 { return nil }
    let location = source.location(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    switch node {
    case .scalar(let s):
      let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
        || s.style == .literal || s.style == .folded
      return SyntaxNode(.scalar(s.string, quoted: quoted), at: location)
    case .mapping(let m):
      var pairs: [(key: SyntaxNode, value: SyntaxNode)] = []
      pairs.reserveCapacity(m.count)
      for (k, v) in m {
        guard let key = convert(k, source: source, budget: &budget),
          let value = convert(v, source: source, budget: &budget)
        else { return nil }
        pairs.append((key, value))
      }
      return SyntaxNode(.mapping(pairs), at: location)
    case .sequence(let seq):
      var items: [SyntaxNode] = []
      items.reserveCapacity(seq.count)
      for item in seq {
        guard let converted = convert(item, source: source, budget: &budget) else { return nil }
        items.append(converted)
      }
      return SyntaxNode(.sequence(items), at: location)
    case .alias:
      // compose() resolves aliases; an unresolved one is treated as an empty value.
      return SyntaxNode(.scalar("", quoted: false), at: location)
    }
  }

  static func diagnostic(for error: YamlError, in source: SourceFile) -> Diagnostic {
    func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> Diagnostic {
      // libyaml's own nesting limit (1000) catches what DepthGuard's quick scan misses; report
      // it as nesting, not as a syntax error in the user's YAML.
      if problem.hasPrefix("Maximum nesting level") {
        return Diagnostic(
          .tooDeep, at: source.location(line: mark.line, column: mark.column),
          "document nests too deeply: more than 1000 levels",
          hint: "a spec never needs more than a few levels; check for runaway brackets")
      }
      var message = "YAML syntax error: \(problem)"
      if let c = context { message += " (\(c.text) at line \(c.mark.line))" }
      // The problem alone can be vague ("unexpected end of stream"); the context says what was
      // open ("while scanning a quoted scalar"), and a tab at the mark explains itself.
      let atTab = source.line(mark.line).map { line in
        line.unicodeScalars.dropFirst(max(0, mark.column - 1)).first == "\t"
      } ?? false
      return Diagnostic(
        .yamlSyntax, at: source.location(line: mark.line, column: mark.column), message,
        hint: atTab ? hint(for: "tab") : hint(for: problem + " " + (context?.text ?? "")))
    }
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      return located(mark, problem, context)
    case .reader(let problem, let offset, _, _):
      let bytes = Data(source.text.utf8)
      let (line, column) = SourceFile.position(ofByte: offset ?? 0, in: bytes)
      return Diagnostic(
        .yamlSyntax, at: source.location(line: line, column: column),
        "YAML cannot read the text: \(problem)",
        hint: "control characters other than tab and newline are not allowed in YAML")
    case .duplicatedKeysInMapping(let duplicates, let context):
      let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
      let line = duplicateLine(of: duplicates.first, after: context.mark.line, in: source)
      return Diagnostic(
        .duplicateKey, at: source.location(line: line.0, column: line.1),
        "duplicate key \(names) in a mapping",
        hint: "each key may appear once; YAML would silently keep only one of the values")
    default:
      return Diagnostic(.yamlSyntax, at: source.location(line: 1, column: 1), "\(error)")
    }
  }

  /// Yams reports the mapping's position; point at the second occurrence of the key instead,
  /// which is the one the user most likely added by mistake.
  static func duplicateLine(of key: String?, after line: Int, in source: SourceFile) -> (Int, Int) {
    guard let key else { return (line, 1) }
    var seen = 0
    for n in max(1, line)...max(1, source.lines.count) {
      guard let text = source.line(n) else { break }
      let trimmed = text.drop { $0 == " " || $0 == "-" || $0 == "{" || $0 == "," }
      if trimmed.hasPrefix(key + ":") || text.contains(" \(key):") || text.contains("{\(key):") {
        seen += 1
        if seen == 2 {
          let column = (text.range(of: key + ":").map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? 0) + 1
          return (n, column)
        }
      }
    }
    return (line, 1)
  }

  static func hint(for problem: String) -> String {
    if problem.contains("tab") { return "YAML indents with spaces, never tabs" }
    if problem.contains("mapping values are not allowed") {
      return "a value containing ': ' must be quoted, or the indentation is off"
    }
    if problem.contains("did not find expected key") || problem.contains("block end") {
      return "check the indentation: keys of one mapping must start in the same column"
    }
    if problem.contains("flow") || problem.contains("','") || problem.contains("']'") {
      return "check that every [ and { has its closing ] or }"
    }
    if problem.contains("quoted") { return "check that every quote is closed" }
    return "see https://yaml.org/spec/1.2.2/ or docs/spec-language.md"
  }
}
