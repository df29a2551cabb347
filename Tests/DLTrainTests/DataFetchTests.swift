import Foundation
import Testing

@testable import DLTrain

/// A `python3 -m http.server`-like server on 127.0.0.1 serving one directory, stopped on release.
final class FixtureHTTPServer {
  let process = Process()
  let stdin = Pipe()
  let port: Int

  /// Starts the server; nil if python3 is not available.
  init?(directory: String) {
    let script = """
      import functools, http.server, os, sys, threading
      # Exit when the test process closes our stdin (or dies), so no server outlives it.
      threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
      class Quiet(http.server.SimpleHTTPRequestHandler):
          def log_message(self, *args):
              pass
      handler = functools.partial(Quiet, directory=sys.argv[1])
      server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
      print(server.server_address[1], flush=True)
      server.serve_forever()
      """
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, directory]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = stdin
    do {
      try process.run()
    } catch {
      return nil
    }
    // The first line is the port the kernel chose.
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty {
        break
      }
      line += chunk
    }
    guard let port = Int(String(decoding: line, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines))
    else {
      try? stdin.fileHandleForWriting.close()
      kill(process.processIdentifier, SIGKILL)
      return nil
    }
    self.port = port
  }

  var baseURL: String { "http://127.0.0.1:\(port)/" }

  deinit {
    stop()
  }

  /// Closes the server's stdin (it exits on EOF) and, in case that is not enough, kills it.
  /// SIGTERM is not used: the test runner's children may inherit it ignored.
  func stop() {
    try? stdin.fileHandleForWriting.close()
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
  }
}

@Suite struct DataFetchTests {
  /// A registry with one dataset, "tiny", whose files are fixtures in `served`; the digests
  /// are those of the fixtures, except `corrupt` names a file whose digest is deliberately
  /// wrong.
  static func tinyRegistry(served: String, corrupt: String? = nil) throws -> DatasetRegistry {
    try DatasetRegistryTests.writeNamedFixture(.mnist, into: served, count: 4)
    var entry = NamedDataset.mnist
    entry.name = "tiny"
    entry.aptPackage = "dataset-tiny"
    func digest(_ file: DatasetFile) throws -> DatasetFile {
      var copy = file
      let actual = try SHA256.hex(ofFileAt: (served as NSString).appendingPathComponent(file.name))
      copy.sha256 = [file.name == corrupt ? String(repeating: "0", count: 64) : actual]
      return copy
    }
    entry.trainImages = try digest(entry.trainImages)
    entry.trainLabels = try digest(entry.trainLabels)
    entry.testImages = try digest(entry.testImages)
    entry.testLabels = try digest(entry.testLabels)
    entry.mirrors = []
    return DatasetRegistry(datasets: ["tiny": entry], systemDirectory: "/nonexistent")
  }

  @Test(.enabled(if: DataFixtures.hasPython, "needs python3 to serve the fixtures over HTTP"))
  func fetchesVerifiesAndStoresAtomically() throws {
    let tmp = try TemporaryDirectory()
    let served = tmp.path("served")
    let registry = try Self.tinyRegistry(served: served)
    let server = try #require(FixtureHTTPServer(directory: served), "python3 did not serve")
    let target = registry.defaultFetchDirectory(
      for: "tiny", environment: [:], currentDirectory: tmp.path("project"))
    var lines: [String] = []
    let fetcher = DataFetcher(registry: registry, idleTimeout: 10, fileTimeout: 30)
    let paths = try fetcher.fetch("tiny", into: target, mirror: server.baseURL) { lines.append($0) }
    #expect(paths.count == 4)
    for file in NamedDataset.mnist.files {
      let got = try Data(contentsOf: URL(fileURLWithPath: target + "/" + file.name))
      let want = try Data(contentsOf: URL(fileURLWithPath: served + "/" + file.name))
      #expect(got == want)
    }
    #expect(lines.count == 4)
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted()
            == NamedDataset.mnist.files.map(\.name).sorted())
    // The fetched directory is on the search path and loads.
    let found = try registry.locate("tiny", environment: [:], currentDirectory: tmp.path("project"))
    #expect(found == target)
    #expect(try registry.load("tiny", split: .train, from: found).count == 4)
    // A second fetch finds everything verified and downloads nothing.
    lines = []
    try fetcher.fetch("tiny", into: target, mirror: server.baseURL) { lines.append($0) }
    #expect(lines.allSatisfy { $0.contains("already present") })
  }

  @Test(.enabled(if: DataFixtures.hasPython, "needs python3 to serve the fixtures over HTTP"))
  func checksumMismatchIsAClearErrorAndSavesNothing() throws {
    let tmp = try TemporaryDirectory()
    let served = tmp.path("served")
    let registry = try Self.tinyRegistry(served: served, corrupt: "train-labels-idx1-ubyte.gz")
    let server = try #require(FixtureHTTPServer(directory: served), "python3 did not serve")
    let target = tmp.path("data/tiny")
    let error = #expect(throws: DataFetchError.self) {
      try DataFetcher(registry: registry, idleTimeout: 10, fileTimeout: 30)
        .fetch("tiny", into: target, mirror: server.baseURL)
    }
    guard case .checksumMismatch(let dataset, let file, let url, _, let actual) = error else {
      Issue.record("expected checksumMismatch, got \(String(describing: error))")
      return
    }
    #expect(dataset == "tiny" && file == "train-labels-idx1-ubyte.gz")
    #expect(url == server.baseURL + "train-labels-idx1-ubyte.gz")
    #expect(actual == (try SHA256.hex(ofFileAt: served + "/train-labels-idx1-ubyte.gz")))
    #expect(error?.description.contains("not saved") == true)
    #expect(!FileManager.default.fileExists(atPath: target + "/train-labels-idx1-ubyte.gz"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: target)
      .filter { $0.contains(".partial-") }
    #expect(leftovers.isEmpty)
  }

  @Test(.enabled(if: DataFixtures.hasPython, "needs python3 to serve the fixtures over HTTP"))
  func missingFileOnMirrorIsHTTPError() throws {
    let tmp = try TemporaryDirectory()
    let served = tmp.path("served")
    let registry = try Self.tinyRegistry(served: served)
    try FileManager.default.removeItem(atPath: served + "/t10k-images-idx3-ubyte.gz")
    let server = try #require(FixtureHTTPServer(directory: served), "python3 did not serve")
    let error = #expect(throws: DataFetchError.self) {
      try DataFetcher(registry: registry, idleTimeout: 10, fileTimeout: 30)
        .fetch("tiny", into: tmp.path("data/tiny"), mirror: server.baseURL)
    }
    #expect(error?.description.contains("HTTP status 404") == true)
  }

  @Test func unreachableMirrorNamesManualRoutes() throws {
    let tmp = try TemporaryDirectory()
    let registry = try Self.tinyRegistry(served: tmp.path("served"))
    // Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    let mirror = "http://127.0.0.1:9/"
    let target = tmp.path("data/tiny")
    let error = #expect(throws: DataFetchError.self) {
      try DataFetcher(registry: registry, idleTimeout: 5, fileTimeout: 10)
        .fetch("tiny", into: target, mirror: mirror)
    }
    guard case .unreachable(let dataset, let file, let attempts, let manual) = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    #expect(dataset == "tiny" && file == "train-images-idx3-ubyte.gz")
    #expect(attempts.count == 1 && attempts[0].hasPrefix(mirror + "train-images-idx3-ubyte.gz: "))
    #expect(manual.directory == target)
    let text = error?.description ?? ""
    #expect(text.contains("apt-get install dataset-tiny"))
    #expect(text.contains("copy them into \(target)"))
  }
}
