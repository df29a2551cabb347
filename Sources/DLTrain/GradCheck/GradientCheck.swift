import Foundation
import DLRuntime
import DLSpec

/// Checks backpropagation against central differences (3.24),
/// ∂f/∂θ ≈ (f(θ + Δ) − f(θ − Δ)) / 2Δ, for every parameter tensor and the input, on the
/// spec's own model in Double. docs/gradcheck.md explains the method, tolerances and kinks.
public struct GradientCheck {
  public struct Options {
    public var samples = 4
    public var eps = 1e-6
    public var rtol = 1e-5
    public var atol = 1e-7
    public var maxEntries = 30
    public var params: Set<String>? = nil
    public var seed: UInt64 = 1
    /// Test seam: scale one layer's weight gradient to plant an error.
    public var plantedError: (layer: Int, factor: Double)? = nil

    public init() {}
  }

  public struct TensorReport {
    public var name: String
    public var shape: Shape
    public var checked: Int
    public var kinksSkipped: Int
    public var maxAbsoluteError: Double
    public var maxRelativeError: Double
    public var worstIndex: Int
    public var worstAnalytic: Double
    public var worstNumeric: Double
    public var passed: Bool
  }

  public struct Report {
    public var tensors: [TensorReport]
    public var dataDescription: String
    public var dropoutNote: String?
    /// "float64" or "float32".
    public var precision: String = "float64"
    public var passed: Bool { tensors.allSatisfy(\.passed) }
  }

  let experiment: Experiment
  let options: Options

  public init(_ e: Experiment, options: Options) {
    experiment = e
    self.options = options
  }

  /// Runs the check on `x` (n × input count) and labels `y` in Float64 (`T = Double`, the
  /// default) or, for curiosity, Float32, whose rounding makes tight tolerances meaningless.
  /// For regression, `targets` (n × output width) are the real-valued targets; when nil, a
  /// fixed pattern sin(i + 1) stands in (the check needs a loss, not meaningful targets).
  public func run(
    x: [Double], y: [Int32], targets: [Double]? = nil, dataDescription: String
  ) -> Report {
    run(x: x, y: y, targets: targets, dataDescription: dataDescription, as: Double.self)
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func run<T: DLScalar>(
    x: [Double], y: [Int32], targets: [Double]? = nil, dataDescription: String, as: T.Type
  ) -> Report {
    let e = experiment
    let n = y.count
    let plan = Plan<T>(
      model: e.model, loss: e.loss.value, optimizer: e.optimizer.value, batch: n,
      seed: options.seed, inputGradient: true, task: e.task.value)
    plan.initialize(e.train.value.initScheme, seed: options.seed)
    if let p = options.plantedError { plan.plantedGradientError = (p.layer, T(p.factor)) }
    for (i, v) in x.enumerated() { plan.input[i] = T(v) }
    if e.task.value == .regression {
      for i in 0..<(n * plan.classCount) {
        plan.targets[i] = T(targets.map { $0[i] } ?? Foundation.sin(Double(i) + 1))
      }
    } else {
      y.withUnsafeBufferPointer { if let b = $0.baseAddress { plan.labels.update(from: b, count: n) } }
    }
    // Dropout draws a fresh mask each forward; restoring the generator fixes the mask, so every
    // evaluation of f sees the same function.
    let frozen = plan.random.generator
    func f() -> Double {
      plan.random.generator = frozen
      plan.forward(n, training: true)
      return Double(plan.computeLoss(n, gradient: false))
    }
    plan.random.generator = frozen
    plan.lossAndGradient(n)
    let analyticParams = UnsafeBufferPointer(start: plan.gradients, count: plan.parameterCount).map(Double.init)
    let inputCount = x.count
    let analyticInput = plan.inputGradient.map { UnsafeBufferPointer(start: $0, count: inputCount).map(Double.init) } ?? []
    var generator = RandomGenerator(seed: options.seed &+ 17)
    var reports: [TensorReport] = []
    for (i, layer) in e.model.layers.enumerated() {
      for s in plan.parameterSlices[i] {
        let name = "\(layer.name).\(s.name)"
        if let only = options.params, !only.contains(name), !only.contains(layer.name) { continue }
        reports.append(
          check(name: name, shape: s.shape, base: plan.parameters + s.offset, count: s.count,
                analytic: { analyticParams[s.offset + $0] }, f: f, generator: &generator))
      }
    }
    if options.params == nil || options.params?.contains("input") == true, !analyticInput.isEmpty {
      reports.append(
        check(name: "input", shape: Shape([n] + e.model.input.dims), base: plan.input, count: inputCount,
              analytic: { analyticInput[$0] }, f: f, generator: &generator))
    }
    let dropout = e.model.layers.contains { $0.kind.drawsRandomNumbers }
    return Report(
      tensors: reports, dataDescription: dataDescription,
      dropoutNote: dropout ? "dropout is on with one fixed mask for every evaluation of f" : nil,
      precision: T.self == Float.self ? "float32" : "float64")
  }

  func check<T: DLScalar>(
    name: String, shape: Shape, base: UnsafeMutablePointer<T>, count: Int,
    analytic: (Int) -> Double, f: () -> Double, generator: inout RandomGenerator
  ) -> TensorReport {
    let eps = options.eps
    var candidates: [Int]
    if count <= options.maxEntries {
      candidates = Array(0..<count)
    } else {
      var all = Array(0..<count)
      all.shuffle(using: &generator)
      // Spares replace entries skipped at kinks.
      candidates = Array(all.prefix(min(count, options.maxEntries * 3)))
    }
    var report = TensorReport(
      name: name, shape: shape, checked: 0, kinksSkipped: 0, maxAbsoluteError: 0,
      maxRelativeError: 0, worstIndex: -1, worstAnalytic: 0, worstNumeric: 0, passed: true)
    var worstScore = -1.0
    for j in candidates where report.checked < options.maxEntries {
      let original = base[j]
      let f0 = f()
      base[j] = original + T(eps)
      let fPlus = f()
      base[j] = original - T(eps)
      let fMinus = f()
      base[j] = original
      // The step actually taken, after rounding to T (exact in Double, not in Float).
      let step = (Double(original + T(eps)) - Double(original - T(eps))) / 2
      let forward = (fPlus - f0) / step
      let backward = (f0 - fMinus) / step
      // A kink (relu at 0, a max-pool tie flipping, |·| at 0) inside [θ−Δ, θ+Δ] makes the two
      // one-sided slopes disagree far beyond what curvature explains: skip that entry.
      let scale = max(abs(forward), abs(backward), 1e-3)
      if abs(forward - backward) > 1e-3 * scale + 100 * eps {
        report.kinksSkipped += 1
        continue
      }
      let numeric = (fPlus - fMinus) / (2 * step)
      let a = analytic(j)
      let absolute = abs(a - numeric)
      let relative = absolute / max(abs(a), abs(numeric), 1e-12)
      report.checked += 1
      report.maxAbsoluteError = max(report.maxAbsoluteError, absolute)
      report.maxRelativeError = max(report.maxRelativeError, relative)
      let ok = absolute <= options.atol || relative <= options.rtol
      if !ok { report.passed = false }
      let score = ok ? relative * 1e-6 : relative + 1
      if score > worstScore {
        worstScore = score
        report.worstIndex = j
        report.worstAnalytic = a
        report.worstNumeric = numeric
      }
    }
    return report
  }
}
