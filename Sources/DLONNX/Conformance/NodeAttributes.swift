import Foundation

/// A node's attributes by name, with ONNX's defaults supplied by the caller.
struct NodeAttributes {
  let byName: [String: Onnx_AttributeProto]

  init(_ node: Onnx_NodeProto) {
    byName = Dictionary(node.attribute.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
  }

  func has(_ name: String) -> Bool { byName[name] != nil }
  func int(_ name: String, _ fallback: Int) -> Int { byName[name].map { Int($0.i) } ?? fallback }
  func float(_ name: String, _ fallback: Float) -> Float { byName[name]?.f ?? fallback }
  func ints(_ name: String) -> [Int]? { byName[name].map { $0.ints.map { Int($0) } } }
  func string(_ name: String, _ fallback: String) -> String {
    byName[name].map { String(decoding: $0.s, as: UTF8.self) } ?? fallback
  }
}
