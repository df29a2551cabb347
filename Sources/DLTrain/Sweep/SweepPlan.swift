import DLSpec
import Foundation

/// Every point of a sweep checked before anything trains: its overridden spec text, its
/// experiment, and how it is evaluated.
public struct SweepPlan: Sendable {
  public struct Point: Sendable {
    public var point: SweepGrid.Point
    /// `--set` of the sweep, then the point's assignments, then `train.epochs` from --epochs.
    public var assignments: [String]
    public var experiment: Experiment
    /// Extra assignments that make the spec's data paths absolute, so the run's own spec.yaml
    /// (in another directory) finds the same files when `dlspec evaluate` reads it; empty when
    /// the data is named or already absolute.
    public var absoluteDataPaths: [String]
  }

  /// A point whose spec does not check: the located diagnostics, under the point's name.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public var grid: SweepGrid
  public var points: [Point]

  /// Checks each point of `grid` applied to the spec at `specPath` (text `specText`).
  public static func make(
    specPath: String, specText: String, set: [String], grid: SweepGrid, epochs: Int?
  ) throws -> SweepPlan {
    var points: [Point] = []
    for p in grid.points {
      let assignments = set + grid.assignments(p) + (epochs.map { ["train.epochs=\($0)"] } ?? [])
      let label = grid.label(p)
      // Checked through the same path as `train --set`: errors in an override point into it
      // (`--set optimizer.sgd.lr=abc:1:18`), errors of the spec itself at its real lines.
      let result = SpecChecker().check(SourceFile(path: specPath, text: specText), overrides: assignments)
      guard result.isValid, let e = result.experiment else {
        let errors = result.diagnostics.filter { $0.severity == .error }
        throw Failure(
          description: "\(label) is not a valid spec:\n"
            + DiagnosticRenderer.text(errors, sources: result.sources)
            + "\(specPath): \(DiagnosticRenderer.summary(errors))")
      }
      points.append(
        Point(
          point: p, assignments: assignments, experiment: e, absoluteDataPaths: absolutePaths(e)))
    }
    return SweepPlan(grid: grid, points: points)
  }

  /// Whether a point is evaluated: the spec names a test set.
  public static func hasTestSet(_ e: Experiment) -> Bool {
    switch e.data?.source {
    case .named?: return true
    case .files(_, let test)?: return test != nil
    case nil: return false
    }
  }

  static func absolutePaths(_ e: Experiment) -> [String] {
    guard case .files(let train, let test)? = e.data?.source else { return [] }
    var out: [String] = []
    for (split, file) in [("train", train), ("test", test)] {
      switch file?.format {
      case .hdf5(let path, _, _)?: out.append("data.\(split).hdf5=\(JSONText.string(path))")
      case .idx(let images, let labels)?:
        out.append("data.\(split).idx.images=\(JSONText.string(images))")
        out.append("data.\(split).idx.labels=\(JSONText.string(labels))")
      case .csv(let c)?: out.append("data.\(split).csv=\(JSONText.string(c.path))")
      case .npy(let x, let y)?:
        out.append("data.\(split).npy.x=\(JSONText.string(x))")
        out.append("data.\(split).npy.y=\(JSONText.string(y))")
      case .npz(let path, _, _)?: out.append("data.\(split).npz=\(JSONText.string(path))")
      case nil: break
      }
    }
    return out
  }
}
