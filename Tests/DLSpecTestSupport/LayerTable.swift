import Foundation

/// One row per registered layer kind, the single test table a new kind adds to: the layer
/// table test (shapes), the gradient check (`gradcheck` specs, run by `GradientCheckTests`) and,
/// for element-wise activations, the plain-loop reference σ that its runtime kernel is checked
/// against. Tests fail when a registered kind has no row, no gradcheck spec or no example use.
public struct LayerRow: Sendable, CustomStringConvertible {
  /// A gradient-check spec: input shape, the layers (YAML list items), the loss.
  public struct GradCheck: Hashable, Sendable, CustomStringConvertible {
    public var input: String
    public var layers: [String]
    public var loss: String

    public init(_ input: String, _ layers: [String], _ loss: String) {
      self.input = input
      self.layers = layers
      self.loss = loss
    }

    /// The layers as they sit under `model.layers` in a spec.
    public var yaml: String { layers.map { "- \($0)" }.joined(separator: "\n    ") }
    public var description: String { "\(input) \(layers.joined(separator: ", ")) / \(loss)" }
  }

  public var kind: String
  public var yaml: String
  public var input: [Int]
  public var output: [Int]
  /// (name, shape) of each parameter tensor, in declaration order.
  public var parameters: [(String, [Int])]
  /// (name, shape) of each state tensor.
  public var state: [(String, [Int])]
  public var gradcheck: [GradCheck]
  /// For activations: σ in Double, computed naively, and where σ has a kink.
  public var reference: (@Sendable (Double) -> Double)?
  public var kink: (@Sendable (Double) -> Bool)?

  public init(
    kind: String, yaml: String, input: [Int], output: [Int],
    parameters: [(String, [Int])] = [], state: [(String, [Int])] = [], gradcheck: [GradCheck],
    reference: (@Sendable (Double) -> Double)? = nil, kink: (@Sendable (Double) -> Bool)? = nil
  ) {
    self.kind = kind
    self.yaml = yaml
    self.input = input
    self.output = output
    self.parameters = parameters
    self.state = state
    self.gradcheck = gradcheck
    self.reference = reference
    self.kink = kink
  }

  public var description: String { yaml }
}

private typealias G = LayerRow.GradCheck

// Shared gradient-check specs (several kinds appear in one).
private let denseRelu = G(
  "[6]", ["dense: {units: 5}", "relu", "dense: {units: 3}"], "cross_entropy")
private let tanhSoftmax = G(
  "[6]", ["dense: {units: 5}", "tanh", "dense: {units: 3}", "softmax"], "cross_entropy")
private let sigmoidLogSoftmax = G(
  "[6]", ["dense: {units: 5}", "sigmoid", "dense: {units: 3}", "log_softmax"], "cross_entropy")
private let dropoutL1 = G(
  "[6]", ["dense: {units: 5, bias: false}", "dropout: {p: 0.3}", "dense: {units: 3}"], "l1")
private let convMaxPool = G(
  "[2, 6, 6]",
  [
    "conv2d: {filters: 3, kernel: 3, padding: same}", "relu", "maxpool: {size: 2}", "flatten",
    "dense: {units: 3}",
  ], "cross_entropy")
private let convAvgPoolSoftmax = G(
  "[1, 7, 7]",
  [
    "conv2d: {filters: 2, kernel: [3, 2], stride: 2, bias: false}", "avgpool: {size: 2, stride: 1}",
    "flatten", "dense: {units: 3}", "softmax",
  ], "mse")

private let threshold = 10e-5

public let layerTable: [LayerRow] = [
  LayerRow(
    kind: "avgpool", yaml: "avgpool: {size: 2}", input: [3, 9, 8], output: [3, 4, 4],
    gradcheck: [convAvgPoolSoftmax]),
  LayerRow(
    kind: "batchnorm", yaml: "batchnorm: {momentum: 0.2}", input: [4, 3, 5], output: [4, 3, 5],
    parameters: [("scale", [4]), ("shift", [4])],
    state: [("running_mean", [4]), ("running_var", [4])],
    gradcheck: [
      G("[6]", ["dense: {units: 5}", "batchnorm", "tanh", "dense: {units: 3}"], "cross_entropy"),
      G(
        "[2, 5, 5]",
        [
          "conv2d: {filters: 3, kernel: 3}", "batchnorm: {eps: 0.001}", "tanh", "flatten",
          "dense: {units: 3}",
        ], "mse"),
    ]),
  LayerRow(
    kind: "clipped_relu", yaml: "clipped_relu: {t: 6}", input: [5], output: [5],
    gradcheck: [
      G("[6]", ["dense: {units: 5}", "clipped_relu: {t: 0.5}", "dense: {units: 3}"], "mse")
    ],
    reference: { min(max($0, 0), 6) }, kink: { abs($0) < threshold || abs($0 - 6) < threshold }),
  LayerRow(
    kind: "conv2d", yaml: "conv2d: {filters: 4, kernel: [3, 5], stride: 2, padding: 1}",
    input: [2, 11, 12], output: [4, 6, 5], parameters: [("weight", [4, 2, 3, 5]), ("bias", [4])],
    gradcheck: [convMaxPool, convAvgPoolSoftmax]),
  LayerRow(
    kind: "dense", yaml: "dense: {units: 7}", input: [12], output: [7],
    parameters: [("weight", [7, 12]), ("bias", [7])], gradcheck: [denseRelu, dropoutL1]),
  LayerRow(
    kind: "dropout", yaml: "dropout: {p: 0.5}", input: [2, 3, 4], output: [2, 3, 4],
    gradcheck: [dropoutL1]),
  LayerRow(
    kind: "flatten", yaml: "flatten", input: [2, 3, 4], output: [24], gradcheck: [convMaxPool]),
  LayerRow(
    kind: "leaky_relu", yaml: "leaky_relu: {slope: 0.1}", input: [5], output: [5],
    gradcheck: [
      G(
        "[6]", ["dense: {units: 5}", "leaky_relu: {slope: 0.1}", "dense: {units: 3}"],
        "cross_entropy")
    ],
    reference: { $0 > 0 ? $0 : 0.1 * $0 }, kink: { abs($0) < threshold }),
  LayerRow(
    kind: "log_softmax", yaml: "log_softmax", input: [10], output: [10],
    gradcheck: [sigmoidLogSoftmax]),
  LayerRow(
    kind: "maxpool", yaml: "maxpool: {size: [2, 3], stride: 1}", input: [1, 5, 5],
    output: [1, 4, 3], gradcheck: [convMaxPool]),
  LayerRow(
    kind: "relu", yaml: "relu", input: [1, 4, 4], output: [1, 4, 4], gradcheck: [denseRelu],
    reference: { max($0, 0) }, kink: { abs($0) < threshold }),
  LayerRow(
    kind: "sigmoid", yaml: "sigmoid", input: [3], output: [3], gradcheck: [sigmoidLogSoftmax],
    reference: { 1 / (1 + exp(-$0)) }),
  LayerRow(
    kind: "softmax", yaml: "softmax", input: [10], output: [10],
    gradcheck: [tanhSoftmax, convAvgPoolSoftmax]),
  LayerRow(
    kind: "tanh", yaml: "tanh", input: [6], output: [6], gradcheck: [tanhSoftmax],
    reference: { tanh($0) }),
]

/// Every gradient-check spec of the table, once each, in table order.
public let layerTableGradChecks: [LayerRow.GradCheck] = {
  var seen = Set<LayerRow.GradCheck>()
  return layerTable.flatMap(\.gradcheck).filter { seen.insert($0).inserted }
}()
