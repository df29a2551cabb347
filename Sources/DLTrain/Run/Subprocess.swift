import Foundation

/// Runs a short-lived helper program to its end and collects what it printed: git for
/// `dlspec diff REV:path`, python for `export --verify`. (The HDF5 probe, which needs resource
/// limits and a deadline, has its own `ChildProcess`.)
public enum Subprocess {
  /// Runs `executable` with `arguments` in `directory` (default: the current one), stdin on
  /// /dev/null; its exit status, stdout and stderr. A launch failure reads as status 127 with
  /// the reason as stderr.
  public static func run(
    _ executable: URL, _ arguments: [String], in directory: String? = nil
  ) -> (status: Int32, stdout: Data, stderr: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = URL(
      fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return (127, Data(), "\(error)")
    }
    // Read stderr on another thread so neither pipe can fill up and block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errors = Box()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
      errors.data = err.fileHandleForReading.readDataToEndOfFile()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, data, String(decoding: errors.data, as: UTF8.self))
  }
}
