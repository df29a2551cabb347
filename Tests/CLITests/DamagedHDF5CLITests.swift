import DLSpecTestSupport
import Foundation
import Testing

/// The fuzz findings that crash or hang libhdf5 1.10.8 itself (docs/reliability.md,
/// "Fuzzing", findings 4 and 5), replayed through the `dlspec` binary: each must end in exit 1
/// with an error naming the file, never a signal or a hang. The binary reads every HDF5 file's
/// metadata in a child process first (HDF5Probe), where the crash happens harmlessly; if that
/// isolation broke, these runs would die with signal 11 or hit the timeout.
@Suite struct DamagedHDF5CLITests {
  static let findings = Snapshot.packageRoot.appendingPathComponent("Fuzz/findings")

  static func finding(_ target: String, _ name: String) -> String {
    findings.appendingPathComponent("\(target)/in-libhdf5/\(name)").path
  }

  /// Finding hdf5-segv: a corrupt local heap; libhdf5 writes through NULL in
  /// `H5F__accum_read` under `H5Lexists`. As `data:` of a spec, `train` names the file.
  @Test(arguments: [
    "crash-4d3f923a3f81d2fab713721ffb056cc9d8d6511c",
    "crash-8537b2b1acbbdb04658fe68913225dafe396a27e",
    "crash-ac03f24adfdc665ddd088e3f769bffab84df5a27",
    "crash-cb40ebb935f1e9842208dfa0ae085ca6c9b1a464",
    "crash-fd2f6a27a19f9f2ae967aed5865d797eba0518fa",
  ])
  func corruptLocalHeapIsAnError(_ name: String) throws {
    let dir = try HardeningCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let data = dir + "/data.h5"
    try FileManager.default.copyItem(atPath: Self.finding("hdf5", name), toPath: data)
    let spec = try Self.tinySpec(in: dir, data: data)
    let r = try HardeningCLITests.run(["train", spec, "--out", dir + "/run"])
    #expect(!r.timedOut)
    #expect(r.status == 1, "\(r.stderr)")
    #expect(
      r.stderr.contains(
        "error: \(data): libhdf5 crashed (signal 11, SIGSEGV) while reading the file's "
          + "metadata: the file is damaged\n  = hint: replace the file"), "\(r.stderr)")
  }

  /// The other commands that read a data file: `validate --check-data` (located at the spec's
  /// `data:` entry) and `predict --input`.
  @Test func corruptLocalHeapIsAnErrorForEveryReader() throws {
    let dir = try HardeningCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let data = dir + "/data.h5"
    try FileManager.default.copyItem(
      atPath: Self.finding("hdf5", "crash-4d3f923a3f81d2fab713721ffb056cc9d8d6511c"), toPath: data)
    let spec = try Self.tinySpec(in: dir, data: data)
    let crashed = "\(data): libhdf5 crashed (signal 11, SIGSEGV) while reading the file's metadata"
    let v = try HardeningCLITests.run(["validate", "--check-data", spec])
    #expect(v.status == 1)
    #expect(v.stderr.contains("spec.yaml:4:10: error[E038]: \(crashed)"), "\(v.stderr)")
    let good = Snapshot.packageRoot.path + "/Fuzz/corpus/checkpoint/tiny-epoch-002.h5"
    let p = try HardeningCLITests.run([
      "predict", "Fuzz/seeds/tiny.yaml", "--checkpoint", good, "--input", data,
    ])
    #expect(p.status == 1)
    #expect(p.stderr.contains("error: \(crashed)"), "\(p.stderr)")
  }

  /// Finding checkpoint-globalheap: a damaged global heap behind the variable-length string
  /// attributes. crash-*: SIGSEGV in `H5HG_read`; oom-*: libhdf5 allocates gigabytes (4.2 GB
  /// and 8 s in process); timeout-*: `H5Aread` loops without end. Three of the 30 timeouts are
  /// replayed (each costs the probe's 2 CPU seconds); all 30 were checked when the probe landed
  /// (docs/reliability.md).
  @Test(arguments: [
    ("crash-63d0a54b3dfa66edb83b0680fb0202122a32efc8", "libhdf5 crashed (signal 11, SIGSEGV)"),
    ("crash-889edd14d693851ee78e5ac7e81b43bc9345bf3f", "libhdf5 crashed (signal 11, SIGSEGV)"),
    ("crash-8bba6541b8fc215a764511d166e5997b59f29970", "libhdf5 crashed (signal 11, SIGSEGV)"),
    ("oom-92558b938cad3157502a0222cd98dbaf84a63cde", "libhdf5 needed more than 512 MiB of memory"),
    (
      "timeout-0fa70c630577245907ff9cf4d71899339e97f1f1",
      "libhdf5 did not finish within 2 s of CPU time"
    ),
    (
      "timeout-89d00ce94cd2326eecb85b4799ebb7d55b5511e5",
      "libhdf5 did not finish within 2 s of CPU time"
    ),
    (
      "timeout-f3e3094a7e5bbf5e55e12fa9816f9e19b5978268",
      "libhdf5 did not finish within 2 s of CPU time"
    ),
  ])
  func damagedGlobalHeapIsAnError(_ name: String, _ reason: String) throws {
    let path = Self.finding("checkpoint", name)
    let r = try HardeningCLITests.run(["checkpoint", "verify", path], timeout: 60)
    #expect(!r.timedOut)
    #expect(r.status == 1, "\(r.stderr)")
    #expect(
      r.stdout
        == "\(path): corrupt: \(reason) while reading the file's metadata: the file is damaged\n",
      "\(r.stdout)")
  }

  /// `evaluate --checkpoint`, `train --init-from` and `train --resume` on such a checkpoint.
  @Test func damagedGlobalHeapIsAnErrorForEveryReader() throws {
    let dir = try HardeningCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = Self.finding("checkpoint", "crash-63d0a54b3dfa66edb83b0680fb0202122a32efc8")
    let expected =
      "error: checkpoint '\(path)' is corrupt: libhdf5 crashed (signal 11, SIGSEGV) while "
      + "reading the file's metadata: the file is damaged\n"
    for arguments in [
      ["evaluate", "Fuzz/seeds/tiny.yaml", "--checkpoint", path],
      ["train", "Fuzz/seeds/tiny.yaml", "--init-from", path, "--out", dir + "/init"],
      ["train", "Fuzz/seeds/tiny.yaml", "--resume", path, "--out", dir + "/resume"],
    ] {
      let r = try HardeningCLITests.run(arguments)
      #expect(r.status == 1, "\(arguments): \(r.stderr)")
      #expect(r.stderr.contains(expected), "\(arguments): \(r.stderr)")
    }
  }

  /// A run whose newest checkpoint crashes libhdf5: `--resume` refuses it by name, and
  /// `--resume-fallback` skips it for the newest good one, as for any corrupt checkpoint.
  @Test func resumeFallbackSkipsACheckpointThatCrashesLibHDF5() throws {
    let dir = try HardeningCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = dir + "/run"
    let trained = try HardeningCLITests.run([
      "train", "Fuzz/seeds/tiny.yaml", "--epochs", "2", "--out", run,
    ])
    try #require(trained.status == 0, "\(trained.stderr)")
    let last = run + "/checkpoints/last.h5"
    try FileManager.default.removeItem(atPath: last)
    try FileManager.default.copyItem(
      atPath: Self.finding("checkpoint", "crash-889edd14d693851ee78e5ac7e81b43bc9345bf3f"),
      toPath: last)
    let refused = try HardeningCLITests.run([
      "train", "Fuzz/seeds/tiny.yaml", "--resume", run, "--epochs", "3",
    ])
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("'\(last)' is corrupt: libhdf5 crashed (signal 11, SIGSEGV)"),
      "\(refused.stderr)")
    #expect(refused.stderr.contains("--resume-fallback continues from the newest older checkpoint"))
    let resumed = try HardeningCLITests.run([
      "train", "Fuzz/seeds/tiny.yaml", "--resume", run, "--resume-fallback", "--epochs", "3",
    ])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(
      resumed.stdout.contains("note: resuming from \(run)/checkpoints/epoch-002.h5; skipped"),
      "\(resumed.stdout)")
  }

  /// The fuzz seed spec with its data at `data`.
  static func tinySpec(in dir: String, data: String) throws -> String {
    let seed = try String(
      contentsOfFile: Snapshot.packageRoot.path + "/Fuzz/seeds/tiny.yaml", encoding: .utf8)
    let spec = dir + "/spec.yaml"
    try seed.replacingOccurrences(of: "../corpus/hdf5/data-10x4x4.h5", with: data)
      .write(toFile: spec, atomically: true, encoding: .utf8)
    return spec
  }
}
