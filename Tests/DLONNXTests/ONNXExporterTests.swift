import DLONNX
import DLRuntime
import DLSpec
import Foundation
import Testing

/// The exporter's graph, read back from its own protobuf bytes: what each kind becomes and
/// where its weights go (the numerical round trip through onnxruntime is in CLITests).
@Suite struct ONNXExporterTests {
  static func experiment(_ layers: String, input: String = "[2, 6, 6]") throws -> Experiment {
    let text = """
      dlspec: 1
      name: t
      model:
        input: \(input)
        layers:
      \(layers)
      loss: cross_entropy
      """
    let r = SpecChecker().check(SourceFile(path: "t.yaml", text: text))
    return try #require(r.experiment, "\(r.diagnostics)")
  }

  /// Weights numbered 0, 1, 2, … in checkpoint order, so their placement can be checked.
  static func numbered(_ e: Experiment) -> [[String: FloatTensor]] {
    var next: Float = 0
    return e.model.layers.map { l in
      var w: [String: FloatTensor] = [:]
      for p in l.parameters
        + l.state.map({ ParameterShape($0.name, $0.shape, fanIn: 1, fanOut: 1) })
      {
        let n = p.shape.elementCount
        w[p.name] = FloatTensor(dims: p.shape.dims, values: (0..<n).map { Float($0) + next })
        next += Float(n)
      }
      return w
    }
  }

  static func roundTrip(_ e: Experiment, opset: Int = 17) throws -> Onnx_ModelProto {
    let model = try ONNXExporter(opset: opset).export(e, weights: numbered(e)).model
    return try Onnx_ModelProto(serializedBytes: try model.serializedBytes() as Data)
  }

  @Test func convNetBecomesConvMaxPoolFlattenGemmWithCheckpointLayouts() throws {
    let e = try Self.experiment(
      """
          - conv2d: {filters: 3, kernel: [3, 1], stride: [1, 2], padding: [1, 0]}
          - relu
          - maxpool: {size: 2}
          - flatten
          - dense: {units: 4, bias: false}
          - softmax
      """)
    let m = try Self.roundTrip(e)
    #expect(m.irVersion == 8)
    #expect(m.opsetImport.map(\.version) == [17])
    #expect(
      m.graph.node.map(\.opType) == ["Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"])
    #expect(m.graph.node.map(\.name) == m.graph.node.flatMap(\.output))
    #expect(m.graph.input.map(\.name) == ["input"])
    #expect(m.graph.output.map(\.name) == ["softmax_1"])
    let dims = m.graph.input[0].type.tensorType.shape.dim
    #expect(dims.map(\.dimParam) == ["N", "", "", ""])
    #expect(dims.dropFirst().map(\.dimValue) == [2, 6, 6])
    let conv = NodeAttributesView(m.graph.node[0])
    #expect(conv.ints("kernel_shape") == [3, 1])
    #expect(conv.ints("strides") == [1, 2])
    #expect(conv.ints("pads") == [1, 0, 1, 0])
    // Conv's weight is dlspec's [filters, C, ky, kx]; 18 values 0…17, then the bias 18…20.
    let initializers = Dictionary(uniqueKeysWithValues: m.graph.initializer.map { ($0.name, $0) })
    let weight = try FloatTensor(try #require(initializers["conv2d_1.weight"]))
    #expect(weight.dims == [3, 2, 3, 1])
    #expect(weight.values == (0..<18).map(Float.init))
    #expect(try FloatTensor(try #require(initializers["conv2d_1.bias"])).values == [18, 19, 20])
    // [3, 6, 3] after the conv, [3, 3, 1] after pooling: dense sees 9 inputs, no bias.
    let gemm = m.graph.node[4]
    #expect(gemm.input == ["flatten_1", "dense_1.weight"])
    #expect(NodeAttributesView(gemm).int("transB") == 1)
    #expect(try FloatTensor(try #require(initializers["dense_1.weight"])).dims == [4, 9])
    #expect(NodeAttributesView(m.graph.node[2]).ints("strides") == [2, 2])
    #expect(NodeAttributesView(m.graph.node[5]).int("axis") == 1)
  }

  @Test func activationsDropoutAndBatchnormMapToInferenceForms() throws {
    let e = try Self.experiment(
      """
          - dense: {units: 3}
          - batchnorm: {momentum: 0.25, eps: 0.5}
          - leaky_relu: {slope: 0.25}
          - dropout: {p: 0.5}
          - clipped_relu: {t: 6}
          - tanh
          - sigmoid
          - dense: {units: 2}
          - log_softmax
      """, input: "[4]")
    let m = try Self.roundTrip(e, opset: 13)
    #expect(m.irVersion == 7)
    #expect(
      m.graph.node.map(\.opType) == [
        "Gemm", "BatchNormalization", "LeakyRelu", "Identity", "Clip", "Tanh", "Sigmoid", "Gemm",
        "LogSoftmax",
      ])
    let bn = NodeAttributesView(m.graph.node[1])
    #expect(bn.float("epsilon") == 0.5)
    #expect(bn.float("momentum") == 0.75)
    #expect(
      m.graph.node[1].input == [
        "dense_1", "batchnorm_1.scale", "batchnorm_1.shift", "batchnorm_1.running_mean",
        "batchnorm_1.running_var",
      ])
    #expect(NodeAttributesView(m.graph.node[2]).float("alpha") == 0.25)
    let initializers = Dictionary(uniqueKeysWithValues: m.graph.initializer.map { ($0.name, $0) })
    #expect(
      try FloatTensor(try #require(initializers["clipped_relu_1.min"]))
        == FloatTensor(dims: [], values: [0]))
    #expect(
      try FloatTensor(try #require(initializers["clipped_relu_1.max"]))
        == FloatTensor(dims: [], values: [6]))
    // dense_1 holds 12 + 3 values (0…14); batchnorm's scale, shift, mean, var follow.
    #expect(
      try FloatTensor(try #require(initializers["batchnorm_1.running_var"])).values == [24, 25, 26])
  }

  @Test func opsetsOutsideTheCheckedRangeAreRefused() {
    for opset in [12, 22] {
      #expect(throws: Diagnostic.self) { try ONNXExporter(opset: opset) }
    }
    #expect((try? ONNXExporter(opset: 13)) != nil)
    #expect((try? ONNXExporter(opset: 21)) != nil)
  }

  @Test func modelsBeyondOneProtobufMessageAreRefusedAtTheirLargestLayer() throws {
    // 30,000 × 20,000 float32 weights: 2.4 GB, over protobuf's 2 GiB (nothing is allocated).
    let e = try Self.experiment(
      "    - dense: {units: 20000}\n    - dense: {units: 2}", input: "[30000]")
    do {
      try ONNXExporter.checkSize(e.model)
      Issue.record("a 2.4 GB model was accepted")
    } catch {
      #expect(error.code == .onnxTooLarge)
      #expect(error.location?.line == 6)
    }
  }
}

/// A kind the exporter has no mapping for (the registry is open: tests and future kinds add
/// kinds without touching DLONNX): an element-wise square, refused at its line, never guessed.
struct Square: ElementwiseLayerKind, ParameterlessLayerKind {
  static let name = "square"
  static let summary = "z²"
  func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    LayerProgram(forward: { _, _ in }, backward: { _, _, _ in })
  }
}

@Suite struct ONNXRefusalTests {
  @Test func aKindWithoutMappingIsRefusedAtItsLine() throws {
    var registry = LayerRegistry.builtIn
    registry.kinds[Square.name] = Square.self
    let text = """
      dlspec: 1
      name: t
      model:
        input: [3]
        layers:
          - dense: {units: 2}
          - square
      loss: mse
      """
    let r = SpecChecker(registry: registry).check(SourceFile(path: "t.yaml", text: text))
    let e = try #require(r.experiment, "\(r.diagnostics)")
    do {
      _ = try ONNXExporter().export(e, weights: ONNXExporterTests.numbered(e))
      Issue.record("a kind without an ONNX mapping was exported")
    } catch {
      #expect(error.code == .onnxInexpressible)
      #expect(error.location?.line == 7)
      #expect(error.message.contains("layer kind 'square' (square_1) has no ONNX mapping"))
    }
  }
}

/// Attribute lookup for the assertions.
struct NodeAttributesView {
  let node: Onnx_NodeProto
  init(_ node: Onnx_NodeProto) { self.node = node }
  func find(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }
  func ints(_ name: String) -> [Int64]? { find(name)?.ints }
  func int(_ name: String) -> Int64? { find(name)?.i }
  func float(_ name: String) -> Float? { find(name)?.f }
}

/// The round-trip fixture covers the registry: a new kind must get a mapping and a line there.
@Suite struct ONNXCoverageTests {
  @Test func everyLayerKindFixtureHasEveryRegisteredKindAndExports() throws {
    let path = ConformanceTests.root
      .appendingPathComponent("Tests/CLITests/Fixtures/onnx/every-layer-kind.yaml").path
    let r = SpecChecker().check(path: path)
    let e = try #require(r.experiment, "\(r.diagnostics)")
    #expect(Set(e.model.layers.map(\.kindName)) == Set(LayerRegistry.builtIn.names))
    let export = try ONNXExporter().export(e, weights: ONNXExporterTests.numbered(e))
    #expect(export.model.graph.node.count == e.model.layers.count)
  }
}
