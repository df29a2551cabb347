import Foundation
import Testing

@testable import DLTrain

/// The parent's side of `HDF5Probe`: how the child's end becomes an outcome and an error. The
/// child here is a shell script that ends the way a crashed, hung or exhausted `dlspec
/// _probe-hdf5` would; the real walk on real damaged files is DamagedHDF5CLITests'.
@Suite struct HDF5ProbeTests {
  static func probe(_ script: String, limits: HDF5Probe.Limits = .init()) -> HDF5Probe {
    HDF5Probe(command: ["/bin/sh", "-c", script, "sh"], limits: limits)
  }

  @Test func signalOfTheChildIsACrash() {
    #expect(Self.probe("kill -SEGV $$").run("f.h5") == .crashed(signal: SIGSEGV))
    #expect(Self.probe("kill -BUS $$").run("f.h5") == .crashed(signal: SIGBUS))
  }

  @Test func cpuLimitSignalsAreATimeout() {
    let limits = HDF5Probe.Limits(cpuSeconds: 3)
    #expect(
      Self.probe("kill -XCPU $$", limits: limits).run("f.h5")
        == .timedOut(seconds: 3, wall: false))
    #expect(
      Self.probe("kill -KILL $$", limits: limits).run("f.h5")
        == .timedOut(seconds: 3, wall: false))
  }

  /// A child that outlives the wall-clock deadline is killed and reaped.
  @Test func wallDeadlineKillsTheChild() {
    let limits = HDF5Probe.Limits(wallSeconds: 0.3)
    #expect(
      Self.probe("exec sleep 60", limits: limits).run("f.h5")
        == .timedOut(seconds: 0.3, wall: true))
  }

  @Test func exitStatuses() {
    #expect(Self.probe("exit 0").run("f.h5") == .passed)
    #expect(Self.probe("exit 3").run("f.h5") == .tooMuchMemory(bytes: 512 << 20))
    #expect(Self.probe("exit 7").run("f.h5") == .exited(status: 7))
  }

  /// The child is told the limits and the file, after `--`.
  @Test func childGetsLimitsAndPath() {
    let limits = HDF5Probe.Limits(cpuSeconds: 5, memoryBytes: 64 << 20)
    let script = """
      [ "$1 $2 $3 $4 $5 $6" = "--cpu-seconds 5 --memory-mb 64 -- -dash.h5" ] || exit 9
      [ "$OPENBLAS_NUM_THREADS" = 1 ] && [ "$SWIFT_BACKTRACE" = enable=no ] || exit 8
      """
    #expect(Self.probe(script, limits: limits).run("-dash.h5") == .passed)
  }

  /// A probe that cannot start says nothing about the file: `check` lets the loader read it.
  @Test func missingExecutableIsNotRun() throws {
    let probe = HDF5Probe(command: ["/nonexistent/dlspec", "_probe-hdf5"])
    #expect(probe.run("f.h5") == .notRun(errno: ENOENT))
  }

  /// `check` turns each outcome into `damagedMetadata`, naming the file and what happened.
  @Test func checkThrowsLocatedErrors() throws {
    let dir = try TemporaryDirectory()
    let cases: [(String, HDF5Probe.Limits, String)] = [
      ("kill -SEGV $$", .init(), "libhdf5 crashed (signal 11, SIGSEGV)"),
      ("kill -XCPU $$", .init(cpuSeconds: 2), "libhdf5 did not finish within 2 s of CPU time"),
      ("exec sleep 60", .init(wallSeconds: 0.2), "libhdf5 did not finish within 0.2 s"),
      ("exit 3", .init(memoryBytes: 256 << 20), "libhdf5 needed more than 256 MiB of memory"),
    ]
    for (k, (script, limits, reason)) in cases.enumerated() {
      // A file of its own per case: outcomes are remembered per file.
      let path = dir.path("f\(k).h5")
      try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
      #expect(throws: HDF5Error.damagedMetadata(file: path, reason: reason)) {
        try Self.probe(script, limits: limits).check(path)
      }
    }
    let error = HDF5Error.damagedMetadata(
      file: "a.h5", reason: "libhdf5 crashed (signal 11, SIGSEGV)")
    #expect(
      error.description
        == "a.h5: libhdf5 crashed (signal 11, SIGSEGV) while reading the file's metadata: the "
        + "file is damaged\n  = hint: replace the file with a good copy or write it again "
        + "(dlspec read its metadata in a separate process, so nothing else was affected)")
  }

  /// A file that passed is not probed again until it changes (size, times or inode).
  @Test func passedFilesAreRemembered() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("f.h5")
    let counter = dir.path("count")
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
    let probe = Self.probe("echo x >> '\(counter)'")
    try probe.check(path)
    try probe.check(path)
    #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\n")
    try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: path))
    try probe.check(path)
    #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\nx\n")
  }

  /// A file dlspec has just written (`Checkpoint.save`) is not probed when read back; once
  /// changed, it is.
  @Test func writtenFilesAreTrustedUntilChanged() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("f.h5")
    let counter = dir.path("count")
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
    HDF5Probe.trustWritten(path)
    let probe = Self.probe("echo x >> '\(counter)'")
    try probe.check(path)
    #expect(!FileManager.default.fileExists(atPath: counter))
    try Data([1, 2]).write(to: URL(fileURLWithPath: path))
    try probe.check(path)
    #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\n")
  }
}
