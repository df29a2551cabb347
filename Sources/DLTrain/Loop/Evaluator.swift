import DLRuntime
import DLSpec

/// Loss, accuracy, per-class accuracy and the confusion matrix of a plan's current weights on
/// a set of samples (dropout off); for regression, loss with MSE, MAE and R² (`regression`),
/// accuracy nan and no confusion matrix.
public struct Evaluation: Sendable {
  public var loss: Double
  public var accuracy: Double
  public var count: Int
  /// confusion[true][predicted].
  public var confusion: [[Int]]
  /// Regression metrics (nil for classification).
  public var regression: RegressionMetrics? = nil

  /// The figures metrics.csv and summaries show: accuracy, or MSE, MAE and R².
  public var metricValues: [(name: String, value: Double)] {
    regression?.values ?? [("accuracy", accuracy)]
  }

  public var perClassAccuracy: [Double] {
    confusion.enumerated().map { i, row in
      let total = row.reduce(0, +)
      return total == 0 ? 0 : Double(row[i]) / Double(total)
    }
  }

  public static func run(_ plan: Plan<Float>, on data: Dataset, indices: [Int]) -> Evaluation {
    let k = plan.classCount
    let regression = plan.task == .regression
    var fit = RegressionMetrics(width: k)
    var confusion = [[Int]](
      repeating: [Int](repeating: 0, count: regression ? 0 : k), count: regression ? 0 : k)
    var lossSum = 0.0
    var correct = 0
    var start = 0
    plan.withPreparedEvaluation {
      while start < indices.count {
        let end = min(indices.count, start + plan.batch)
        let n = data.gather(indices[start..<end], into: plan)
        plan.forward(n, training: false)
        lossSum += Double(plan.computeLoss(n, gradient: false)) * Double(n)
        let scores = plan.scores
        if regression {
          fit.add(plan, n: n)
          start = end
          continue
        }
        for r in 0..<n {
          let predicted = Metrics.rowArgmax(scores + r * k, k)
          let truth = Int(plan.labels[r])
          confusion[truth][predicted] += 1
          if predicted == truth { correct += 1 }
        }
        start = end
      }
    }
    let n = max(1, indices.count)
    return Evaluation(
      loss: lossSum / Double(n), accuracy: regression ? .nan : Double(correct) / Double(n),
      count: indices.count, confusion: confusion, regression: regression ? fit : nil)
  }
}
