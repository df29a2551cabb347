/// Checks a mapping's keys against their `ParamSpec`s: unknown keys (with did-you-mean),
/// missing required keys, wrong types, out-of-range and non-finite values. Reports every
/// problem and fills in defaults, so the caller always gets a complete `ParamValues` when the
/// bag has no new errors.
public struct ParamReader {
  /// Reads `node` (a mapping, or an empty value meaning "all defaults").
  /// - Parameters:
  ///   - context: what the mapping is, for messages ("dense layer", "optimizer 'sgd'").
  ///   - anchor: where to point when a required key is missing.
  ///   - otherKeys: keys the caller reads itself (`growth.layers`): skipped here, but valid and
  ///     named in did-you-mean hints.
  public static func read(
    _ node: SyntaxNode?, specs: [ParamSpec], context: String, anchor: SourceLocation?,
    otherKeys: [String] = [], into bag: inout DiagnosticBag
  ) -> ParamValues {
    var result = ParamValues()
    var pairs: [(key: SyntaxNode, value: SyntaxNode)] = []
    if let node {
      if let p = node.mappingPairs {
        pairs = p
      } else if node.scalar != .null {
        bag.error(
          .wrongType, at: node.location,
          "\(context) expects a mapping of parameters, found \(node.kindDescription)",
          hint: "write the parameters as `{key: value, ...}`"
            + (specs.isEmpty ? "; this one takes none" : ", keys: "
              + specs.map(\.name).joined(separator: ", ")))
      }
    }
    let known = specs.map(\.name) + otherKeys
    var given: [String: SyntaxNode] = [:]
    for (key, value) in pairs {
      guard case .string(let name)? = key.scalar else {
        bag.error(
          .wrongType, at: key.location, "keys must be names, found \(key.kindDescription)")
        continue
      }
      guard known.contains(name) else {
        let hint = specs.isEmpty
          ? "\(context) takes no parameters"
          : Suggest.hint(for: name, among: known, noun: "valid keys")
        bag.error(.unknownKey, at: key.location, "unknown key '\(name)' in \(context)", hint: hint)
        continue
      }
      if otherKeys.contains(name) { continue }
      given[name] = value
    }
    for spec in specs {
      result.order.append(spec.name)
      if let node = given[spec.name] {
        if let v = check(node, spec: spec, context: context, into: &bag) {
          result.values[spec.name] = v
          result.origins[spec.name] = .source(node.location)
        }
      } else if spec.required {
        bag.error(
          .missingKey, at: anchor, "\(context) needs '\(spec.name)': \(spec.doc)",
          hint: "add `\(spec.name): ` with \(spec.type.expected)")
      } else if let d = spec.defaultValue {
        result.values[spec.name] = d
        result.origins[spec.name] = .defaulted
      }
    }
    return result
  }

  /// One value against its declared type. Nil (with a diagnostic) when it does not fit.
  static func check(
    _ node: SyntaxNode, spec: ParamSpec, context: String, into bag: inout DiagnosticBag
  ) -> ParamValue? {
    let what = "'\(spec.name)' of \(context)"
    func wrong() -> ParamValue? {
      bag.error(
        .wrongType, at: node.location,
        "\(what) must be \(spec.type.expected), found \(node.kindDescription)",
        hint: spec.doc)
      return nil
    }
    switch spec.type {
    case .int(let lo, let hi):
      guard let i = intValue(node) else { return wrong() }
      if let lo, i < lo { return outOfRange(node, what, spec, "\(i)", &bag) }
      if let hi, i > hi { return outOfRange(node, what, spec, "\(i)", &bag) }
      return .int(i)
    case .number(let lo, let hi, let el, let eh):
      guard let d = numberValue(node) else { return wrong() }
      guard d.isFinite else {
        bag.error(
          .notFinite, at: node.location, "\(what) must be a finite number, found \(d)",
          hint: spec.doc)
        return nil
      }
      if let lo, el ? d <= lo : d < lo { return outOfRange(node, what, spec, ParamValue.format(d), &bag) }
      if let hi, eh ? d >= hi : d > hi { return outOfRange(node, what, spec, ParamValue.format(d), &bag) }
      return .number(d)
    case .bool:
      guard case .bool(let b)? = node.scalar else { return wrong() }
      return .bool(b)
    case .string:
      guard case .string(let s)? = node.scalar else { return wrong() }
      return .string(s)
    case .choice(let options):
      guard case .string(let s)? = node.scalar else { return wrong() }
      guard options.contains(s) else {
        bag.error(
          spec.unknownChoiceCode, at: node.location, "\(what) must be \(spec.type.expected), found '\(s)'",
          hint: Suggest.hint(for: s, among: options, noun: "choices"))
        return nil
      }
      return .string(s)
    case .intPair(let lo):
      if let i = intValue(node) {
        if i < lo { return outOfRange(node, what, spec, "\(i)", &bag) }
        return .int(i)
      }
      guard let items = node.sequenceItems, items.count == 2,
        let a = intValue(items[0]), let b = intValue(items[1])
      else { return wrong() }
      if a < lo || b < lo { return outOfRange(node, what, spec, "[\(a), \(b)]", &bag) }
      return .pair(a, b)
    case .padding:
      if case .string("same")? = node.scalar { return .same }
      if let i = intValue(node) {
        if i < 0 { return outOfRange(node, what, spec, "\(i)", &bag) }
        return .int(i)
      }
      guard let items = node.sequenceItems, items.count == 2,
        let a = intValue(items[0]), let b = intValue(items[1])
      else { return wrong() }
      if a < 0 || b < 0 { return outOfRange(node, what, spec, "[\(a), \(b)]", &bag) }
      return .pair(a, b)
    case .intList(let lo):
      guard let items = node.sequenceItems else { return wrong() }
      var xs: [Int] = []
      for item in items {
        guard let i = intValue(item) else {
          bag.error(
            .wrongType, at: item.location,
            "every entry of \(what) must be an integer, found \(item.kindDescription)")
          return nil
        }
        if let lo, i < lo { return outOfRange(item, what, spec, "\(i)", &bag) }
        xs.append(i)
      }
      return .ints(xs)
    case .numberList(let lo, let ex):
      guard let items = node.sequenceItems else { return wrong() }
      var xs: [Double] = []
      for item in items {
        guard let d = numberValue(item) else {
          bag.error(
            .wrongType, at: item.location,
            "every entry of \(what) must be a number, found \(item.kindDescription)")
          return nil
        }
        guard d.isFinite else {
          bag.error(.notFinite, at: item.location, "entries of \(what) must be finite, found \(d)")
          return nil
        }
        if let lo, ex ? d <= lo : d < lo { return outOfRange(item, what, spec, ParamValue.format(d), &bag) }
        xs.append(d)
      }
      return .numbers(xs)
    case .intOrAuto(let lo):
      if case .string("auto")? = node.scalar { return .auto }
      guard let i = intValue(node) else { return wrong() }
      if i < lo { return outOfRange(node, what, spec, "\(i)", &bag) }
      return .int(i)
    }
  }

  static func outOfRange(
    _ node: SyntaxNode, _ what: String, _ spec: ParamSpec, _ found: String,
    _ bag: inout DiagnosticBag
  ) -> ParamValue? {
    bag.error(
      .outOfRange, at: node.location, "\(what) must be \(spec.type.expected), found \(found)",
      hint: spec.doc)
    return nil
  }

  /// Integers, and numbers like `2.0` that are integral; `2.5` is not an integer.
  static func intValue(_ node: SyntaxNode) -> Int? {
    switch node.scalar {
    case .int(let i)?: return i
    case .double(let d)? where d.isFinite && d == d.rounded() && abs(d) < 9e15: return Int(d)
    default: return nil
    }
  }

  static func numberValue(_ node: SyntaxNode) -> Double? {
    switch node.scalar {
    case .int(let i)?: return Double(i)
    case .double(let d)?: return d
    default: return nil
    }
  }
}
