extension Plan {
  /// Layer `index`'s output on the first `n` samples of `input`: a plan of the layers up to it,
  /// with this plan's weights and layer state (they come first in the flat buffers), run in
  /// evaluation mode, with a softmax fused into the loss materialised. The whole model's plan
  /// reuses buffers in place (fused activations, in-place layers), so its intermediate values do
  /// not survive a pass. Export verification compares each layer with the engine's this way.
  public func layerOutput(_ index: Int, input: UnsafeBufferPointer<T>, n: Int) -> [T] {
    var prefixModel = model
    prefixModel.layers = Array(model.layers.prefix(index + 1))
    // Plain SGD: the prefix never trains, so it needs no optimizer state.
    let prefix = Plan<T>(
      model: prefixModel, loss: loss,
      optimizer: .sgd(lr: 0, momentum: 0, nesterov: false, weightDecay: 0), batch: n, seed: 1,
      task: task)
    prefix.parameters.update(from: parameters, count: prefixModel.parameterCount)
    if let state = prefix.state, let source = self.state {
      state.update(from: source, count: prefixModel.stateCount)
    }
    for (i, v) in input.prefix(n * model.input.elementCount).enumerated() { prefix.input[i] = v }
    prefix.forward(n, training: false)
    prefix.finishForward(n)
    let count = n * prefixModel.layers[index].outputShape.elementCount
    return Array(UnsafeBufferPointer(start: prefix.output(ofLayer: index), count: count))
  }
}
