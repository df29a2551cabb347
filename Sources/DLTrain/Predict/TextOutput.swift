import Foundation

/// Where a text prediction stream goes: standard output, or a file that is written as
/// `<path>.tmp` and renamed into place by `commit`, so a failure never leaves a partial file.
public final class TextOutput {
  let stream: UnsafeMutablePointer<FILE>
  /// The final path; nil for standard output.
  public let path: String?
  var closed = false

  public static func standardOutput() -> TextOutput { TextOutput(stream: stdout, path: nil) }

  init(stream: UnsafeMutablePointer<FILE>, path: String?) {
    self.stream = stream
    self.path = path
  }

  /// Opens `<path>.tmp` for writing.
  public convenience init(path: String) throws {
    guard let stream = fopen(path + ".tmp", "w") else {
      throw PredictionOutputError.cannotCreate(path + ".tmp", String(cString: strerror(errno)))
    }
    self.init(stream: stream, path: path)
  }

  deinit { abandon() }

  public func write(_ text: String) throws {
    var text = text
    let ok = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, stream) == $0.count }
    guard ok else { throw PredictionOutputError.writeFailed(path ?? "<stdout>", errnoText()) }
  }

  /// Flushes; for a file, closes it and renames `<path>.tmp` to `path` (atomic on one file
  /// system: readers see the old file or the whole new one).
  public func commit() throws {
    guard fflush(stream) == 0 else {
      throw PredictionOutputError.writeFailed(path ?? "<stdout>", errnoText())
    }
    guard let path, !closed else { return }
    closed = true
    guard fclose(stream) == 0 else {
      unlink(path + ".tmp")
      throw PredictionOutputError.writeFailed(path, errnoText())
    }
    guard rename(path + ".tmp", path) == 0 else {
      let why = errnoText()
      unlink(path + ".tmp")
      throw PredictionOutputError.writeFailed(path, why)
    }
  }

  /// Closes and removes the temporary file (nothing for standard output).
  public func abandon() {
    guard let path, !closed else { return }
    closed = true
    fclose(stream)
    unlink(path + ".tmp")
  }

  func errnoText() -> String { String(cString: strerror(errno)) }
}

/// An output that cannot be written. Each message names the file.
public enum PredictionOutputError: Error, CustomStringConvertible, Equatable {
  case cannotCreate(String, String)
  case writeFailed(String, String)

  public var description: String {
    switch self {
    case .cannotCreate(let path, let why): return "cannot create '\(path)': \(why)"
    case .writeFailed(let path, let why): return "cannot write '\(path)': \(why)"
    }
  }
}
