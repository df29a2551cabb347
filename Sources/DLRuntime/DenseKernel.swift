/// Fully connected layer (notes (3.1), (4.1)) on a batch of row vectors, via one GEMM each way.
///
/// Shapes: `x: [N, in]`, `weight: [out, in]` (PyTorch's layout, so `Z = W x + b` per sample),
/// `bias: [out]`, `y: [N, out]`.
///
///     forward:  y = σ(x · Wᵀ + b)                        (σ optional, fused into the epilogue)
///     backward: dx = dy · W            [N, in]
///               dW = dyᵀ · x  (+ dW)   [out, in]
///               db = Σ_n dy[n, :] (+ db)
///
/// `dy` here is the gradient at the pre-activation; run the activation's `backward` first when σ was
/// fused. Gradients are *sums* over the batch: the loss kernels already scale by 1/N.
public enum DenseKernel {
  /// `y = σ(x · Wᵀ + b)`. `bias` may be `nil`; a `nil` `activation` is the identity. `packed`,
  /// when given, is `weight` packed ahead (an evaluation pass), used from
  /// `PackedWeights.minimumRows` rows on.
  @inlinable
  public static func forward<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
    y: UnsafeMutablePointer<T>, batch: Int, inFeatures: Int, outFeatures: Int,
    activation: ActivationKernel<T>? = nil, packed: PackedWeights<T>? = nil
  ) {
    // beta = 0: BLAS overwrites y without reading it, so y needs no clearing.
    if let packed, batch >= PackedWeights<T>.minimumRows {
      BLAS.gemm(
        transA: false, m: batch, alpha: 1, a: x, lda: inFeatures, packed: packed, beta: 0,
        c: y, ldc: outFeatures)
    } else {
      BLAS.gemm(
        transA: false, transB: true, m: batch, n: outFeatures, k: inFeatures,
        alpha: 1, a: x, lda: inFeatures, b: weight, ldb: inFeatures,
        beta: 0, c: y, ldc: outFeatures)
    }
    if let activation {
      activation.biasForward(bias, y, batch, outFeatures)
    } else if let bias {
      Activation.mapRows(IdentityFunction.self, 0, rows: batch, columns: outFeatures, bias, y)
    }
  }

  /// Gradients of the affine map. Any of `dx`, `dWeight`, `dBias` may be `nil` to skip it (the
  /// first layer needs no `dx`). With `accumulate` the weight and bias gradients are added to
  /// what the buffers hold (for gradient accumulation or shared weights); otherwise they are
  /// overwritten. `dx` is always overwritten.
  @inlinable
  public static func backward<T: DLScalar>(
    x: UnsafePointer<T>, weight: UnsafePointer<T>, dy: UnsafePointer<T>,
    dx: UnsafeMutablePointer<T>?, dWeight: UnsafeMutablePointer<T>?,
    dBias: UnsafeMutablePointer<T>?,
    batch: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false
  ) {
    let beta: T = accumulate ? 1 : 0
    if let dx {
      // dx[N, in] = dy[N, out] · W[out, in]
      BLAS.gemm(
        transA: false, transB: false, m: batch, n: inFeatures, k: outFeatures,
        alpha: 1, a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
        beta: 0, c: dx, ldc: inFeatures)
    }
    if let dWeight {
      // dW[out, in] = dyᵀ[out, N] · x[N, in]
      BLAS.gemm(
        transA: true, transB: false, m: outFeatures, n: inFeatures, k: batch,
        alpha: 1, a: dy, lda: outFeatures, b: x, ldb: inFeatures,
        beta: beta, c: dWeight, ldc: inFeatures)
    }
    if let dBias {
      columnSums(dy, rows: batch, columns: outFeatures, into: dBias, accumulate: accumulate)
    }
  }

  /// `out[j] (+)= Σ_r m[r, j]` for `m: [rows, columns]`. Row-major sweeps keep the inner loop
  /// contiguous and vectorisable.
  @inlinable
  public static func columnSums<T: DLScalar>(
    _ m: UnsafePointer<T>, rows: Int, columns: Int, into out: UnsafeMutablePointer<T>,
    accumulate: Bool
  ) {
    if !accumulate { out.update(repeating: 0, count: columns) }
    for r in 0..<rows {
      let row = m + r * columns
      for j in 0..<columns { out[j] += row[j] }
    }
  }
}
