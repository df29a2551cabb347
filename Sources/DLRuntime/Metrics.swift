/// Classification metrics over a batch of scores (logits, probabilities or log-probabilities:
/// the argmax is the same for all three).
///
/// Shapes: `scores: [N, K]`, `labels: [N]` (`Int32`), `predictions: [N]` (`Int32`).
public enum Metrics {
  /// `predictions[n] = argmax_k scores[n, k]`, the first index on ties.
  @inlinable
  public static func argmax<T: DLScalar>(
    scores: UnsafePointer<T>, batch: Int, classes: Int,
    predictions: UnsafeMutablePointer<Int32>
  ) {
    for n in 0..<batch {
      predictions[n] = Int32(truncatingIfNeeded: rowArgmax(scores + n * classes, classes))
    }
  }

  /// Number of rows whose argmax equals the label (accuracy = result / N).
  @inlinable
  public static func correctCount<T: DLScalar>(
    scores: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, classes: Int
  ) -> Int {
    var correct = 0
    for n in 0..<batch where rowArgmax(scores + n * classes, classes) == Int(labels[n]) {
      correct += 1
    }
    return correct
  }

  /// Index of the first largest of `count ≥ 1` elements.
  @inlinable @inline(__always)
  public static func rowArgmax<T: DLScalar>(_ row: UnsafePointer<T>, _ count: Int) -> Int {
    var best = 0
    for k in 1..<max(count, 1) where row[k] > row[best] { best = k }
    return best
  }
}
