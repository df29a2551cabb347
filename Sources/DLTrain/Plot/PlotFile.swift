import Foundation

/// Writing plots to disk without ever leaving half a file: text goes to `PATH.tmp`, which is
/// then renamed over `PATH` (atomic on one file system), so a viewer or a concurrent
/// `dlspec plot` sees the old plot or the new one.
public enum PlotFile {
  /// Why a plot could not be written.
  public struct WriteError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
  }

  /// Writes through `PATH.tmp`, fsync and rename (`FileWrite`); the `.tmp` is removed on
  /// failure, which names the path, the bytes needed and the OS's reason.
  public static func write(_ text: String, to path: String) throws {
    do {
      try FileWrite.write(text, to: path)
    } catch let failure as WriteFailure {
      var reason = failure.code.map { String(cString: strerror($0)) } ?? "the write failed"
      if failure.code == ENOSPC || failure.code == EDQUOT {
        reason +=
          " (\(failure.bytesNeeded) bytes needed"
          + (failure.bytesFree.map { ", \($0) bytes free" } ?? "") + ")"
      }
      throw WriteError(path: path, reason: reason)
    }
  }

  /// Redraws `RUN/learning-curves.svg` from `RUN/metrics.csv` (after each epoch, by the
  /// trainer) and returns the path written.
  @discardableResult
  public static func writeLearningCurves(runDirectory: String, title: String) throws -> String {
    let table = try MetricsTable.read(path: runDirectory + "/metrics.csv")
    let path = runDirectory + "/learning-curves.svg"
    try write(LearningCurvesPlot.svg(table, title: title), to: path)
    return path
  }
}
