import DLRuntime
import DLSpec
import Foundation

/// The vanishing-gradient report of §4.3 (`dlspec gradients`, docs/gradients.md): per layer
/// with parameters, the norms of ∂ρ/∂W and ∂ρ/∂b averaged over a few training batches, their
/// ratio to the last layer's beside (4.21)'s bound, and how many activations sit where σ'
/// vanishes (|z| > 4 for sigmoid and tanh, z ≤ 0 for ReLU).
///
/// Nothing is updated: each batch runs forward (training mode), the loss and backward on the
/// same weights, so the figures describe one point of training (the initialisation, or a
/// checkpoint).
public struct GradientReport: Sendable, Equatable {
  /// One parameter tensor's gradient norm, ‖∂ρ/∂θ‖₂ per batch, averaged over the batches
  /// (the statistic metrics.csv's `grad_norm_<layer>` logs for the whole layer).
  public struct Tensor: Sendable, Equatable {
    public var name: String
    public var norm: Double
  }

  /// A layer with parameters. `position` is ℓ in (4.1)'s numbering: 1 for the first layer
  /// with parameters, `L + 1` (the report's `parameterLayers`) for the output layer.
  public struct Layer: Sendable, Equatable {
    public var name: String
    public var position: Int
    public var tensors: [Tensor]
    /// ‖∂ρ/∂W^ℓ‖ / ‖∂ρ/∂W^{L+1}‖, of the first tensor (the weight); nil when the last layer's
    /// is 0.
    public var ratioToLast: Double?
    /// (4.21)'s C·2^{−(L−ℓ)} divided by its value at the output layer ℓ = L + 1:
    /// 2^{−(L+1−ℓ)}. It is a bound for chains of sigmoid layers only.
    public var bound: Double

    /// The first tensor (the weight W) and the one named `bias`, as the report's columns.
    public var weightNorm: Double { tensors.first?.norm ?? 0 }
    public var biasNorm: Double? { tensors.first { $0.name == "bias" }?.norm }
  }

  /// One saturating activation layer's statistics over every sample of the batches.
  public struct Activation: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var rule: Saturation
    /// Units per sample (the layer's output size) and values inspected (units × samples).
    public var units: Int
    public var values: Int
    /// Values in the saturated (|z| > 4) or inactive (z ≤ 0) region.
    public var saturatedValues: Int
    /// ReLU family: units whose input was ≤ 0 on every sample seen ("dead"); nil otherwise.
    public var deadUnits: Int?

    public var saturatedShare: Double { Double(saturatedValues) / Double(max(1, values)) }
  }

  public var layers: [Layer]
  public var activations: [Activation]
  public var batches: Int
  public var samples: Int
  /// The mean loss over the batches.
  public var loss: Double

  /// The number of layers with parameters, L + 1 in (4.1)'s numbering.
  public var parameterLayers: Int { layers.count }

  /// (4.21)'s bound for position ℓ of `count` layers with parameters, relative to the last.
  public static func bound(position: Int, of count: Int) -> Double {
    Foundation.pow(2, -Double(count - position))
  }

  /// Runs `batchCount` batches of `batches` (epoch 0's order) of `data` through `plan`.
  public static func measure(
    _ plan: Plan<Float>, data: Dataset, batches: BatchIterator, batchCount: Int
  ) -> GradientReport {
    var iterator = batches
    iterator.startEpoch(0)
    let model = plan.model
    let withParameters = model.layers.indices.filter { !plan.parameterSlices[$0].isEmpty }
    var tensorSums = withParameters.map { [Double](repeating: 0, count: plan.parameterSlices[$0].count) }
    var meters = model.layers.indices.compactMap { i -> SaturationMeter? in
      guard i <= plan.lastTrainedLayer, let rule = model.layers[i].kind.saturation else { return nil }
      return SaturationMeter(layer: i, rule: rule, units: model.layers[i].outputShape.elementCount)
    }
    let count = min(batchCount, iterator.batchCount)
    var lossSum = 0.0
    var samples = 0
    for b in 0..<count {
      let n = data.gather(iterator.indices(ofBatch: b), into: plan)
      plan.forward(n, training: true)
      for k in meters.indices { meters[k].add(plan.output(ofLayer: meters[k].layer), samples: n) }
      lossSum += Double(plan.computeLoss(n, gradient: true)) * Double(n)
      plan.backward(n)
      samples += n
      for (k, i) in withParameters.enumerated() {
        for (t, s) in plan.parameterSlices[i].enumerated() {
          let g = plan.gradients + s.offset
          var sum = 0.0
          for j in 0..<s.count { sum += Double(g[j]) * Double(g[j]) }
          tensorSums[k][t] += sum.squareRoot()
        }
      }
    }
    let mean = { (v: Double) in v / Double(max(1, count)) }
    var layers = withParameters.enumerated().map { k, i in
      Layer(
        name: model.layers[i].name, position: k + 1,
        tensors: zip(plan.parameterSlices[i], tensorSums[k]).map { Tensor(name: $0.name, norm: mean($1)) },
        ratioToLast: nil, bound: bound(position: k + 1, of: withParameters.count))
    }
    if let last = layers.last?.weightNorm, last > 0 {
      for k in layers.indices { layers[k].ratioToLast = layers[k].weightNorm / last }
    }
    return GradientReport(
      layers: layers,
      activations: meters.map { $0.result(model.layers[$0.layer]) },
      batches: count, samples: samples, loss: lossSum / Double(max(1, samples)))
  }
}

/// Counts saturated values and never-active units of one activation layer, batch by batch.
struct SaturationMeter {
  let layer: Int
  let rule: Saturation
  let units: Int
  var values = 0
  var saturated = 0
  /// Per unit: was its input ever > 0 (ReLU family only).
  var active: [Bool]

  init(layer: Int, rule: Saturation, units: Int) {
    self.layer = layer
    self.rule = rule
    self.units = units
    active = rule == .nonPositive ? [Bool](repeating: false, count: units) : []
  }

  /// Adds `samples` rows of `units` outputs at `y`.
  mutating func add(_ y: UnsafePointer<Float>, samples: Int) {
    let tracksUnits = !active.isEmpty
    for r in 0..<samples {
      let row = y + r * units
      for u in 0..<units {
        let off = rule.holds(Double(row[u]))
        if off { saturated += 1 } else if tracksUnits { active[u] = true }
      }
    }
    values += samples * units
  }

  func result(_ l: LayerIR) -> GradientReport.Activation {
    GradientReport.Activation(
      name: l.name, kind: l.kindName, rule: rule, units: units, values: values,
      saturatedValues: saturated,
      deadUnits: active.isEmpty ? nil : active.lazy.filter { !$0 }.count)
  }
}
