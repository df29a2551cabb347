/// Plain SGD fused into backward at batch 1 (issue 13, "fuse the SGD update into the outer
/// product"). A batch-1 step of a dense model is memory-bound: writing every weight gradient
/// and then sweeping gradients and weights again in the optimizer costs more than the
/// arithmetic. Layers that offer `LayerProgram.backwardApplyingSGD` update their parameters
/// in the same pass that would have written the gradients; the gradient buffer is not written.
extension Plan {
  /// True when every layer with parameters can apply SGD in its backward and no test seam
  /// needs the gradients. Callers also need a batch of 1 and an optimizer that is plain SGD
  /// (`Optimizer.isPlainSGD`): momentum or weight decay read more than the gradient.
  public var canFuseSGD: Bool {
    plantedGradientError == nil
      && programs.indices.allSatisfy {
        !hasParameters[$0] || programs[$0].backwardApplyingSGD != nil
      }
  }

  /// Backward of one sample from the δ that `computeLoss(1, gradient: true)` left, applying
  /// θ ← θ − rate·∇θ to every layer as its gradient is known (`canFuseSGD` must hold). Adds each
  /// layer's gradient norm to `norms[i]`, as `addGradientNorms` would after `backward`.
  ///
  /// Where a fused step stopped: the first layer (from the output down) whose gradient was not
  /// finite. It and every layer below it were left unchanged; `updatedAbove` tells whether a
  /// layer above it had already been updated (the parameters are then part-way into the step).
  public struct SGDFault: Sendable, Equatable {
    public var layer: Int
    public var updatedAbove: Bool
  }

  /// Returns nil when the whole step was applied.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func backwardApplyingSGD(rate: T, norms: UnsafeMutablePointer<Double>) -> SGDFault? {
    precondition(canFuseSGD, "backwardApplyingSGD on a plan that cannot fuse SGD")
    guard let (a, b) = layout.gradientBuffers else { return nil }
    var current = pointer(a)
    var spare = pointer(b)
    var updated = false
    for i in stride(from: lastTrainedLayer, through: 0, by: -1) {
      let program = programs[i]
      let needsInput = needsInputGradient[i]
      if !needsInput && !hasParameters[i] { break }
      if let apply = program.backwardApplyingSGD {
        let squared = apply(current, needsInput ? spare : nil, rate)
        norms[i] += squared.squareRoot()
        guard squared.isFinite else { return SGDFault(layer: i, updatedAbove: updated) }
        updated = true
        if needsInput { swap(&current, &spare) }
      } else if !needsInput {
        program.backward(1, current, nil)
      } else if program.backwardInPlace {
        program.backward(1, current, current)
      } else {
        program.backward(1, current, spare)
        swap(&current, &spare)
      }
    }
    if computesInputGradient { inputGradient = current }
    return nil
  }
}
