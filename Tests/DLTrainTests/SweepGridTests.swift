import DLSpec
import Foundation
import Testing

@testable import DLTrain

@Suite struct SweepGridTests {
  @Test func valuesSplitOnCommasOutsideBracketsAndQuotes() throws {
    #expect(try SweepGrid.split("0.001,0.01, 0.1") == ["0.001", "0.01", "0.1"])
    #expect(try SweepGrid.split("[1,28,28],[784]") == ["[1,28,28]", "[784]"])
    #expect(
      try SweepGrid.split("{units: 64, bias: true},{units: 8}") == [
        "{units: 64, bias: true}", "{units: 8}",
      ])
    #expect(try SweepGrid.split("'a,b',\"c,d\",e") == ["'a,b'", "\"c,d\"", "e"])
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid.split("[1,2") }
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid.split("1],2") }
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid.split("'a,b") }
  }

  @Test func gridArgumentsAreChecked() throws {
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid(arguments: ["optimizer.sgd.lr"]) }
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid(arguments: ["=1,2"]) }
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid(arguments: ["a=1,,2"]) }
    #expect(throws: SweepGrid.Failure.self) { try SweepGrid(arguments: ["a=1", "a=2"]) }
  }

  @Test func pointsEnumerateTheLastKeyFastest() throws {
    let g = try SweepGrid(arguments: ["optimizer.sgd.lr=0.01,0.1", "train.batch_size=1,10,100"])
    #expect(g.count == 6)
    #expect(
      g.points.map(\.values) == [
        ["0.01", "1"], ["0.01", "10"], ["0.01", "100"], ["0.1", "1"], ["0.1", "10"],
        ["0.1", "100"],
      ])
    #expect(g.points.map(\.index) == [1, 2, 3, 4, 5, 6])
    let p = g.points[4]
    #expect(g.assignments(p) == ["optimizer.sgd.lr=0.1", "train.batch_size=10"])
    #expect(g.label(p) == "point 5 (optimizer.sgd.lr=0.1, train.batch_size=10)")
    #expect(g.directoryName(p) == "005-lr=0.1-batch_size=10")
    let shapes = try SweepGrid(arguments: [
      "model.input=[1,28,28],[784]", "model.layers[0].dense.units=8",
    ])
    #expect(shapes.directoryName(shapes.points[0]) == "001-input=_1_28_28_-units=8")
  }

  static let spec = """
    dlspec: 1
    name: logreg
    data: {dataset: fashion-mnist}
    model:
      input: [784]
      layers:
        - dense: {units: 10}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.5}
    train:
      epochs: 10
      batch_size: 100

    """

  @Test func everyPointIsCheckedBeforeTrainingGolden() throws {
    let g = try SweepGrid(arguments: ["optimizer.sgd.lr=0.1,abc", "train.batch_size=10,100"])
    #expect(throws: SweepPlan.Failure.self) {
      try SweepPlan.make(specPath: "logreg.yaml", specText: Self.spec, set: [], grid: g, epochs: 2)
    }
    do {
      _ = try SweepPlan.make(
        specPath: "logreg.yaml", specText: Self.spec, set: [], grid: g, epochs: 2)
    } catch {
      #expect(
        "\(error)" == """
          point 3 (optimizer.sgd.lr=abc, train.batch_size=10) is not a valid spec:
          --set optimizer.sgd.lr=abc:1:18: error[E015]: 'lr' of optimizer 'sgd' must be a number > 0, found the string "abc"
           1 | optimizer.sgd.lr=abc
             |                  ^
             = hint: learning rate α > 0
          logreg.yaml: 1 error, 0 warnings
          """)
    }
  }

  @Test func planAppliesSetThenPointThenEpochs() throws {
    let g = try SweepGrid(arguments: ["optimizer.sgd.lr=0.01,1.0"])
    let plan = try SweepPlan.make(
      specPath: "logreg.yaml", specText: Self.spec,
      set: ["schedule=constant", "train.batch_size=10"],
      grid: g, epochs: 2)
    #expect(plan.points.map { $0.experiment.optimizer.value.learningRate } == [0.01, 1.0])
    #expect(
      plan.points.allSatisfy {
        $0.experiment.train.value.epochs == 2 && $0.experiment.train.value.batchSize == 10
      })
    #expect(
      plan.points[0].assignments == [
        "schedule=constant", "train.batch_size=10", "optimizer.sgd.lr=0.01", "train.epochs=2",
      ])
    #expect(plan.points[0].absoluteDataPaths.isEmpty)
    #expect(SweepPlan.hasTestSet(plan.points[0].experiment))
  }

  @Test func sweepFileParses() throws {
    let text = """
      sweep: 1
      spec: ../logreg.yaml
      set: {schedule: constant}
      grid:
        optimizer.sgd.lr: [0.001, 0.01]
        model.input: [[1, 28, 28], [784]]
      epochs: 2
      jobs: 2
      evaluate: false

      """
    #expect(SweepFile.isSweepFile(text, path: "specs/sweeps/x.yaml"))
    #expect(!SweepFile.isSweepFile(Self.spec, path: "logreg.yaml"))
    guard
      case .success(let f) = SweepFile.parse(SourceFile(path: "specs/sweeps/x.yaml", text: text))
    else {
      Issue.record("did not parse")
      return
    }
    #expect(f.spec == "specs/logreg.yaml")
    #expect(SweepFile.normalized("../a/./b/../c.yaml") == "../a/c.yaml")
    #expect(f.set == ["schedule=constant"])
    #expect(
      f.grid.axes == [
        SweepGrid.Axis(key: "optimizer.sgd.lr", values: ["0.001", "0.01"]),
        SweepGrid.Axis(key: "model.input", values: ["[1, 28, 28]", "[784]"]),
      ])
    #expect(f.epochs == 2 && f.jobs == 2 && f.evaluate == false)
  }

  @Test func badSweepFileIsLocatedGolden() throws {
    let text = """
      sweep: 1
      grid:
        optimizer.sgd.lr: 0.1
      epochs: zero
      jbos: 2

      """
    let source = SourceFile(path: "bad.yaml", text: text)
    guard case .failure(let problems) = SweepFile.parse(source) else {
      Issue.record("a bad sweep file parsed")
      return
    }
    #expect(
      DiagnosticRenderer.text(problems.diagnostics, sources: ["bad.yaml": source]) == """
        bad.yaml:3:21: error[E015]: grid key `optimizer.sgd.lr` needs a non-empty list of values, found the number 0.1
         3 |   optimizer.sgd.lr: 0.1
           |                     ^
        bad.yaml:4:9: error[E015]: `epochs` must be an integer ≥ 1, found the string "zero"
         4 | epochs: zero
           |         ^
        bad.yaml:5:1: error[E014]: unknown key `jbos` in a sweep file
         5 | jbos: 2
           | ^
           = hint: did you mean 'jobs'? sweep file keys: epochs, evaluate, grid, jobs, out, set, spec, sweep, threads
        bad.yaml:1:1: error[E017]: the sweep file has no `spec:`
         1 | sweep: 1
           | ^
           = hint: spec: ../logreg.yaml

        """)
  }

  @Test func resumeRefusesAChangedSweep() {
    let g = SweepGrid(axes: [SweepGrid.Axis(key: "a", values: ["1", "2"])])
    let stored = SweepState.Settings(
      name: "n", specPath: "s.yaml", specSHA256: "aaaa", sweepFile: nil, set: [], grid: g,
      epochs: 2, jobs: 1, threads: 1, evaluate: true)
    var now = stored
    now.jobs = 2
    now.threads = 4
    #expect(now.differences(from: stored).isEmpty)
    now.grid.axes[0].values.append("3")
    now.specSHA256 = "bbbb"
    #expect(
      now.differences(from: stored) == [
        "the spec s.yaml changed (sha256 aaaa when the sweep started, bbbb now)",
        "grid: stored a=1,2, now a=1,2,3",
      ])
  }
}
