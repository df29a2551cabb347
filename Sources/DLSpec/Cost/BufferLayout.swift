/// Every buffer a training step needs at a given batch size: the one list both `dlspec cost`
/// (training memory) and the planner (allocation) read, so their totals agree by construction
/// and a test checks that they do.
///
/// Rules (docs/cost.md), each read from the kinds' declarations (`LayerKind.buffers`,
/// `stateShapes`), never from which kind a layer is:
/// * parameters, their gradients, and the optimizer's state (0, 1 or 2 copies);
/// * the layers' state (batchnorm's running statistics), when any layer has some;
/// * the input batch and its labels (Int32 class indices), or for regression its targets
///   (`batch × K` scalars, K the output width);
/// * one output buffer per layer, except layers whose output is in place on their input's
///   buffer (flatten, element-wise activations, softmax/log_softmax); they get their own buffer
///   only when their input is the data batch;
/// * each layer's auxiliary buffers (dropout masks, max-pooling argmax indices in Int32,
///   batchnorm's normalised input and inverse deviations);
/// * one workspace, the largest any layer asks for (conv2d's im2col for a group of samples);
/// * two gradient buffers (δ^ℓ and δ^{ℓ+1} of (4.15)) as wide as the widest tensor whose
///   gradient backward computes.
public struct BufferLayout: Sendable {
  public enum Role: String, Sendable, CaseIterable {
    case parameters
    case gradients
    case optimizerState = "optimizer state"
    case state
    case data
    case activations
    case masks
    case workspace
    case backpropagation
  }

  public struct Buffer: Sendable {
    public var name: String
    public var role: Role
    public var elements: Int
    public var elementBytes: Int
    public var bytes: Int { elements.multipliedReportingOverflow(by: elementBytes).overflow ? Int.max : elements * elementBytes }
  }

  public var batch: Int
  public var scalarBytes: Int
  public var buffers: [Buffer] = []
  /// For each layer, the index in `buffers` of the buffer holding its output.
  public var layerOutput: [Int] = []
  /// For each layer, the indices of its auxiliary buffers (`BufferNeeds.auxiliary` order).
  public var layerAuxiliary: [[Int]] = []
  /// The layers' state, one buffer (nil when no layer has state).
  public var stateBuffer: Int?
  public var inputBuffer = 0
  public var labelBuffer = 0
  public var workspaceBuffer: Int?
  public var gradientBuffers: (Int, Int)?

  /// - Parameter inputGradient: also size the δ buffers for d(loss)/d(input) (gradcheck).
  /// - Parameter task: regression keeps real-valued targets in place of the labels.
  public init(
    _ model: ModelIR, optimizer: OptimizerConfig, batch: Int, scalarBytes: Int = 4,
    inputGradient: Bool = false, task: TaskKind = .classification
  ) {
    self.batch = batch
    self.scalarBytes = scalarBytes
    let p = model.parameterCount
    add("parameters", .parameters, p)
    add("gradients", .gradients, p)
    for slot in 0..<optimizer.stateSlotsPerParameter {
      add("optimizer state \(slot + 1)", .optimizerState, p)
    }
    if model.stateCount > 0 { stateBuffer = add("layer state", .state, model.stateCount) }
    inputBuffer = add("input batch", .data, Self.mul(batch, model.input.elementCount))
    labelBuffer =
      task == .regression
      ? add("targets", .data, Self.mul(batch, model.output.elementCount))
      : add("labels", .data, batch, bytes: 4)
    var current = inputBuffer
    var workspace = 0
    var widest = inputGradient ? model.input.elementCount : 0
    for layer in model.layers {
      let count = Self.mul(batch, layer.outputShape.elementCount)
      let needs = layer.kind.buffers(input: layer.inputShape, output: layer.outputShape, batch: batch)
      if !(needs.outputInPlace && current != inputBuffer) {
        current = add("\(layer.name) output", .activations, count)
      }
      layerOutput.append(current)
      layerAuxiliary.append(
        needs.auxiliary.map { a in
          let elements = Self.add(Self.mul(batch, a.perSample), a.fixed)
          return add(
            "\(layer.name) \(a.name)", .masks, elements, bytes: a.element == .int32 ? 4 : nil)
        })
      workspace = max(workspace, needs.workspace)
      widest = max(widest, layer.outputShape.elementCount)
      if layer.needsInputGradient { widest = max(widest, layer.inputShape.elementCount) }
    }
    if workspace > 0 { workspaceBuffer = add("im2col workspace", .workspace, workspace) }
    let g = Self.mul(batch, widest)
    gradientBuffers = (add("gradient δ (a)", .backpropagation, g), add("gradient δ (b)", .backpropagation, g))
  }

  @discardableResult
  mutating func add(_ name: String, _ role: Role, _ elements: Int, bytes: Int? = nil) -> Int {
    buffers.append(Buffer(name: name, role: role, elements: elements, elementBytes: bytes ?? scalarBytes))
    return buffers.count - 1
  }

  static func mul(_ a: Int, _ b: Int) -> Int {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? Int.max / 16 : r
  }

  /// Bytes per role, saturating instead of overflowing for absurd specs.
  public func bytes(_ role: Role) -> Int {
    buffers.filter { $0.role == role }.reduce(0) { Self.add($0, $1.bytes) }
  }

  public var totalBytes: Int { buffers.reduce(0) { Self.add($0, $1.bytes) } }

  static func add(_ a: Int, _ b: Int) -> Int {
    let (r, o) = a.addingReportingOverflow(b)
    return o ? Int.max : r
  }
}

/// Training memory of an experiment at a batch size (all buffers of `BufferLayout`).
public struct TrainingMemory {
  public var layout: BufferLayout

  public init(_ e: Experiment, batch: Int, scalarBytes: Int = 4) {
    layout = BufferLayout(
      e.model, optimizer: e.optimizer.value, batch: batch, scalarBytes: scalarBytes,
      task: e.task.value)
  }

  public var totalBytes: Int { layout.totalBytes }
}
