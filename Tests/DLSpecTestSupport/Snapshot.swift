import Foundation

/// Golden-file comparison shared by the corpus, IR/cost goldens and CLI snapshot tests.
///
/// `RECORD_SNAPSHOTS=1` rewrites the golden in the source tree and still reports a failure,
/// so a recording run never passes by accident. Mismatches come back as a line diff.
public enum Snapshot {
  /// True when the environment asks to rewrite goldens instead of comparing.
  public static var isRecording: Bool {
    ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
  }

  /// The package root: this file is `<root>/Tests/DLSpecTestSupport/Snapshot.swift`.
  public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Compares `actual` with the golden at `goldenPath` (read from disk).
  /// - Returns: nil when they match, otherwise a failure message with a line diff.
  public static func mismatch(_ actual: String, goldenPath: URL) -> String? {
    let expected = try? String(contentsOf: goldenPath, encoding: .utf8)
    return mismatch(actual, expected: expected, recordTo: goldenPath)
  }

  /// Compares `actual` with `expected` (nil: no golden yet); records to `recordTo` when asked.
  /// Goldens copied into a test bundle are read from there, but recorded into the source tree.
  public static func mismatch(_ actual: String, expected: String?, recordTo path: URL) -> String? {
    let name = relative(path)
    if isRecording {
      do {
        try FileManager.default.createDirectory(
          at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: path, atomically: true, encoding: .utf8)
      } catch {
        return "could not record \(name): \(error)"
      }
      return "recorded \(name); run again without RECORD_SNAPSHOTS=1 to compare"
    }
    guard let expected else {
      return "no golden at \(name); run with RECORD_SNAPSHOTS=1 to record it"
    }
    if expected == actual { return nil }
    return "\(name) differs (- golden, + actual; RECORD_SNAPSHOTS=1 rewrites it):\n"
      + lineDiff(expected: expected, actual: actual)
  }

  /// A minimal line diff (longest common subsequence), with two lines of context per change.
  public static func lineDiff(expected: String, actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // lcs[i][j]: length of the LCS of a[i...] and b[j...].
    var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
      }
    }
    var ops: [(Character, String)] = []
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if i < a.count, j < b.count, a[i] == b[j] {
        ops.append((" ", a[i])); i += 1; j += 1
      } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
        ops.append(("-", a[i])); i += 1  // removals first, as diff(1) prints them
      } else {
        ops.append(("+", b[j])); j += 1
      }
    }
    let context = 2
    let changed = ops.indices.filter { ops[$0].0 != " " }
    var out: [String] = []
    var last = -1
    for k in ops.indices where changed.contains(where: { abs($0 - k) <= context }) {
      if last >= 0, k > last + 1 { out.append("  ...") }
      let line = ops[k].1.isEmpty && ops[k].0 != " " ? "⏎(empty line)" : ops[k].1
      out.append("\(ops[k].0) \(line)")
      last = k
    }
    if a.last == "" && b.last != "" { out.append("(golden ends with a newline, actual does not)") }
    if b.last == "" && a.last != "" { out.append("(actual ends with a newline, golden does not)") }
    return out.joined(separator: "\n")
  }

  static func relative(_ url: URL) -> String {
    let root = packageRoot.path + "/"
    return url.path.hasPrefix(root) ? String(url.path.dropFirst(root.count)) : url.path
  }
}
