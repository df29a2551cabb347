import Foundation

/// What `dlspec runs` knows about one run directory, however damaged it is.
public struct RunRecord: Sendable {
  /// finished, stopped, failed, running (from the summary, "running" checked against the
  /// lock), corrupt (summary.json unusable) or incomplete (no summary.json at all).
  public enum Status: String, Sendable, CaseIterable {
    case finished, stopped, failed, running, corrupt, incomplete
  }

  public struct CheckpointFile: Sendable, Equatable {
    public var name: String
    public var bytes: Int
  }

  /// The directory as found.
  public var path: String
  /// `path` relative to the directory that was searched ("." for that directory itself).
  public var relativePath: String
  public var summary: RecordedSummary?
  public var status: Status
  /// Why the summary could not be read (corrupt runs).
  public var problem: String?
  public var metrics: RunMetrics?
  public var checkpoints: [CheckpointFile]
  /// The directory's modification time: the start time of last resort.
  public var modified: Date?
  /// `evaluate.json` in the run (written by `dlspec sweep`), for runs whose summary.json has no
  /// `test` (trainers before the contract's summary).
  public var evaluation: (loss: Double, accuracy: Double)? = nil

  public var testAccuracy: Double? { summary?.testAccuracy ?? evaluation?.accuracy }
  public var testLoss: Double? { summary?.testLoss ?? evaluation?.loss }

  /// The run's name: the summary's, else the spec.yaml directory's parent (`runs/<name>/<time>`).
  public var name: String {
    if let n = summary?.name { return n }
    let parts = path.split(separator: "/")
    return parts.count >= 2 ? String(parts[parts.count - 2]) : (parts.last.map(String.init) ?? "")
  }

  /// started_at, else the `yyyyMMdd-HHmmss` directory name, else the modification time.
  public var startedAt: Date? {
    if let d = summary?.startedAt { return d }
    let last = String(path.split(separator: "/").last ?? "")
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    if let d = f.date(from: String(last.prefix(15))) { return d }
    return modified
  }

  public var epochsDone: Int? {
    summary?.epochs ?? metrics?.last("epoch").map { Int($0) }
  }

  public var epochsPlanned: Int? { summary?.epochsPlanned }

  /// validation_accuracy when the run has one, else train_accuracy.
  public var metricName: String {
    if summary?.validationAccuracy != nil { return "validation_accuracy" }
    if summary?.trainAccuracy == nil, metrics?.last("val_accuracy") != nil {
      return "validation_accuracy"
    }
    return "train_accuracy"
  }

  public var finalMetric: Double? {
    if metricName == "validation_accuracy" {
      return summary?.validationAccuracy ?? metrics?.last("val_accuracy")
    }
    return summary?.trainAccuracy ?? metrics?.last("train_accuracy")
  }

  public var bestMetric: (value: Double, epoch: Int?)? {
    if let b = summary?.best, b.metric == metricName { return (b.value, b.epoch) }
    return metrics?.best(metricName == "validation_accuracy" ? "val_accuracy" : "train_accuracy")
  }

  public var finalTrainLoss: Double? { summary?.trainLoss ?? metrics?.last("train_loss") }
  public var finalTrainAccuracy: Double? {
    summary?.trainAccuracy ?? metrics?.last("train_accuracy")
  }
  public var finalValidationLoss: Double? {
    summary?.validationLoss ?? metrics?.last("val_loss")
  }
  public var finalValidationAccuracy: Double? {
    summary?.validationAccuracy ?? metrics?.last("val_accuracy")
  }

  public var durationSeconds: Double? { summary?.wallSeconds }

  public var samplesPerSecond: Double? {
    summary?.samplesPerSecond ?? metrics?.last("samples_per_s")
  }
}
