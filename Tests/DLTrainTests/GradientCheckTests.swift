import DLRuntime
import DLSpecTestSupport
import Foundation
import Testing

@testable import DLSpec
@testable import DLTrain

/// `dlspec gradcheck`'s engine: every example spec, every layer kind and loss, a planted error,
/// and the notes' Example 4.1 (vanishing gradients through sigmoid layers, (4.21)).
struct GradientCheckTests {
  static var root: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  static func synthetic(_ e: Experiment, samples: Int, seed: UInt64 = 3) -> ([Double], [Int32]) {
    var g = RandomGenerator(seed: seed)
    let x = (0..<(samples * e.model.input.elementCount)).map { _ in Double.random(in: 0..<1, using: &g) }
    let y = (0..<samples).map { _ in Int32(Int.random(in: 0..<e.model.output.elementCount, using: &g)) }
    return (x, y)
  }

  static func check(_ e: Experiment, options: GradientCheck.Options = .init(), samples: Int = 3) -> GradientCheck.Report {
    let (x, y) = synthetic(e, samples: samples)
    return GradientCheck(e, options: options).run(x: x, y: y, dataDescription: "synthetic")
  }

  @Test(arguments: ["logreg", "mlp", "mlp-deep", "mnist-cnn", "fashion-mnist-cnn"])
  func exampleSpecPasses(_ name: String) throws {
    let path = Self.root.appendingPathComponent("specs/\(name).yaml").path
    let e = try #require(SpecChecker(memoryLimit: 24 << 30).check(path: path).experiment)
    var options = GradientCheck.Options()
    options.maxEntries = 6
    let report = Self.check(e, options: options, samples: 2)
    for t in report.tensors {
      #expect(t.passed, "\(name): \(t.name) max rel \(t.maxRelativeError)")
      #expect(t.checked > 0, "\(name): \(t.name) checked nothing")
    }
    // Every parameter tensor and the input are reported.
    #expect(report.tensors.count == e.model.layers.reduce(0) { $0 + $1.parameters.count } + 1)
  }

  /// Every layer kind and loss, through the same engine: the gradient-check specs of the layer
  /// table (Tests/DLSpecTestSupport/LayerTable.swift), where each kind names at least one.
  @Test(arguments: layerTableGradChecks)
  func layerKindAndLossPass(_ g: LayerRow.GradCheck) throws {
    let yaml = "dlspec: 1\nmodel:\n  input: \(g.input)\n  layers:\n    \(g.yaml)\nloss: \(g.loss)\n"
    let result = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "/tmp/g.yaml", text: yaml))
    let e = try #require(result.experiment, "\(result.diagnostics)")
    let report = Self.check(e)
    for t in report.tensors { #expect(t.passed, "\(g): \(t.name) rel \(t.maxRelativeError)") }
    if g.layers.contains(where: { $0.hasPrefix("dropout") }) { #expect(report.dropoutNote != nil) }
  }

  /// A broken backward, planted through the test seam, is caught and named exactly.
  @Test func plantedErrorIsCaughtAndNamed() throws {
    let path = Self.root.appendingPathComponent("specs/mlp.yaml").path
    let e = try #require(SpecChecker(memoryLimit: 24 << 30).check(path: path).experiment)
    var options = GradientCheck.Options()
    options.maxEntries = 5
    options.plantedError = (layer: 2, factor: 1.01)  // dense_2's weight gradient, 1% too large
    let report = Self.check(e, options: options)
    let failed = report.tensors.filter { !$0.passed }.map(\.name)
    #expect(failed == ["dense_2.weight"])
    #expect(!report.passed)
  }

  /// Example 4.1: a chain of 1-unit sigmoid layers with W = ½, b = 0 and x = 1. Each step back
  /// multiplies δ by W·σ'(z) ≤ ½·¼, so |∂ρ/∂W^ℓ| shrinks at least as fast as 2^{−(L−ℓ)} (4.21).
  @Test func vanishingGradientsExample41() throws {
    let depth = 6
    let layers = (0..<depth).map { _ in "- dense: {units: 1}\n    - sigmoid" }.joined(separator: "\n    ")
    let yaml = "dlspec: 1\nmodel:\n  input: [1]\n  layers:\n    \(layers)\nloss: mse\n"
    let result = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "/tmp/s.yaml", text: yaml))
    let e = try #require(result.experiment, "\(result.diagnostics)")
    let plan = Plan<Double>(e, batch: 1)
    for (i, slices) in plan.parameterSlices.enumerated() where !slices.isEmpty {
      _ = i
      for s in slices { plan.parameters[s.offset] = s.name == "weight" ? 0.5 : 0 }
    }
    plan.input[0] = 1
    plan.labels[0] = 0
    plan.lossAndGradient(1)
    let norms = plan.gradientNorms().enumerated().filter { !plan.parameterSlices[$0.offset].isEmpty }.map(\.element)
    #expect(norms.count == depth)
    let last = try #require(norms.last)
    for (l, norm) in norms.enumerated() {
      // (4.21) with C = the last layer's norm: |∂ρ/∂W^ℓ| ≤ C·2^{−(L−ℓ)}.
      #expect(norm <= last * pow(2, -Double(depth - 1 - l)) + 1e-15, "layer \(l + 1): \(norm)")
      if l + 1 < norms.count { #expect(norm < norms[l + 1] / 2) }
    }
    // And backpropagation is right on this chain too.
    let report = GradientCheck(e, options: .init()).run(x: [1], y: [0], dataDescription: "x = 1")
    #expect(report.passed)
  }
}
