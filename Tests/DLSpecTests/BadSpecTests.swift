import DLSpec
import DLSpecTestSupport
import Foundation
import Testing

/// The corpus of invalid specs in `BadSpecs/`: each `NNN-name.yaml` has a golden
/// `NNN-name.expected` holding exactly what `dlspec validate NNN-name.yaml` writes to stderr
/// when run inside `BadSpecs/` (diagnostics with source line, caret and hint, then the summary
/// line for invalid specs). The memory check uses a fixed 24 GiB limit, not the machine's.
enum BadSpecCorpus {
  static let memoryLimit = 24 << 30

  /// Valid specs that only draw warnings: they render without a summary line and exit 0.
  static let warningOnly: Set<String> = [
    "051-warn-softmax-not-last", "052-warn-deep-sigmoid", "066-warn-vanishing-lr",
  ]

  /// The copied resource directory in the test bundle.
  static let bundled: URL = Bundle.module.resourceURL!.appendingPathComponent("BadSpecs")
  /// Where goldens are recorded: the source tree.
  static let source: URL = Snapshot.packageRoot.appendingPathComponent("Tests/DLSpecTests/BadSpecs")

  /// Case names (file stems), sorted.
  static let names: [String] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: bundled.path)) ?? []
    return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
  }()

  /// Runs one case as `validate` does (size and UTF-8 checks included) and renders its stderr.
  static func check(_ name: String) throws -> (diagnostics: [Diagnostic], isValid: Bool, stderr: String) {
    let path = "\(name).yaml"
    let bytes = try Data(contentsOf: bundled.appendingPathComponent(path))
    let source: SourceFile
    switch SourceFile.decode(path: path, bytes: bytes) {
    case .failure(let d):
      let text = DiagnosticRenderer.text([d], sources: [:])
      return ([d], false, text + "\(path): \(DiagnosticRenderer.summary([d]))\n")
    case .success(let s): source = s
    }
    let result = SpecChecker(memoryLimit: memoryLimit).check(source)
    var text = DiagnosticRenderer.text(result.diagnostics, sources: [path: source])
    if !result.isValid { text += "\(path): \(DiagnosticRenderer.summary(result.diagnostics))\n" }
    return (result.diagnostics, result.isValid, text)
  }
}

@Suite struct BadSpecTests {
  @Test func corpusIsLargeEnough() {
    #expect(BadSpecCorpus.names.count >= 45, "BadSpecs/ has \(BadSpecCorpus.names.count) cases")
    for name in BadSpecCorpus.warningOnly {
      #expect(BadSpecCorpus.names.contains(name), "warning-only case \(name) is missing")
    }
  }

  @Test(arguments: BadSpecCorpus.names)
  func matchesGolden(_ name: String) throws {
    let (diagnostics, isValid, text) = try BadSpecCorpus.check(name)
    #expect(!diagnostics.isEmpty, "\(name): no diagnostics")
    if BadSpecCorpus.warningOnly.contains(name) {
      #expect(isValid, "\(name) should be valid (warnings only)")
      #expect(diagnostics.allSatisfy { $0.severity == .warning })
    } else {
      #expect(!isValid, "\(name) should be invalid")
      #expect(diagnostics.contains { $0.severity == .error }, "\(name): no error")
    }
    for d in diagnostics {
      let location = try #require(d.location, "\(name): \(d.code.rawValue) has no location")
      #expect(location.line >= 1 && location.column >= 1, "\(name): \(d.code.rawValue) at \(location)")
      #expect(location.file == "\(name).yaml")
    }
    let golden = "\(name).expected"
    let expected = try? String(
      contentsOf: BadSpecCorpus.bundled.appendingPathComponent(golden), encoding: .utf8)
    if let failure = Snapshot.mismatch(
      text, expected: expected, recordTo: BadSpecCorpus.source.appendingPathComponent(golden))
    {
      Issue.record(Comment(rawValue: failure))
    }
  }
}
