import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

#if canImport(Glibc)
  import Glibc
#endif

/// A `dlspec train` child for the signal and kill tests: started in a directory, its output
/// collected on background threads, stopped by a signal of the test's choosing.
final class TrainProcess {
  let process = Process()
  private let out = Pipe()
  private let err = Pipe()
  private final class Box: @unchecked Sendable {
    var out = Data()
    var err = Data()
  }
  private let box = Box()
  private let group = DispatchGroup()

  init(_ arguments: [String], in dir: TemporaryDirectory) throws {
    process.executableURL = URL(
      fileURLWithPath: try #require(SweepProcessTests.binary, "build dlspec first"))
    process.arguments = arguments
    process.currentDirectoryURL = dir.url
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let (box, out, err) = (box, out, err)
    DispatchQueue.global().async(group: group) {
      box.out = out.fileHandleForReading.readDataToEndOfFile()
    }
    DispatchQueue.global().async(group: group) {
      box.err = err.fileHandleForReading.readDataToEndOfFile()
    }
  }

  var pid: Int32 { process.processIdentifier }

  func send(_ signal: Int32) { kill(pid, signal) }

  /// Polls every 0.2 ms until `condition` holds, the child exits, or `seconds` pass; true when
  /// the condition held while the child was still running.
  @discardableResult
  func wait(seconds: Double = 30, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if condition() { return process.isRunning }
      if !process.isRunning { return false }
      usleep(200)
    }
    return false
  }

  /// Waits for the exit; the status, stdout and stderr.
  func finish() -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
    process.waitUntilExit()
    group.wait()
    return (
      process.terminationStatus, process.terminationReason == .uncaughtSignal,
      String(decoding: box.out, as: UTF8.self), String(decoding: box.err, as: UTF8.self)
    )
  }

  /// Runs to the end.
  static func run(_ arguments: [String], in dir: TemporaryDirectory) throws -> (
    status: Int32, signalled: Bool, stdout: String, stderr: String
  ) {
    try TrainProcess(arguments, in: dir).finish()
  }
}

/// A spec over `count` samples of TrainerTests' kind (16 features, 4 classes) in `dir/data.h5`.
enum TrainProcessFixture {
  static func write(
    _ dir: TemporaryDirectory, count: Int, layers: String, epochs: Int, batch: Int
  ) throws {
    var generator = RandomGenerator(seed: 5)
    var x: [Float] = []
    var y: [Int64] = []
    for _ in 0..<count {
      let c = Int.random(in: 0..<4, using: &generator)
      y.append(Int64(c))
      for j in 0..<16 {
        x.append((j % 4 == c ? 1 : 0) + Float.random(in: -0.6...0.6, using: &generator))
      }
    }
    let file = try HDF5File.create(dir.path("data.h5"))
    try file.write(x, shape: [count, 16], to: "x_train")
    try file.write(y, shape: [count, 1], to: "y_train")
    try file.write(Array(x.prefix(160)), shape: [10, 16], to: "x_test")
    try file.write(Array(y.prefix(10)), shape: [10, 1], to: "y_test")
    file.close()
    try """
    dlspec: 1
    name: signals
    data:
      train: {hdf5: data.h5}
      test: {hdf5: data.h5}
      classes: 4
    model:
      input: [16]
      layers:
    \(layers)
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.01, momentum: 0.9}
    train: {epochs: \(epochs), batch_size: \(batch), seed: 3}

    """.write(toFile: dir.path("spec.yaml"), atomically: true, encoding: .utf8)
  }

  static func spec(_ text: String) throws -> Experiment {
    try PlanFixtures.experiment(text: text)
  }

  /// Loads a checkpoint of the fixture's spec; its weights and metadata.
  static func load(_ path: String, dir: TemporaryDirectory) throws -> (
    weights: [Float], meta: Checkpoint.Metadata
  ) {
    let text = try String(contentsOfFile: dir.path("spec.yaml"), encoding: .utf8)
    let plan = Plan<Float>(try PlanFixtures.experiment(text: text), batch: 1)
    let meta = try Checkpoint.load(path, into: plan, optimizerState: true)
    return (Array(UnsafeBufferPointer(start: plan.parameters, count: plan.parameterCount)), meta)
  }

  /// metrics.csv's rows without samples/s (timing).
  static func metrics(_ run: String) -> [String] {
    let text = (try? String(contentsOfFile: run + "/metrics.csv", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").map { row in
      var cells = row.split(separator: ",", omittingEmptySubsequences: false)
      if cells.count > 7 { cells.remove(at: 7) }
      return cells.joined(separator: ",")
    }
  }

  static func rows(_ run: String) -> Int { max(0, metrics(run).count - 1) }

  static func json(_ path: String) -> [String: Any] {
    FileManager.default.contents(atPath: path).flatMap {
      try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
    } ?? [:]
  }
}
