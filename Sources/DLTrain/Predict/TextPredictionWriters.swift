/// CSV, one row per sample after a header:
/// `index,label,predicted,top1_class,top1_prob,…,topK_class,topK_prob` (classification) or
/// `index,label,output_0,…,output_{M-1}` (regression); `label` only when the input has labels.
/// Floats are written in their shortest round-trip form (`0.25`, `1e-05`).
public final class CSVPredictionWriter: PredictionWriter {
  let output: TextOutput
  var hasLabels = false

  public init(_ output: TextOutput) { self.output = output }

  /// The header line (without newline) for a kind.
  public static func header(kind: PredictionKind, hasLabels: Bool) -> String {
    var columns = ["index"] + (hasLabels ? ["label"] : [])
    switch kind {
    case .classification(let top):
      columns.append("predicted")
      for k in 1...max(1, top) { columns += ["top\(k)_class", "top\(k)_prob"] }
    case .regression(let width):
      columns += (0..<width).map { "output_\($0)" }
    }
    return columns.joined(separator: ",")
  }

  public func begin(kind: PredictionKind, hasLabels: Bool) throws {
    self.hasLabels = hasLabels
    try output.write(Self.header(kind: kind, hasLabels: hasLabels) + "\n")
  }

  public func write(_ batch: PredictionBatch) throws {
    var text = ""
    let top = batch.predicted.isEmpty ? 0 : batch.topClasses.count / batch.count
    let width = batch.outputs.count / max(1, batch.count)
    for r in 0..<batch.count {
      text += String(batch.indices[r])
      if let labels = batch.labels { text += "," + String(labels[r]) }
      if batch.predicted.isEmpty {
        for j in 0..<width { text += "," + batch.outputs[r * width + j].description }
      } else {
        text += "," + String(batch.predicted[r])
        for j in 0..<top {
          text += "," + String(batch.topClasses[r * top + j])
          text += "," + batch.topProbabilities[r * top + j].description
        }
      }
      text += "\n"
    }
    try output.write(text)
  }

  public func finish() throws { try output.commit() }
  public func abandon() { output.abandon() }
}

/// JSON Lines: one object per sample per line, so the stream can be read (and written) one
/// record at a time, which a single JSON array cannot:
/// `{"index": 0, "label": 9, "predicted": 9, "top_classes": [9, 7, 5],
/// "top_probabilities": [0.91, 0.05, 0.01]}` or, for regression,
/// `{"index": 0, "outputs": [0.1, 0.2]}`. Non-finite values are written as null.
public final class JSONLinesPredictionWriter: PredictionWriter {
  let output: TextOutput

  public init(_ output: TextOutput) { self.output = output }

  public func begin(kind: PredictionKind, hasLabels: Bool) throws {}

  public func write(_ batch: PredictionBatch) throws {
    var text = ""
    let top = batch.predicted.isEmpty ? 0 : batch.topClasses.count / batch.count
    let width = batch.outputs.count / max(1, batch.count)
    func number(_ f: Float) -> String { f.isFinite ? f.description : "null" }
    for r in 0..<batch.count {
      text += "{\"index\": \(batch.indices[r])"
      if let labels = batch.labels { text += ", \"label\": \(labels[r])" }
      if batch.predicted.isEmpty {
        let values = batch.outputs[r * width..<(r + 1) * width].map(number)
        text += ", \"outputs\": [" + values.joined(separator: ", ") + "]"
      } else {
        let classes = batch.topClasses[r * top..<(r + 1) * top].map(String.init)
        let probabilities = batch.topProbabilities[r * top..<(r + 1) * top].map(number)
        text += ", \"predicted\": \(batch.predicted[r])"
        text += ", \"top_classes\": [" + classes.joined(separator: ", ") + "]"
        text += ", \"top_probabilities\": [" + probabilities.joined(separator: ", ") + "]"
      }
      text += "}\n"
    }
    try output.write(text)
  }

  public func finish() throws { try output.commit() }
  public func abandon() { output.abandon() }
}
