import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// `data:` with CSV and numpy files, loaded as `train` loads them: rows seen in the model's
/// input shape, regression targets from a CSV column, labels checked against the model's
/// outputs at their line, and `.npz` splits.
@Suite struct ExperimentDataFormatsTests {
  static func experiment(
    _ data: String, in dir: TemporaryDirectory, units: Int = 3, input: String = "[1, 2, 2]"
  ) throws -> Experiment {
    let text = """
      dlspec: 1
      data:
      \(data)
      model: {input: \(input), layers: [flatten, {dense: {units: \(units)}}\(units > 1 ? ", softmax" : "")]}
      loss: \(units > 1 ? "cross_entropy" : "mse")

      """
    let path = dir.path("spec.yaml")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let r = SpecChecker().check(path: path)
    return try #require(r.experiment, "\(r.diagnostics.map(\.message))")
  }

  @Test func csvRowsTakeTheModelsInputShape() throws {
    let dir = try TemporaryDirectory()
    try "0,1,2,3,2\n4,5,6,7,0\n".write(toFile: dir.path("t.csv"), atomically: true, encoding: .utf8)
    let e = try Self.experiment("  train: {csv: t.csv, label: 4}", in: dir)
    var warnings: [String] = []
    let d = try ExperimentData.load(e, split: .train, warn: { warnings.append($0) })
    // Whole numbers 0…7 read as float32: perhaps pixels without `dtype: uint8`.
    #expect(
      warnings == [
        "\(dir.path("t.csv")): every feature of the train data is a whole number in 0…255 (the "
          + "largest is 7), read as float32 without scaling; if these are pixels, add "
          + "`dtype: uint8` to divide them by 255 as the HDF5 and IDX loaders do"
      ])
    #expect(d.sampleShape == [1, 2, 2])
    #expect(d.x == [0, 1, 2, 3, 4, 5, 6, 7])
    #expect(d.y == [2, 0])
    // Without `classes`, a label the model has no output for is reported at its cell.
    try "0,1,2,3,2\n4,5,6,7,3\n".write(toFile: dir.path("t.csv"), atomically: true, encoding: .utf8)
    #expect {
      try ExperimentData.load(e, split: .train)
    } throws: {
      ($0 as? DataFileError)?.located == "\(dir.path("t.csv")):2:9: label 3 is not a class in 0..<3"
    }
  }

  @Test func csvRegressionTargets() throws {
    let dir = try TemporaryDirectory()
    try "y,a,b,c,d\n0.5,1,2,3,4.5\n-1.25,5,6,7,8\n".write(
      toFile: dir.path("r.csv"), atomically: true, encoding: .utf8)
    let e = try Self.experiment("  train: {csv: r.csv, label: y}", in: dir, units: 1)
    #expect(e.task.value == .regression)
    let d = try ExperimentData.load(e, split: .train, warn: { Issue.record("warning: \($0)") })
    #expect(d.targetWidth == 1)
    #expect(d.targets == [0.5, -1.25])
    #expect(d.x == [1, 2, 3, 4.5, 5, 6, 7, 8])
  }

  @Test(.enabled(if: NumPyFixtures.available)) func npzSplitsAndNpyFiles() throws {
    let f = try NumPyFixtures.make()
    let data = """
        train: {npz: \(f.path("deflated.npz"))}
        test: {npy: {x: \(f.path("pixels.npy")), y: \(f.path("y4.npy"))}}
      """
    let dir = try TemporaryDirectory()
    let e = try Self.experiment(data, in: dir, units: 4, input: "[1, 2, 3]")
    let train = try ExperimentData.load(e, split: .train)
    #expect(train.sampleShape == [1, 2, 3])
    #expect(train.x == f.floats("x"))
    #expect(train.y == [2, 0, 1])
    // The test file's samples have 5 values: the loader names both shapes.
    #expect {
      try ExperimentData.load(e, split: .test)
    } throws: {
      "\($0)" == "the data's samples are [5] (5 values), but the model input is [1, 2, 3] (6 values)"
    }
  }
}
