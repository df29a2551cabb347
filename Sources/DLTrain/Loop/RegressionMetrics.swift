import DLRuntime
import DLSpec

/// MSE, MAE and R² of predictions against real-valued targets, accumulated batch by batch
/// (in Double, allocating nothing after `init`).
///
/// Over all N samples and K outputs: MSE = Σ (z − y)² / (N K), MAE = Σ |z − y| / (N K), and
/// R² = 1 − Σ (z − y)² / Σ_k Σ_n (y_nk − ȳ_k)² (the residual and total sums pooled over the
/// K outputs, ȳ_k the mean of output k). R² is 1 for a perfect fit, 0 for predicting the mean,
/// and nan when the targets are constant. The training loss ρ = Σ_k (z_k − y_k)² averaged
/// over samples is K × MSE.
public struct RegressionMetrics: Sendable, Equatable {
  public var width: Int
  public private(set) var count = 0
  public private(set) var squaredSum = 0.0
  public private(set) var absoluteSum = 0.0
  /// The largest |z − y| seen (`evaluate` reports it: the sup-norm error of a fit).
  public private(set) var maxAbsolute = 0.0
  /// Per output: Σ y and Σ y² (for the total sum of squares).
  var targetSum: [Double]
  var targetSquaredSum: [Double]

  public init(width: Int) {
    self.width = width
    targetSum = [Double](repeating: 0, count: width)
    targetSquaredSum = [Double](repeating: 0, count: width)
  }

  /// Adds `n` rows of predictions and targets, each `n × width` row-major.
  public mutating func add<T: DLScalar>(
    predictions: UnsafePointer<T>, targets: UnsafePointer<T>, n: Int
  ) {
    for r in 0..<n {
      for k in 0..<width {
        let i = r * width + k
        let y = Double(targets[i])
        let d = Double(predictions[i]) - y
        squaredSum += d * d
        absoluteSum += abs(d)
        maxAbsolute = max(maxAbsolute, abs(d))
        targetSum[k] += y
        targetSquaredSum[k] += y * y
      }
    }
    count += n
  }

  /// The first `n` samples of a regression plan after `forward`.
  public mutating func add(_ plan: Plan<Float>, n: Int) {
    add(predictions: UnsafePointer(plan.scores), targets: UnsafePointer(plan.targets), n: n)
  }

  public var mse: Double { squaredSum / Double(max(1, count * width)) }
  public var mae: Double { absoluteSum / Double(max(1, count * width)) }
  public var r2: Double {
    var total = 0.0
    for k in 0..<width {
      let mean = targetSum[k] / Double(max(1, count))
      total += max(0, targetSquaredSum[k] - Double(count) * mean * mean)
    }
    return total > 0 ? 1 - squaredSum / total : .nan
  }

  /// (name, value) in the order metrics.csv, summaries and `evaluate` print them.
  public var values: [(name: String, value: Double)] { [("mse", mse), ("mae", mae), ("r2", r2)] }
  public static let names = ["mse", "mae", "r2"]
}
