import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// Checkpoint integrity (Fletcher32, content hash, finiteness, generator state) and writes that
/// fail cleanly (FileWrite, RunSummary, PlotFile, the trainer) on a full or read-only tmpfs.
@Suite struct IntegrityTests {
  static func saved(_ dir: TemporaryDirectory, _ net: String = "mlp") throws -> (
    String, Plan<Float>
  ) {
    let path = dir.path("c.h5")
    let plan = try CheckpointTests.trainedPlan(net)
    try Checkpoint.save(plan, to: path, metadata: CheckpointTests.metadata, optimizer: "adam")
    return (path, plan)
  }

  static func corruptReason(_ path: String) -> String? {
    if case .corrupt(let why) = Checkpoint.verify(path) { return why }
    return nil
  }

  /// Every dataset is chunked with Fletcher32, and the file verifies.
  @Test func everyDatasetCarriesFletcher32() throws {
    let dir = try TemporaryDirectory()
    let (path, _) = try Self.saved(dir, "bn")
    let file = try HDF5File.open(path)
    defer { file.close() }
    let names = ["/weights", "/optimizer", "/state"].flatMap { file.datasets(under: $0) }
    #expect(names.count > 6)
    for name in names { #expect(try file.filters(of: name) == [3], "\(name)") }
    #expect(try file.int64Attribute("format_version") == 4)
    #expect(try file.stringAttribute("content_sha256").count == 64)
    guard case .ok(4, 3, 42, names.count) = Checkpoint.verify(path) else {
      Issue.record("\(Checkpoint.verify(path))")
      return
    }
  }

  /// Growing datasets (prediction outputs) carry Fletcher32 too, and h5py-style reads verify.
  @Test func extendibleDatasetsCarryFletcher32() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("p.h5")
    let file = try HDF5File.create(path)
    try file.createExtendible("predicted", rowShape: [], as: Int64.self, chunkRows: 4)
    try file.appendRows([1, 2, 3, 4, 5] as [Int64], to: "predicted")
    try file.closeChecked()
    let back = try HDF5File.open(path)
    defer { back.close() }
    #expect(try back.filters(of: "predicted") == [3])
    #expect(try back.read("predicted", as: Int64.self).values == [1, 2, 3, 4, 5])
  }

  /// One bit flipped in the middle of each tensor's stored bytes (found in the raw file by its
  /// values) is caught by Fletcher32 and named.
  @Test func aFlippedByteInAnyTensorIsCaughtAndNamed() throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    let original = try #require(FileManager.default.contents(atPath: path))
    var flipped = 0
    for t in Checkpoint.tensors(of: plan) where t.values.count >= 4 {
      let needle = t.values.withUnsafeBytes { Array($0) }
      guard let at = Self.find(needle, in: [UInt8](original)) else {
        Issue.record("\(t.name)'s bytes are not in the file")
        continue
      }
      var bytes = [UInt8](original)
      bytes[at + needle.count / 2] ^= 0x10
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let why = Self.corruptReason(path)
      #expect(
        why?.contains("'\(t.name)' fails its Fletcher32 checksum") == true,
        "\(t.name): \(String(describing: why))")
      let fresh = Plan<Float>(
        try PlanFixtures.experiment("mlp", optimizer: "adam: {lr: 0.01}"), batch: 2)
      #expect(throws: Checkpoint.Failure.self) {
        try Checkpoint.load(path, into: fresh, optimizerState: true)
      }
      flipped += 1
    }
    #expect(flipped == Checkpoint.tensors(of: plan).filter { $0.values.count >= 4 }.count)
    try original.write(to: URL(fileURLWithPath: path))
    #expect(Checkpoint.verify(path).isOK)
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
      if Array(haystack[i..<(i + needle.count)]) == needle { return i }
    }
    return nil
  }

  /// NaN and Inf are refused by finiteness even when the content hash is consistent (the file
  /// was saved with them), naming the tensor and the first bad index.
  @Test(arguments: [Float.nan, .infinity, -.infinity])
  func nonFiniteValuesAreRefusedEvenWithAConsistentHash(_ bad: Float) throws {
    let dir = try TemporaryDirectory()
    let plan = try CheckpointTests.trainedPlan()
    let weight = try #require(plan.parameterSlices[0].first { $0.name == "weight" })
    plan.parameters[weight.offset + 7] = bad
    let path = dir.path("bad.h5")
    try Checkpoint.save(plan, to: path, metadata: CheckpointTests.metadata, optimizer: "adam")
    let why = try #require(Self.corruptReason(path))
    #expect(why.contains("'/weights/dense_1/weight' holds \(bad) at index [1, 2]"), "\(why)")
    #expect(why.contains("element 7 of 30"), "\(why)")
    // Optimizer state and layer state are checked too.
    let bn = try CheckpointTests.trainedPlan("bn")
    try #require(bn.state)[1] = bad
    try Checkpoint.save(bn, to: path, metadata: CheckpointTests.metadata, optimizer: "adam")
    #expect(Self.corruptReason(path)?.contains("/state/batchnorm_1/") == true)
  }

  /// A format-3 dataset rewritten without Fletcher32 (by h5py, same values) is refused: its
  /// bytes would go unchecked.
  @Test(.enabled(if: DataFixtures.hasH5py, "needs python3 with h5py and numpy"))
  func aDatasetWithoutFletcher32IsRefused() throws {
    let dir = try TemporaryDirectory()
    let (path, _) = try Self.saved(dir)
    let script = """
      import sys, h5py
      with h5py.File(sys.argv[1], 'r+') as f:
          w = f['/weights/dense_2/bias'][...]
          del f['/weights/dense_2/bias']
          f.create_dataset('/weights/dense_2/bias', data=w)
      """
    let (status, _, err) = try #require(DataFixtures.python(script, [path]))
    #expect(status == 0, "\(err)")
    #expect(
      Self.corruptReason(path)?.contains("'/weights/dense_2/bias' carries no Fletcher32") == true,
      "\(Checkpoint.verify(path))")
  }

  /// A changed attribute (the epoch, through our own writer) breaks the content hash.
  @Test func aChangedAttributeBreaksTheContentHash() throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    let file = try HDF5File.open(path, writable: true)
    try file.setAttribute("epoch", .int64(4))
    file.close()
    #expect(Self.corruptReason(path)?.contains("does not match its hash") == true)
    #expect(throws: Checkpoint.Failure.self) {
      try Checkpoint.load(path, into: plan, optimizerState: false)
    }
  }

  /// Versions 1 and 2 carry no checksums: they load, with a note, and verify as unchecked.
  @Test func olderVersionsLoadWithANote() throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    let file = try HDF5File.open(path, writable: true)
    try file.setAttribute("format_version", .int64(2))
    file.close()
    var notes: [String] = []
    try Checkpoint.load(path, into: plan, optimizerState: true) { notes.append($0) }
    #expect(notes.count == 1 && notes[0].contains("carries no checksums"), "\(notes)")
    guard case .unchecked(2, _, _, _) = Checkpoint.verify(path) else {
      Issue.record("\(Checkpoint.verify(path))")
      return
    }
  }

  @Test func theContentHashIsCanonical() throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    let shuffled = Checkpoint.tensors(of: plan).reversed()
    let sorted = Checkpoint.tensors(of: plan)
    #expect(shuffled.map(\.name) != sorted.map(\.name))
    let file = try HDF5File.open(path)
    defer { file.close() }
    let stored = try file.stringAttribute("content_sha256")
    #expect(
      stored
        == Checkpoint.contentHash(
          tensors: sorted, metadata: CheckpointTests.metadata, optimizer: "adam", version: 4))
  }

  /// A checkpoint's estimated size, used by the free-space precheck, is at least its real size.
  @Test(arguments: ["mlp", "bn"])
  func theEstimateCoversTheFile(_ net: String) throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir, net)
    let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    let estimate = Checkpoint.estimatedBytes(plan)
    #expect(estimate >= size, "estimate \(estimate), file \(size)")
  }
}

/// A tmpfs for fault injection (root); see CLITests' WriteFailureTests.
final class SmallDisk {
  let path: String
  static let available: Bool = SmallDisk(kilobytes: 64) != nil

  init?(kilobytes: Int) {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-disk-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard Self.run(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]) == 0 else {
      try? FileManager.default.removeItem(atPath: path)
      return nil
    }
  }

  deinit {
    _ = Self.run(["umount", path])
    try? FileManager.default.removeItem(atPath: path)
  }

  func remount(readOnly: Bool) -> Bool {
    Self.run(["mount", "-o", readOnly ? "remount,ro" : "remount,rw", path]) == 0
  }

  /// Fills the disk: a filler file grows until the file system refuses, leaving 0 bytes free.
  func fill() {
    let fd = open(path + "/filler", O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let block = [UInt8](repeating: 0xAB, count: 4096)
    while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    _ = write(fd, block, 1)
  }

  func temporaries() -> [String] {
    (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix(".tmp") }
  }

  static func run(_ arguments: [String]) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
  }
}

@Suite(.serialized) struct WriteFailureUnitTests {
  /// A full disk: the summary write fails naming the path and bytes, the old summary stays,
  /// no `.tmp` is left.
  @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs (root)"))
  func summaryAndPlotWritesFailCleanly() throws {
    let disk = try #require(SmallDisk(kilobytes: 64))
    var s = RunSummary()
    s.name = "old"
    let path = disk.path + "/summary.json"
    try s.write(to: path)
    disk.fill()
    s.name = "new"
    do {
      try s.write(to: path)
      Issue.record("a summary was written to a full disk")
    } catch let failure as WriteFailure {
      #expect(failure.path == path)
      #expect(failure.code == ENOSPC)
      #expect("\(failure)".contains("No space left on device (\(s.json().utf8.count) bytes needed"))
    }
    #expect(try RunSummary.read(path).name == "old")
    #expect(throws: PlotFile.WriteError.self) {
      try PlotFile.write(String(repeating: "<svg/>", count: 2000), to: disk.path + "/curves.svg")
    }
    #expect(disk.temporaries().isEmpty, "\(disk.temporaries())")
  }

  /// A failed append is cut back: metrics.csv never ends in half a row.
  @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs (root)"))
  func aFailedAppendLeavesNoHalfRow() throws {
    let disk = try #require(SmallDisk(kilobytes: 64))
    let path = disk.path + "/metrics.csv"
    // Exactly one page, so the next byte needs a new block the full disk does not have.
    let header = String(repeating: "x", count: 4095) + "\n"
    try FileWrite.write(header, to: path)
    disk.fill()
    #expect(throws: WriteFailure.self) {
      try FileWrite.append(Array(String(repeating: "1,", count: 3000).utf8), to: path)
    }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == header)
  }

  /// The trainer on a disk that fills up (a filler file after epoch 1): the run fails with
  /// an error naming a path in it, no `.tmp` is left, and the epoch-1 checkpoint still loads.
  @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs (root)"))
  func theTrainerFailsCleanlyWhenTheDiskFillsMidRun() throws {
    let dir = try TemporaryDirectory()
    let data = try TrainerTests.writeData(in: dir)
    let disk = try #require(SmallDisk(kilobytes: 1024))
    let run = disk.path + "/run"
    do {
      _ = try RunLifecycleTests.train(data, epochs: 3, run: run) {
        $0.afterEpoch = { _ in disk.fill() }
      }
      Issue.record("training went on after the disk filled up")
    } catch let failure as WriteFailure {
      #expect(failure.path.hasPrefix(run + "/"), "\(failure)")
      #expect(failure.code == ENOSPC, "\(failure)")
    }
    #expect(disk.temporaries().isEmpty, "\(disk.temporaries())")
    let plan = Plan<Float>(
      try PlanFixtures.experiment(text: TrainerTests.spec(data: data, epochs: 3)), batch: 20)
    for name in ["epoch-001.h5", "last.h5"] {
      let meta = try Checkpoint.load(run + "/checkpoints/" + name, into: plan, optimizerState: true)
      #expect(meta.epoch == 1, "\(name)")
    }
  }

  /// A checkpoint saved over a good one on a file system that turned read-only (the run's
  /// lock keeps a tmpfs from being remounted mid-run, so this is the save itself): EROFS,
  /// naming the path, and the good checkpoint is untouched.
  @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs (root)"))
  func aReadOnlyDiskKeepsThePreviousCheckpoint() throws {
    let disk = try #require(SmallDisk(kilobytes: 1024))
    defer { _ = disk.remount(readOnly: false) }
    let path = disk.path + "/last.h5"
    let plan = try CheckpointTests.trainedPlan()
    try Checkpoint.save(plan, to: path, metadata: CheckpointTests.metadata, optimizer: "adam")
    let before = FileManager.default.contents(atPath: path)
    #expect(disk.remount(readOnly: true))
    var later = CheckpointTests.metadata
    later.epoch = 4
    do {
      try Checkpoint.save(plan, to: path, metadata: later, optimizer: "adam")
      Issue.record("a checkpoint was saved on a read-only disk")
    } catch let failure as WriteFailure {
      #expect(failure.path == path)
      #expect(failure.code == EROFS)
      #expect("\(failure)".contains("Read-only file system"), "\(failure)")
    }
    #expect(FileManager.default.contents(atPath: path) == before)
    #expect(try Checkpoint.load(path, into: plan, optimizerState: true).epoch == 3)
    #expect(disk.temporaries().isEmpty)
  }
}

/// Every errno a write can meet gives a message naming the path, the bytes and a hint.
@Suite struct WriteFailureMessageTests {
  @Test(arguments: [
    (ENOSPC, "No space left on device", "free some space"),
    (EDQUOT, "Disk quota exceeded", "free some space (or quota)"),
    (EROFS, "Read-only file system", "read-only"),
    (EACCES, "Permission denied", "you may not write there"),
  ])
  func messagesNameThePathBytesAndAHint(_ code: Int32, _ reason: String, _ hint: String) {
    let failure = WriteFailure(path: "/tmp/run/metrics.csv", bytesNeeded: 312, code: code)
    let text = "\(failure)"
    #expect(
      text.hasPrefix("cannot write '/tmp/run/metrics.csv': \(reason) (312 bytes needed"), "\(text)")
    #expect(text.contains("= hint: ") && text.contains(hint), "\(text)")
  }
}
