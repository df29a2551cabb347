/// `dlspec inspect --plan`: the planner's programs and buffers, as the plan holds them.
public enum PlanRenderer {
  public static func text<T>(_ plan: Plan<T>) -> String {
    let layout = plan.layout
    let layers = plan.model.layers
    func buffer(_ i: Int) -> String { layout.buffers[i].name }
    var out = "plan at batch \(plan.batch), \(MemoryLayout<T>.stride * 8)-bit floats\n\nforward:\n"
    for (i, l) in layers.enumerated() {
      let input = i == 0 ? layout.inputBuffer : layout.layerOutput[i - 1]
      let output = layout.layerOutput[i]
      var what = "\(l.kindName) \(buffer(input)) → \(buffer(output))"
      if input == output { what += " (in place)" }
      if plan.fusedIntoPrevious.contains(i) { what = "\(l.kindName): fused into \(layers[i - 1].name)'s bias add" }
      if i > plan.lastTrainedLayer { what += "; training skips it: fused into the loss" }
      out += "  \(String(i + 1).leftPadded(3))  \(l.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(what)\n"
    }
    let fused = plan.lastTrainedLayer < layers.count - 1
    out += "\nloss: \(plan.loss.rawValue)"
      + (plan.loss == .crossEntropy ? " from logits (log-sum-exp)" + (fused ? ", softmax fused" : "") : "")
      + ", δ → \(layout.gradientBuffers.map { buffer($0.0) } ?? "-")\n\nbackward:\n"
    for i in stride(from: plan.lastTrainedLayer, through: 0, by: -1) {
      let l = layers[i]
      if !l.needsInputGradient && l.parameters.isEmpty { break }
      var parts: [String] = []
      if !l.parameters.isEmpty { parts.append("parameter gradients " + l.parameters.map(\.name).joined(separator: ", ")) }
      parts.append(l.needsInputGradient ? "input gradient" : "no input gradient (nothing before it learns)")
      out += "  \(String(i + 1).leftPadded(3))  \(l.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(parts.joined(separator: "; "))\n"
    }
    out += "\nbuffers (allocated once, 64-byte aligned):\n"
    for b in layout.buffers {
      out += "  \(b.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(b.role.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) "
        + "\(CostRenderer.int(b.elements).leftPadded(12)) × \(b.elementBytes) B = \(CostRenderer.int(b.bytes).leftPadded(13)) B\n"
    }
    out += "  total \(CostRenderer.int(layout.totalBytes)) bytes (\(ByteCount.format(layout.totalBytes))), "
      + "equal to `dlspec cost`'s training memory at this batch size\n"
    return out
  }
}
