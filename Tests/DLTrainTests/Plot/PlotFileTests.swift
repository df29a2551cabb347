import Foundation
import Testing

@testable import DLTrain

@Suite struct PlotFileTests {
  static func scratch(_ body: (String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("plotfile-\(getpid())-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(dir)
  }

  @Test func writesTheRunsLearningCurvesAndLeavesNoTemporaryFile() throws {
    try Self.scratch { dir in
      try FileManager.default.copyItem(
        atPath: PlotFixtures.path("logreg"), toPath: dir + "/metrics.csv")
      try "old plot".write(toFile: dir + "/learning-curves.svg", atomically: true, encoding: .utf8)
      let path = try PlotFile.writeLearningCurves(runDirectory: dir, title: "logreg")
      #expect(path == dir + "/learning-curves.svg")
      let expected = LearningCurvesPlot.svg(try PlotFixtures.table("logreg"), title: "logreg")
      let written = try String(contentsOfFile: path, encoding: .utf8)
      #expect(written == expected, "replaced whole")
      let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
      #expect(files == ["learning-curves.svg", "metrics.csv"])
    }
  }

  @Test func failuresNameThePathAndTheReason() throws {
    try Self.scratch { dir in
      let missing = dir + "/no-such-dir/plot.svg"
      #expect(throws: PlotFile.WriteError(path: missing, reason: "No such file or directory")) {
        try PlotFile.write("x", to: missing)
      }
      #expect(throws: PlotFile.WriteError(path: dir, reason: "Is a directory")) {
        try PlotFile.write("x", to: dir)
      }
      let left = try FileManager.default.contentsOfDirectory(atPath: dir)
      #expect(left.isEmpty, "no .tmp left behind")
      #expect(throws: MetricsTable.ReadError.missing(path: dir + "/metrics.csv")) {
        try PlotFile.writeLearningCurves(runDirectory: dir, title: "t")
      }
    }
  }
}
