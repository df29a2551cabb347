import Foundation
import Testing

@testable import DLTrain

@Suite struct MetricsTableTests {
  @Test func readsARealRun() throws {
    let t = try PlotFixtures.table("logreg")
    #expect(
      t.columns == [
        "epoch", "step", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
        "samples_per_s", "grad_norm_dense_1", "grad_norm_softmax_1",
      ])
    #expect(t.rows.count == 12)
    #expect(t.column("epoch") == (1...12).map { Double($0) })
    // The first data line of the file, as written by MetricsLog.
    #expect(t.rows[0][3] == 1.3282856705012145)
    #expect(t.column("val_accuracy")?.first == 0.8091666666666667)
    #expect(t.column("nope") == nil)
  }

  @Test func emptyCellsAreNil() throws {
    let t = try PlotFixtures.table("no-validation")
    #expect(t.column("val_loss")?.allSatisfy { $0 == nil } == true)
    #expect(!t.hasValues("val_loss"))
    #expect(t.hasValues("train_loss"))
  }

  @Test func dropsALastLineCutShort() throws {
    let t = try MetricsTable.parse("epoch,train_loss,val_loss\n1,0.5,0.6\n2,0.4")
    #expect(t.rows == [[1, 0.5, 0.6]])
    let whole = try MetricsTable.parse("epoch,train_loss,val_loss\n1,0.5,0.6\n2,0.4,0.45")
    #expect(whole.rows.count == 2, "a complete last line without a newline is kept")
  }

  @Test func toleratesUnknownColumnsTextCellsRepeatedHeadersAndCRLF() throws {
    let text = "epoch,phase,train_loss\r\n1,warmup,0.9\r\nepoch,phase,train_loss\r\n2,,0.7\r\n\r\n"
    let t = try MetricsTable.parse(text)
    #expect(t.columns == ["epoch", "phase", "train_loss"])
    #expect(t.rows == [[1, nil, 0.9], [2, nil, 0.7]])
  }

  @Test func shortAndLongRowsAreSquared() throws {
    let t = try MetricsTable.parse("a,b,c\n1\n1,2,3,4\n")
    #expect(t.rows == [[1, nil, nil], [1, 2, 3]])
  }

  @Test func missingAndEmptyFilesAreClearErrors() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("metrics.csv").path
    #expect(throws: MetricsTable.ReadError.missing(path: missing)) {
      try MetricsTable.read(path: missing)
    }
    try "".write(toFile: missing, atomically: true, encoding: .utf8)
    #expect(throws: MetricsTable.ReadError.empty(path: missing)) {
      try MetricsTable.read(path: missing)
    }
    try "\n  \n".write(toFile: missing, atomically: true, encoding: .utf8)
    #expect(throws: MetricsTable.ReadError.empty(path: missing)) {
      try MetricsTable.read(path: missing)
    }
    let error = MetricsTable.ReadError.empty(path: "runs/a/metrics.csv")
    #expect(
      "\(error)" == "runs/a/metrics.csv: empty file, no header row (the run has not started?)")
    #expect(throws: MetricsTable.ReadError.self) { try MetricsTable.read(path: dir.path) }
  }

  @Test func pointsAreSortedAndTheLastRowOfAnEpochWins() throws {
    let t = try MetricsTable.parse("epoch,train_loss\n1,0.9\n3,0.5\n2,0.7\n3,0.4\n,0.1\n4,\n")
    #expect(
      t.points("train_loss") == [
        PlotPoint(x: 1, y: 0.9), PlotPoint(x: 2, y: 0.7), PlotPoint(x: 3, y: 0.4),
        PlotPoint(x: 4, y: nil),
      ])
    let noEpoch = try MetricsTable.parse("train_loss\n0.9\n0.8\n")
    #expect(noEpoch.points("train_loss").map(\.x) == [1, 2])
  }
}
