import ArgumentParser
import DLSpec
import Foundation

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show the resolved experiment: every layer with its shapes, every setting with its default.")

  @Argument(help: "The spec file.")
  var spec: String

  @Flag(help: "Print the planner's forward/backward programs and buffers instead.")
  var plan = false

  @Option(parsing: .unconditional, help: "Batch size for --plan (default: the spec's).")
  var batch: Int?

  func validate() throws {
    if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
  }

  func run() throws {
    let e = try loadExperiment(spec)
    if plan {
      // Printing needs the layout, not the buffers: no memory check, no allocation.
      try ensureCountable(e, batch: batch ?? e.train.value.batchSize)
      let p = Plan<Float>.outline(e, batch: batch ?? e.train.value.batchSize)
      print(PlanRenderer.text(p), terminator: "")
      return
    }
    print(InspectRenderer.text(e), terminator: "")
  }
}
