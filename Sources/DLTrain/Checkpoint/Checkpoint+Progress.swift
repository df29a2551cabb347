import Foundation

extension Checkpoint {
  /// Where in the epoch in progress a checkpoint was written, so `--resume` continues
  /// bit-identically from a stop between two steps (docs/checkpoints.md, "Mid-epoch
  /// checkpoints"), and the divergence watch's state.
  ///
  ///     /  attrs: epoch_batch (int64): batches of epoch `epoch + 1` done; 0 at an epoch end
  ///            epoch_loss_sum (float64), epoch_correct, epoch_samples (int64),
  ///            epoch_grad_norm_sums (float64[layers]): the epoch's running sums (batch > 0)
  ///            loss_watch (float64[3]): first loss, previous loss, steps grown in a row
  ///
  /// The shuffle order needs no state: it is a function of (seed, epoch), so a resumed epoch
  /// skips its first `batch` batches of the same order.
  public struct Progress: Equatable, Sendable {
    public var batch: Int
    public var lossSum: Double
    public var correct: Int
    public var samples: Int
    public var gradientNormSums: [Double]
    /// `LossWatch.saved`; empty before the first step.
    public var lossWatch: [Double]

    public init(
      batch: Int = 0, lossSum: Double = 0, correct: Int = 0, samples: Int = 0,
      gradientNormSums: [Double] = [], lossWatch: [Double] = []
    ) {
      self.batch = batch
      self.lossSum = lossSum
      self.correct = correct
      self.samples = samples
      self.gradientNormSums = gradientNormSums
      self.lossWatch = lossWatch
    }

    func write(to file: HDF5File) throws {
      try file.setAttribute("epoch_batch", .int64(Int64(batch)))
      if batch > 0 {
        try file.setAttribute("epoch_loss_sum", .double(lossSum))
        try file.setAttribute("epoch_correct", .int64(Int64(correct)))
        try file.setAttribute("epoch_samples", .int64(Int64(samples)))
        try file.setAttribute("epoch_grad_norm_sums", .doubleArray(gradientNormSums))
      }
      if !lossWatch.isEmpty { try file.setAttribute("loss_watch", .doubleArray(lossWatch)) }
    }

    /// Feeds the attributes `write` stores to a content hash, in the order written: each as
    /// `A`, the name, NUL, then an int64, a float64's bits as uint64, or an array's uint64
    /// count and its float64 bits (docs/checkpoints.md, "Integrity"). Format version 4.
    func hash(into h: inout SHA256) {
      func name(_ n: String) { h.update(Array(("A" + n).utf8) + [0]) }
      func u64(_ v: UInt64) { h.update(withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
      func doubles(_ n: String, _ v: [Double]) {
        name(n)
        u64(UInt64(v.count))
        for x in v { u64(x.bitPattern) }
      }
      name("epoch_batch")
      u64(UInt64(bitPattern: Int64(batch)))
      if batch > 0 {
        name("epoch_loss_sum")
        u64(lossSum.bitPattern)
        name("epoch_correct")
        u64(UInt64(bitPattern: Int64(correct)))
        name("epoch_samples")
        u64(UInt64(bitPattern: Int64(samples)))
        doubles("epoch_grad_norm_sums", gradientNormSums)
      }
      if !lossWatch.isEmpty { doubles("loss_watch", lossWatch) }
    }

    /// nil for a checkpoint without `epoch_batch` (written before mid-epoch checkpoints
    /// existed: it is at an epoch end). Values a run cannot have are refused, named.
    static func read(_ file: HDF5File, path: String) throws -> Progress? {
      guard (try? file.attributeExists("epoch_batch")) == true else { return nil }
      func value(_ name: String) throws -> HDF5AttributeValue {
        do {
          return try file.attribute(name)
        } catch {
          throw Failure.unreadable(path, "attribute '\(name)' is missing or unreadable (\(error))")
        }
      }
      func int(_ name: String) throws -> Int {
        guard case .int64(let v) = try value(name), v >= 0, v <= Int64(maxStep) else {
          throw Failure.unreadable(path, "attribute '\(name)' must be an integer in 0...\(maxStep)")
        }
        return Int(v)
      }
      func doubles(_ name: String) throws -> [Double] {
        switch try value(name) {
        case .doubleArray(let v) where v.allSatisfy({ $0.isFinite }): return v
        case .double(let v) where v.isFinite: return [v]
        default:
          throw Failure.unreadable(path, "attribute '\(name)' must hold finite numbers")
        }
      }
      var p = Progress(batch: try int("epoch_batch"))
      if (try? file.attributeExists("loss_watch")) == true {
        p.lossWatch = try doubles("loss_watch")
      }
      guard p.batch > 0 else { return p }
      guard let sum = try doubles("epoch_loss_sum").first, sum >= 0 else {
        throw Failure.unreadable(path, "attribute 'epoch_loss_sum' must be a number ≥ 0")
      }
      p.lossSum = sum
      p.correct = try int("epoch_correct")
      p.samples = try int("epoch_samples")
      p.gradientNormSums = try doubles("epoch_grad_norm_sums")
      guard p.correct <= p.samples, p.samples >= p.batch else {
        throw Failure.unreadable(
          path, "its epoch sums do not add up: \(p.correct) correct of \(p.samples) samples "
            + "in \(p.batch) batches")
      }
      return p
    }
  }
}
