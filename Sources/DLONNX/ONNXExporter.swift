import DLRuntime
import DLSpec
import Foundation
import SwiftProtobuf

/// Turns a checked experiment and its weights into an ONNX model: one graph input `input`
/// [N, …the spec's input shape], one node (or a few) per layer, weights as initializers, and
/// the last layer's value as the output. Inference semantics: dropout is the identity and
/// batchnorm uses its running statistics (docs/onnx.md).
public struct ONNXExporter {
  /// Opset 17: every operator dlspec needs has had its present meaning since opset 13 (Softmax
  /// and LogSoftmax over one axis, Clip with tensor bounds), and 17 is read by the runtimes of
  /// recent years (onnxruntime since 1.12). docs/onnx.md, "Opset", has the per-operator
  /// history.
  public static let defaultOpset = 17
  /// The opsets whose operators all mean what the mapping needs: from 13 (single-axis Softmax)
  /// to 21 (the newest the exporter's tests check with onnx.checker and onnxruntime).
  public static let opsets: ClosedRange<Int> = 13...21
  /// Protobuf refuses messages of 2 GiB or more; ONNX's way past that (weights in external
  /// files) is not written by dlspec. The margin leaves room for the graph itself.
  public static let maximumWeightBytes = (1 << 31) - (1 << 20)

  public let opset: Int

  /// Refuses an opset outside `opsets` (E082), saying why.
  public init(opset: Int = defaultOpset) throws(Diagnostic) {
    guard Self.opsets.contains(opset) else {
      let why =
        opset < Self.opsets.lowerBound
        ? "before opset 13, Softmax and LogSoftmax flatten their input to 2-D around the axis "
          + "instead of working on one axis, and Clip's bounds are attributes until 11"
        : "it is newer than the opsets the exporter is checked against with onnx.checker and "
          + "onnxruntime"
      throw Diagnostic(
        .onnxOpset, at: nil,
        "--opset \(opset) is not supported: \(why)",
        hint: "use an opset from \(Self.opsets.lowerBound) to \(Self.opsets.upperBound) "
          + "(default \(Self.defaultOpset))")
    }
    self.opset = opset
  }

  /// The lowest ONNX IR version that carries `opset` (onnx.helper's VERSION_TABLE): runtimes
  /// refuse files whose IR version is newer than they know, so the file claims no more.
  public static func irVersion(opset: Int) -> Int64 {
    switch opset {
    case ...14: return 7
    case 15...18: return 8
    case 19...20: return 9
    default: return 10
    }
  }

  /// Each layer's parameters and state by name, read from `plan` (checkpoint layout: weight
  /// then bias, scale, shift; running_mean and running_var).
  public static func weights(of plan: Plan<Float>) -> [[String: FloatTensor]] {
    plan.model.layers.indices.map { i in
      var w: [String: FloatTensor] = [:]
      for s in plan.parameterSlices[i] {
        let values = Array(UnsafeBufferPointer(start: plan.parameters + s.offset, count: s.count))
        w[s.name] = FloatTensor(dims: s.shape.dims, values: values)
      }
      if let state = plan.state {
        for s in plan.stateSlices[i] {
          let values = Array(UnsafeBufferPointer(start: state + s.offset, count: s.count))
          w[s.name] = FloatTensor(dims: s.shape.dims, values: values)
        }
      }
      return w
    }
  }

  /// The exported model and, per layer, the ONNX operators it became.
  public struct Export {
    public var model: Onnx_ModelProto
    public var operators: [[String]]
  }

  /// The model of `e` with `weights` (one dictionary per layer, as `weights(of:)` gives).
  /// With `exposeLayers`, every layer's value is also a graph output (what `--verify` compares
  /// layer by layer); the written file has only the model's output.
  public func export(
    _ e: Experiment, weights: [[String: FloatTensor]], exposeLayers: Bool = false
  ) throws(Diagnostic) -> Export {
    let layers = e.model.layers
    try Self.checkSize(e.model)
    var g = ONNXGraphBuilder()
    var operators: [[String]] = []
    var value = "input"
    for (layer, w) in zip(layers, weights) {
      operators.append(try LayerMapping.emit(layer, input: value, weights: w, into: &g))
      value = layer.name
    }
    var graph = Onnx_GraphProto()
    graph.name = e.name
    graph.node = g.nodes
    graph.initializer = g.initializers
    graph.input = [Self.valueInfo("input", e.model.input)]
    let shown = exposeLayers ? layers : Array(layers.suffix(1))
    graph.output = shown.map { Self.valueInfo($0.name, $0.outputShape) }
    var model = Onnx_ModelProto()
    model.irVersion = Self.irVersion(opset: opset)
    var set = Onnx_OperatorSetIdProto()
    set.domain = ""
    set.version = Int64(opset)
    model.opsetImport = [set]
    model.producerName = "dlspec"
    model.producerVersion = ToolVersion.current
    model.docString =
      "\(e.name), exported by dlspec \(ToolVersion.current) from \(e.sourcePath) "
      + "(inference: dropout is the identity, batchnorm uses its running statistics)"
    model.graph = graph
    return Export(model: model, operators: operators)
  }

  /// `name`: float32 [N, dims…] with a symbolic batch dimension.
  static func valueInfo(_ name: String, _ shape: Shape) -> Onnx_ValueInfoProto {
    var tensor = Onnx_TypeProto.Tensor()
    tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    var batch = Onnx_TensorShapeProto.Dimension()
    batch.dimParam = "N"
    tensor.shape.dim =
      [batch]
      + shape.dims.map { d in
        var dim = Onnx_TensorShapeProto.Dimension()
        dim.dimValue = Int64(d)
        return dim
      }
    var type = Onnx_TypeProto()
    type.tensorType = tensor
    var info = Onnx_ValueInfoProto()
    info.name = name
    info.type = type
    return info
  }

  /// Refuses (E081) a model whose float32 weights and state do not fit one protobuf message,
  /// before anything is allocated, at the layer holding the most.
  public static func checkSize(_ model: ModelIR) throws(Diagnostic) {
    func bytes(_ l: LayerIR) -> Int {
      let elements =
        l.parameters.reduce(0) { $0 + $1.shape.elementCount }
        + l.state.reduce(0) { $0 + $1.shape.elementCount }
      return elements.multipliedReportingOverflow(by: 4).overflow ? Int.max : elements * 4
    }
    let total = model.layers.reduce(0) { a, l in
      let (sum, overflow) = a.addingReportingOverflow(bytes(l))
      return overflow ? Int.max : sum
    }
    guard total > maximumWeightBytes, let largest = model.layers.max(by: { bytes($0) < bytes($1) })
    else { return }
    throw Diagnostic(
      .onnxTooLarge, at: largest.location,
      "the model's weights take \(ByteCount.format(total)) (\(largest.name) alone "
        + "\(ByteCount.format(bytes(largest)))), more than one ONNX file can hold: protobuf "
        + "messages are limited to 2 GiB",
      hint: "ONNX's external-data form is not written by dlspec; export a smaller model")
  }
}
