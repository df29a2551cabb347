import Foundation
import Testing

@testable import DLSpec

/// The spec front end against hostile input (issue 14, docs/reliability.md): files that are not
/// files, a byte-order mark, huge integers, names, and one enormous flow-style line.
@Suite struct HardeningSpecTests {
  static func flowSpec(entries: Int) -> String {
    "dlspec: 1\nmodel:\n  input: [4]\n  layers: ["
      + Array(repeating: "sigmoid", count: entries).joined(separator: ", ")
      + ", dense: {units: 2}]\nloss: mse\n"
  }

  /// Before the fix every diagnostic re-split its 180 KB source line (14.8 s for 20,000
  /// warnings). The behaviour kept: warnings on one line are few (one per run of activations),
  /// and each quoted line is at most `excerptLimit` scalars plus the ellipses.
  @Test func hugeFlowLineRendersBoundedExcerpts() {
    let source = SourceFile(path: "flow.yaml", text: Self.flowSpec(entries: 20_000))
    let r = SpecChecker().check(source)
    #expect(r.isValid)
    #expect(r.diagnostics.count == 2)  // W002 deep sigmoid, one W004 for the run
    let w004 = r.diagnostics.first { $0.code == .consecutiveActivations }
    #expect(
      w004?.message
        == "sigmoid directly follows sigmoid (and 19998 more activations follow in a row)")
    let text = DiagnosticRenderer.text(r.diagnostics, sources: r.sources)
    for line in text.split(separator: "\n") {
      #expect(line.count <= DiagnosticRenderer.excerptLimit + 10, "\(line.prefix(60))…")
    }
  }

  @Test func excerptCutsOnlyTheSidesThatAreLong() {
    let long = Substring(String(repeating: "a", count: 300))
    let start = DiagnosticRenderer.excerpt(long, column: 1)
    #expect(!start.text.hasPrefix("…") && start.text.hasSuffix("…"))
    #expect(start.caret == 1)
    let middle = DiagnosticRenderer.excerpt(long, column: 150)
    #expect(middle.text.hasPrefix("…") && middle.text.hasSuffix("…"))
    #expect(middle.text.count == DiagnosticRenderer.excerptLimit + 2)
    let end = DiagnosticRenderer.excerpt(long, column: 300)
    #expect(end.text.hasPrefix("…") && !end.text.hasSuffix("…"))
    // The caret sits under the same character it pointed at in the whole line.
    let chars = Array(end.text)
    #expect(chars[end.caret - 1] == "a")
    #expect(end.caret == chars.count)
  }

  @Test func runsOfActivationsWarnOnce() {
    let text = """
      dlspec: 1
      model:
        input: [4]
        layers:
          - dense: {units: 4}
          - relu
          - tanh
          - dense: {units: 4}
          - relu
          - tanh
          - sigmoid
          - dense: {units: 2}
      loss: mse

      """
    let r = SpecChecker().check(SourceFile(path: "s.yaml", text: text))
    let w = r.diagnostics.filter { $0.code == .consecutiveActivations }
    #expect(
      w.map(\.message) == [
        "tanh directly follows relu",
        "tanh directly follows relu (and 1 more activation follow in a row)",
      ])
    #expect(w.map { $0.location?.line } == [7, 10])
  }

  @Test func byteOrderMarkIsDroppedAndColumnsKept() {
    let bytes = Data([0xEF, 0xBB, 0xBF] + Array("dlspec: 1\nbogus: 1\n".utf8))
    guard case .success(let source) = SourceFile.decode(path: "bom.yaml", bytes: bytes) else {
      Issue.record("a BOM must be accepted")
      return
    }
    #expect(source.text.hasPrefix("dlspec"))
    let r = SpecChecker().check(source)
    let unknown = r.diagnostics.first { $0.code == .unknownKey }
    #expect(unknown?.location?.line == 2)
    #expect(unknown?.location?.column == 1)
  }

  @Test func fifoDirectoryAndDeviceSpecsAreRefusedByName() throws {
    let dir = NSTemporaryDirectory() + "dlspec-spec-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let fifo = dir + "/spec.yaml"
    #expect(mkfifo(fifo, 0o644) == 0)
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of blocking forever.
    for (path, what) in [
      (fifo, "a FIFO (named pipe)"), (dir, "a directory"), ("/dev/null", "a character device"),
    ] {
      let r = SpecChecker().check(path: path)
      #expect(r.diagnostics.map(\.code) == [.notRegularFile])
      #expect(r.diagnostics.first?.message == "'\(path)' is \(what), not a spec file")
    }
    let missing = SpecChecker().check(path: dir + "/none.yaml")
    #expect(
      missing.diagnostics.first?.message
        == "cannot read '\(dir)/none.yaml': No such file or directory")
  }

  @Test(arguments: [
    (
      "18446744073709551616",
      "18446744073709551616, which is too large for an integer; the largest is 9223372036854775807"
    ),
    (
      "-18446744073709551616",
      "-18446744073709551616, which is too small for an integer; the smallest is -9223372036854775808"
    ),
  ])
  func integersBeyond64BitsAreNamed(_ literal: String, _ found: String) {
    let text =
      "dlspec: 1\nmodel:\n  input: [4]\n  layers:\n    - dense: {units: \(literal)}\nloss: mse\n"
    let r = SpecChecker().check(SourceFile(path: "s.yaml", text: text))
    #expect(r.diagnostics.first?.message.hasSuffix("found \(found)") == true, "\(r.diagnostics)")
  }

  @Test(
    arguments: [
      ("😀", nil), ("mlp-baseline", nil), ("résumé_2", nil), ("", "must not be empty"),
      ("..", "cannot be '..': it would escape runs/"),
      ("a/b", "cannot contain '/': it separates directories"),
      ("a b", "cannot contain spaces or other white space"),
      ("-x", "cannot start with '-': commands would read it as an option"),
      ("a\u{7}", "contains the control character U+7"),
      (
        String(repeating: "😀", count: 64),
        "is 256 bytes long; a directory name holds at most 255 bytes"
      ),
    ] as [(String, String?)])
  func namesSafeAsDirectoriesAreAccepted(_ name: String, _ problem: String?) {
    #expect(SpecChecker.nameProblem(name) == problem)
  }

  @Test func emojiNameValidates() {
    let text =
      "dlspec: 1\nname: \"😀\"\nmodel:\n  input: [4]\n  layers:\n    - dense: {units: 3}\nloss: mse\n"
    let r = SpecChecker().check(SourceFile(path: "s.yaml", text: text))
    #expect(r.isValid, "\(r.diagnostics.map(\.message))")
    #expect(r.experiment?.name == "😀")
  }

  @Test func costCountsThatOverflowAreRefused() throws {
    let text = "dlspec: 1\nmodel:\n  input: [784]\n  layers:\n    - dense: {units: 10}\nloss: mse\n"
    let e = try #require(SpecChecker().check(SourceFile(path: "s.yaml", text: text)).experiment)
    #expect(CountBound.overflow(e, batch: 100) == nil)
    #expect(CountBound.overflow(e, batch: Int.max)?.contains("overflow 64-bit integers") == true)
    #expect(CountBound.overflow(e, batch: Int.max / 1_000_000) != nil)
  }
}
