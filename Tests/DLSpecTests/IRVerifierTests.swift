import DLRuntime
import Testing

@testable import DLSpec

@Suite struct IRVerifierTests {
  @Test func everyExampleSpecVerifies() throws {
    #expect(TestSpecs.examples.count >= 5)
    for (name, text) in TestSpecs.examples {
      let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: name, text: text))
      let e = try #require(r.experiment, "\(name): \(r.diagnostics.map(\.message))")
      #expect(IRVerifier.verify(e).isEmpty, "\(name): \(IRVerifier.verify(e))")
    }
  }

  @Test func randomWellFormedSpecsVerify() throws {
    var rng = SplitMix64(seed: 42)
    for i in 0..<300 {
      let text = SpecGenerator.randomSpec(&rng)
      let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "gen.yaml", text: text))
      let e = try #require(r.experiment, "case \(i): \(r.diagnostics.map(\.message))\n\(text)")
      #expect(IRVerifier.verify(e).isEmpty, "case \(i): \(IRVerifier.verify(e))")
    }
  }

  /// The verifier itself must notice broken IR: corrupt a sound experiment in each way.
  @Test func detectsCorruptions() throws {
    let text = TestSpecs.examples.first { $0.name == "mnist-cnn.yaml" }?.text ?? ""
    let good = try #require(SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "m.yaml", text: text)).experiment)
    #expect(IRVerifier.verify(good).isEmpty)

    func expectViolation(_ what: String, _ corrupt: (inout Experiment) -> Void) {
      var e = good
      corrupt(&e)
      #expect(!IRVerifier.verify(e).isEmpty, "\(what) went unnoticed")
    }
    expectViolation("index") { $0.model.layers[1].index = 5 }
    expectViolation("duplicate name") { $0.model.layers[1].name = $0.model.layers[0].name }
    expectViolation("input shape") { $0.model.layers[2].inputShape = Shape([1]) }
    expectViolation("first input") { $0.model.input = Shape([2, 28, 28]) }
    expectViolation("output shape") { $0.model.layers[0].outputShape = Shape([8, 25, 24]) }
    expectViolation("parameter shapes") { $0.model.layers[0].parameters = [] }
    expectViolation("needsInputGradient") { $0.model.layers[0].needsInputGradient = true }
    expectViolation("later needsInputGradient") { $0.model.layers[3].needsInputGradient = false }
    expectViolation("negative cost") { $0.model.layers[0].cost.forwardOps = -1 }
    expectViolation("zero dimension") { $0.model.layers[2].outputShape = Shape([0]) }
    expectViolation("missing default") { $0.train.params.values["shuffle"] = nil }
    expectViolation("missing layer default") { $0.model.layers[0].params.values["bias"] = nil }
    expectViolation("batch size") { $0.train.value.batchSize = 0 }
  }
}
