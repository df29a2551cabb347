import DLRuntime
import DLSpec
import Foundation

extension Trainer {
  /// A step boundary: epoch `epoch` (0-based) in progress with `batch` of its `batchCount`
  /// batches and `step` steps of the run done.
  public struct Position: Equatable, Sendable {
    public var epoch: Int
    public var batch: Int
    public var batchCount: Int
    public var step: Int
    var progress: Checkpoint.Progress
    /// Copies of the growth block in the model at this boundary.
    var insertions: Int = 0

    /// A checkpoint's metadata for this boundary: `epoch` counts the epochs completed.
    func metadata(_ plan: Plan<Float>, hash: String, canonical: String) -> Checkpoint.Metadata {
      Checkpoint.Metadata(
        specHash: hash, specCanonical: canonical, epoch: epoch, step: step,
        rngState: plan.random.generator.state, progress: progress, growthInsertions: insertions)
    }

    /// `epoch 3, step 137 (batch 17 of 54)`, or `epoch 3, step 108 (its start)`.
    public var text: String {
      "epoch \(epoch + 1), step \(step) "
        + (batch == 0 ? "(before its first batch)" : "(batch \(batch) of \(batchCount) done)")
    }
  }

  /// How a stopped training ended: why, where, and the checkpoint of that step.
  public struct Stop: Equatable, Sendable, CustomStringConvertible {
    public var reason: StopSignal.Reason
    public var at: Position
    /// `RUN/checkpoints/last.h5`.
    public var checkpoint: String

    /// `SIGINT at epoch 3, step 137 (batch 17 of 54 done)`, as summary.json's `stop_reason`.
    public var description: String { "\(reason) at \(at.text)" }
  }

  /// Refuses a mid-epoch checkpoint that does not fit this run's batching (it could not
  /// continue where it stopped).
  func checkResumed(_ p: Checkpoint.Progress?, batches: Int, layers: Int) throws {
    guard let p, p.batch > 0 else { return }
    guard p.batch < batches, p.gradientNormSums.count == layers else {
      throw Failure(
        description:
          "the checkpoint stopped after batch \(p.batch) of an epoch with "
          + "\(p.gradientNormSums.count) layers; this run has \(batches) batches of "
          + "\(layers) layers per epoch\n"
          + "  = hint: resume with the data and batch size it was trained with")
    }
  }

  /// Ends training on a numerical fault: writes the parameters of the last step taken (its
  /// loss was finite; the failing step's update was not applied) to
  /// `checkpoints/last-finite.h5` when they are all finite, and returns the error to throw,
  /// naming the step, the loss, the rule and a hint. `last.h5` keeps the last epoch end.
  func numericalFault(
    _ rule: LossWatch.Rule, loss: Double, learningRate: Double, at: Position, plan: Plan<Float>,
    checkpoints: String, hash: String, canonical: String, optimizer: String,
    partlyUpdated: Bool = false
  ) -> Failure {
    let path = checkpoints + "/last-finite.h5"
    var kept: [String] = []
    if at.step == 0 {
      kept.append("it failed on the first step, so no step was finite")
    } else if partlyUpdated {
      // Batch-1 SGD applied inside backward had updated the layers above the faulty one.
      kept.append(
        "the layers above the one whose gradient overflowed had already taken step "
          + "\(at.step + 1), so the parameters are no step's and none were written")
    } else if Self.isFinite(plan) {
      do {
        try Checkpoint.save(
          plan, to: path, metadata: at.metadata(plan, hash: hash, canonical: canonical),
          optimizer: optimizer)
        kept.append("\(path) holds step \(at.step), the last finite one")
      } catch {
        kept.append("writing \(path) failed: \(error)")
      }
    } else {
      kept.append("the parameters after step \(at.step) are not finite, so none were written")
    }
    let last = checkpoints + "/last.h5"
    if let meta = try? Checkpoint.readMetadata(last) {
      kept.append("\(last) keeps epoch \(meta.epoch) (step \(meta.step))")
    }
    return Failure(
      description:
        "training diverged: the loss is \(Number.short(loss)) at epoch \(at.epoch + 1), "
        + "step \(at.step + 1) (learning rate \(Number.short(learningRate))): "
        + LossWatch.describe(rule) + "\n  " + kept.joined(separator: "; ") + "\n"
        + "  = hint: lower the learning rate (optimizer lr or the schedule's values) or let a "
        + "schedule decay it, and train again or --resume with the new rate")
  }

  /// True when the parameters, the optimizer's state and the layer state hold no NaN or ±∞
  /// (scanned once, on a fault).
  static func isFinite(_ plan: Plan<Float>) -> Bool {
    func finite(_ p: UnsafeMutablePointer<Float>, _ count: Int) -> Bool {
      UnsafeBufferPointer(start: p, count: count).allSatisfy { $0.isFinite }
    }
    let count = plan.parameterCount
    guard finite(plan.parameters, count), plan.optimizerState.allSatisfy({ finite($0, count) })
    else { return false }
    guard let state = plan.state else { return true }
    return plan.stateSlices.joined().allSatisfy { finite(state + $0.offset, $0.count) }
  }
}
