import DLSpecTestSupport
import Foundation
import Testing

@testable import DLSpec

enum DiffFixture {
  /// Checks a spec's text as if it were the file at `path` (data paths resolve against its
  /// directory).
  static func experiment(_ yaml: String, path: String = "/experiments/specs/spec.yaml") throws
    -> Experiment
  {
    let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: path, text: yaml))
    let problems = r.diagnostics.map {
      "\($0.location.map(String.init(describing:)) ?? ""): \($0.message)"
    }
    return try #require(r.experiment, "\(problems)")
  }
}

/// `CanonicalSpec`: a valid spec, every default written out, independent of style and order.
@Suite struct CanonicalSpecTests {
  static let specsDirectory = Snapshot.packageRoot.appendingPathComponent("specs")

  static var shippedSpecs: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: specsDirectory.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted()
  }

  /// Specs covering what the shipped ones do not: files, idx, other optimizers and schedules,
  /// pairs, pooling, dropout, a name YAML would read as a number.
  static let variants: [String] = [
    """
    dlspec: 1
    name: "1.5"
    data:
      train: {hdf5: ../data/mnist.hdf5}
      test: {hdf5: /abs/mnist.hdf5, x: xt, y: yt}
      classes: 10
    model: {input: [1, 28, 28], layers: [{conv2d: {filters: 4, kernel: [3, 5], padding: same}},
      relu, {maxpool: {size: 2}}, flatten, {dropout: {p: 0.25}}, {dense: {units: 10}}]}
    loss: mse
    optimizer: {rmsprop: {lr: 0.001, momentum: 0.5}}
    schedule: {piecewise: {boundaries: [2, 4], values: [0.1, 0.01, 0.001]}}
    checkpoint: {every: 2, keep_last: 3}
    """,
    """
    dlspec: 1
    data: {train: {idx: {images: train-images.gz, labels: train-labels.gz}}, validation_split: 0.2}
    model: {input: [784], layers: [{dense: {units: 10, bias: false}}, log_softmax]}
    loss: cross_entropy
    optimizer: {adam: {lr: 3e-4, eps: 1e-7, weight_decay: 0.0001}}
    schedule: {exponential: {gamma: 0.95, unit: step}}
    train: {init: he, shuffle: false, seed: 7}
    """,
    """
    dlspec: 1
    model: {input: [3, 8, 8], layers: [{avgpool: {size: [2, 2], stride: 2}}, flatten,
      {dense: {units: 3}}, sigmoid]}
    loss: l1
    optimizer: {sgd: {lr: 0.5, momentum: 0.9, nesterov: true}}
    """,
  ]

  func assertRoundTrip(_ e: Experiment, _ label: String) throws {
    let first = CanonicalSpec.text(e)
    let again = try DiffFixture.experiment(first, path: e.sourcePath)
    let second = CanonicalSpec.text(again)
    #expect(first == second, "\(label): canonical text changes when checked again")
    #expect(
      SpecDiff(from: e, to: again).isEmpty, "\(label): \(SpecDiff(from: e, to: again).changes)")
    #expect(CostReport(e, batch: 7).parameters == CostReport(again, batch: 7).parameters)
  }

  @Test(arguments: shippedSpecs)
  func shippedSpecRoundTrips(_ name: String) throws {
    let path = Self.specsDirectory.appendingPathComponent(name).path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try assertRoundTrip(try DiffFixture.experiment(text, path: path), name)
  }

  @Test(arguments: variants.indices)
  func variantRoundTrips(_ i: Int) throws {
    try assertRoundTrip(try DiffFixture.experiment(Self.variants[i]), "variant \(i)")
  }

  @Test func writesEveryDefaultInFixedOrder() throws {
    let e = try DiffFixture.experiment(
      """
      dlspec: 1
      name: tiny
      model: {input: [4], layers: [{dense: {units: 2}}, softmax]}
      loss: cross_entropy
      """)
    #expect(
      CanonicalSpec.text(e) == """
        dlspec: 1
        name: tiny
        model:
          input: [4]
          layers:
            - dense: {units: 2, bias: true}
            - softmax
        loss: cross_entropy
        optimizer: {sgd: {lr: 0.01, momentum: 0, nesterov: false, weight_decay: 0}}
        schedule: constant
        train:
          epochs: 10
          batch_size: 100
          seed: 1
          init: fan_in_normal
          shuffle: true
          divergence_factor: 1000000
          divergence_patience: 50
        checkpoint:
          every: 1
          keep_last: 0

        """)
  }

  @Test func defaultsKeyOrderAndStyleDoNotShow() throws {
    let terse = try DiffFixture.experiment(
      """
      dlspec: 1
      name: mlp
      data: {dataset: fashion-mnist, validation_split: 0.1}
      model: {input: [784], layers: [{dense: {units: 100}}, tanh, {dense: {units: 10}}, softmax]}
      loss: cross_entropy
      optimizer: {sgd: {lr: 0.1}}
      """)
    let verbose = try DiffFixture.experiment(
      """
      checkpoint: {keep_last: 0, every: 1}
      train:
        shuffle: true
        seed: 1
        batch_size: 100
        epochs: 10
        init: fan_in_normal
      schedule: {constant: {}}
      optimizer:
        sgd:
          nesterov: false
          weight_decay: 0.0
          momentum: 0
          lr: 1.0e-1
      loss: {cross_entropy: null}
      model:
        layers:
          - dense: {bias: true, units: 100}
          - tanh: {}
          - {dense: {units: 10.0}}
          - softmax
        input:
          - 784
      data:
        classes: 10
        validation_split: 0.1
        dataset: fashion-mnist
      name: 'mlp'
      dlspec: 1
      """)
    #expect(CanonicalSpec.text(terse) == CanonicalSpec.text(verbose))
    #expect(SpecDiff(from: terse, to: verbose).isEmpty)
  }

  @Test func kernelPairOfEqualSidesEqualsTheInteger() throws {
    func spec(_ kernel: String) throws -> Experiment {
      try DiffFixture.experiment(
        """
        dlspec: 1
        model: {input: [1, 8, 8], layers: [{conv2d: {filters: 2, kernel: \(kernel)}}, flatten]}
        loss: mse
        """)
    }
    #expect(CanonicalSpec.text(try spec("3")) == CanonicalSpec.text(try spec("[3, 3]")))
    #expect(CanonicalSpec.text(try spec("3")).contains("kernel: 3, stride: 1, padding: 0"))
  }

  @Test func dataPathsAreRelativeToTheSpecDirectory() throws {
    let e = try DiffFixture.experiment(
      "dlspec: 1\ndata: {train: {hdf5: d/train.h5}, test: {hdf5: /srv/t.h5}}\n"
        + "model: {input: [4], layers: [{dense: {units: 2}}]}\nloss: mse\n",
      path: "/experiments/specs/s.yaml")
    let text = CanonicalSpec.text(e)
    #expect(text.contains("  train: {hdf5: d/train.h5, x: x_train, y: y_train}\n"))
    #expect(text.contains("  test: {hdf5: /srv/t.h5, x: x_test, y: y_test}\n"))
  }

  @Test func stringsThatReadAsOtherTypesAreQuoted() {
    #expect(ResolvedSpec.scalar("mlp-2.v1") == "mlp-2.v1")
    #expect(ResolvedSpec.scalar("true") == "\"true\"")
    #expect(ResolvedSpec.scalar("10") == "\"10\"")
    #expect(ResolvedSpec.scalar("1e5") == "\"1e5\"")
    #expect(ResolvedSpec.scalar("a: b") == "\"a: b\"")
    #expect(ResolvedSpec.scalar("") == "\"\"")
  }
}
