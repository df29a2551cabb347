import DLSpecTestSupport
import Foundation
import Testing

/// Files that are not regular files (FIFO, directory) given to every command that reads one:
/// each is refused by name. Every run has a timeout, so a regression (a FIFO that blocks
/// `open`) fails the test instead of hanging the suite.
@Suite struct HardeningCLITests {
  struct Outcome {
    var status: Int32
    var stderr: String
    var timedOut: Bool
    var stdout = ""
  }

  /// Runs `dlspec` from the package root; kills it after `timeout` seconds.
  static func run(_ arguments: [String], timeout: Double = 20) throws -> Outcome {
    let binary = try #require(CLI.binary, "no dlspec binary; build it first")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = Snapshot.packageRoot
    let err = Pipe()
    let out = Pipe()
    process.standardError = err
    process.standardOutput = out
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    final class Box: @unchecked Sendable { var data = Data() }
    let box = Box()
    let outBox = Box()
    let reader = DispatchGroup()
    DispatchQueue.global().async(group: reader) {
      box.data = err.fileHandleForReading.readDataToEndOfFile()
    }
    DispatchQueue.global().async(group: reader) {
      outBox.data = out.fileHandleForReading.readDataToEndOfFile()
    }
    var timedOut = false
    if done.wait(timeout: .now() + timeout) == .timedOut {
      timedOut = true
      process.terminate()
      // With the HDF5 probe disabled, `checkpoint verify` looping inside libhdf5 outlived
      // SIGTERM for minutes: the test must fail, not hang.
      if done.wait(timeout: .now() + 2) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        done.wait()
      }
    }
    reader.wait()
    return Outcome(
      status: process.terminationStatus, stderr: String(decoding: box.data, as: UTF8.self),
      timedOut: timedOut, stdout: String(decoding: outBox.data, as: UTF8.self))
  }

  static func fifo(in dir: String, _ name: String) throws -> String {
    let path = dir + "/" + name
    #expect(mkfifo(path, 0o644) == 0, "mkfifo \(path)")
    return path
  }

  static func temporaryDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "dlspec-hardening-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test func fifoAsSpecIsRefused() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = try Self.fifo(in: dir, "spec.yaml")
    for command in [["validate"], ["cost"], ["inspect"], ["train"]] {
      let r = try Self.run(command + [spec])
      #expect(!r.timedOut, "dlspec \(command[0]) on a FIFO hung")
      #expect(r.status == 1)
      #expect(r.stderr.contains("is a FIFO (named pipe), not a spec file"), "\(r.stderr)")
    }
  }

  @Test func fifoAsHDF5DataIsRefused() throws {
    try Self.expectTrainRefusesFIFOData(
      fifos: ["data.h5"], train: "{hdf5: data.h5, x: x_train, y: y_train}", what: "data file")
  }

  @Test func fifoAsIDXDataIsRefused() throws {
    try Self.expectTrainRefusesFIFOData(
      fifos: ["images.idx", "labels.idx"], train: "{idx: {images: images.idx, labels: labels.idx}}",
      what: "IDX file")
  }

  /// `train` on a spec whose `data.train` (`train`) names FIFOs refuses them by kind, in time.
  static func expectTrainRefusesFIFOData(fifos: [String], train: String, what: String) throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for name in fifos { _ = try Self.fifo(in: dir, name) }
    let spec = dir + "/spec.yaml"
    try """
    dlspec: 1
    data:
      train: \(train)
    model:
      input: [4]
      layers:
        - dense: {units: 2}
    loss: cross_entropy

    """.write(toFile: spec, atomically: true, encoding: .utf8)
    let r = try Self.run(["train", spec, "--out", dir + "/run"])
    #expect(!r.timedOut, "train on a FIFO \(what) hung")
    #expect(r.status == 1)
    #expect(r.stderr.contains("a FIFO (named pipe), not a regular file"), "\(r.stderr)")
  }

  @Test func fifoAsCheckpointIsRefused() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let checkpoint = try Self.fifo(in: dir, "last.h5")
    let r = try Self.run(["evaluate", "specs/logreg.yaml", "--checkpoint", checkpoint])
    #expect(!r.timedOut, "evaluate on a FIFO checkpoint hung")
    #expect(r.status == 1)
    #expect(r.stderr.contains("a FIFO (named pipe), not a regular file"), "\(r.stderr)")
    let p = try Self.run(["predict", "specs/logreg.yaml", "--checkpoint", checkpoint])
    #expect(!p.timedOut, "predict on a FIFO checkpoint hung")
    #expect(p.status == 1)
  }

  @Test func directoryAsCheckpointIsRefused() throws {
    let r = try Self.run(["evaluate", "specs/logreg.yaml", "--checkpoint", "specs"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("it is a directory, not a regular file"), "\(r.stderr)")
  }

  /// `--out` failures say what the system said, not an NSError dump.
  @Test func outUnderAFileSaysWhy() throws {
    let r = try Self.run(["train", "specs/logreg.yaml", "--out", "README.md/run"])
    #expect(r.status == 1)
    #expect(
      r.stderr
        == "error: cannot create run directory 'README.md/run': 'README.md' is a regular file, "
        + "not a directory\n", "\(r.stderr)")
  }

  @Test func nanInTestSetFailsAtOpen() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let data = Snapshot.packageRoot.path + "/Tests/Fixtures/Hostile/hdf5-nan-in-test.h5"
    let spec = dir + "/spec.yaml"
    try """
    dlspec: 1
    data:
      train: {hdf5: \(data), x: x_train, y: y_train}
      test: {hdf5: \(data), x: x_test, y: y_test}
      validation_split: 0
    model:
      input: [3]
      layers:
        - dense: {units: 2}
    loss: cross_entropy
    train: {epochs: 1, batch_size: 2}

    """.write(toFile: spec, atomically: true, encoding: .utf8)
    // Training reads only the (all-zero) train split: it warns, and trains.
    let r = try Self.run(["train", spec, "--out", dir + "/run"])
    #expect(!r.timedOut)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("every input value of the train data is 0"), "\(r.stderr)")
    // Evaluating opens the test split: the NaN is an error there, not a NaN loss with exit 0.
    let e = try Self.run(["evaluate", spec, "--checkpoint", dir + "/run/checkpoints/last.h5"])
    #expect(e.status == 1, "\(e.stderr)")
    #expect(e.stderr.contains("the test data has nan at sample 1, feature 2"), "\(e.stderr)")
  }
}
