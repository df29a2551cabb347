import ArgumentParser
import DLSpec
import Foundation

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show the resolved experiment: every layer with its shapes, every setting with its default.")

  @Argument(help: "The spec file.")
  var spec: String

  func run() throws {
    let e = try loadExperiment(spec)
    print(InspectRenderer.text(e), terminator: "")
  }
}
