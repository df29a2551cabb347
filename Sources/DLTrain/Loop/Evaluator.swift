import DLRuntime
import DLSpec

/// Loss, accuracy, per-class accuracy and the confusion matrix of a plan's current weights on
/// a set of samples (dropout off).
public struct Evaluation: Sendable {
  public var loss: Double
  public var accuracy: Double
  public var count: Int
  /// confusion[true][predicted].
  public var confusion: [[Int]]

  public var perClassAccuracy: [Double] {
    confusion.enumerated().map { i, row in
      let total = row.reduce(0, +)
      return total == 0 ? 0 : Double(row[i]) / Double(total)
    }
  }

  public static func run(_ plan: Plan<Float>, on data: Dataset, indices: [Int]) -> Evaluation {
    let k = plan.classCount
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    var lossSum = 0.0
    var correct = 0
    var start = 0
    while start < indices.count {
      let end = min(indices.count, start + plan.batch)
      let n = data.gather(indices[start..<end], x: plan.input, y: plan.labels)
      plan.forward(n, training: false)
      lossSum += Double(plan.computeLoss(n, gradient: false)) * Double(n)
      let scores = plan.scores
      for r in 0..<n {
        let predicted = Metrics.rowArgmax(scores + r * k, k)
        let truth = Int(plan.labels[r])
        confusion[truth][predicted] += 1
        if predicted == truth { correct += 1 }
      }
      start = end
    }
    let n = max(1, indices.count)
    return Evaluation(
      loss: lossSum / Double(n), accuracy: Double(correct) / Double(n), count: indices.count,
      confusion: confusion)
  }
}
