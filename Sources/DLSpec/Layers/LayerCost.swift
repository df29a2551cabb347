import DLRuntime

/// Arithmetic of one layer for one sample, by the notes' conventions (docs/cost.md):
/// a multiply-add is 2 operations, an activation 2 per unit forward and 1 backward.
public struct LayerCost: Hashable, Sendable {
  /// Multiply-accumulates of the forward pass (the unit most FLOP counters report).
  public var forwardMACs: Int
  /// Arithmetic operations of the forward pass (FLOPs).
  public var forwardOps: Int
  /// Backward operations that produce parameter gradients.
  public var backwardParamOps: Int
  /// Backward operations that produce the gradient with respect to the layer's input; not
  /// performed (nor counted) for layers before which nothing has parameters.
  public var backwardInputOps: Int
  /// Multiply-accumulates of the backward pass (parameter and input gradients).
  public var backwardParamMACs: Int
  public var backwardInputMACs: Int
  /// Scratch elements one sample needs (conv2d's im2col columns), as `cost` reports them. The
  /// plan allocates what `LayerKind.buffers` asks for instead: the runtime unrolls a group of
  /// samples at once, so its workspace is not this times the batch.
  public var workspaceElements: Int

  public init(
    forwardMACs: Int = 0, forwardOps: Int, backwardParamOps: Int, backwardInputOps: Int,
    backwardParamMACs: Int = 0, backwardInputMACs: Int = 0, workspaceElements: Int = 0
  ) {
    self.forwardMACs = forwardMACs
    self.forwardOps = forwardOps
    self.backwardParamOps = backwardParamOps
    self.backwardInputOps = backwardInputOps
    self.backwardParamMACs = backwardParamMACs
    self.backwardInputMACs = backwardInputMACs
    self.workspaceElements = workspaceElements
  }

  public func backwardOps(includingInput: Bool) -> Int {
    backwardParamOps + (includingInput ? backwardInputOps : 0)
  }

  public func backwardMACs(includingInput: Bool) -> Int {
    backwardParamMACs + (includingInput ? backwardInputMACs : 0)
  }
}
