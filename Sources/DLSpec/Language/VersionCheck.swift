/// The `dlspec:` key: which grammar the file is written in.
public enum LanguageVersion {
  /// Versions this build reads.
  public static let supported = [1]

  static func check(
    _ root: [(key: SyntaxNode, value: SyntaxNode)], rootLocation: SourceLocation,
    into bag: inout DiagnosticBag
  ) -> Int? {
    guard let node = root.first(where: { $0.key.scalar == .string("dlspec") })?.value else {
      bag.error(
        .missingVersion, at: rootLocation, "the spec does not say which dlspec version it uses",
        hint: "add `dlspec: 1` as the first line; this build reads version"
          + " \(supported.map(String.init).joined(separator: ", "))")
      return nil
    }
    guard case .int(let v)? = node.scalar else {
      bag.error(
        .wrongType, at: node.location,
        "'dlspec' must be a version number, found \(node.kindDescription)",
        hint: "write `dlspec: 1`")
      return nil
    }
    guard supported.contains(v) else {
      bag.error(
        .unknownVersion, at: node.location,
        "this build of dlspec does not read version \(v) specs",
        hint: "versions this build reads: \(supported.map(String.init).joined(separator: ", "))"
          + (v > (supported.max() ?? 1) ? "; upgrade dlspec to read newer specs" : ""))
      return nil
    }
    return v
  }
}
