import DLRuntime

/// The IR lowered onto the runtime for one batch size: every buffer of `BufferLayout` allocated
/// once, and forward, loss and backward programs over them. A training step allocates nothing.
///
/// Parameters and their gradients are each one contiguous buffer (layer by layer, weight then
/// bias), so an optimizer updates all of them in one loop and checkpoints slice them by layer.
public final class Plan<T: DLScalar> {
  public let model: ModelIR
  public let loss: LossKind
  /// Regression plans hold real-valued targets (`targets`) where classification holds labels.
  public let task: TaskKind
  public let batch: Int
  public let layout: BufferLayout
  /// One pointer per `layout.buffers` entry.
  let storage: [UnsafeMutableRawPointer]
  let programs: [LayerProgram<T>]
  /// Index of the last layer run in training: a final softmax/log_softmax is fused into the
  /// cross-entropy loss (computed stably from logits), so training stops before it.
  public let lastTrainedLayer: Int
  /// Layers whose forward is done by the layer before them (a kind whose fusion accepts an
  /// activation: bias add + σ in one pass).
  public let fusedIntoPrevious: Set<Int>
  public let random: RandomState
  /// Where each layer's parameters sit in `parameters` (and gradients in `gradients`).
  public let parameterSlices: [[(name: String, offset: Int, count: Int, shape: Shape)]]
  /// Where each layer's state sits in `state` (empty for layers without state).
  public let stateSlices: [[(name: String, offset: Int, count: Int, shape: Shape)]]

  public var parameterCount: Int { model.parameterCount }
  public let computesInputGradient: Bool
  /// d(loss)/d(input) after `backward` when the plan was built with `inputGradient: true`.
  public internal(set) var inputGradient: UnsafeMutablePointer<T>?
  /// Test seam (gradcheck's mutation test): multiplies one layer's weight gradient by a factor
  /// after its backward, planting a known error.
  public var plantedGradientError: (layer: Int, factor: T)?
  public var parameters: UnsafeMutablePointer<T> { pointer(0) }
  public var gradients: UnsafeMutablePointer<T> { pointer(1) }
  /// The layers' state (`model.stateCount` elements), nil when no layer has state.
  public var state: UnsafeMutablePointer<T>? { layout.stateBuffer.map(pointer) }
  public var input: UnsafeMutablePointer<T> { pointer(layout.inputBuffer) }
  public var labels: UnsafeMutablePointer<Int32> { storage[layout.labelBuffer].assumingMemoryBound(to: Int32.self) }
  /// Regression targets, `[batch, classCount]` (the same buffer as `labels`, sized for T).
  public var targets: UnsafeMutablePointer<T> { pointer(layout.labelBuffer) }
  /// Optimizer state buffers (0, 1 or 2), each `parameterCount` long.
  public var optimizerState: [UnsafeMutablePointer<T>] {
    layout.buffers.indices.filter { layout.buffers[$0].role == .optimizerState }.map(pointer)
  }
  /// Total bytes the plan allocated: equal to `cost`'s training memory by construction.
  public var allocatedBytes: Int { layout.totalBytes }

  public convenience init(_ e: Experiment, batch: Int, seed: UInt64 = 1) {
    self.init(
      model: e.model, loss: e.loss.value, optimizer: e.optimizer.value, batch: batch, seed: seed,
      task: e.task.value)
  }

  /// The plan's programs and layout with 64-byte placeholders instead of its buffers, for
  /// printing (`inspect --plan` of a 2-billion-parameter model must not allocate 20 GB to show
  /// a table). Its programs must never run.
  public static func outline(_ e: Experiment, batch: Int) -> Plan<T> {
    Plan(
      model: e.model, loss: e.loss.value, optimizer: e.optimizer.value, batch: batch, seed: 1,
      outline: true, task: e.task.value)
  }

  /// - Parameter inputGradient: also compute d(loss)/d(input) into `inputGradient` (gradcheck).
  /// - Parameter outline: allocate placeholders only (see `outline(_:batch:)`).
  public init(
    model: ModelIR, loss: LossKind, optimizer: OptimizerConfig, batch: Int, seed: UInt64,
    inputGradient: Bool = false, outline: Bool = false, task: TaskKind = .classification
  ) {
    self.computesInputGradient = inputGradient
    self.model = model
    self.loss = loss
    self.task = task
    self.batch = batch
    let layout = BufferLayout(
      model, optimizer: optimizer, batch: batch, scalarBytes: MemoryLayout<T>.stride,
      inputGradient: inputGradient, task: task)
    self.layout = layout
    let storage = layout.buffers.map { b in
      let bytes = outline ? 64 : max(b.bytes, 64)
      let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
      p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
      return p
    }
    self.storage = storage
    let random = RandomState(seed: seed &+ 0x9E37_79B9)
    self.random = random
    let layers = model.layers
    classCount = model.output.elementCount
    needsInputGradient = layers.map { $0.needsInputGradient || inputGradient }
    hasParameters = layers.map { !$0.parameters.isEmpty }
    lastTrainedLayer = model.lastLayerFusesIntoLoss(loss) ? layers.count - 2 : layers.count - 1
    var fusedSet = Set<Int>()
    var slices: [[(name: String, offset: Int, count: Int, shape: Shape)]] = []
    var offset = 0
    for l in layers {
      var s: [(name: String, offset: Int, count: Int, shape: Shape)] = []
      for p in l.parameters {
        s.append((p.name, offset, p.shape.elementCount, p.shape))
        offset += p.shape.elementCount
      }
      slices.append(s)
    }
    parameterSlices = slices
    var states: [[(name: String, offset: Int, count: Int, shape: Shape)]] = []
    offset = 0
    for l in layers {
      states.append(
        l.state.map { t in
          defer { offset += t.shape.elementCount }
          return (t.name, offset, t.shape.elementCount, t.shape)
        })
    }
    stateSlices = states
    var programs: [LayerProgram<T>] = []
    let params = storage[0].assumingMemoryBound(to: T.self)
    let grads = storage[1].assumingMemoryBound(to: T.self)
    let stateBase = layout.stateBuffer.map { storage[$0].assumingMemoryBound(to: T.self) }
    for (i, l) in layers.enumerated() {
      let inputBuffer = i == 0 ? layout.inputBuffer : layout.layerOutput[i - 1]
      // Fuse the next layer's σ into this one's epilogue when this kind accepts it and the
      // activation works in place on this layer's output.
      var fusedActivation: ActivationKernel<T>? = nil
      if l.kind.fusion.acceptsActivation, i + 1 < layers.count,
        let kernel = layers[i + 1].kind.activationKernel(T.self),
        layout.layerOutput[i + 1] == layout.layerOutput[i]
      {
        fusedActivation = kernel
        fusedSet.insert(i + 1)
      }
      let buffers = LayerBuffers<T>(
        input: l.inputShape, output: l.outputShape,
        x: storage[inputBuffer].assumingMemoryBound(to: T.self),
        y: storage[layout.layerOutput[i]].assumingMemoryBound(to: T.self),
        parameters: slices[i].map { params + $0.offset },
        gradients: slices[i].map { grads + $0.offset },
        state: stateBase.map { base in states[i].map { base + $0.offset } } ?? [],
        auxiliary: layout.layerAuxiliary[i].map { storage[$0] },
        workspace: layout.workspaceBuffer.map { storage[$0].assumingMemoryBound(to: T.self) },
        random: random, fusedActivation: fusedActivation)
      programs.append(l.kind.lower(buffers))
    }
    self.programs = programs
    fusedIntoPrevious = fusedSet
    resetState()
  }

  /// Sets every layer's state to its declared initial value (done at construction, so a plan
  /// that only receives parameters still normalises with valid running statistics).
  public func resetState() {
    guard let state else { return }
    for (i, l) in model.layers.enumerated() {
      for (t, s) in zip(l.state, stateSlices[i]) {
        (state + s.offset).update(repeating: T(t.initial), count: s.count)
      }
    }
  }

  deinit {
    for p in storage { p.deallocate() }
  }

  func pointer(_ index: Int) -> UnsafeMutablePointer<T> {
    storage[index].assumingMemoryBound(to: T.self)
  }

  /// The output buffer of layer `index` ([n, outputCount]).
  public func output(ofLayer index: Int) -> UnsafeMutablePointer<T> {
    pointer(layout.layerOutput[index])
  }

  /// Scores the loss is computed from: logits when softmax is fused into the loss.
  public var scores: UnsafeMutablePointer<T> { output(ofLayer: lastTrainedLayer) }
  /// Width of the model's output (stored: the step reads it, and reading it through the
  /// layer array costs an existential copy in unoptimised builds).
  public let classCount: Int
  /// Per layer: does backward compute its input gradient, and does it have parameters.
  let needsInputGradient: [Bool]
  let hasParameters: [Bool]

  /// Forward over the first `n` samples of `input`, in `Mode.training` or `.evaluation`:
  /// dropout draws masks and batchnorm uses (and updates) batch statistics only in training.
  /// Stops before a final softmax fused into the loss; `probabilities(n)` finishes it.
  public func forward(_ n: Int, training: Bool) {
    runForward(n, training: training, seconds: nil)
  }

  /// Forward, adding each layer's wall time to `seconds[i]` when given (`dlspec bench`).
  public func runForward(_ n: Int, training: Bool, seconds: UnsafeMutablePointer<Double>?) {
    precondition(n >= 1 && n <= batch, "batch of \(n) exceeds the plan's \(batch)")
    for i in 0...lastTrainedLayer where !fusedIntoPrevious.contains(i) {
      let start = seconds == nil ? 0 : Clock.now()
      programs[i].forward(n, training ? .training : .evaluation)
      if let seconds { seconds[i] += Clock.now() - start }
    }
  }

  /// Runs the layers after `lastTrainedLayer` (a fused final softmax) so `output(ofLayer:)` of
  /// the last layer holds the model's real output.
  public func finishForward(_ n: Int) {
    for i in (lastTrainedLayer + 1)..<model.layers.count { programs[i].forward(n, .evaluation) }
  }

  /// Mean loss over the first `n` samples (labels in `labels`, or for regression targets in
  /// `targets`: the same residual loop, only the target differs) and, when `gradient` is true,
  /// d(loss)/d(scores) written into the first δ buffer.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func computeLoss(_ n: Int, gradient: Bool) -> T {
    let k = classCount
    let delta: UnsafeMutablePointer<T>? = gradient ? pointer(layout.gradientBuffers?.0 ?? 0) : nil
    switch loss {
    case .crossEntropy:
      // Always from logits: a final softmax/log_softmax is fused (skipped in `forward`), and a
      // model without one outputs logits.
      return Loss.softmaxCrossEntropy(logits: scores, labels: labels, batch: n, classes: k, dLogits: delta)
    case .mse where task == .regression:
      return Loss.squaredError(predictions: scores, targets: targets, batch: n, classes: k, dPredictions: delta)
    case .l1 where task == .regression:
      return Loss.absoluteError(predictions: scores, targets: targets, batch: n, classes: k, dPredictions: delta)
    case .mse:
      return Loss.squaredError(predictions: scores, labels: labels, batch: n, classes: k, dPredictions: delta)
    case .l1:
      return Loss.absoluteError(predictions: scores, labels: labels, batch: n, classes: k, dPredictions: delta)
    }
  }

  /// Backward from the δ that `computeLoss(n, gradient: true)` left, writing every parameter
  /// gradient (overwritten, not accumulated). Input gradients of layers before which nothing
  /// learns are skipped.
  public func backward(_ n: Int) {
    runBackward(n, seconds: nil)
  }

  /// Backward, adding each layer's wall time to `seconds[i]` when given (`dlspec bench`).
  public func runBackward(_ n: Int, seconds: UnsafeMutablePointer<Double>?) {
    guard let (a, b) = layout.gradientBuffers else { return }
    var current = pointer(a)
    var spare = pointer(b)
    for i in stride(from: lastTrainedLayer, through: 0, by: -1) {
      let program = programs[i]
      let needsInput = needsInputGradient[i]
      if !needsInput && !hasParameters[i] { break }
      let start = seconds == nil ? 0 : Clock.now()
      defer { if let seconds { seconds[i] += Clock.now() - start } }
      if !needsInput {
        program.backward(n, current, nil)
      } else if program.backwardInPlace {
        program.backward(n, current, current)
      } else {
        program.backward(n, current, spare)
        swap(&current, &spare)
      }
      if let planted = plantedGradientError, planted.layer == i,
        let w = parameterSlices[i].first
      {
        let g = gradients + w.offset
        for j in 0..<w.count { g[j] *= planted.factor }
      }
    }
    if computesInputGradient { inputGradient = current }
  }

  /// One training evaluation: forward, loss and backward. Returns the mean loss.
  @discardableResult
  public func lossAndGradient(_ n: Int) -> T {
    forward(n, training: true)
    let value = computeLoss(n, gradient: true)
    backward(n)
    return value
  }

  /// Correct predictions among the first `n` samples after `forward`.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func correctCount(_ n: Int) -> Int {
    Metrics.correctCount(scores: scores, labels: labels, batch: n, classes: classCount)
  }

  /// Fills the parameters as each declares (`ParameterShape.initial`: weights by `scheme` from
  /// `seed`, constants such as zero biases) and the state with its declared initial values.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func initialize(_ scheme: InitScheme, seed: UInt64) {
    var generator = RandomGenerator(seed: seed)
    resetState()
    for (i, l) in model.layers.enumerated() {
      for (p, s) in zip(l.parameters, parameterSlices[i]) {
        let ptr = parameters + s.offset
        if case .constant(let value) = p.initial {
          if value == 0 {
            Initializer.zeros(ptr, count: s.count)
          } else {
            ptr.update(repeating: T(value), count: s.count)
          }
          continue
        }
        switch scheme {
        case .fanInNormal: Initializer.scaledNormal(ptr, count: s.count, fanIn: p.fanIn, generator: &generator)
        case .he: Initializer.heNormal(ptr, count: s.count, fanIn: p.fanIn, generator: &generator)
        case .xavier:
          Initializer.xavierUniform(ptr, count: s.count, fanIn: p.fanIn, fanOut: p.fanOut, generator: &generator)
        }
      }
    }
  }

  /// Euclidean norm of each layer's parameter gradient (0 for layers without parameters): the
  /// vanishing-gradient diagnostic of §4.3.
  public func gradientNorms() -> [Double] {
    var norms = [Double](repeating: 0, count: model.layers.count)
    norms.withUnsafeMutableBufferPointer { if let b = $0.baseAddress { addGradientNorms(into: b) } }
    return norms
  }

  /// Adds each layer's gradient norm to `norms[i]`, allocating nothing (the training loop
  /// averages them per epoch).
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func addGradientNorms(into norms: UnsafeMutablePointer<Double>) {
    for (i, slices) in parameterSlices.enumerated() {
      var sum = 0.0
      for s in slices { sum += Reduction.squaredNormInDouble(gradients + s.offset, count: s.count) }
      norms[i] += sum.squareRoot()
    }
  }
}
