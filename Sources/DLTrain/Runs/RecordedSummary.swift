import Foundation

/// A run's `summary.json`, read tolerantly: every key is optional, unknown keys are kept in
/// `raw`, and both the contract's format (format_version 1) and the older trainer's smaller
/// summary (`spec_hash`, no status) are understood.
public struct RecordedSummary: @unchecked Sendable {
  /// The decoded JSON object (values as JSONSerialization gives them).
  public var raw: [String: Any]

  /// Why a summary.json could not be used; the run is then listed as corrupt.
  public struct Problem: Error, CustomStringConvertible {
    public var description: String
  }

  public init(raw: [String: Any]) { self.raw = raw }

  /// Reads `path`; a missing file is `nil`, anything unusable a `Problem`.
  public static func read(path: String) -> Result<RecordedSummary, Problem>? {
    switch RegularFile.read(path, limit: 16 << 20) {
    case .missing: return nil
    case .problem(let p): return .failure(Problem(description: "summary.json \(p)"))
    case .data(let data): return parse(data)
    }
  }

  public static func parse(_ data: Data) -> Result<RecordedSummary, Problem> {
    if data.isEmpty { return .failure(Problem(description: "summary.json is empty")) }
    guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    else { return .failure(Problem(description: "summary.json is not valid JSON (half-written?)")) }
    guard let object = value as? [String: Any] else {
      return .failure(Problem(description: "summary.json is not a JSON object"))
    }
    return .success(RecordedSummary(raw: object))
  }

  // MARK: typed views (nil when absent or of the wrong type)

  public func string(_ key: String) -> String? { Self.string(raw[key]) }
  public func double(_ key: String) -> Double? { Self.double(raw[key]) }
  public func int(_ key: String) -> Int? { Self.double(raw[key]).flatMap(Self.exactInt) }
  public func object(_ key: String) -> [String: Any]? { raw[key] as? [String: Any] }

  public var name: String? { string("name") }
  public var status: String? { string("status") }
  public var specPath: String? { string("spec_path") }
  /// `spec_sha256` (contract) or `spec_hash` (older trainer).
  public var specHash: String? { string("spec_sha256") ?? string("spec_hash") }
  public var overrides: [String] { (raw["overrides"] as? [Any])?.compactMap(Self.string) ?? [] }
  public var commandLine: [String] {
    (raw["command_line"] as? [Any])?.compactMap(Self.string) ?? []
  }
  public var gitCommit: String? { object("git").flatMap { Self.string($0["commit"]) } }
  public var gitDirty: Bool { object("git").flatMap { Self.bool($0["dirty"]) } ?? false }
  public var startedAt: Date? { string("started_at").flatMap(Self.date) }
  public var finishedAt: Date? { string("finished_at").flatMap(Self.date) }
  public var epochsPlanned: Int? { int("epochs_planned") }
  public var epochs: Int? { int("epochs") }
  public var trainLoss: Double? { double("train_loss") }
  public var trainAccuracy: Double? { double("train_accuracy") }
  public var validationLoss: Double? { double("validation_loss") }
  public var validationAccuracy: Double? { double("validation_accuracy") }
  public var wallSeconds: Double? { double("wall_seconds") }
  public var samplesPerSecond: Double? { double("samples_per_second") }
  public var testLoss: Double? { object("test").flatMap { Self.double($0["loss"]) } }
  public var testAccuracy: Double? { object("test").flatMap { Self.double($0["accuracy"]) } }
  public var error: String? { string("error") }
  public var best: (metric: String, value: Double, epoch: Int?)? {
    guard let b = object("best"), let metric = Self.string(b["metric"]),
      let value = Self.double(b["value"])
    else { return nil }
    return (metric, value, Self.double(b["epoch"]).flatMap(Self.exactInt))
  }

  static func string(_ v: Any?) -> String? { v as? String }

  /// A number as JSONSerialization gives it (an NSNumber, or a Swift Int or Double); JSON
  /// booleans, which are NSNumbers too, are not numbers.
  static func double(_ v: Any?) -> Double? {
    guard let v, !isBoolean(v) else { return nil }
    let d: Double
    switch v {
    case let n as NSNumber: d = n.doubleValue
    case let i as Int: d = Double(i)
    case let x as Double: d = x
    default: return nil
    }
    return d.isFinite ? d : nil
  }

  /// Whether a JSONSerialization value is `true` or `false`: on Linux an NSNumber holding 1
  /// also casts to Bool, so the number's type code decides ("c", as CFBoolean reports it).
  static func isBoolean(_ v: Any) -> Bool {
    if let n = v as? NSNumber { return String(cString: n.objCType) == "c" }
    return v is Bool
  }

  static func bool(_ v: Any?) -> Bool? {
    guard let v, isBoolean(v) else { return nil }
    return (v as? NSNumber)?.boolValue ?? (v as? Bool)
  }

  static func exactInt(_ d: Double) -> Int? {
    d == d.rounded() && abs(d) < 1e15 ? Int(d) : nil
  }

  static func date(_ s: String) -> Date? {
    let f = ISO8601DateFormatter()
    if let d = f.date(from: s) { return d }
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.date(from: s)
  }
}

/// Reads a file of a run directory only when it is a regular file of bounded size: a FIFO named
/// summary.json would block a reader forever, a device or a huge file would exhaust memory.
enum RegularFile {
  enum Outcome {
    case missing
    case problem(String)
    case data(Data)
  }

  static func read(_ path: String, limit: Int) -> Outcome {
    var info = stat()
    guard stat(path, &info) == 0 else {
      return errno == ENOENT
        ? .missing : .problem("cannot be read (\(String(cString: strerror(errno))))")
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return .problem("is a directory")
    default: return .problem("is not a regular file")
    }
    if Int(info.st_size) > limit { return .problem("is larger than \(limit >> 20) MiB") }
    guard let data = FileManager.default.contents(atPath: path) else {
      return .problem("is not readable")
    }
    return .data(data)
  }
}
