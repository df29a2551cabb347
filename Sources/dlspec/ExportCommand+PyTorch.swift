import DLSpec

extension ExportCommand {
  /// Scaffolding, replaced by the PyTorch exporter before this lands.
  func exportPyTorch(_ e: Experiment) throws {
    throw CLIError("export --to pytorch: not built yet")
  }
}
