import DLSpec
import Foundation

/// The run directory a training writes (docs/runs.md): created atomically, never shared by two
/// trainings, recognised when it already holds a run, and searched for the checkpoint a resume
/// continues from.
public enum RunDirectory {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
  }

  /// Entries whose presence makes a directory a run that a new training must not overwrite.
  public static let markers = ["summary.json", "metrics.csv", "checkpoints"]

  /// Refuses a run name that would not stay one directory below `runs/`: empty, `.`, `..`,
  /// or containing `/` (a spec's `name:` becomes a path component).
  public static func checkName(_ name: String) throws {
    if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.contains("\0") {
      throw Failure(
        "the run name '\(name)' cannot be a directory name under runs/ (it is empty, '.', '..' "
          + "or contains '/')\n  = hint: give the spec a `name:` such as `mlp-baseline`")
    }
  }

  /// Refuses an `--out` that is empty or the file-system root.
  public static func checkOut(_ path: String) throws {
    if path.isEmpty {
      throw Failure("--out is empty\n  = hint: name a run directory, e.g. --out runs/mlp/try-1")
    }
    if standardized(path) == "/" {
      throw Failure(
        "--out '\(path)' is the root directory\n"
          + "  = hint: name a run directory, e.g. --out runs/mlp/try-1"
      )
    }
  }

  /// The default directory name of a run started at `date` (local time, sortable).
  public static func timestamp(_ date: Date) -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.locale = Locale(identifier: "en_US_POSIX")
    return f.string(from: date)
  }

  /// Creates `<base>/<name>/<yyyyMMdd-HHmmss>` with mkdir(2), which fails with EEXIST when the
  /// directory is there: then `-2`, `-3`, … are tried, so two trainings started in the same
  /// second (even in two processes) get two directories. Returns the directory's path.
  public static func create(base: String = "runs", name: String, at date: Date = Date()) throws
    -> String
  {
    try checkName(name)
    let parent = base + "/" + name
    if let problem = makeDirectories(parent) {
      throw Failure("cannot create '\(parent)': \(problem)")
    }
    let stamp = timestamp(date)
    for n in 1...10_000 {
      let path = parent + "/" + stamp + (n == 1 ? "" : "-\(n)")
      if mkdir(path, 0o755) == 0 { return path }
      guard errno == EEXIST else {
        throw Failure(
          "cannot create the run directory '\(path)': \(String(cString: strerror(errno)))")
      }
    }
    throw Failure("cannot create a run directory under '\(parent)': 10000 runs started at \(stamp)")
  }

  /// Creates `path` (and its parents) when missing, for `--out`; an existing directory is fine.
  public static func prepare(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw Failure("--out '\(path)' is a file, not a directory")
      }
      return
    }
    if let problem = makeDirectories(path) {
      throw Failure("cannot create run directory '\(path)': \(problem)")
    }
  }

  /// Whether `path` already holds (part of) a run: a summary, metrics or checkpoints.
  public static func holdsRun(_ path: String) -> Bool {
    markers.contains { FileManager.default.fileExists(atPath: path + "/" + $0) }
  }

  /// Refuses to start a new run in a directory that already holds one: its results would be
  /// overwritten, or mixed with the new run's.
  public static func refuseExistingRun(_ path: String) throws {
    let found = markers.filter { FileManager.default.fileExists(atPath: path + "/" + $0) }
    guard !found.isEmpty else { return }
    throw Failure(
      "'\(path)' already holds a run (it has \(found.joined(separator: ", "))); "
        + "nothing was changed\n"
        + "  = hint: continue it with --resume \(path), or train into another --out")
  }

  /// The run directory of a checkpoint `RUN/checkpoints/X.h5` whose RUN has a summary.json
  /// (evaluate writes its test metrics there, and the confusion matrix beside them).
  public static func containing(checkpoint path: String) -> String? {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let folder = url.deletingLastPathComponent()
    guard folder.lastPathComponent == "checkpoints" else { return nil }
    let run = folder.deletingLastPathComponent().path
    return FileManager.default.fileExists(atPath: run + "/summary.json") ? run : nil
  }

  /// The run a `--resume` argument continues: the directory itself, or RUN for a file
  /// `RUN/checkpoints/X.h5` when RUN holds a run. nil for a checkpoint outside any run.
  public static func run(ofResume path: String) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return nil
    }
    if isDirectory.boolValue { return path }
    let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
    guard folder.lastPathComponent == "checkpoints" else { return nil }
    let run = folder.deletingLastPathComponent().path
    return FileManager.default.fileExists(atPath: run + "/metrics.csv")
      || FileManager.default.fileExists(atPath: run + "/summary.json") ? run : nil
  }

  /// The checkpoints a resume of `path` tries, in order: the file itself; for a run directory
  /// `checkpoints/last.h5`, then `epoch-NNN.h5` newest first (after a kill -9 before the
  /// first `last.h5`, or when it is damaged).
  public static func resumeCandidates(_ path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { return [path] }
    let folder = path + "/checkpoints"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    let epochs = names.filter { $0.hasPrefix("epoch-") && $0.hasSuffix(".h5") }
      .compactMap { name -> (Int, String)? in
        Int(name.dropFirst(6).dropLast(3)).map { ($0, name) }
      }
      .sorted { $0.0 > $1.0 }
      .map { folder + "/" + $0.1 }
    return (names.contains("last.h5") ? [folder + "/last.h5"] : []) + epochs
  }

  /// Whether two paths name the same directory (symlinks and `..` resolved).
  public static func same(_ a: String, _ b: String) -> Bool {
    standardized(a) == standardized(b)
  }

  static func standardized(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }

  /// An error's message without Foundation's NSError dump.
  /// `mkdir -p` with mkdir(2), so a failure is told as the system tells it ("Permission
  /// denied", "Not a directory": which component, and why) instead of as a Foundation error
  /// dump. Nil on success.
  static func makeDirectories(_ path: String) -> String? {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
      if mkdir(prefix, 0o755) == 0 { continue }
      let code = errno
      switch FileKind.of(prefix) {
      case .directory: continue
      case .missing: return "\(String(cString: strerror(code)))"
      case let kind:
        return prefix == path
          ? "it is \(kind.description), not a directory"
          : "'\(prefix)' is \(kind.description), not a directory"
      }
    }
    return nil
  }

  static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain,
      let code = POSIXErrorCode(rawValue: Int32(underlying.code))
    {
      return String(cString: strerror(code.rawValue))
    }
    return ns.localizedDescription
  }
}
