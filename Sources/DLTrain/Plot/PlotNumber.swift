import Foundation

/// Number formatting for plot text: fixed decimals, compact scientific ("2.5e-4") and
/// thousands ("12k"). Locale-independent so goldens are stable.
public enum PlotNumber {
  /// `v` with `decimals` digits after the point ("0.80", "12").
  public static func plain(_ v: Double, decimals: Int) -> String {
    let s = String(format: "%.\(Swift.max(0, decimals))f", v)
    return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
  }

  /// "1e-3", "2.5e-4": the shortest mantissa (up to 3 significant digits) and the exponent.
  public static func scientific(_ v: Double) -> String {
    guard v != 0, v.isFinite else { return v == 0 ? "0" : "\(v)" }
    var exponent = Int(Foundation.log10(abs(v)).rounded(.down))
    var mantissa = v / Foundation.pow(10, Double(exponent))
    mantissa = (mantissa * 100).rounded() / 100
    if abs(mantissa) >= 10 {
      mantissa /= 10
      exponent += 1
    }
    return trimmed(String(format: "%.2f", mantissa)) + "e\(exponent)"
  }

  /// A value for a legend or a cell: up to `digits` significant digits, compact for very
  /// small or large magnitudes ("0.85", "1e-3", "12k", "128").
  public static func compact(_ v: Double, digits: Int = 3) -> String {
    guard v.isFinite else { return "\(v)" }
    let a = abs(v)
    if a == 0 { return "0" }
    if a < 0.01 { return scientific(v) }
    if a >= 10_000 {
      let (unit, suffix) = a >= 1e6 ? (1e6, "M") : (1e3, "k")
      return trimmed(String(format: "%.1f", v / unit)) + suffix
    }
    if v == v.rounded() { return String(format: "%.0f", v) }
    let magnitude = Int(Foundation.log10(a).rounded(.down))
    let decimals = Swift.max(0, digits - 1 - magnitude)
    return trimmed(String(format: "%.\(decimals)f", v))
  }

  static func trimmed(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var s = s
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }
}
