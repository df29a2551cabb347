/// A small JSON tree with sorted keys, so generated files (the schema) are byte-stable.
public indirect enum JSONValue: Sendable {
  case string(String)
  case int(Int)
  case number(Double)
  case bool(Bool)
  case array([JSONValue])
  case object(JSONObject)

  public func render(indent: Int) -> String {
    let pad = String(repeating: "  ", count: indent)
    let inner = String(repeating: "  ", count: indent + 1)
    switch self {
    case .string(let s): return JSONText.string(s)
    case .int(let i): return String(i)
    case .number(let d): return JSONText.number(d)
    case .bool(let b): return String(b)
    case .array(let xs):
      if xs.isEmpty { return "[]" }
      if xs.allSatisfy({ if case .object = $0 { return false } else { return true } }) {
        return "[" + xs.map { $0.render(indent: 0) }.joined(separator: ", ") + "]"
      }
      return "[\n" + xs.map { inner + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n\(pad)]"
    case .object(let o):
      if o.storage.isEmpty { return "{}" }
      return "{\n" + o.storage.keys.sorted().map { k in
        inner + JSONText.string(k) + ": " + (o.storage[k]?.render(indent: indent + 1) ?? "null")
      }.joined(separator: ",\n") + "\n\(pad)}"
    }
  }
}

public struct JSONObject: Sendable, ExpressibleByDictionaryLiteral {
  var storage: [String: JSONValue] = [:]

  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    for (k, v) in elements { storage[k] = v }
  }

  public subscript(key: String) -> JSONValue? {
    get { storage[key] }
    set { storage[key] = newValue }
  }

  mutating func merge(_ other: JSONObject) {
    for (k, v) in other.storage { storage[k] = v }
  }
}
