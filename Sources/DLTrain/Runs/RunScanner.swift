import Foundation

/// Finds run directories under a directory and reads each one without ever failing: a run is a
/// directory holding summary.json, metrics.csv or checkpoints/. The search does not descend
/// into a run, follows no symlinks, skips what it cannot read and stops at `maximumDepth`.
public enum RunScanner {
  public static let maximumDepth = 12
  static let markers = ["summary.json", "metrics.csv", "checkpoints"]

  /// The runs under `root` (or `root` itself when it is a run), sorted by start time, then path.
  public static func scan(_ root: String) -> [RunRecord] {
    var found: [RunRecord] = []
    walk(root, relative: ".", depth: 0, into: &found)
    return found.sorted { a, b in
      let (x, y) = (a.startedAt ?? .distantPast, b.startedAt ?? .distantPast)
      return x != y ? x < y : a.relativePath < b.relativePath
    }
  }

  static func walk(_ path: String, relative: String, depth: Int, into found: inout [RunRecord]) {
    let fm = FileManager.default
    guard let names = try? fm.contentsOfDirectory(atPath: path) else { return }
    if markers.contains(where: names.contains) {
      found.append(read(path, relativePath: relative))
      return
    }
    guard depth < maximumDepth else { return }
    for name in names.sorted() where !name.hasPrefix(".") {
      let child = path + "/" + name
      guard let attributes = try? fm.attributesOfItem(atPath: child),
        attributes[.type] as? FileAttributeType == .typeDirectory
      else { continue }
      walk(
        child, relative: relative == "." ? name : relative + "/" + name, depth: depth + 1,
        into: &found)
    }
  }

  /// Whether `path` is a run directory.
  public static func isRun(_ path: String) -> Bool {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
      return false
    }
    return markers.contains(where: names.contains)
  }

  /// Everything that can be read of the run at `path`.
  public static func read(_ path: String, relativePath: String? = nil) -> RunRecord {
    let fm = FileManager.default
    var summary: RecordedSummary? = nil
    var problem: String? = nil
    var status: RunRecord.Status
    switch RecordedSummary.read(path: path + "/summary.json") {
    case nil:
      status = .incomplete
    case .failure(let p)?:
      status = .corrupt
      problem = p.description
    case .success(let s)?:
      summary = s
      status = Self.status(of: s, lockPath: path + "/run.lock")
    }
    var checkpoints: [RunRecord.CheckpointFile] = []
    if let names = try? fm.contentsOfDirectory(atPath: path + "/checkpoints") {
      for name in names.sorted() where name.hasSuffix(".h5") {
        let attributes = try? fm.attributesOfItem(atPath: path + "/checkpoints/" + name)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        checkpoints.append(RunRecord.CheckpointFile(name: name, bytes: size))
      }
    }
    let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    if status == .corrupt, problem == nil {
      problem = "unknown status '\(summary?.status ?? "")' in summary.json"
    }
    var record = RunRecord(
      path: path, relativePath: relativePath ?? path, summary: summary, status: status,
      problem: problem, metrics: RunMetrics.read(path: path + "/metrics.csv"),
      checkpoints: checkpoints, modified: modified)
    if let e = RecordedSummary.read(path: path + "/evaluate.json"), case .success(let j) = e,
      let loss = j.double("loss"), let accuracy = j.double("accuracy")
    {
      record.evaluation = (loss, accuracy)
    }
    return record
  }

  /// The summary's status; "running" without a live lock holder is "stopped" (killed). The
  /// older trainer wrote no status, and wrote its summary only when training had finished.
  static func status(of s: RecordedSummary, lockPath: String) -> RunRecord.Status {
    guard let text = s.status else { return s.epochs != nil ? .finished : .incomplete }
    switch text {
    case "running": return RunLock.isHeld(path: lockPath) ? .running : .stopped
    case "finished": return .finished
    case "stopped": return .stopped
    case "failed": return .failed
    default: return .corrupt
    }
  }
}
