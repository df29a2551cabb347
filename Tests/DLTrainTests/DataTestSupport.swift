import Foundation
import Testing

@testable import DLTrain

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  /// The path of `name` inside the directory.
  func path(_ name: String) -> String {
    url.appendingPathComponent(name).path
  }
}

/// Tiny IDX fixtures: `count` 2×3 images whose pixel j of sample i is `(i * 7 + j) % 256`, and
/// labels `i % classes`.
enum DataFixtures {
  static let height = 2
  static let width = 3

  static func pixels(count: Int) -> [UInt8] {
    (0..<count * height * width).map { k in
      let i = k / (height * width)
      let j = k % (height * width)
      return UInt8((i * 7 + j * 40) % 256)
    }
  }

  static func labels(count: Int, classes: Int = 3) -> [UInt8] {
    (0..<count).map { UInt8($0 % classes) }
  }

  /// Writes images and labels; returns their paths.
  @discardableResult
  static func writeIDX(
    in dir: TemporaryDirectory, prefix: String, count: Int, gzip: Bool
  ) throws -> (images: String, labels: String) {
    let suffix = gzip ? ".gz" : ""
    let images = dir.path("\(prefix)-images-idx3-ubyte\(suffix)")
    let labels = dir.path("\(prefix)-labels-idx1-ubyte\(suffix)")
    try IDXFile.write(
      IDXArray(uint8: Self.pixels(count: count), shape: [count, height, width]), to: images,
      gzip: gzip)
    try IDXFile.write(
      IDXArray(uint8: Self.labels(count: count), shape: [count]), to: labels, gzip: gzip)
    return (images, labels)
  }

  /// Runs `python3 -c script args...`; returns (exit status, stdout, stderr), or nil if
  /// python3 cannot be started.
  static func python(_ script: String, _ arguments: [String] = []) -> (Int32, String, String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do {
      try process.run()
    } catch {
      return nil
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: stdout, as: UTF8.self),
      String(decoding: stderr, as: UTF8.self)
    )
  }

  /// True if python3 runs at all.
  static let hasPython: Bool = python("pass")?.0 == 0

  /// True if python3 can import h5py and numpy.
  static let hasH5py: Bool = {
    guard let (status, _, _) = python("import h5py, numpy") else { return false }
    return status == 0
  }()
}
