/// Reads the "bare name or one-key map" form used by layers, `loss`, `optimizer` and `schedule`:
///
/// ```yaml
/// loss: cross_entropy               # bare name, all defaults
/// optimizer: {sgd: {lr: 0.1}}       # one key: the variant, its value: the parameters
/// ```
struct NamedChoice {
  var name: String
  var nameLocation: SourceLocation
  /// The parameters' node (nil for the bare-name form).
  var paramsNode: SyntaxNode?

  /// - Parameters:
  ///   - noun: "layer kind", "loss", … for messages. `unknownCode`: the code for unknown names.
  static func read(
    _ node: SyntaxNode, choices: [String], noun: String, context: String,
    unknownCode: DiagnosticCode, into bag: inout DiagnosticBag
  ) -> NamedChoice? {
    let example = "`\(choices.sorted().first ?? "name")` or `{\(choices.sorted().first ?? "name"): {…}}`"
    var choice: NamedChoice
    switch node.value {
    case .scalar:
      guard case .string(let s)? = node.scalar else {
        bag.error(
          .wrongType, at: node.location,
          "\(context) must be a \(noun) name or a one-key mapping, found \(node.kindDescription)",
          hint: "write \(example)")
        return nil
      }
      choice = NamedChoice(name: s, nameLocation: node.location, paramsNode: nil)
    case .mapping(let pairs):
      guard pairs.count == 1, let (key, value) = pairs.first else {
        bag.error(
          .badLayerForm, at: node.location,
          "\(context) must name exactly one \(noun), found \(pairs.count) keys",
          hint: pairs.count == 0
            ? "write \(example)"
            : "parameters go inside the \(noun)'s own mapping: `{name: {key: value}}`; "
              + "in a list, start each entry with its own `-`")
        return nil
      }
      guard case .string(let s)? = key.scalar else {
        bag.error(.wrongType, at: key.location, "a \(noun) name must be a string")
        return nil
      }
      choice = NamedChoice(name: s, nameLocation: key.location, paramsNode: value)
    case .sequence:
      bag.error(
        .wrongType, at: node.location,
        "\(context) must be a \(noun) name or a one-key mapping, found a list",
        hint: "write \(example)")
      return nil
    }
    guard choices.contains(choice.name) else {
      bag.error(
        unknownCode, at: choice.nameLocation, "unknown \(noun) '\(choice.name)'",
        hint: Suggest.nearestHint(
          for: choice.name, among: choices,
          noun: "known \(noun.hasSuffix("s") ? noun + "es" : noun + "s")"))
      return nil
    }
    return choice
  }
}
