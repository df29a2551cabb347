/// `--set KEY=VALUE` overrides: `train.epochs=2`, `optimizer.sgd.lr=0.05`,
/// `model.layers[2].dense.units=64`, `model.layers[0]=relu`, `model.input=[1, 28, 28]`.
///
/// Overrides are applied to the spec's syntax tree, so the checker sees the values with their
/// columns in the override (`--set train.epochs=abc:1:14`) and the rest of the spec at its real
/// lines. The rules, in order along the key path:
/// * a key that the spec lacks is created (`train.epochs=3` works without a `train:` section),
///   except where the language takes one name (`optimizer`, `schedule`, `loss`, each layer): a
///   key naming another optimizer or layer kind than the spec's is an error, with did-you-mean;
/// * a bare name there (`- relu`, `loss: mse`) stands for `{relu: {}}`, so
///   `model.layers[1].dense.units=50` fills in a `- dense` entry;
/// * an index must name an existing item: `[0]` is the first; past the end is an error.
public enum SpecOverrides {
  /// Overrides that cannot be applied; `diagnostics` are located in the override (or, when the
  /// spec itself does not parse, in the spec), `description` is their rendered text.
  public struct Failure: Error, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var description: String

    init(diagnostics: [Diagnostic], sources: [String: SourceFile]) {
      self.diagnostics = diagnostics
      var text = DiagnosticRenderer.text(diagnostics, sources: sources)
      while text.hasSuffix("\n") { text.removeLast() }
      self.description = text
    }
  }

  /// The spec text with `assignments` applied (re-serialised YAML: comments are not kept), or
  /// `text` itself when there are none. Throws when an override is malformed, does not fit the
  /// spec's structure, or gives a value the checker refuses; errors in the rest of the spec are
  /// left to the caller's own check (`SpecChecker.check(_:overrides:)` reports both, located).
  /// - Parameter path: the spec's name in diagnostics about the spec itself.
  public static func apply(
    _ assignments: [String], to text: String, path: String = "spec.yaml"
  ) throws -> String {
    guard !assignments.isEmpty else { return text }
    let result = SpecChecker().check(SourceFile(path: path, text: text), overrides: assignments)
    let overridePaths = Set(result.overrideSources.map(\.path))
    let errors = result.diagnostics.filter { $0.severity == .error }
    let bad = errors.filter { overridePaths.contains($0.location?.file ?? "") }
    guard bad.isEmpty, let out = result.overriddenText else {
      throw Failure(diagnostics: bad.isEmpty ? errors : bad, sources: result.sources)
    }
    return out
  }

  /// `root` with one assignment applied; throws a located `Diagnostic` when its path does not
  /// fit the tree.
  static func apply(_ a: OverrideAssignment, to root: SyntaxNode) throws -> SyntaxNode {
    try set(root, a, from: 0)
  }

  static func set(_ node: SyntaxNode?, _ a: OverrideAssignment, from k: Int) throws -> SyntaxNode {
    guard k < a.steps.count else { return a.value }
    let step = a.steps[k]
    // The path of the node being entered; the parser guarantees the first step is a key, and
    // the root is a mapping, so only keys are ever looked up at k = 0.
    let parent = k == 0 ? "" : a.steps[k - 1].written
    let here = k == 0 ? "the spec" : "'\(parent)'"
    let choice = k > 0 ? choiceNoun(a.steps[..<k]) : nil
    func problem(_ message: String, hint: String) -> Diagnostic {
      Diagnostic(.overridePath, at: step.location, message, hint: hint)
    }
    switch step.segment {
    case .key(let name):
      var pairs: [(key: SyntaxNode, value: SyntaxNode)] = []
      switch node?.value {
      case nil:
        break
      case .mapping(let p)?:
        pairs = p
      case .sequence(let items)?:
        let count = "\(items.count) item\(items.count == 1 ? "" : "s")"
        throw problem(
          "\(here) is a list (\(count)), so it has no key '\(name)'",
          hint: "address an item by its index from 0: \(parent)[0]")
      case .scalar?:
        guard let node, node.scalar != .null else { break }
        if let choice, case .string(let bare)? = node.scalar {
          // `- relu` is shorthand for `- relu: {}`: expand it so a parameter can be added.
          guard bare == name else { throw mismatch(name, bare, here, choice, step) }
          pairs = [(node, SyntaxNode(.scalar("", quoted: false), at: step.location))]
        } else {
          throw problem(
            "\(here) is \(node.kindDescription), not a mapping, so it has no key '\(name)'",
            hint: "set the value itself: \(parent)=…")
        }
      }
      if let i = pairs.firstIndex(where: { $0.key.plainText == name }) {
        pairs[i].value = try set(pairs[i].value, a, from: k + 1)
      } else {
        if let choice, let existing = pairs.first?.key.plainText {
          throw mismatch(name, existing, here, choice, step)
        }
        // A created key holds no list, so a later index can never succeed: say so here, where
        // the likely typo is (`model.layres[0]`).
        if let i = a.steps[(k + 1)...].firstIndex(where: \.isIndex) {
          let suggestion = Suggest.closest(to: name, in: pairs.compactMap(\.key.plainText))
          throw problem(
            "\(here) has no key '\(name)', so there is no list to index in "
              + "'\(a.steps[i].written)'",
            hint: suggestion.map { "did you mean '\($0)'?" }
              ?? "set the whole list instead: \(a.steps[i - 1].written)=[…]")
        }
        let key = SyntaxNode(.scalar(name, quoted: false), at: step.location)
        pairs.append((key, try set(nil, a, from: k + 1)))
      }
      return SyntaxNode(.mapping(pairs), at: node?.location ?? step.location)
    case .index(let i):
      let list = parent
      guard let node, node.scalar != .null else {
        throw problem(
          "\(here) is not in the spec, so it has no item \(i)",
          hint: "set the whole list: \(list)=[…]")
      }
      guard var items = node.sequenceItems else {
        throw problem(
          "\(here) is \(node.kindDescription), not a list, so it has no item \(i)",
          hint: node.mappingPairs != nil
            ? "address a key of a mapping with a dot: \(list).KEY"
            : "set the value itself: \(list)=…")
      }
      guard i < items.count else {
        let count = "\(items.count) item\(items.count == 1 ? "" : "s")"
        throw problem(
          "\(here) has \(count), so index \(i) is past its end",
          hint: items.isEmpty
            ? "set the whole list: \(list)=[…]"
            : "items count from 0: use \(list)[0] to \(list)[\(items.count - 1)]; "
              + "to add or remove items, set the whole list")
      }
      items[i] = try set(items[i], a, from: k + 1)
      return SyntaxNode(.sequence(items), at: node.location)
    }
  }

  /// Where the language takes a bare name or a one-key mapping (`NamedChoice`): the one key
  /// names the variant, so a second key is never a parameter. Returns the noun for messages.
  static func choiceNoun(_ path: ArraySlice<OverrideAssignment.Step>) -> String? {
    let segments = path.map(\.segment)
    switch segments.first {
    case .key("loss")? where segments.count == 1: return "loss"
    case .key("optimizer")? where segments.count == 1: return "optimizer"
    case .key("schedule")? where segments.count == 1: return "schedule"
    case .key("model")? where segments.count == 3:
      if segments[1] == .key("layers"), case .index = segments[2] { return "layer" }
      return nil
    default: return nil
    }
  }

  /// A key naming another variant than the spec's: `optimizer.sgdd.lr` when it says `sgd`.
  static func mismatch(
    _ name: String, _ existing: String, _ here: String, _ noun: String,
    _ step: OverrideAssignment.Step
  ) -> Diagnostic {
    let hint: String
    if Suggest.closest(to: name, in: [existing]) != nil {
      hint = "did you mean '\(existing)'?"
    } else {
      let path = step.written.dropLast(name.count + 1)
      hint = "to use '\(name)' instead, replace the whole entry: \(path)={\(name): {…}}"
    }
    return Diagnostic(
      .overridePath, at: step.location, "\(here) is the \(noun) '\(existing)', not '\(name)'",
      hint: hint)
  }
}

extension SyntaxNode {
  /// The text of a scalar as written (a key's name), nil for collections.
  var plainText: String? {
    if case .scalar(let s, _) = value { return s }
    return nil
  }
}
