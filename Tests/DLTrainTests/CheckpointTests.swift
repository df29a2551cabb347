import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

@Suite struct CheckpointTests {
  static let metadata = Checkpoint.Metadata(specHash: "abc123", epoch: 3, step: 42, rngState: [1, 2, 3, UInt64.max])

  static func trainedPlan(_ net: String = "mlp", optimizer: String = "adam: {lr: 0.01}") throws -> Plan<Float> {
    let e = try PlanFixtures.experiment(net, optimizer: optimizer)
    let plan = Plan<Float>(e, batch: 3)
    plan.initialize(.he, seed: 5)
    PlanFixtures.fill(plan, samples: 3)
    let optimizer = Optimizer<Float>(e.optimizer.value)
    let state = plan.optimizerState
    for t in 1...2 {
      plan.lossAndGradient(3)
      optimizer.update(
        parameters: plan.parameters, gradients: plan.gradients, state: state,
        count: plan.parameterCount, learningRate: 0.01, step: t)
    }
    return plan
  }

  @Test func saveAndLoadRoundTrip() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("c.h5")
    let plan = try Self.trainedPlan()
    try Checkpoint.save(plan, to: path, metadata: Self.metadata, optimizer: "adam")
    #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    let fresh = Plan<Float>(try PlanFixtures.experiment("mlp", optimizer: "adam: {lr: 0.01}"), batch: 7)
    let meta = try Checkpoint.load(path, into: fresh, optimizerState: true)
    #expect(meta == Self.metadata)
    let n = plan.parameterCount
    #expect(Array(UnsafeBufferPointer(start: fresh.parameters, count: n)) == Array(UnsafeBufferPointer(start: plan.parameters, count: n)))
    #expect(plan.optimizerState.count == 2)
    for (a, b) in zip(plan.optimizerState, fresh.optimizerState) {
      #expect(Array(UnsafeBufferPointer(start: a, count: n)) == Array(UnsafeBufferPointer(start: b, count: n)))
    }
    // Without optimizer state only the weights arrive.
    let weightsOnly = Plan<Float>(try PlanFixtures.experiment("mlp", optimizer: "adam: {lr: 0.01}"), batch: 2)
    try Checkpoint.load(path, into: weightsOnly, optimizerState: false)
    #expect(Array(UnsafeBufferPointer(start: weightsOnly.parameters, count: n)) == Array(UnsafeBufferPointer(start: plan.parameters, count: n)))
    #expect(Array(UnsafeBufferPointer(start: weightsOnly.optimizerState[0], count: n)).allSatisfy { $0 == 0 })
  }

  @Test(.enabled(if: DataFixtures.hasH5py, "needs python3 with h5py and numpy"))
  func readableFromH5py() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("c.h5")
    let plan = try Self.trainedPlan()
    try Checkpoint.save(plan, to: path, metadata: Self.metadata, optimizer: "adam")
    let script = """
      import sys, h5py
      f = h5py.File(sys.argv[1], 'r')
      a = f.attrs
      print(int(a['format_version']), int(a['epoch']), int(a['step']))
      print(a['format'] if isinstance(a['format'], str) else a['format'].decode())
      print(a['optimizer'] if isinstance(a['optimizer'], str) else a['optimizer'].decode())
      print(list(f['/weights/dense_1/weight'].shape), f['/weights/dense_1/weight'].dtype)
      print(list(f['/weights/dense_2/bias'].shape))
      print(sorted(f['/optimizer'].keys()))
      print('%.6f' % float(f['/weights/dense_1/weight'][0, 0]))
      """
    let result = DataFixtures.python(script, [path])
    let (status, out, err) = try #require(result)
    #expect(status == 0, "\(err)")
    let lines = out.split(separator: "\n").map(String.init)
    let weight = plan.parameterSlices[0].first { $0.name == "weight" }!
    #expect(lines.count == 7)
    guard lines.count == 7 else { return }
    #expect(lines[0] == "4 3 42")
    #expect(lines[1] == "dlspec-checkpoint")
    #expect(lines[2] == "adam")
    #expect(lines[3] == "\(weight.shape.dims) float32")
    #expect(lines[3] == "[6, 5] float32")
    #expect(lines[4] == "[4]")
    #expect(lines[5] == "['slot0', 'slot1']")
    #expect(lines[6] == String(format: "%.6f", Double(plan.parameters[weight.offset])))
  }

  @Test func differentArchitectureIsRefused() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("c.h5")
    try Checkpoint.save(try Self.trainedPlan(), to: path, metadata: Self.metadata, optimizer: "adam")
    // Same layer names, dense_1 now 7 units instead of 6.
    let other = PlanFixtures.yaml("mlp", loss: "cross_entropy").replacingOccurrences(of: "units: 6", with: "units: 7")
    let plan = Plan<Float>(try PlanFixtures.experiment(text: other), batch: 2)
    do {
      try Checkpoint.load(path, into: plan, optimizerState: false)
      Issue.record("loading a checkpoint of another architecture did not throw")
    } catch let Checkpoint.Failure.mismatch(message) {
      #expect(message.contains("dense_1"), "\(message)")
      #expect(message.contains("[6, 5]"), "\(message)")
      #expect(message.contains("[7, 5]"), "\(message)")
    }
    // An extra layer in the checkpoint is refused too.
    let logreg = """
      dlspec: 1
      model:
        input: [5]
        layers:
          - dense: {units: 4}
          - softmax
      loss: cross_entropy

      """
    let small = Plan<Float>(try PlanFixtures.experiment(text: logreg), batch: 2)
    #expect(throws: Checkpoint.Failure.self) { try Checkpoint.load(path, into: small, optimizerState: false) }
  }

  static func state(_ plan: Plan<Float>) -> [Float] {
    guard let state = plan.state else { return [] }
    return Array(UnsafeBufferPointer(start: state, count: plan.model.stateCount))
  }

  /// Batchnorm's running statistics are saved under /state and come back on load.
  @Test func layerStateRoundTrips() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("bn.h5")
    let plan = try Self.trainedPlan("bn")
    let trained = Self.state(plan)
    #expect(trained.count == 2 * 2 + 2 * 5)
    let e = try PlanFixtures.experiment("bn", optimizer: "adam: {lr: 0.01}")
    let initial = Plan<Float>(e, batch: 2)
    initial.initialize(.he, seed: 1)
    #expect(Self.state(initial) == [0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    #expect(trained != Self.state(initial), "training updates the running statistics")
    try Checkpoint.save(plan, to: path, metadata: Self.metadata, optimizer: "adam")
    try Checkpoint.load(path, into: initial, optimizerState: true)
    #expect(Self.state(initial) == trained)
  }

  /// A version-1 file (no /state) loads into a model without state, and is refused, naming
  /// the missing tensor, by one with state.
  @Test func version1CheckpointsStillLoad() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("v1.h5")
    let plan = try Self.trainedPlan()
    try Checkpoint.save(plan, to: path, metadata: Self.metadata, optimizer: "adam")
    let file = try HDF5File.open(path, writable: true)
    try file.setAttribute("format_version", .int64(1))
    file.close()
    let fresh = Plan<Float>(try PlanFixtures.experiment("mlp", optimizer: "adam: {lr: 0.01}"), batch: 2)
    #expect(try Checkpoint.load(path, into: fresh, optimizerState: true) == Self.metadata)
    let n = plan.parameterCount
    #expect(Array(UnsafeBufferPointer(start: fresh.parameters, count: n)) == Array(UnsafeBufferPointer(start: plan.parameters, count: n)))

    let bnPath = dir.path("bn-v1.h5")
    try Checkpoint.save(try Self.trainedPlan("bn"), to: bnPath, metadata: Self.metadata, optimizer: "adam")
    let bnFile = try HDF5File.open(bnPath, writable: true)
    try bnFile.setAttribute("format_version", .int64(1))
    bnFile.close()
    let bn = Plan<Float>(try PlanFixtures.experiment("bn", optimizer: "adam: {lr: 0.01}"), batch: 2)
    do {
      try Checkpoint.load(bnPath, into: bn, optimizerState: false)
      Issue.record("a version-1 file loaded into a model with state")
    } catch let Checkpoint.Failure.mismatch(message) {
      #expect(message.contains("/state/batchnorm_1/running_mean"), "\(message)")
    }
  }

  /// Metadata a resume depends on is never filled in with defaults.
  @Test(arguments: [
    ("rng_state", HDF5AttributeValue.int64Array([0, 0, 0, 0])),
    ("rng_state", .int64Array([1, 2])),
    ("epoch", .string("three")),
    ("step", .double(4)),
  ])
  func brokenMetadataIsAnError(_ name: String, _ value: HDF5AttributeValue) throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("c.h5")
    let plan = try Self.trainedPlan()
    try Checkpoint.save(plan, to: path, metadata: Self.metadata, optimizer: "adam")
    let file = try HDF5File.open(path, writable: true)
    try file.setAttribute(name, value)
    file.close()
    do {
      try Checkpoint.load(path, into: plan, optimizerState: true)
      Issue.record("\(name) = \(value) loaded")
    } catch let Checkpoint.Failure.unreadable(_, why) {
      #expect(why.contains(name), "\(why)")
    }
  }
}

/// The canonical spec travels in the checkpoint; one written without it still reads.
@Suite struct CheckpointSpecTests {
  @Test func canonicalSpecRoundTripsAndIsOptional() throws {
    let dir = try TemporaryDirectory()
    let plan = try CheckpointTests.trainedPlan()
    var meta = CheckpointTests.metadata
    meta.specCanonical = "dlspec: 1\nname: mlp\n"
    try Checkpoint.save(plan, to: dir.path("with.h5"), metadata: meta, optimizer: "adam")
    #expect(try Checkpoint.readMetadata(dir.path("with.h5")) == meta)
    try Checkpoint.save(plan, to: dir.path("without.h5"), metadata: CheckpointTests.metadata, optimizer: "adam")
    let old = try Checkpoint.readMetadata(dir.path("without.h5"))
    #expect(old.specCanonical == nil)
    #expect(old == CheckpointTests.metadata)
    let file = try HDF5File.open(dir.path("without.h5"))
    defer { file.close() }
    #expect(try !file.attributeExists("spec_canonical"))
  }

  @Test func readMetadataRefusesOtherFiles() throws {
    let dir = try TemporaryDirectory()
    try Data("text".utf8).write(to: URL(fileURLWithPath: dir.path("x.h5")))
    #expect(throws: Checkpoint.Failure.self) { try Checkpoint.readMetadata(dir.path("x.h5")) }
    let file = try HDF5File.create(dir.path("other.h5"))
    file.close()
    #expect(throws: Checkpoint.Failure.self) { try Checkpoint.readMetadata(dir.path("other.h5")) }
  }
}
