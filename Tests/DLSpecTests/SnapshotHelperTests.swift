import DLSpecTestSupport
import Foundation
import Testing

/// The golden helper itself: a mismatch is reported with a line diff, and a missing golden
/// says how to record it.
@Suite struct SnapshotHelperTests {
  @Test func lineDiffMarksChangedLinesWithContext() {
    let diff = Snapshot.lineDiff(expected: "a\nb\nc\nd\n", actual: "a\nB\nc\nd\n")
    #expect(diff == "  a\n- b\n+ B\n  c\n  d")
  }

  @Test func lineDiffReportsAMissingFinalNewline() {
    let diff = Snapshot.lineDiff(expected: "x\n", actual: "x")
    #expect(diff.contains("golden ends with a newline, actual does not"))
  }

  @Test func missingGoldenAsksForARecording() throws {
    guard !Snapshot.isRecording else { return }  // recording writes instead of comparing
    let path = URL(fileURLWithPath: "/nonexistent/dlspec-golden.txt")
    let message = try #require(Snapshot.mismatch("text", expected: nil, recordTo: path))
    #expect(message.contains("RECORD_SNAPSHOTS=1"))
    #expect(Snapshot.mismatch("same", expected: "same", recordTo: path) == nil)
  }
}
