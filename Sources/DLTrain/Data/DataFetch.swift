import Dispatch
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A download that failed. Every case says what to do instead.
public enum DataFetchError: Error, Equatable, CustomStringConvertible {
  /// No mirror could be reached (or each answered with an HTTP error) for `file`.
  case unreachable(dataset: String, file: String, attempts: [String], manual: ManualRoutes)
  /// A file arrived but its SHA-256 is not one of the accepted digests.
  case checksumMismatch(dataset: String, file: String, url: String, expected: [String],
                        actual: String)
  /// The target directory or file could not be written.
  case writeFailed(path: String, reason: String)

  /// How to get the data without `fetch`.
  public struct ManualRoutes: Equatable {
    public var directory: String
    public var files: [String]
    public var aptPackage: String?
  }

  public var description: String {
    switch self {
    case .unreachable(let dataset, let file, let attempts, let manual):
      var lines = ["cannot download \(file) of dataset '\(dataset)':"]
      lines += attempts.map { "  \($0)" }
      lines.append("To get the data without downloading here:")
      if let apt = manual.aptPackage {
        lines.append("  apt-get install \(apt)    (installs into /usr/share/datasets/\(dataset))")
      }
      lines.append(
        "  \(manual.aptPackage == nil ? "" : "or ")download \(manual.files.joined(separator: ", ")) "
          + "on a machine with internet and copy them into \(manual.directory)")
      return lines.joined(separator: "\n")
    case .checksumMismatch(let dataset, let file, let url, let expected, let actual):
      return "\(url): \(file) of dataset '\(dataset)' has SHA-256 \(actual), expected "
        + expected.joined(separator: " or ")
        + " (corrupt download or a changed mirror); the file was not saved"
    case .writeFailed(let path, let reason):
      return "\(path): cannot write: \(reason)"
    }
  }
}

/// Downloads a named dataset's files, verifies their SHA-256 and stores them atomically.
///
/// Each file is fetched from the mirrors in order (or only from `mirror` if given), checked
/// against the registry's digests, written to a temporary name in the target directory and
/// renamed into place, so the directory never holds a partial or unverified file. Files already
/// present with an accepted digest are not downloaded again.
///
/// ```swift
/// let fetcher = DataFetcher()
/// let dir = DatasetRegistry.builtIn.defaultFetchDirectory(
///   for: "mnist", environment: env, currentDirectory: cwd)
/// try fetcher.fetch("mnist", into: dir)
/// ```
public struct DataFetcher {
  public var registry: DatasetRegistry
  /// Seconds without data before a request is abandoned.
  public var idleTimeout: TimeInterval
  /// Seconds a whole file may take.
  public var fileTimeout: TimeInterval

  public init(
    registry: DatasetRegistry = .builtIn, idleTimeout: TimeInterval = 30,
    fileTimeout: TimeInterval = 600
  ) {
    self.registry = registry
    self.idleTimeout = idleTimeout
    self.fileTimeout = fileTimeout
  }

  /// Fetches all files of `name` into `directory` (created if needed) and returns their paths.
  /// `mirror` (a base URL) replaces the registry's mirrors; `log` receives one line per file.
  @discardableResult
  public func fetch(
    _ name: String, into directory: String, mirror: String? = nil,
    log: (String) -> Void = { _ in }
  ) throws -> [String] {
    let entry = try registry.dataset(named: name)
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw DataFetchError.writeFailed(path: directory, reason: error.localizedDescription)
    }
    let mirrors = mirror.map { [$0] } ?? entry.mirrors
    var paths: [String] = []
    for file in entry.files {
      let target = (directory as NSString).appendingPathComponent(file.name)
      if FileManager.default.fileExists(atPath: target),
        let digest = try? SHA256.hex(ofFileAt: target), file.sha256.contains(digest)
      {
        log("\(file.name): already present and verified")
        paths.append(target)
        continue
      }
      let data = try download(file, of: entry, mirrors: mirrors, directory: directory, log: log)
      try writeAtomically(data, to: target)
      paths.append(target)
    }
    return paths
  }

  /// The verified bytes of `file` from the first mirror that serves them.
  private func download(
    _ file: DatasetFile, of entry: NamedDataset, mirrors: [String], directory: String,
    log: (String) -> Void
  ) throws -> Data {
    var attempts: [String] = []
    var mismatch: DataFetchError?
    for base in mirrors {
      let urlText = base.hasSuffix("/") ? base + file.name : base + "/" + file.name
      guard let url = URL(string: urlText) else {
        attempts.append("\(urlText): not a valid URL")
        continue
      }
      let data: Data
      switch get(url) {
      case .success(let body):
        data = body
      case .failure(let reason):
        attempts.append("\(urlText): \(reason)")
        continue
      }
      let digest = SHA256.hex(of: data)
      // An entry without digests cannot be verified; accept it (the registry says so).
      if file.sha256.isEmpty || file.sha256.contains(digest) {
        log("\(file.name): \(data.count) bytes from \(urlText), SHA-256 \(digest)")
        return data
      }
      mismatch = DataFetchError.checksumMismatch(
        dataset: entry.name, file: file.name, url: urlText, expected: file.sha256,
        actual: digest)
    }
    if let mismatch {
      throw mismatch
    }
    throw DataFetchError.unreachable(
      dataset: entry.name, file: file.name, attempts: attempts,
      manual: .init(directory: directory, files: entry.files.map(\.name),
                    aptPackage: entry.aptPackage))
  }

  /// Why a GET failed, in words.
  private enum GetResult {
    case success(Data)
    case failure(String)
  }

  /// A synchronous GET: URLSession's completion handler signals a semaphore.
  private func get(_ url: URL) -> GetResult {
    final class Outcome: @unchecked Sendable {
      var result: GetResult = .failure("no response")
    }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = idleTimeout
    configuration.timeoutIntervalForResource = fileTimeout
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    let task = session.dataTask(with: url) { data, response, error in
      if let error {
        outcome.result = .failure(error.localizedDescription)
      } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode)
      {
        outcome.result = .failure("HTTP status \(http.statusCode)")
      } else {
        outcome.result = .success(data ?? Data())
      }
      done.signal()
    }
    task.resume()
    // URLSession enforces the timeouts itself; this outer wait only guards against a lost
    // callback.
    if done.wait(timeout: .now() + fileTimeout + 5) == .timedOut {
      task.cancel()
      return .failure("timed out after \(Int(fileTimeout)) s")
    }
    return outcome.result
  }

  /// Writes to a hidden temporary file in the same directory, then renames (atomic on POSIX
  /// within one file system).
  private func writeAtomically(_ data: Data, to target: String) throws {
    let directory = (target as NSString).deletingLastPathComponent
    let name = (target as NSString).lastPathComponent
    let temporary = (directory as NSString)
      .appendingPathComponent(".\(name).partial-\(UUID().uuidString)")
    do {
      try data.write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw DataFetchError.writeFailed(path: temporary, reason: error.localizedDescription)
    }
    guard rename(temporary, target) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw DataFetchError.writeFailed(path: target, reason: reason)
    }
  }
}
