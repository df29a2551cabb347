import Foundation

/// Monotonic seconds, without allocation, for per-layer timings.
public enum Clock {
  @inline(__always)
  public static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
}
