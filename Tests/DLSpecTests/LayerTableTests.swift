import Testing

@testable import DLSpec

/// One row per registered layer kind: a YAML layer line, an input shape, and the expected
/// output and parameter shapes. Adding a kind means adding a row (the second test enforces it).
struct LayerRow: Sendable, CustomTestStringConvertible {
  var kind: String
  var yaml: String
  var input: [Int]
  var output: [Int]
  /// (name, shape) of each parameter tensor, weights first.
  var parameters: [(String, [Int])]

  var testDescription: String { yaml }
}

let layerTable: [LayerRow] = [
  LayerRow(kind: "avgpool", yaml: "avgpool: {size: 2}", input: [3, 9, 8], output: [3, 4, 4], parameters: []),
  LayerRow(kind: "clipped_relu", yaml: "clipped_relu: {t: 6}", input: [5], output: [5], parameters: []),
  LayerRow(
    kind: "conv2d", yaml: "conv2d: {filters: 4, kernel: [3, 5], stride: 2, padding: 1}",
    input: [2, 11, 12], output: [4, 6, 5], parameters: [("weight", [4, 2, 3, 5]), ("bias", [4])]),
  LayerRow(kind: "dense", yaml: "dense: {units: 7}", input: [12], output: [7], parameters: [("weight", [7, 12]), ("bias", [7])]),
  LayerRow(kind: "dropout", yaml: "dropout: {p: 0.5}", input: [2, 3, 4], output: [2, 3, 4], parameters: []),
  LayerRow(kind: "flatten", yaml: "flatten", input: [2, 3, 4], output: [24], parameters: []),
  LayerRow(kind: "log_softmax", yaml: "log_softmax", input: [10], output: [10], parameters: []),
  LayerRow(kind: "maxpool", yaml: "maxpool: {size: [2, 3], stride: 1}", input: [1, 5, 5], output: [1, 4, 3], parameters: []),
  LayerRow(kind: "relu", yaml: "relu", input: [1, 4, 4], output: [1, 4, 4], parameters: []),
  LayerRow(kind: "sigmoid", yaml: "sigmoid", input: [3], output: [3], parameters: []),
  LayerRow(kind: "softmax", yaml: "softmax", input: [10], output: [10], parameters: []),
  LayerRow(kind: "tanh", yaml: "tanh", input: [6], output: [6], parameters: []),
]

@Suite struct LayerTableTests {
  @Test(arguments: layerTable)
  func row(_ row: LayerRow) throws {
    // mse accepts any flat output; a flatten keeps image outputs legal for the loss, and a
    // dense layer gives parameter-free kinds something to train (E037 refuses a model without).
    let text = """
      dlspec: 1
      model:
        input: \(row.input)
        layers:
          - \(row.yaml)
          - flatten
          - dense: {units: 1}
      loss: mse

      """
    let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "\(row.kind).yaml", text: text))
    let e = try #require(r.experiment, "\(r.diagnostics.map(\.message))")
    let layer = e.model.layers[0]
    #expect(layer.kindName == row.kind)
    #expect(layer.inputShape == Shape(row.input))
    #expect(layer.outputShape == Shape(row.output))
    #expect(layer.parameters.map(\.name) == row.parameters.map(\.0))
    #expect(layer.parameters.map(\.shape) == row.parameters.map { Shape($0.1) })
    #expect(IRVerifier.verify(e).isEmpty)
  }

  @Test func everyRegisteredKindHasARow() {
    let rows = Set(layerTable.map(\.kind))
    let kinds = Set(LayerRegistry.builtIn.names)
    #expect(kinds.subtracting(rows).isEmpty, "kinds without a row: \(kinds.subtracting(rows).sorted())")
    #expect(rows.subtracting(kinds).isEmpty, "rows for unknown kinds: \(rows.subtracting(kinds).sorted())")
    #expect(layerTable.count == kinds.count, "one row per kind")
  }
}
