import DLRuntime

/// Element-wise activations run in place on their input's buffer; when fused into the dense
/// layer before them, their forward is done by that layer's bias add and theirs is skipped.
extension Lowerable where Self: ElementwiseLayerKind {
  func lowerActivation<T: DLScalar>(_ kind: Activation.Kind, _ b: LayerBuffers<T>) -> LayerProgram<T> {
    let count = b.output.elementCount
    return LayerProgram(
      backwardInPlace: true,
      forward: { n, _ in Activation.forward(kind, x: b.x, y: b.y, count: n * count) },
      backward: { n, dy, dx in
        guard let dx else { return }
        Activation.backward(kind, y: b.y, dy: dy, dx: dx, count: n * count)
      })
  }
}

extension ReLU: Lowerable {
  public var activationKind: Activation.Kind? { .relu }
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> { lowerActivation(.relu, b) }
}

extension Tanh: Lowerable {
  public var activationKind: Activation.Kind? { .tanh }
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> { lowerActivation(.tanh, b) }
}

extension Sigmoid: Lowerable {
  public var activationKind: Activation.Kind? { .sigmoid }
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> { lowerActivation(.sigmoid, b) }
}

extension ClippedReLU: Lowerable {
  public var activationKind: Activation.Kind? { .clippedReLU(threshold: t) }
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func lower<T: DLScalar>(_ b: LayerBuffers<T>) -> LayerProgram<T> {
    lowerActivation(.clippedReLU(threshold: t), b)
  }
}
