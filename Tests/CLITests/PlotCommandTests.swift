import DLSpecTestSupport
import Foundation
import Testing

/// `dlspec plot` writing files: where, atomically, and what it refuses.
@Suite struct PlotCommandTests {
  static let fixtures = Snapshot.packageRoot.appendingPathComponent("Tests/Fixtures/Plots")

  /// A scratch copy of fixture runs, removed afterwards.
  static func scratch(_ runs: [String], _ body: (URL) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-plot-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for r in runs {
      try FileManager.default.copyItem(
        at: fixtures.appendingPathComponent(r), to: dir.appendingPathComponent(r))
    }
    try body(dir)
  }

  @Test func oneRunWritesItsLearningCurvesBesideItsMetrics() throws {
    try Self.scratch(["logreg"]) { dir in
      let run = dir.appendingPathComponent("logreg")
      let output = try CLI.run(["plot", run.path])
      #expect(output.status == 0, "\(output.stderr)")
      let svg = run.appendingPathComponent("learning-curves.svg")
      #expect(output.stdout == "wrote \(svg.path)\n")
      let text = try String(contentsOf: svg, encoding: .utf8)
      #expect(text.hasPrefix("<?xml") && text.contains("class=\"panel\" data-title=\"accuracy\""))
      let left = try FileManager.default.contentsOfDirectory(atPath: run.path)
      #expect(!left.contains { $0.hasSuffix(".tmp") }, "the temporary file was renamed")
    }
  }

  @Test func severalRunsOverlayOneMetricIntoOut() throws {
    try Self.scratch(["logreg", "mlp"]) { dir in
      let out = dir.appendingPathComponent("overlay.svg")
      let output = try CLI.run([
        "plot", dir.appendingPathComponent("logreg/metrics.csv").path,
        dir.appendingPathComponent("mlp").path, "--metric", "train_loss", "--out", out.path,
      ])
      #expect(output.status == 0, "\(output.stderr)")
      let text = try String(contentsOf: out, encoding: .utf8)
      #expect(text.contains(">train loss, 2 runs</text>"))
      #expect(text.components(separatedBy: "class=\"series\"").count == 3)
    }
  }

  @Test func aRunWithoutMetricsIsAClearError() throws {
    try Self.scratch([]) { dir in
      let output = try CLI.run(["plot", dir.path])
      #expect(output.status == 1)
      #expect(
        output.stderr
          == "error: \(dir.path): no metrics.csv in this directory (not a run directory?)\n")
      let empty = dir.appendingPathComponent("metrics.csv")
      try "".write(to: empty, atomically: true, encoding: .utf8)
      let again = try CLI.run(["plot", empty.path])
      #expect(again.status == 1)
      #expect(again.stderr.contains("empty file, no header row"))
      try "epoch,train_loss\n".write(to: empty, atomically: true, encoding: .utf8)
      let header = try CLI.run(["plot", dir.path])
      #expect(header.status == 1)
      #expect(header.stderr.contains("no epochs recorded yet"))
    }
  }

  @Test func anUnwritableOutIsAnErrorAndLeavesNothingBehind() throws {
    try Self.scratch(["logreg"]) { dir in
      let out = dir.appendingPathComponent("no-such-dir/plot.svg").path
      let output = try CLI.run(["plot", dir.appendingPathComponent("logreg").path, "--out", out])
      #expect(output.status == 1)
      #expect(output.stderr.hasPrefix("error: cannot write \(out):"))
    }
  }
}
