import Yams

/// `--set KEY=VALUE` overrides: `train.epochs=2`, `optimizer.sgd.lr=0.05`. The spec text is
/// rewritten (through Yams) so the run directory's spec.yaml is exactly the spec that ran.
public enum SpecOverrides {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public static func apply(_ assignments: [String], to text: String) throws -> String {
    guard !assignments.isEmpty else { return text }
    guard var root = try Yams.compose(yaml: text), root.mapping != nil else {
      throw Failure(description: "--set needs a spec whose top level is a mapping")
    }
    for assignment in assignments {
      guard let eq = assignment.firstIndex(of: "=") else {
        throw Failure(description: "--set '\(assignment)': expected KEY=VALUE, e.g. train.epochs=2")
      }
      let path = assignment[..<eq].split(separator: ".").map(String.init)
      let value = String(assignment[assignment.index(after: eq)...])
      guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
        throw Failure(description: "--set '\(assignment)': the key must be a dotted path like optimizer.sgd.lr")
      }
      let parsed = (try? Yams.compose(yaml: value)) ?? nil
      root = set(root, path[...], to: parsed ?? Node(value))
    }
    return try Yams.serialize(node: root)
  }

  static func set(_ node: Node, _ path: ArraySlice<String>, to value: Node) -> Node {
    guard let key = path.first else { return value }
    var pairs: [(Node, Node)] = node.mapping.map { Array($0).map { ($0.key, $0.value) } } ?? []
    if let i = pairs.firstIndex(where: { $0.0.string == key }) {
      pairs[i].1 = set(pairs[i].1, path.dropFirst(), to: value)
    } else {
      pairs.append((Node(key), set(Node([(Node, Node)]()), path.dropFirst(), to: value)))
    }
    return Node(pairs)
  }
}
