import DLSpec
import Foundation

/// `validate --check-data`: opens a spec's data and checks it against the model without
/// training — shapes, element types, finite values, label range and class count, and for
/// regression the target width against the model's output width — so `train` is never the
/// first to find that data and model disagree. Each problem is a `Diagnostic` (E038, or the
/// E061–E063 of a malformed CSV, `.npy` or `.npz` file) at the spec's `data.train`/`data.test`
/// entry.
public enum DataCheck {
  /// Data files up to this total size are checked by `validate` unless `--no-check-data`
  /// (opening them takes well under a second).
  public static let defaultByteLimit = 64 << 20

  /// True when every data file is a local file and they total at most `byteLimit` bytes:
  /// then `validate` checks the data by default. Named datasets are checked only on request.
  public static func isSmallAndLocal(_ e: Experiment, byteLimit: Int = defaultByteLimit) -> Bool {
    guard let data = e.data, case .files(let train, let test) = data.source else { return false }
    var total = 0
    for file in [train] + (test.map { [$0] } ?? []) {
      let paths: [String]
      switch file.format {
      case .hdf5(let path, _, _): paths = [path]
      case .idx(let images, let labels): paths = [images, labels]
      case .csv(let csv): paths = [csv.path]
      case .npy(let x, let y): paths = [x, y]
      case .npz(let path, _, _): paths = [path]
      }
      for p in paths {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? Int
        else { return false }
        total += size
      }
    }
    return total <= byteLimit
  }

  /// Loads every split the spec names and reports what does not fit; empty when all does.
  public static func run(_ e: Experiment) -> [Diagnostic] {
    guard let data = e.data else { return [] }
    var splits: [(DatasetSplit, SourceLocation?)] = []
    switch data.source {
    case .named:
      splits = [(.train, nil), (.test, nil)]
    case .files(let train, let test):
      splits = [(.train, train.location)] + (test.map { [(.test, $0.location)] } ?? [])
    }
    var found: [Diagnostic] = []
    for (split, location) in splits {
      do {
        let d = try ExperimentData.load(e, split: split)
        // With the data's size known, the schedule warning counts the run's real steps.
        if split == .train, ScheduleSpan(e).warning(e) == nil,
          let w = ScheduleSpan(e, samples: d.count).warning(e)
        {
          found.append(w)
        }
        if d.count == 0 {
          found.append(
            Diagnostic(
              .dataMismatch, at: location, "the \(split) data has no samples (N = 0)",
              hint: "check the file and dataset names"))
        }
      } catch let error as DataFileError {
        // The reader's own code and hint; the message keeps the file's line and column.
        found.append(Diagnostic(error.code, at: location, error.located, hint: error.hint))
      } catch {
        found.append(
          Diagnostic(.dataMismatch, at: location, "\(error)", hint: hint(for: error, e)))
      }
    }
    return found
  }

  static func hint(for error: Error, _ e: Experiment) -> String {
    if case DatasetError.nonIntegerLabel = error {
      return e.loss.value == .crossEntropy
        ? "real-valued targets need `loss: mse` (or l1) and `task: regression`"
        : "real-valued targets: add `task: regression`"
    }
    if e.task.value == .regression, "\(error)".contains("targets have") {
      return "make the last dense layer's units the targets' width"
    }
    return "fix the data or the spec so they agree; `dlspec inspect` shows the model's shapes"
  }
}
