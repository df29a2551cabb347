import DLSpec
import Foundation

/// A sweep's settings and the state of each point: what `sweep.json` holds, and what
/// `--resume` checks the command line against.
public struct SweepState: Sendable {
  public struct Settings: Sendable, Equatable {
    public var name: String
    public var specPath: String
    /// SHA-256 of the spec file's text when the sweep started.
    public var specSHA256: String
    public var sweepFile: String?
    public var set: [String]
    public var grid: SweepGrid
    public var epochs: Int?
    public var jobs: Int
    public var threads: Int
    public var evaluate: Bool

    public init(
      name: String, specPath: String, specSHA256: String, sweepFile: String?, set: [String],
      grid: SweepGrid, epochs: Int?, jobs: Int, threads: Int, evaluate: Bool
    ) {
      self.name = name
      self.specPath = specPath
      self.specSHA256 = specSHA256
      self.sweepFile = sweepFile
      self.set = set
      self.grid = grid
      self.epochs = epochs
      self.jobs = jobs
      self.threads = threads
      self.evaluate = evaluate
    }

    /// What differs between a stored sweep and this one, in the settings that decide what a
    /// point computes (jobs and threads may change on resume).
    public func differences(from stored: Settings) -> [String] {
      var out: [String] = []
      if stored.specSHA256 != specSHA256 {
        out.append(
          "the spec \(specPath) changed (sha256 \(stored.specSHA256.prefix(12)) when the sweep "
            + "started, \(specSHA256.prefix(12)) now)")
      }
      func show(_ g: SweepGrid) -> String {
        g.axes.map { "\($0.key)=\($0.values.joined(separator: ","))" }.joined(separator: " ")
      }
      if stored.grid != grid { out.append("grid: stored \(show(stored.grid)), now \(show(grid))") }
      if stored.set != set {
        out.append(
          "--set: stored [\(stored.set.joined(separator: " "))], now [\(set.joined(separator: " "))]"
        )
      }
      if stored.epochs != epochs {
        out.append(
          "--epochs: stored \(stored.epochs.map(String.init) ?? "the spec's"), "
            + "now \(epochs.map(String.init) ?? "the spec's")")
      }
      if stored.evaluate != evaluate {
        out.append("evaluate: stored \(stored.evaluate), now \(evaluate)")
      }
      return out
    }
  }

  /// One point's progress. `directory` is relative to the sweep directory.
  public struct Point: Sendable {
    public enum Status: String, Sendable {
      case pending, running, finished, failed, stopped
    }
    public var index: Int
    public var assignments: [String]
    public var values: [String]
    public var directory: String
    public var status: Status = .pending
    public var attempts: Int = 0
    public var pid: Int32? = nil
    public var error: String? = nil
    public var epochsPlanned: Int? = nil
    public var test: (loss: Double, accuracy: Double, samples: Int?)? = nil

    public init(index: Int, assignments: [String], values: [String], directory: String) {
      self.index = index
      self.assignments = assignments
      self.values = values
      self.directory = directory
    }
  }

  public var settings: Settings
  public var points: [Point]
  public var createdAt: String
  public var plot: OrderedJSON = .null

  public init(settings: Settings, points: [Point], createdAt: String) {
    self.settings = settings
    self.points = points
    self.createdAt = createdAt
  }

  public var json: OrderedJSON {
    let s = settings
    return .object([
      ("format", .string("dlspec-sweep")), ("format_version", .int(1)),
      ("name", .string(s.name)), ("spec_path", .string(s.specPath)),
      ("spec_sha256", .string(s.specSHA256)), ("sweep_file", .string(s.sweepFile)),
      (
        "grid",
        .array(
          s.grid.axes.map {
            .object([("key", .string($0.key)), ("values", .array($0.values.map { .string($0) }))])
          })
      ),
      ("set", .array(s.set.map { .string($0) })), ("epochs", .int(s.epochs)),
      ("jobs", .int(s.jobs)), ("threads", .int(s.threads)), ("evaluate", .bool(s.evaluate)),
      ("created_at", .string(createdAt)), ("updated_at", .string(RunFormat.iso(Date()))),
      ("points", .array(points.map(Self.json))),
      ("plot", plot),
    ])
  }

  static func json(_ p: Point) -> OrderedJSON {
    .object([
      ("index", .int(p.index)), ("assignments", .array(p.assignments.map { .string($0) })),
      ("run", .string(p.directory)), ("status", .string(p.status.rawValue)),
      ("attempts", .int(p.attempts)), ("pid", .int(p.pid.map(Int.init))),
      ("epochs_planned", .int(p.epochsPlanned)), ("error", .string(p.error)),
      (
        "test",
        p.test.map {
          .object([
            ("loss", .number($0.loss)), ("accuracy", .number($0.accuracy)),
            ("samples", .int($0.samples)),
          ])
        } ?? .null
      ),
    ])
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads a sweep.json written by `json`, tolerating unknown keys.
  public static func read(path: String) throws -> SweepState {
    guard case .data(let data) = RegularFile.read(path, limit: 64 << 20) else {
      throw Failure(description: "no sweep at '\(path)' (cannot read it)")
    }
    guard let any = try? JSONSerialization.jsonObject(with: data), let o = any as? [String: Any],
      o["format"] as? String == "dlspec-sweep"
    else { throw Failure(description: "\(path) is not a dlspec sweep.json (damaged?)") }
    let summary = RecordedSummary(raw: o)
    var axes: [SweepGrid.Axis] = []
    for a in (o["grid"] as? [Any]) ?? [] {
      guard let a = a as? [String: Any], let key = a["key"] as? String,
        let values = a["values"] as? [String]
      else { throw Failure(description: "\(path): a grid entry is damaged") }
      axes.append(SweepGrid.Axis(key: key, values: values))
    }
    let settings = Settings(
      name: summary.name ?? "", specPath: summary.specPath ?? "",
      specSHA256: summary.string("spec_sha256") ?? "", sweepFile: summary.string("sweep_file"),
      set: (o["set"] as? [String]) ?? [], grid: SweepGrid(axes: axes),
      epochs: summary.int("epochs"),
      jobs: summary.int("jobs") ?? 1, threads: summary.int("threads") ?? 1,
      evaluate: RecordedSummary.bool(o["evaluate"]) ?? false)
    var points: [Point] = []
    for p in (o["points"] as? [Any]) ?? [] {
      guard let p = p as? [String: Any] else { continue }
      let r = RecordedSummary(raw: p)
      guard let index = r.int("index"), let dir = r.string("run") else { continue }
      let assignments = (p["assignments"] as? [String]) ?? []
      var point = Point(
        index: index, assignments: assignments,
        values: assignments.map { a in
          a.firstIndex(of: "=").map { String(a[a.index(after: $0)...]) } ?? ""
        },
        directory: dir)
      point.status = Point.Status(rawValue: r.string("status") ?? "") ?? .pending
      point.attempts = r.int("attempts") ?? 0
      point.pid = r.int("pid").map { Int32(truncatingIfNeeded: $0) }
      point.error = r.string("error")
      point.epochsPlanned = r.int("epochs_planned")
      if let t = r.object("test"), let l = RecordedSummary.double(t["loss"]),
        let a = RecordedSummary.double(t["accuracy"])
      {
        point.test = (l, a, RecordedSummary.double(t["samples"]).flatMap(RecordedSummary.exactInt))
      }
      points.append(point)
    }
    var state = SweepState(
      settings: settings, points: points, createdAt: summary.string("created_at") ?? "")
    state.plot = RunDetail.jsonValue(o["plot"])
    return state
  }
}

/// Writes `text` to `path` through a temporary file and rename(2), so a reader (or a kill)
/// sees the old file or the new one, never half of one.
public func writeReplacing(_ text: String, to path: String) throws {
  let temporary = path + ".tmp-\(getpid())"
  try text.write(toFile: temporary, atomically: false, encoding: .utf8)
  if rename(temporary, path) != 0 {
    let reason = String(cString: strerror(errno))
    try? FileManager.default.removeItem(atPath: temporary)
    throw SweepState.Failure(description: "cannot replace \(path): \(reason)")
  }
}
