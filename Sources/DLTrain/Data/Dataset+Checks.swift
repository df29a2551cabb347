import Foundation

/// Checks of the values a dataset holds, run when the data is opened: a NaN in the inputs
/// would otherwise surface epochs later as "divergence" (or as a NaN test loss with exit 0).
extension Dataset {
  /// A non-finite input value: which split, sample and feature.
  public struct NonFiniteValue: Error, Equatable, CustomStringConvertible {
    public var source: String
    public var split: String
    public var sample: Int
    public var feature: Int
    public var value: Float

    public var description: String {
      "\(source): the \(split) data has \(value) at sample \(sample), feature \(feature) "
        + "(sample and feature counted from 0); dlspec trains only on finite inputs — fix or "
        + "drop that sample"
    }
  }

  /// Throws `NonFiniteValue` for the first NaN or ±Inf feature.
  public func checkFinite(source: String, split: String) throws {
    let features = featureCount
    // A quick pass that vectorises; the exact position is found only when it fails.
    var allFinite = true
    x.withUnsafeBufferPointer { values in
      var bad = false
      for v in values { bad = bad || !v.isFinite }
      allFinite = !bad
    }
    if allFinite { return }
    guard let i = x.firstIndex(where: { !$0.isFinite }) else { return }
    throw NonFiniteValue(
      source: source, split: split, sample: features > 0 ? i / features : 0,
      feature: features > 0 ? i % features : i, value: x[i])
  }

  /// Warnings about data that is valid but almost certainly not what was meant: every feature
  /// zero, or every label the same class.
  public func valueWarnings(source: String, split: String) -> [String] {
    guard count > 0 else { return [] }
    var warnings: [String] = []
    if x.allSatisfy({ $0 == 0 }) {
      warnings.append(
        "\(source): every input value of the \(split) data is 0; nothing can be learnt from it")
    }
    if count > 1, let first = y.first, y.allSatisfy({ $0 == first }) {
      warnings.append(
        "\(source): all \(count) labels of the \(split) data are class \(first); accuracy will "
          + "say nothing")
    }
    return warnings
  }
}
