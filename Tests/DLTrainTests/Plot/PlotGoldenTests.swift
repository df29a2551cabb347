import DLSpecTestSupport
import Foundation
import Testing

@testable import DLTrain

/// The rendered SVGs of the fixture runs, checked in so any change to the output is reviewed
/// (RECORD_SNAPSHOTS=1 rewrites them; look at them rendered before committing).
@Suite struct PlotGoldenTests {
  static func check(_ svg: String, _ name: String) {
    if let failure = Snapshot.mismatch(svg, goldenPath: PlotFixtures.golden(name)) {
      Issue.record(Comment(rawValue: failure))
    }
  }

  @Test func learningCurves() throws {
    Self.check(
      LearningCurvesPlot.svg(try PlotFixtures.table("logreg"), title: "learning curves: logreg"),
      "learning-curves.svg")
  }

  @Test func overlay() throws {
    let runs = try ["logreg", "logreg-batch1000", "mlp"].map { ($0, try PlotFixtures.table($0)) }
    Self.check(RunsOverlayPlot.svg(runs, metric: "val_accuracy"), "overlay-val_accuracy.svg")
  }

  @Test func confusionMatrix() {
    Self.check(
      ConfusionMatrixPlot.svg(
        PlotFixtures.confusion, title: "logreg on the test split",
        classNames: PlotFixtures.fashionNames),
      "confusion-matrix.svg")
  }

  @Test func sweep() {
    Self.check(SweepPlotTests.svg(), "sweep.svg")
  }
}
