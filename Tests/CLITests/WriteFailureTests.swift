import Foundation
import Testing

/// A small tmpfs for fault injection: `mount -t tmpfs -o size=…` (root, or a container that
/// permits it). Tests that need one are skipped, saying so, when mount is not permitted.
final class Tmpfs {
  let path: String

  /// Whether this machine lets the tests mount a tmpfs (tried once).
  static let available: Bool = {
    guard let probe = Tmpfs(kilobytes: 64) else { return false }
    _ = probe
    return true
  }()

  init?(kilobytes: Int) {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-tmpfs-\(UUID().uuidString)").path
    guard
      (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true))
        != nil,
      Self.shell(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]) == 0
    else {
      try? FileManager.default.removeItem(atPath: path)
      return nil
    }
  }

  deinit {
    _ = Self.shell(["umount", path])
    try? FileManager.default.removeItem(atPath: path)
  }

  func remount(readOnly: Bool) -> Bool {
    Self.shell(["mount", "-o", readOnly ? "remount,ro" : "remount,rw", path]) == 0
  }

  @discardableResult
  static func shell(_ arguments: [String]) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
  }

  /// Every `.tmp` file below `directory`.
  static func temporaries(_ directory: String) -> [String] {
    (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix(".tmp") }
  }
}

/// Full and read-only disks during `dlspec train`, through the binary: exit 1, a message naming
/// the path and the bytes, no signal, no `.tmp`, and the previous checkpoint still verifies.
@Suite(.serialized) struct WriteFailureTests {
  /// The workspace's tiny data, with a dense layer of 5000 units, so a checkpoint is ≈ 200 KB
  /// and three of them do not fit on a 600 KB tmpfs while the precheck's two do.
  static func wideSpec(_ w: RunCommandTests.Workspace, epochs: Int = 3) throws {
    try """
    dlspec: 1
    name: wide
    data:
      train: {idx: {images: train-images, labels: train-labels}}
      test: {idx: {images: test-images, labels: test-labels}}
      classes: 3
    model:
      input: [6]
      layers:
        - dense: {units: 5000}
        - relu
        - dense: {units: 3}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.01}
    train:
      epochs: \(epochs)
      batch_size: 10
      seed: 1
    checkpoint:
      keep_last: 1

    """.write(toFile: w.file("wide.yaml"), atomically: true, encoding: .utf8)
  }

  static func isSignal(_ status: Int32) -> Bool { status > 128 || status < 0 }

  @Test(.enabled(if: Tmpfs.available, "needs permission to mount a tmpfs (root)"))
  func aFullDiskAtCheckpointTimeKeepsThePreviousCheckpoint() throws {
    let w = try RunCommandTests.Workspace()
    try Self.wideSpec(w)
    let disk = try #require(Tmpfs(kilobytes: 600))
    let run = disk.path + "/run"
    let out = try w.dlspec(["train", "wide.yaml", "--out", run])
    #expect(out.status == 1, "\(out.stdout)\n\(out.stderr)")
    #expect(!Self.isSignal(out.status))
    #expect(out.stderr.contains("cannot write '\(run)/checkpoints/epoch-002.h5'"), "\(out.stderr)")
    #expect(out.stderr.contains("No space left on device"), "\(out.stderr)")
    #expect(out.stderr.contains("bytes needed"), "\(out.stderr)")
    #expect(!out.stderr.contains("Signal") && !out.stderr.contains("crashed"), "\(out.stderr)")
    #expect(Tmpfs.temporaries(run).isEmpty, "\(Tmpfs.temporaries(run))")
    let verify = try w.dlspec([
      "checkpoint", "verify", run + "/checkpoints/epoch-001.h5", run + "/checkpoints/last.h5",
    ])
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(verify.stdout.contains("epoch 1,"), "\(verify.stdout)")
    let summary = try String(contentsOfFile: run + "/summary.json", encoding: .utf8)
    #expect(summary.contains("\"status\": \"failed\""), "\(summary)")
  }

  /// The precheck: a 300 KB tmpfs cannot hold two 200 KB checkpoints, so nothing starts.
  @Test(.enabled(if: Tmpfs.available, "needs permission to mount a tmpfs (root)"))
  func tooLittleSpaceIsRefusedBeforeTraining() throws {
    let w = try RunCommandTests.Workspace()
    try Self.wideSpec(w)
    let disk = try #require(Tmpfs(kilobytes: 300))
    let run = disk.path + "/run"
    let out = try w.dlspec(["train", "wide.yaml", "--out", run])
    #expect(out.status == 1, "\(out.stdout)\n\(out.stderr)")
    #expect(out.stderr.contains("not enough free space for the run in '\(run)'"), "\(out.stderr)")
    #expect(out.stderr.contains("2 checkpoints of"), "\(out.stderr)")
    #expect(!out.stdout.contains("epoch 1/"), "\(out.stdout)")
    #expect(!FileManager.default.fileExists(atPath: run + "/checkpoints"))
  }

  /// A read-only file system (tmpfs remounted ro; root ignores chmod) is refused at the start,
  /// before any spec file is written.
  @Test(.enabled(if: Tmpfs.available, "needs permission to mount a tmpfs (root)"))
  func aReadOnlyDiskIsRefusedAtTheStart() throws {
    let w = try RunCommandTests.Workspace()
    let disk = try #require(Tmpfs(kilobytes: 2048))
    let run = disk.path + "/run"
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    #expect(disk.remount(readOnly: true))
    defer { _ = disk.remount(readOnly: false) }
    let out = try w.dlspec(["train", "spec.yaml", "--out", run])
    #expect(out.status == 1, "\(out.stdout)\n\(out.stderr)")
    #expect(out.stderr.contains(run), "\(out.stderr)")
    #expect(out.stderr.contains("Read-only file system"), "\(out.stderr)")
    #expect(Tmpfs.temporaries(disk.path).isEmpty)
  }

  /// `--resume` from a run whose last.h5 was changed after it was written (a weight set to
  /// 1e30 through h5py): refused by name; with --resume-fallback the newest epoch checkpoint
  /// that verifies is used, and named.
  @Test(.enabled(if: RunCommandTests.hasH5py, "needs python3 with h5py and numpy"))
  func resumeFromACorruptCheckpointNeedsTheFallbackFlag() throws {
    let w = try RunCommandTests.Workspace()
    let first = try w.dlspec(["train", "spec.yaml", "--out", "run"])
    #expect(first.status == 0, "\(first.stderr)")
    let script = """
      import sys, h5py
      with h5py.File(sys.argv[1], 'r+') as f:
          f['/weights/dense_1/weight'][0, 0] = 1e30
      """
    let tamper = Process()
    tamper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    tamper.arguments = ["python3", "-c", script, w.file("run/checkpoints/last.h5")]
    try tamper.run()
    tamper.waitUntilExit()
    #expect(tamper.terminationStatus == 0)
    let refused = try w.dlspec(["train", "spec.yaml", "--epochs", "3", "--resume", "run"])
    #expect(refused.status == 1, "\(refused.stdout)")
    #expect(
      refused.stderr.contains("checkpoint 'run/checkpoints/last.h5' is corrupt"),
      "\(refused.stderr)")
    #expect(refused.stderr.contains("does not match its hash"), "\(refused.stderr)")
    #expect(refused.stderr.contains("--resume-fallback"), "\(refused.stderr)")
    let fallback = try w.dlspec([
      "train", "spec.yaml", "--epochs", "3", "--resume", "run", "--resume-fallback",
    ])
    #expect(fallback.status == 0, "\(fallback.stderr)")
    #expect(
      fallback.stdout.contains("resuming from run/checkpoints/epoch-002.h5"), "\(fallback.stdout)")
    #expect(fallback.stdout.contains("epoch 3/3"), "\(fallback.stdout)")
  }
}

extension RunCommandTests {
  static let hasH5py: Bool = Tmpfs.shell(["python3", "-c", "import h5py, numpy"]) == 0
}
