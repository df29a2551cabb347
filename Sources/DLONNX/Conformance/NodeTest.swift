import Foundation
import SwiftProtobuf

/// One of ONNX's backend node tests as onnx lays them out: `NAME/model.onnx` (a graph of one
/// node, or its function-expanded form) and `NAME/test_data_set_K/input_J.pb`, `output_J.pb`
/// (TensorProto files, J in the order of the graph's inputs and outputs).
public struct NodeTest: Sendable {
  public struct DataSet: Sendable {
    public var inputs: [Onnx_TensorProto]
    public var outputs: [Onnx_TensorProto]
  }

  public var name: String
  public var model: Onnx_ModelProto
  public var dataSets: [DataSet]

  /// The operators whose node tests run on dlspec's kernels (docs/conformance.md).
  public static let operators: Set<String> = [
    "Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "Relu", "LeakyRelu", "Tanh", "Sigmoid",
    "Clip", "Softmax", "LogSoftmax", "Flatten", "BatchNormalization",
  ]

  public enum LoadProblem: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)

    public var description: String {
      switch self {
      case .unreadable(let path, let reason): return "\(path): \(reason)"
      }
    }
  }

  /// Reads the test in `directory` (named after its last path component).
  public init(directory: URL) throws(LoadProblem) {
    name = directory.lastPathComponent
    model = try Self.decode(Onnx_ModelProto.self, directory.appendingPathComponent("model.onnx"))
    let sets = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { $0.hasPrefix("test_data_set_") }
      .sorted { Self.index($0) < Self.index($1) }
    dataSets = []
    for set in sets {
      let folder = directory.appendingPathComponent(set)
      func tensors(_ kind: String, _ count: Int) throws(LoadProblem) -> [Onnx_TensorProto] {
        var found: [Onnx_TensorProto] = []
        for j in 0..<count {
          let file = folder.appendingPathComponent("\(kind)_\(j).pb")
          guard FileManager.default.fileExists(atPath: file.path) else { break }
          found.append(try Self.decode(Onnx_TensorProto.self, file))
        }
        return found
      }
      dataSets.append(
        DataSet(
          inputs: try tensors("input", model.graph.input.count),
          outputs: try tensors("output", model.graph.output.count)))
    }
  }

  /// The operator under test: the type of the graph's one node; for a function-expanded test
  /// (`…_expanded`, several nodes of other operators) the operator of the test it expands, from
  /// `baseOperators`.
  public func operatorType(baseOperators: [String: String]) -> String? {
    if let base = expandedBase { return baseOperators[base] }
    return model.graph.node.count == 1 ? model.graph.node[0].opType : nil
  }

  /// `test_softmax_axis_0` for `test_softmax_axis_0_expanded_ver18`; nil for a plain test.
  public var expandedBase: String? {
    guard let range = name.range(of: "_expanded") else { return nil }
    return String(name[..<range.lowerBound])
  }

  /// The opset of the default domain the model imports.
  public var opset: Int {
    Int(model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 0)
  }

  static func index(_ name: String) -> Int { Int(name.split(separator: "_").last ?? "") ?? 0 }

  static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ url: URL) throws(LoadProblem) -> M
  {
    do {
      return try M(serializedBytes: try Data(contentsOf: url))
    } catch {
      throw .unreadable(path: url.path, reason: "\(error)")
    }
  }
}
