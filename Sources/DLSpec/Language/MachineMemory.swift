import Foundation

/// How much memory this machine has, for the checks that refuse work before allocating it.
///
/// Two figures, used for two kinds of check:
/// * `total` (physical RAM) bounds what `validate` accepts (`SpecChecker.defaultMemoryLimit`),
///   so a spec that is valid on a machine stays valid whatever else is running there;
/// * `available()` (`MemAvailable` in /proc/meminfo, less a margin) bounds what a reader is
///   about to allocate *now* (a data file's or a checkpoint's claimed size), where asking for
///   more than is free would get the process killed instead of giving a clear error.
public enum MachineMemory {
  /// Physical RAM in bytes.
  public static var total: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

  /// The fraction of `MemAvailable` a single allocation may take; the rest is headroom for the
  /// process's other buffers and for the rest of the machine.
  public static let availableFraction = 0.9

  /// Bytes that can be allocated now with headroom: 90 % of /proc/meminfo's `MemAvailable`, or
  /// of physical RAM where that file is missing.
  public static func available() -> Int {
    let bytes =
      memAvailable(meminfo: (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? "")
      ?? total
    return Int(Double(bytes) * availableFraction)
  }

  /// `MemAvailable:` of a /proc/meminfo text, in bytes; nil if absent.
  public static func memAvailable(meminfo: String) -> Int? {
    for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let fields = line.split(separator: " ")
      guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
      let (bytes, overflow) = kib.multipliedReportingOverflow(by: 1024)
      return overflow ? Int.max : bytes
    }
    return nil
  }
}
