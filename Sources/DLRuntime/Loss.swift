/// Loss functions over a batch: each returns the mean over the N samples and, when given a
/// gradient buffer, writes d(mean loss)/d(input), i.e. the per-sample gradient scaled by 1/N.
///
/// Shapes: inputs and gradients `[N, K]` (K classes), `labels: [N]` as `Int32` class indices in
/// `0..<K`, dense `targets: [N, K]`. Gradient buffers are overwritten and may alias nothing.
///
/// | function                  | per-sample ρ                          | input                  |
/// |---------------------------|---------------------------------------|------------------------|
/// | `softmaxCrossEntropy`     | log Σ_k e^{u_k} − u_y  (1.11), (3.9)  | logits u               |
/// | `crossEntropy`            | −log max(z_y, floor)                  | probabilities z        |
/// | `negativeLogLikelihood`   | −l_y                                  | log-probabilities l    |
/// | `squaredError`            | ‖y − z‖² = Σ_k (z_k − y_k)²  (1.3)    | predictions z          |
/// | `absoluteError`           | Σ_k |z_k − y_k|  (3.25)               | predictions z          |
///
/// The squared and absolute errors sum over classes (they are not divided by K) and come in two
/// forms: with dense `targets`, or with `labels` meaning one-hot targets e(y).
public enum Loss {
  /// Probabilities below this are clamped in `crossEntropy` so −log stays finite (≈ 27.6).
  public static let probabilityFloor = 1e-12

  /// Fused softmax + cross-entropy from logits (the stable form of (2.6) with (3.9)):
  /// ρ = log Σ_k e^{u_k} − u_y, ∂ρ/∂u = softmax(u) − e(y). `dLogits` (optional) receives
  /// (softmax(u) − e(y)) / N; `probabilities` (optional) receives softmax(u).
  @inlinable
  public static func softmaxCrossEntropy<T: DLScalar>(
    logits: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
    dLogits: UnsafeMutablePointer<T>? = nil, probabilities: UnsafeMutablePointer<T>? = nil
  ) -> T {
    precondition(batch > 0, "a loss needs at least one sample")
    let scale = 1 / T(batch)
    var total: T = 0
    for n in 0..<batch {
      let u = logits + n * classes
      let y = Int(labels[n])
      precondition(y >= 0 && y < classes, "label \(y) outside 0..<\(classes)")
      // ρ = log Σ e^u − u_y = (m − u_y) + log Σ e^{u − m}, small terms added last.
      let (m, logSum) = LogSoftmaxKernel.shiftedLogSumExp(u, classes)
      total += (m - u[y]) + logSum
      if dLogits != nil || probabilities != nil {
        for k in 0..<classes {
          let p = T.exp((u[k] - m) - logSum)
          probabilities?[n * classes + k] = p
          if let dLogits {
            dLogits[n * classes + k] = (k == y ? p - 1 : p) * scale
          }
        }
      }
    }
    return total * scale
  }

  /// Cross-entropy on probabilities (a model ending in softmax): ρ = −log max(z_y, floor),
  /// `floor = probabilityFloor`. `dProbabilities` receives −1 / (N · max(z_y, floor)) at the
  /// label and 0 elsewhere (the clamp's own zero slope is ignored so training keeps pushing
  /// a vanishing probability up).
  @inlinable
  public static func crossEntropy<T: DLScalar>(
    probabilities: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
    dProbabilities: UnsafeMutablePointer<T>? = nil
  ) -> T {
    precondition(batch > 0, "a loss needs at least one sample")
    let scale = 1 / T(batch)
    let floor = T(probabilityFloor)
    var total: T = 0
    dProbabilities?.update(repeating: 0, count: batch * classes)
    for n in 0..<batch {
      let y = Int(labels[n])
      precondition(y >= 0 && y < classes, "label \(y) outside 0..<\(classes)")
      let p = max(probabilities[n * classes + y], floor)
      total -= T.log(p)
      dProbabilities?[n * classes + y] = -scale / p
    }
    return total * scale
  }

  /// Negative log-likelihood on log-probabilities (a model ending in log_softmax): ρ = −l_y.
  /// `dLogProbabilities` receives −1/N at the label and 0 elsewhere.
  @inlinable
  public static func negativeLogLikelihood<T: DLScalar>(
    logProbabilities: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int,
    classes: Int, dLogProbabilities: UnsafeMutablePointer<T>? = nil
  ) -> T {
    precondition(batch > 0, "a loss needs at least one sample")
    let scale = 1 / T(batch)
    var total: T = 0
    dLogProbabilities?.update(repeating: 0, count: batch * classes)
    for n in 0..<batch {
      let y = Int(labels[n])
      precondition(y >= 0 && y < classes, "label \(y) outside 0..<\(classes)")
      total -= logProbabilities[n * classes + y]
      dLogProbabilities?[n * classes + y] = -scale
    }
    return total * scale
  }

  /// Squared error against dense targets: ρ = Σ_k (z_k − y_k)², gradient 2(z − y)/N.
  @inlinable
  public static func squaredError<T: DLScalar>(
    predictions: UnsafePointer<T>, targets: UnsafePointer<T>, batch: Int, classes: Int,
    dPredictions: UnsafeMutablePointer<T>? = nil
  ) -> T {
    residualLoss(
      predictions: predictions, batch: batch, classes: classes, dPredictions: dPredictions,
      target: { targets[$0 * classes + $1] }, term: squared)
  }

  /// Squared error against one-hot targets e(label): ρ = Σ_k (z_k − [k = y])².
  @inlinable
  public static func squaredError<T: DLScalar>(
    predictions: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
    dPredictions: UnsafeMutablePointer<T>? = nil
  ) -> T {
    checkLabels(labels, batch: batch, classes: classes)
    return residualLoss(
      predictions: predictions, batch: batch, classes: classes, dPredictions: dPredictions,
      target: { Int(labels[$0]) == $1 ? 1 : 0 }, term: squared)
  }

  /// Absolute error against dense targets: ρ = Σ_k |z_k − y_k|, subgradient sign(z − y)/N with
  /// sign(0) = 0.
  @inlinable
  public static func absoluteError<T: DLScalar>(
    predictions: UnsafePointer<T>, targets: UnsafePointer<T>, batch: Int, classes: Int,
    dPredictions: UnsafeMutablePointer<T>? = nil
  ) -> T {
    residualLoss(
      predictions: predictions, batch: batch, classes: classes, dPredictions: dPredictions,
      target: { targets[$0 * classes + $1] }, term: absolute)
  }

  /// Absolute error against one-hot targets e(label): ρ = Σ_k |z_k − [k = y]|.
  @inlinable
  public static func absoluteError<T: DLScalar>(
    predictions: UnsafePointer<T>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
    dPredictions: UnsafeMutablePointer<T>? = nil
  ) -> T {
    checkLabels(labels, batch: batch, classes: classes)
    return residualLoss(
      predictions: predictions, batch: batch, classes: classes, dPredictions: dPredictions,
      target: { Int(labels[$0]) == $1 ? 1 : 0 }, term: absolute)
  }

  /// The shared loop of the squared and absolute errors: the mean over samples of
  /// Σ_k ρ(z_k − t_k), with ρ'(z − t)/N written to `dPredictions`. `target(n, k)` gives t;
  /// `term(d)` gives ρ(d) and ρ'(d).
  @inlinable @inline(__always)
  static func residualLoss<T: DLScalar>(
    predictions: UnsafePointer<T>, batch: Int, classes: Int,
    dPredictions: UnsafeMutablePointer<T>?, target: (Int, Int) -> T,
    term: (T) -> (value: T, slope: T)
  ) -> T {
    precondition(batch > 0, "a loss needs at least one sample")
    let scale = 1 / T(batch)
    var total: T = 0
    for n in 0..<batch {
      for k in 0..<classes {
        let i = n * classes + k
        let (value, slope) = term(predictions[i] - target(n, k))
        total += value
        dPredictions?[i] = slope * scale
      }
    }
    return total * scale
  }

  /// (d², 2d): the squared error's term and its derivative.
  @inlinable @inline(__always)
  static func squared<T: DLScalar>(_ d: T) -> (value: T, slope: T) { (d * d, 2 * d) }

  /// (|d|, sign d): the absolute error's term and its subgradient.
  @inlinable @inline(__always)
  static func absolute<T: DLScalar>(_ d: T) -> (value: T, slope: T) { (abs(d), sign(d)) }

  @inlinable
  static func checkLabels(_ labels: UnsafePointer<Int32>, batch: Int, classes: Int) {
    for n in 0..<batch {
      let y = Int(labels[n])
      precondition(y >= 0 && y < classes, "label \(y) outside 0..<\(classes)")
    }
  }

  /// −1, 0 or 1: the L1 subgradient, 0 at the kink.
  @inlinable @inline(__always)
  static func sign<T: DLScalar>(_ d: T) -> T {
    d > 0 ? 1 : (d < 0 ? -1 : 0)
  }
}
