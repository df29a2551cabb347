/// Every buffer a training step needs at a given batch size: the one list both `dlspec cost`
/// (training memory) and the planner (allocation) read, so their totals agree by construction
/// and a test checks that they do.
///
/// Rules (docs/cost.md):
/// * parameters, their gradients, and the optimizer's state (0, 1 or 2 copies);
/// * the input batch and its labels;
/// * one output buffer per layer, except layers that work in place on their input's buffer:
///   `flatten` (a reshape), element-wise activations and softmax/log_softmax, whose backward
///   needs only their output; they get their own buffer only when their input is the data batch;
/// * dropout masks and max-pooling argmax indices (Int32), one per output element;
/// * the im2col workspace: the largest of any conv layer's, for a group of samples
///   (`DLRuntime.Conv2D.workspaceCount`);
/// * two gradient buffers (δ^ℓ and δ^{ℓ+1} of (4.15)) as wide as the widest tensor whose
///   gradient backward computes.
public struct BufferLayout: Sendable {
  public enum Role: String, Sendable, CaseIterable {
    case parameters
    case gradients
    case optimizerState = "optimizer state"
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
  /// For each layer, the index of its mask/argmax buffer, if any.
  public var layerAuxiliary: [Int?] = []
  public var inputBuffer = 0
  public var labelBuffer = 0
  public var workspaceBuffer: Int?
  public var gradientBuffers: (Int, Int)?

  /// - Parameter inputGradient: also size the δ buffers for d(loss)/d(input) (gradcheck).
  public init(
    _ model: ModelIR, optimizer: OptimizerConfig, batch: Int, scalarBytes: Int = 4,
    inputGradient: Bool = false
  ) {
    self.batch = batch
    self.scalarBytes = scalarBytes
    let p = model.parameterCount
    add("parameters", .parameters, p)
    add("gradients", .gradients, p)
    for slot in 0..<optimizer.stateSlotsPerParameter {
      add("optimizer state \(slot + 1)", .optimizerState, p)
    }
    inputBuffer = add("input batch", .data, Self.mul(batch, model.input.elementCount))
    labelBuffer = add("labels", .data, batch, bytes: 4)
    var current = inputBuffer
    var workspace = 0
    var widest = inputGradient ? model.input.elementCount : 0
    for layer in model.layers {
      let count = Self.mul(batch, layer.outputShape.elementCount)
      let inPlace = layer.kind is Flatten || layer.kind.isActivation || layer.kind is Softmax
        || layer.kind is LogSoftmax
      if !(inPlace && current != inputBuffer) {
        current = add("\(layer.name) output", .activations, count)
      }
      layerOutput.append(current)
      if layer.kind is Dropout {
        layerAuxiliary.append(add("\(layer.name) mask", .masks, count))
      } else if layer.kind is MaxPool {
        layerAuxiliary.append(add("\(layer.name) argmax", .masks, count, bytes: 4))
      } else {
        layerAuxiliary.append(nil)
      }
      // Conv lowers samples in groups; the runtime says how much scratch a batch needs.
      if let conv = layer.kind as? Conv2D {
        workspace = max(workspace, conv.workspaceCount(input: layer.inputShape, batch: batch))
      }
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
    layout = BufferLayout(e.model, optimizer: e.optimizer.value, batch: batch, scalarBytes: scalarBytes)
  }

  public var totalBytes: Int { layout.totalBytes }
}
