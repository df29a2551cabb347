import Foundation

/// Where a run came from, beyond its spec: the git state of the spec's repository and the
/// timestamps, as summary.json records them.
public enum Provenance {
  /// The commit and dirty state of the repository holding a directory.
  public struct Git: Equatable, Sendable {
    public var commit: String
    public var dirty: Bool
    public var root: String

    public init(commit: String, dirty: Bool, root: String) {
      self.commit = commit
      self.dirty = dirty
      self.root = root
    }
  }

  /// The git state of `directory`'s repository; nil when git is missing, the directory is not
  /// in a repository, or the repository has no commit yet. Never an error: provenance is a
  /// record, and a run outside git is normal.
  public static func git(at directory: String) -> Git? {
    guard let root = run(["-C", directory, "rev-parse", "--show-toplevel"]),
      let head = run(["-C", directory, "rev-parse", "--verify", "HEAD"]),
      let status = run(["-C", directory, "status", "--porcelain"])
    else { return nil }
    return Git(commit: head, dirty: !status.isEmpty, root: root)
  }

  /// Runs git; its trimmed stdout, or nil when it cannot start or exits non-zero.
  static func run(_ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    var environment = ProcessInfo.processInfo.environment
    // `status` would otherwise take index.lock and could disturb the user's own git commands.
    environment["GIT_OPTIONAL_LOCKS"] = "0"
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return nil
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// ISO 8601 in UTC to the second, e.g. `2026-12-02T01:02:03Z`.
  public static func iso8601(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: date)
  }

  /// Parses `iso8601`'s form; nil for anything else.
  public static func date(_ text: String) -> Date? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: text)
  }
}
