import DLSpec
import Foundation
import Testing
import _FuzzEntries

@testable import DLTrain

/// What CI runs of the fuzzing (docs/reliability.md, "Fuzzing"): every committed corpus input
/// and every past finding, through the same entry point the libFuzzer harness calls
/// (`FuzzEntries`), without libFuzzer. A crash fails the whole test process; a slow input fails
/// its bound.
@Suite struct FuzzCorpusTests {
  /// Seconds per input in a debug build; the slowest seed (2,000 flow-style sigmoids) takes
  /// well under a second.
  static let bound = 10.0

  static let fuzzRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fuzz")

  static func inputs(_ folder: String, _ target: String) -> [URL] {
    let dir = fuzzRoot.appendingPathComponent(folder).appendingPathComponent(target)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    // Subfolders (`in-libhdf5/`) hold inputs that crash libhdf5 itself: replaying them here
    // would kill the test process; DamagedHDF5CLITests replays them through the binary.
    return names.sorted().filter { !$0.hasPrefix(".") }.map { dir.appendingPathComponent($0) }
      .filter { FileKind.of($0.path) != .directory }
  }

  static func replay(_ target: String, _ file: URL) throws -> Double {
    let bytes = [UInt8](try Data(contentsOf: file))
    let start = Date()
    FuzzEntries.run(target, bytes)
    return Date().timeIntervalSince(start)
  }

  @Test(arguments: FuzzEntries.targets)
  func corpusReplays(_ target: String) throws {
    let files = Self.inputs("corpus", target)
    #expect(files.count >= 5, "Fuzz/corpus/\(target)/ has \(files.count) inputs")
    for file in files {
      let t = try Self.replay(target, file)
      #expect(t < Self.bound, "\(target)/\(file.lastPathComponent) took \(t) s")
    }
  }

  @Test(arguments: FuzzEntries.targets)
  func findingsReplay(_ target: String) throws {
    for file in Self.inputs("findings", target) {
      let t = try Self.replay(target, file)
      #expect(t < Self.bound, "\(target)/\(file.lastPathComponent) took \(t) s")
    }
  }

  // MARK: Hostile seeds: the size claims of issue 14 item 6, refused before allocating.

  static func corpus(_ target: String, _ name: String) -> String {
    fuzzRoot.appendingPathComponent("corpus/\(target)/\(name)").path
  }

  /// A 176-byte IDX file whose header claims 2^31 or 2^33 uint8 pixels, raw and gzip: main
  /// before the inputs work aborted with "failed to allocate 34359738400 bytes".
  @Test(arguments: [
    "hostile-claims-2p31-pixels.idx", "hostile-claims-2p31-pixels.idx.gz",
    "hostile-claims-2p33-pixels.idx", "hostile-claims-2p33-pixels.idx.gz",
    "hostile-claims-2p33-float.idx", "hostile-claims-max-extents.idx",
  ])
  func idxHeaderClaimingHugeCountIsRefused(_ name: String) {
    let path = Self.corpus("idx", name)
    let start = Date()
    #expect(throws: IDXError.self) { _ = try IDXFile.read(path) }
    #expect(throws: (any Error).self) { _ = try Dataset.loadIDX(images: path, labels: path) }
    #expect(Date().timeIntervalSince(start) < 1)
  }

  /// A 2 KB HDF5 file with a chunked, never-written x_train of shape (2^31, 16): main before
  /// the inputs work aborted allocating 128 GiB.
  @Test(arguments: ["hostile-claims-2p31x16.h5", "hostile-claims-2p33-uint8.h5"])
  func hdf5DatasetClaimingHugeShapeIsRefused(_ name: String) {
    let path = Self.corpus("hdf5", name)
    #expect(throws: HDF5Error.self) { _ = try Dataset.loadHDF5(path, names: .train) }
  }

  /// The same trick on a checkpoint weight.
  @Test func checkpointWeightClaimingHugeShapeIsRefused() throws {
    let path = Self.corpus("checkpoint", "hostile-claims-2p33-weight.h5")
    let e = try #require(
      SpecChecker().check(SourceFile(path: "c.yaml", text: FuzzEntries.checkpointSpec)).experiment)
    let plan = Plan<Float>(e, batch: 1)
    #expect(throws: (any Error).self) {
      try Checkpoint.load(path, into: plan, optimizerState: false)
    }
  }

  /// Finding hdf5-chunk (fixed): an unfiltered chunked dataset whose chunk index lists a
  /// chunk of 581 bytes where 640 belong made libhdf5 1.10.8 copy past the end of its buffer
  /// in `H5Dread` (an ASan heap-buffer-overflow; silent garbage, or a crash, without ASan).
  /// `checkClaimedSize` now refuses an unfiltered chunk that is not full size.
  @Test(arguments: [
    "crash-27d0ab0f86ac2da7c8993d957a2bf9b225abf3f5",
    "crash-c938d3d652c4c9e1a5ed237b22090a451f44445b",
  ])
  func shortUncompressedChunkIsRefused(_ name: String) throws {
    let file = Self.fuzzRoot.appendingPathComponent("findings/hdf5/\(name)")
    let dir = try TemporaryDirectory()
    let path = dir.path("data.h5")
    try Data(contentsOf: file).write(to: URL(fileURLWithPath: path))
    var refusals: [String] = []
    for names in [HDF5SplitNames.train, .test] {
      do {
        _ = try Dataset.loadHDF5(path, names: names)
      } catch let HDF5Error.claimsTooMuch(_, object, _, _, reason) {
        refusals.append("\(object): \(reason)")
      } catch {}
    }
    #expect(refusals.contains { $0.contains("an uncompressed chunk holds") }, "\(refusals)")
  }

  // Findings hdf5-segv and checkpoint-globalheap (docs/reliability.md, "Fuzzing") crash or
  // hang libhdf5 itself, so no in-process replay can survive them: the `dlspec` binary reads
  // every HDF5 file's metadata in a child process first (HDF5Probe), and
  // Tests/CLITests/DamagedHDF5CLITests.swift replays them through it.

  /// The seeds that must still load (so the corpus exercises the success paths too).
  @Test func goodSeedsLoad() throws {
    let images = Self.corpus("idx", "images-10x4x4.idx.gz")
    let labels = Self.corpus("idx", "labels-10.idx")
    #expect(try Dataset.loadIDX(images: images, labels: labels).count == 10)
    #expect(try Dataset.loadHDF5(Self.corpus("hdf5", "data-10x4x4.h5")).count == 10)
    let e = try #require(
      SpecChecker().check(SourceFile(path: "c.yaml", text: FuzzEntries.checkpointSpec)).experiment)
    let plan = Plan<Float>(e, batch: 1)
    let meta = try Checkpoint.load(
      Self.corpus("checkpoint", "tiny-epoch-001.h5"), into: plan, optimizerState: true)
    #expect(meta.epoch == 1)
  }
}

/// Every reader dlspec opens a user's file with must refuse a FIFO rather than block in open()
/// or read() waiting for a writer (issue 14, item 7). Each reader runs on its own thread; if it
/// is still blocked after the bound, the test opens the FIFO's write end and closes it, so the
/// reader sees end-of-file and the suite never hangs, and records the hang as a failure.
@Suite
struct FIFORefusalTests {
  static let bound: TimeInterval = 5

  static let readers: [(String, @Sendable (String) throws -> Void)] = [
    (
      "SourceFile.load",
      { path in
        if case .failure(let d) = SourceFile.load(path: path) { throw DiagnosticError(d) }
      }
    ),
    ("IDXFile.read", { _ = try IDXFile.read($0) }),
    ("IDXFile.readScaledPixels", { _ = try IDXFile.readScaledPixels($0) }),
    ("Dataset.loadIDX", { _ = try Dataset.loadIDX(images: $0, labels: $0) }),
    ("HDF5File.open", { try HDF5File.open($0).close() }),
    ("Dataset.loadHDF5", { _ = try Dataset.loadHDF5($0) }),
    ("Checkpoint.readMetadata", { _ = try Checkpoint.readMetadata($0) }),
  ]

  struct DiagnosticError: Error {
    let diagnostic: Diagnostic
    init(_ d: Diagnostic) { diagnostic = d }
  }

  @Test(arguments: 0..<readers.count)
  func readerRefusesFIFO(_ index: Int) throws {
    let (name, reader) = Self.readers[index]
    let dir = try TemporaryDirectory()
    let path = dir.path("fifo")
    try #require(mkfifo(path, 0o600) == 0)
    final class Outcome: @unchecked Sendable { var error: (any Error)? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      do { try reader(path) } catch { outcome.error = error }
      done.signal()
    }
    let finished = done.wait(timeout: .now() + Self.bound) == .success
    if !finished {
      // Unblock the reader: a writer that connects and leaves gives it end-of-file.
      let fd = open(path, O_WRONLY | O_NONBLOCK)
      if fd >= 0 { close(fd) }
      _ = done.wait(timeout: .now() + Self.bound)
    }
    #expect(finished, "\(name) blocked on a FIFO for more than \(Self.bound) s")
    #expect(outcome.error != nil, "\(name) accepted a FIFO")
  }
}
