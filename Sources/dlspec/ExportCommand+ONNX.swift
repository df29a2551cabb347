import DLSpec

extension ExportCommand {
  /// Scaffolding, replaced by the ONNX exporter before this lands.
  func exportONNX(_ e: Experiment) throws {
    throw CLIError("export --to onnx: not built yet")
  }
}
