extension DenseKernel {
  /// Backward of one sample (batch 1) that applies plain SGD to the layer at once:
  /// `W ← W − rate · dy xᵀ`, `b ← b − rate · dy`, and `dx = Wᵀ dy` from the weights *before*
  /// the update. The gradient `dy xᵀ` is never written: at batch 1 the step is memory-bound, and
  /// writing dW, then reading it back with W in the optimizer's pass, costs more than the
  /// arithmetic. One rank-1 update (GER) does the whole weight step.
  ///
  /// Returns the layer's squared gradient norm, exactly as `Σ dW² + Σ db²` would give it,
  /// from ‖dy xᵀ‖² = ‖dy‖²‖x‖² (computed before anything is touched). When it is not finite
  /// the layer is left unchanged (neither `W`, `b` nor `dx` is written), so a training loop can
  /// stop on the faulty step.
  @inlinable
  public static func backwardApplyingSGD<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafeMutablePointer<T>, bias: UnsafeMutablePointer<T>?,
    dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>?, inFeatures: Int, outFeatures: Int,
    rate: T
  ) -> Double {
    let dyNorm = Reduction.squaredNormInDouble(dy, count: outFeatures)
    let xNorm = Reduction.squaredNormInDouble(x, count: inFeatures)
    let squaredNorm = dyNorm * xNorm + (bias == nil ? 0 : dyNorm)
    guard squaredNorm.isFinite else { return squaredNorm }
    if let dx {
      // dx[1, in] = dy[1, out] · W[out, in], with the old W.
      BLAS.gemm(
        transA: false, transB: false, m: 1, n: inFeatures, k: outFeatures,
        alpha: 1, a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
        beta: 0, c: dx, ldc: inFeatures)
    }
    // W[out, in] += (−rate) · dyᵀ[out, 1] · x[1, in]: k = 1 and beta = 1, so one GER.
    BLAS.gemm(
      transA: true, transB: false, m: outFeatures, n: inFeatures, k: 1,
      alpha: -rate, a: dy, lda: outFeatures, b: x, ldb: inFeatures,
      beta: 1, c: weight, ldc: inFeatures)
    if let bias {
      for j in 0..<outFeatures { bias[j] -= rate * dy[j] }
    }
    return squaredNorm
  }
}
