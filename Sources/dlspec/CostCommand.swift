import ArgumentParser
import DLSpec
import Foundation

struct CostCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cost",
    abstract: "Parameters, FLOPs and training memory per layer and in total (docs/cost.md).")

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case markdown
  }

  @Argument(help: "The spec file.")
  var spec: String

  @Option(parsing: .unconditional, help: "Batch size (default: the spec's train.batch_size).")
  var batch: Int?

  @Option(help: "Output format: table, json or markdown.")
  var format: Format = .table

  func validate() throws {
    if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
  }

  func run() throws {
    let e = try loadExperiment(spec, quietWarnings: true)
    try ensureCountable(e, batch: batch ?? e.train.value.batchSize)
    let report = CostReport(e, batch: batch ?? e.train.value.batchSize)
    switch format {
    case .table: print(CostRenderer.table(report), terminator: "")
    case .json: print(CostRenderer.json(report), terminator: "")
    case .markdown: print(CostRenderer.markdown(report), terminator: "")
    }
  }
}
