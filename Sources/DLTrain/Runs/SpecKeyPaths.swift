import DLSpec
import Foundation

/// A spec flattened into key paths: `optimizer.sgd.lr` → `0.1`, `model.layers[2].dense.units`
/// → `64`, list items by index, a list of scalars as one value (`model.input` → `[1, 28, 28]`).
///
/// `runs compare` flattens each run's spec.canonical.yaml (every default written out, so a
/// default left out equals the default written) or, for older runs, its spec.yaml. This is a
/// textual comparison of the trees; the semantic `SpecDiff` (layer alignment) may replace it.
public enum SpecKeyPaths {
  /// The paths of `text` in document order, or nil when it is not YAML.
  public static func flatten(_ text: String, path: String = "spec.yaml") -> [(String, String)]? {
    guard case .success(let root) = SyntaxParser.parse(SourceFile(path: path, text: text)) else {
      return nil
    }
    var out: [(String, String)] = []
    walk(root, prefix: "", into: &out)
    return out
  }

  static func walk(_ node: SyntaxNode, prefix: String, into out: inout [(String, String)]) {
    switch node.value {
    case .scalar(let s, _):
      out.append((prefix, s))
    case .mapping(let pairs):
      if pairs.isEmpty { out.append((prefix, "{}")) }
      for (k, v) in pairs {
        let key = scalarText(k) ?? "?"
        walk(v, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &out)
      }
    case .sequence(let items):
      if items.allSatisfy({ scalarText($0) != nil }) {
        out.append((prefix, "[" + items.compactMap(scalarText).joined(separator: ", ") + "]"))
        return
      }
      for (i, item) in items.enumerated() { walk(item, prefix: prefix + "[\(i)]", into: &out) }
    }
  }

  static func scalarText(_ n: SyntaxNode) -> String? {
    if case .scalar(let s, _) = n.value { return s }
    return nil
  }

  /// The spec text of a run: spec.canonical.yaml, else spec.yaml.
  public static func specText(ofRun path: String) -> (file: String, text: String)? {
    for name in ["spec.canonical.yaml", "spec.yaml"] {
      if let data = FileManager.default.contents(atPath: path + "/" + name),
        let text = String(data: data, encoding: .utf8)
      {
        return (name, text)
      }
    }
    return nil
  }
}
