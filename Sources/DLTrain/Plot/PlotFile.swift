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

  public static func write(_ text: String, to path: String) throws {
    let tmp = path + ".tmp"
    // fopen/fwrite rather than Data.write, to report the OS's own reason (errno).
    guard let file = fopen(tmp, "w") else {
      throw WriteError(path: path, reason: String(cString: strerror(errno)))
    }
    let bytes = Array(text.utf8)
    let written = fwrite(bytes, 1, bytes.count, file)
    let writeErrno = errno
    if fclose(file) != 0 || written != bytes.count {
      let why = String(cString: strerror(written != bytes.count ? writeErrno : errno))
      unlink(tmp)
      throw WriteError(path: path, reason: why)
    }
    if rename(tmp, path) != 0 {
      let why = String(cString: strerror(errno))
      unlink(tmp)
      throw WriteError(path: path, reason: why)
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
