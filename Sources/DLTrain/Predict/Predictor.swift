import DLRuntime
import DLSpec
import Foundation

/// What predict writes per sample, decided by the spec's loss.
public enum PredictionKind: Equatable, Sendable {
  /// cross_entropy: the predicted class and the `top` most probable classes.
  case classification(top: Int)
  /// mse or l1: the model's whole output vector, `width` values.
  case regression(width: Int)
}

/// One batch of predictions, rows in input order.
public struct PredictionBatch: Equatable {
  /// Each row's index in its source (file row, or training-set position).
  public var indices: [Int]
  /// True labels, when the input has them.
  public var labels: [Int]?
  /// Classification: the argmax class per row (empty for regression).
  public var predicted: [Int] = []
  /// Classification: `rows × top` classes, most probable first.
  public var topClasses: [Int] = []
  /// Classification: their probabilities, `rows × top`.
  public var topProbabilities: [Float] = []
  /// Regression: `rows × width` outputs.
  public var outputs: [Float] = []

  public var count: Int { indices.count }
}

/// Receives a prediction stream: `begin` once, `write` per batch, `finish` at the end (which
/// puts a file output in place); `abandon` after a failure removes what was written.
public protocol PredictionWriter: AnyObject {
  func begin(kind: PredictionKind, hasLabels: Bool) throws
  func write(_ batch: PredictionBatch) throws
  func finish() throws
  func abandon()
}

/// Runs a plan (weights loaded) over an input batch by batch and hands each batch of
/// predictions to a writer. Memory is the plan plus one batch, whatever the input's size.
public enum Predictor {
  /// The kind a spec's loss implies.
  public static func kind(loss: LossKind, outputWidth: Int, top: Int) -> PredictionKind {
    loss == .crossEntropy ? .classification(top: top) : .regression(width: outputWidth)
  }

  /// Predicts every sample of `input` and returns how many were written.
  ///
  /// What `plan.scores` holds decides the arithmetic (Plan.swift): under cross_entropy a final
  /// softmax or log_softmax is fused into the loss and skipped by `forward`, and a model
  /// without one outputs logits, so the scores are logits in every case and the probabilities
  /// are their softmax (which equals the final softmax's output, and exp of log_softmax's).
  /// Under mse/l1 nothing is fused: the scores are the model's real output and are written
  /// as they are.
  @discardableResult
  public static func run(
    _ plan: Plan<Float>, input: PredictionInput, kind: PredictionKind, writer: PredictionWriter
  ) throws -> Int {
    try writer.begin(kind: kind, hasLabels: input.hasLabels)
    let width = plan.classCount
    var start = 0
    try plan.withPreparedEvaluation {
      while start < input.count {
        let n = min(plan.batch, input.count - start)
        try input.readNext(n, x: plan.input, labels: plan.labels)
        plan.forward(n, training: false)
        var batch = PredictionBatch(
          indices: (start..<start + n).map(input.sourceIndex),
          labels: input.hasLabels ? (0..<n).map { Int(plan.labels[$0]) } : nil)
        let scores = plan.scores
        switch kind {
        case .classification(let top):
          batch.predicted.reserveCapacity(n)
          for r in 0..<n {
            let ranked = ranking(softmax(scores + r * width, width), top: top)
            batch.predicted.append(ranked[0].class)
            batch.topClasses += ranked.map(\.class)
            batch.topProbabilities += ranked.map(\.probability)
          }
        case .regression:
          batch.outputs = Array(UnsafeBufferPointer(start: scores, count: n * width))
        }
        try writer.write(batch)
        start += n
      }
    }
    try writer.finish()
    return input.count
  }

  /// A numerically stable softmax of one row, in Double.
  public static func softmax(_ logits: UnsafePointer<Float>, _ count: Int) -> [Double] {
    var largest = -Double.infinity
    for i in 0..<count { largest = max(largest, Double(logits[i])) }
    var exps = (0..<count).map { exp(Double(logits[$0]) - largest) }
    let sum = exps.reduce(0, +)
    for i in exps.indices { exps[i] /= sum }
    return exps
  }

  /// The `top` most probable classes, most probable first; ties go to the lower class index,
  /// so the first entry is the argmax `evaluate` scores. Probabilities are rounded to Float
  /// (what every output format stores) after ranking, so rounding cannot reorder them.
  public static func ranking(
    _ probabilities: [Double], top: Int
  ) -> [(class: Int, probability: Float)] {
    let order = probabilities.indices.sorted {
      probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1
    }
    return order.prefix(top).map { ($0, Float(probabilities[$0])) }
  }
}
