import Yams

/// `SyntaxNode` → YAML text, for a spec whose tree was edited (overrides): the run
/// directory's `spec.yaml` is then the spec that ran. Comments are not kept.
///
/// Reading the text back gives the same tree (locations aside): quoted scalars stay quoted,
/// plain ones plain. Collections of scalars are written in flow style (`input: [784]`,
/// `- dense: {units: 10}`), the rest in block style, as specs are usually written.
public enum SyntaxEmitter {
  public static func yaml(_ root: SyntaxNode) throws -> String {
    try Yams.serialize(node: node(root))
  }

  static func node(_ n: SyntaxNode) -> Node {
    switch n.value {
    case .scalar(let s, let quoted):
      if quoted { return Node(s, Tag(.str), .doubleQuoted) }
      // An empty plain scalar is YAML's null; written out, so no emitter quotes it.
      return Node(s.isEmpty ? "null" : s, .implicit, .plain)
    case .sequence(let items):
      let flow = items.allSatisfy(\.isScalar)
      return Node(items.map(node), .implicit, flow ? .flow : .block)
    case .mapping(let pairs):
      let flow = pairs.allSatisfy { $0.value.isScalar }
      return Node(pairs.map { (node($0.key), node($0.value)) }, .implicit, flow ? .flow : .block)
    }
  }
}

extension SyntaxNode {
  var isScalar: Bool {
    if case .scalar = value { return true }
    return false
  }
}
