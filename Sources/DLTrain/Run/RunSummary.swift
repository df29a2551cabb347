import DLSpec
import Foundation

/// `summary.json` of a run (docs/runs.md): what ran, where it came from, and how far it got.
/// Written at the start (status running), after every epoch and at the end, always to a
/// temporary file renamed over the old one, so a reader never sees half a summary.
public struct RunSummary: Equatable {
  public enum Status: String, Sendable {
    case running, finished, stopped, failed
  }

  /// The best epoch by `metric` (validation accuracy when there is a validation split).
  public struct Best: Equatable, Sendable {
    public var metric: String
    public var value: Double
    public var epoch: Int

    public init(metric: String, value: Double, epoch: Int) {
      self.metric = metric
      self.value = value
      self.epoch = epoch
    }
  }

  /// Test-set metrics, added by `dlspec evaluate` of a checkpoint inside the run.
  public struct Test: Equatable, Sendable {
    public var loss: Double
    public var accuracy: Double
    public var samples: Int
    public var checkpoint: String

    public init(loss: Double, accuracy: Double, samples: Int, checkpoint: String) {
      self.loss = loss
      self.accuracy = accuracy
      self.samples = samples
      self.checkpoint = checkpoint
    }
  }

  public static let format = "dlspec-run"
  public static let formatVersion = 1

  public var name: String = ""
  public var status: Status = .running
  public var specPath: String?
  public var specSHA256: String = ""
  public var overrides: [String] = []
  public var commandLine: [String] = []
  public var dlspecVersion: String = ToolVersion.current
  public var git: Provenance.Git?
  public var blasCore: String = ""
  /// The ISA of the C kernels (`KernelISA`: "avx512", "avx2", "none"). With the batch and the
  /// shapes it fixes each convolution's algorithm, so a rerun with the same value computes the
  /// same bits; empty in summaries written before it was recorded.
  public var kernelISA: String = ""
  /// Who computed the GEMMs (`GemmBackend.description`: "openblas", "dlspec-avx512", or the own
  /// GEMM for some products and OpenBLAS for the rest): the backends sum in different orders, so
  /// a bit-identical rerun needs the same one; empty in summaries written before it was recorded.
  public var gemm: String = ""
  public var threads: Int = 0
  public var seed: Int = 0
  public var batchSize: Int = 0
  public var startedAt: Date = Date(timeIntervalSince1970: 0)
  public var updatedAt: Date = Date(timeIntervalSince1970: 0)
  public var finishedAt: Date?
  public var epochsPlanned: Int = 0
  /// Epochs completed, over all invocations.
  public var epochs: Int = 0
  public var steps: Int = 0
  public var trainLoss: Double?
  public var trainAccuracy: Double?
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  /// Regression: `train_mse`, `train_mae`, `train_r2` and the `validation_` ones, in order.
  public var regressionMetrics: [Metric] = []
  public var best: Best?
  /// Wall-clock seconds of training, summed over every invocation (resumes included).
  public var wallSeconds: Double = 0
  /// Training throughput of the latest invocation.
  public var samplesPerSecond: Double?
  public var test: Test?
  public var error: String?
  /// Why a `stopped` run stopped, and where: `SIGINT at epoch 3, step 137 (batch 17 of 54 done)`.
  public var stopReason: String?
  /// Training warnings (W015 accuracy at chance, W016 vanishing gradient), each given once.
  public var warnings: [Warning] = []

  /// Growth events (§3.5, docs/growth.md), in order.
  public var growth: [Growth] = []

  /// One insertion of the growth block, made at the end of `epoch`.
  public struct Growth: Equatable, Sendable {
    /// 1 for the first copy of the block.
    public var insertion: Int
    public var epoch: Int
    public var step: Int
    public var metric: String
    public var previous: Double
    public var current: Double
    /// The inserted layers' names and the model's parameters after the insertion.
    public var layers: [String]
    public var parameters: Int
    public init(
      insertion: Int, epoch: Int, step: Int, metric: String, previous: Double, current: Double,
      layers: [String], parameters: Int
    ) {
      self.insertion = insertion
      self.epoch = epoch
      self.step = step
      self.metric = metric
      self.previous = previous
      self.current = current
      self.layers = layers
      self.parameters = parameters
    }
  }

  /// A warning `train` printed after an epoch.
  public struct Warning: Equatable, Sendable {
    public var code: String
    public var epoch: Int
    public var message: String
    public init(code: String, epoch: Int, message: String) {
      self.code = code
      self.epoch = epoch
      self.message = message
    }
  }

  public init() {}

  /// A named figure, e.g. `train_r2`.
  public struct Metric: Equatable, Sendable {
    public var name: String
    public var value: Double
    public init(_ name: String, _ value: Double) {
      self.name = name
      self.value = value
    }
  }

  /// The JSON text, keys in a fixed order (two runs' summaries diff line by line).
  public func json() -> String {
    func s(_ v: String?) -> String { v.map(JSONText.string) ?? "null" }
    func n(_ v: Double?) -> String { v.map(JSONText.number) ?? "null" }
    func d(_ v: Date?) -> String { v.map { JSONText.string(Provenance.iso8601($0)) } ?? "null" }
    func list(_ v: [String]) -> String {
      "[" + v.map(JSONText.string).joined(separator: ", ") + "]"
    }
    var fields: [(String, String)] = [
      ("format", s(Self.format)), ("format_version", "\(Self.formatVersion)"),
      ("name", s(name)), ("status", s(status.rawValue)),
      ("spec_path", s(specPath)), ("spec_sha256", s(specSHA256)),
      ("overrides", list(overrides)), ("command_line", list(commandLine)),
      ("dlspec_version", s(dlspecVersion)),
      (
        "git",
        git.map {
          "{\"commit\": \(JSONText.string($0.commit)), \"dirty\": \($0.dirty), "
            + "\"root\": \(JSONText.string($0.root))}"
        } ?? "null"
      ),
      ("blas_core", s(blasCore)), ("kernel_isa", s(kernelISA)), ("gemm", s(gemm)),
      ("threads", "\(threads)"), ("seed", "\(seed)"),
      ("batch_size", "\(batchSize)"),
      ("started_at", d(startedAt)), ("updated_at", d(updatedAt)), ("finished_at", d(finishedAt)),
      ("epochs_planned", "\(epochsPlanned)"), ("epochs", "\(epochs)"), ("steps", "\(steps)"),
    ]
    if let trainLoss { fields.append(("train_loss", n(trainLoss))) }
    if let trainAccuracy { fields.append(("train_accuracy", n(trainAccuracy))) }
    if let validationLoss { fields.append(("validation_loss", n(validationLoss))) }
    if let validationAccuracy { fields.append(("validation_accuracy", n(validationAccuracy))) }
    fields += regressionMetrics.map { ($0.name, n($0.value)) }
    if let b = best {
      fields.append(
        (
          "best",
          "{\"metric\": \(JSONText.string(b.metric)), \"value\": \(n(b.value)), "
            + "\"epoch\": \(b.epoch)}"
        ))
    }
    fields.append(("wall_seconds", n(wallSeconds)))
    if let samplesPerSecond { fields.append(("samples_per_second", n(samplesPerSecond))) }
    if let t = test {
      fields.append(
        (
          "test",
          "{\"loss\": \(n(t.loss)), \"accuracy\": \(n(t.accuracy)), \"samples\": \(t.samples), "
            + "\"checkpoint\": \(JSONText.string(t.checkpoint))}"
        ))
    }
    if let error { fields.append(("error", s(error))) }
    if let stopReason { fields.append(("stop_reason", s(stopReason))) }
    if !warnings.isEmpty {
      let items = warnings.map {
        "{\"code\": \(JSONText.string($0.code)), \"epoch\": \($0.epoch), "
          + "\"message\": \(JSONText.string($0.message))}"
      }
      fields.append(("warnings", "[" + items.joined(separator: ", ") + "]"))
    }
    if !growth.isEmpty {
      let items = growth.map { g in
        "{\"insertion\": \(g.insertion), \"epoch\": \(g.epoch), \"step\": \(g.step), "
          + "\"metric\": \(JSONText.string(g.metric)), \"previous\": \(n(g.previous)), "
          + "\"current\": \(n(g.current)), \"layers\": \(list(g.layers)), "
          + "\"parameters\": \(g.parameters)}"
      }
      fields.append(("growth", "[" + items.joined(separator: ", ") + "]"))
    }
    return "{\n" + fields.map { "  \(JSONText.string($0.0)): \($0.1)" }.joined(separator: ",\n")
      + "\n}\n"
  }

  /// Writes `json()` to `path` through `path.tmp`, fsync and rename(2) (`FileWrite`); a
  /// failure is a `WriteFailure` naming `path`, and leaves the previous summary in place.
  public func write(to path: String) throws {
    try FileWrite.write(json(), to: path)
  }

  /// Reads a summary, tolerating missing and unknown keys (older or newer writers); throws
  /// only when the file cannot be read or is not a JSON object.
  public static func read(_ path: String) throws -> RunSummary {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RunDirectory.Failure("cannot read '\(path)'")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data),
      let o = object as? [String: Any]
    else { throw RunDirectory.Failure("'\(path)' is not a JSON object") }
    func str(_ k: String) -> String? { o[k] as? String }
    func num(_ k: String, in d: [String: Any]? = nil) -> Double? {
      // (No `is Bool` test: on Linux a JSON 1 bridges to Bool too.)
      (d ?? o)[k].flatMap { $0 as? NSNumber }?.doubleValue
    }
    func int(_ k: String, in d: [String: Any]? = nil) -> Int? {
      num(k, in: d).flatMap { Int(exactly: $0) }
    }
    var s = RunSummary()
    s.name = str("name") ?? ""
    s.status = str("status").flatMap(Status.init(rawValue:)) ?? .running
    s.specPath = str("spec_path")
    s.specSHA256 = str("spec_sha256") ?? ""
    s.overrides = o["overrides"] as? [String] ?? []
    s.commandLine = o["command_line"] as? [String] ?? []
    s.dlspecVersion = str("dlspec_version") ?? ""
    if let g = o["git"] as? [String: Any], let commit = g["commit"] as? String {
      s.git = Provenance.Git(
        commit: commit, dirty: g["dirty"] as? Bool ?? false, root: g["root"] as? String ?? "")
    }
    s.blasCore = str("blas_core") ?? ""
    s.kernelISA = str("kernel_isa") ?? ""
    s.gemm = str("gemm") ?? ""
    s.threads = int("threads") ?? 0
    s.seed = int("seed") ?? 0
    s.batchSize = int("batch_size") ?? 0
    s.startedAt = str("started_at").flatMap(Provenance.date) ?? s.startedAt
    s.updatedAt = str("updated_at").flatMap(Provenance.date) ?? s.updatedAt
    s.finishedAt = str("finished_at").flatMap(Provenance.date)
    s.epochsPlanned = int("epochs_planned") ?? 0
    s.epochs = int("epochs") ?? 0
    s.steps = int("steps") ?? 0
    s.trainLoss = num("train_loss")
    s.trainAccuracy = num("train_accuracy")
    s.validationLoss = num("validation_loss")
    s.validationAccuracy = num("validation_accuracy")
    if let b = o["best"] as? [String: Any], let metric = b["metric"] as? String,
      let value = num("value", in: b),
      let epoch = int("epoch", in: b)
    {
      s.best = Best(metric: metric, value: value, epoch: epoch)
    }
    s.wallSeconds = num("wall_seconds") ?? 0
    s.samplesPerSecond = num("samples_per_second")
    if let t = o["test"] as? [String: Any], let loss = num("loss", in: t),
      let accuracy = num("accuracy", in: t)
    {
      s.test = Test(
        loss: loss, accuracy: accuracy, samples: int("samples", in: t) ?? 0,
        checkpoint: t["checkpoint"] as? String ?? "")
    }
    s.error = str("error")
    s.stopReason = str("stop_reason")
    for w in o["warnings"] as? [[String: Any]] ?? [] {
      if let code = w["code"] as? String, let message = w["message"] as? String {
        s.warnings.append(Warning(code: code, epoch: int("epoch", in: w) ?? 0, message: message))
      }
    }
    for g in o["growth"] as? [[String: Any]] ?? [] {
      if let insertion = int("insertion", in: g), let epoch = int("epoch", in: g) {
        s.growth.append(
          Growth(
            insertion: insertion, epoch: epoch, step: int("step", in: g) ?? 0,
            metric: g["metric"] as? String ?? "", previous: num("previous", in: g) ?? .nan,
            current: num("current", in: g) ?? .nan, layers: g["layers"] as? [String] ?? [],
            parameters: int("parameters", in: g) ?? 0))
      }
    }
    return s
  }
}
