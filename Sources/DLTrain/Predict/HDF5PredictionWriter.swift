import Foundation

/// Predictions as an HDF5 file, readable from h5py:
///
///     /                    attrs: format = "dlspec-predictions", kind = classification|regression
///     index                int64 N        each row's index in its source
///     label                int64 N        true labels (only when the input has them)
///     predicted            int64 N        classification: argmax class
///     top_classes          int64 N×K      classification: most probable first
///     top_probabilities    float32 N×K    classification: their probabilities
///     outputs              float32 N×M    regression: the model's output vectors
///
/// Every dataset is chunked with an unlimited first dimension and extended per batch, so the
/// predictions stream to disk. The file is written as `<path>.tmp` and renamed by `finish`.
public final class HDF5PredictionWriter: PredictionWriter {
  public let path: String
  let chunkRows: Int
  var file: HDF5File?
  var finished = false
  /// Set once `<path>.tmp` is ours, so `abandon` never removes a file it did not make.
  var created = false

  public init(path: String, chunkRows: Int = 256) {
    self.path = path
    self.chunkRows = max(1, chunkRows)
  }

  var temporary: String { path + ".tmp" }

  deinit { abandon() }

  public func begin(kind: PredictionKind, hasLabels: Bool) throws {
    unlink(temporary)
    let file = try HDF5File.create(temporary)
    self.file = file
    created = true
    try file.setAttribute("format", .string("dlspec-predictions"))
    try file.createExtendible("index", rowShape: [], as: Int64.self, chunkRows: chunkRows)
    if hasLabels {
      try file.createExtendible("label", rowShape: [], as: Int64.self, chunkRows: chunkRows)
    }
    switch kind {
    case .classification(let top):
      try file.setAttribute("kind", .string("classification"))
      try file.createExtendible("predicted", rowShape: [], as: Int64.self, chunkRows: chunkRows)
      try file.createExtendible(
        "top_classes", rowShape: [top], as: Int64.self, chunkRows: chunkRows)
      try file.createExtendible(
        "top_probabilities", rowShape: [top], as: Float.self, chunkRows: chunkRows)
    case .regression(let width):
      try file.setAttribute("kind", .string("regression"))
      try file.createExtendible("outputs", rowShape: [width], as: Float.self, chunkRows: chunkRows)
    }
  }

  public func write(_ batch: PredictionBatch) throws {
    guard let file else { return }
    try file.appendRows(batch.indices.map(Int64.init), to: "index")
    if let labels = batch.labels { try file.appendRows(labels.map(Int64.init), to: "label") }
    if batch.predicted.isEmpty {
      try file.appendRows(batch.outputs, to: "outputs")
    } else {
      try file.appendRows(batch.predicted.map(Int64.init), to: "predicted")
      try file.appendRows(batch.topClasses.map(Int64.init), to: "top_classes")
      try file.appendRows(batch.topProbabilities, to: "top_probabilities")
    }
  }

  public func finish() throws {
    // Renamed only after a checked close (a full disk fails there; see Checkpoint.save).
    do {
      try file?.closeChecked()
    } catch {
      file = nil
      unlink(temporary)
      throw PredictionOutputError.writeFailed(path, "\(error)")
    }
    file = nil
    guard rename(temporary, path) == 0 else {
      let why = String(cString: strerror(errno))
      unlink(temporary)
      throw PredictionOutputError.writeFailed(path, why)
    }
    finished = true
  }

  public func abandon() {
    file?.close()
    file = nil
    if created && !finished { unlink(temporary) }
    created = false
  }
}
