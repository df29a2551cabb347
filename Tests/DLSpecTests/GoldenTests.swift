import DLSpec
import DLSpecTestSupport
import Foundation
import Testing

/// `inspect` and `cost` (table, JSON, Markdown at the spec's batch size) of every example spec
/// in `specs/`, checked in under `Goldens/`; a refactor must leave them byte-identical.
enum ExampleSpecs {
  static let directory = Snapshot.packageRoot.appendingPathComponent("specs")

  static let names: [String] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
  }()

  /// Checks `specs/<name>.yaml` under its relative path, so paths in the output are stable.
  static func check(_ name: String) throws -> SpecChecker.Result {
    let text = try String(contentsOf: directory.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    return SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "specs/\(name).yaml", text: text))
  }
}

@Suite struct GoldenTests {
  static let bundled = Bundle.module.resourceURL!.appendingPathComponent("Goldens")
  static let source = Snapshot.packageRoot.appendingPathComponent("Tests/DLSpecTests/Goldens")

  @Test func examplesExist() {
    #expect(ExampleSpecs.names.count >= 5, "found \(ExampleSpecs.names) in \(ExampleSpecs.directory.path)")
  }

  @Test(arguments: ExampleSpecs.names)
  func inspectAndCost(_ name: String) throws {
    let result = try ExampleSpecs.check(name)
    #expect(result.isValid, "specs/\(name).yaml: \(result.diagnostics.map(\.message))")
    let e = try #require(result.experiment)
    let report = CostReport(e, batch: e.train.value.batchSize)
    let outputs = [
      // inspect prints data paths resolved to absolute ones: the checkout's own place is not
      // part of the golden.
      (
        "\(name).inspect.txt",
        InspectRenderer.text(e).replacingOccurrences(of: Snapshot.packageRoot.path, with: "<package>")
      ),
      ("\(name).cost.txt", CostRenderer.table(report)),
      ("\(name).cost.json", CostRenderer.json(report)),
      ("\(name).cost.md", CostRenderer.markdown(report)),
    ]
    for (golden, actual) in outputs {
      let expected = try? String(contentsOf: Self.bundled.appendingPathComponent(golden), encoding: .utf8)
      if let failure = Snapshot.mismatch(
        actual, expected: expected, recordTo: Self.source.appendingPathComponent(golden))
      {
        Issue.record(Comment(rawValue: failure))
      }
    }
  }
}
