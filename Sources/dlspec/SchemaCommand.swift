import ArgumentParser
import DLSpec

struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema of the spec language (schemas/dlspec-v1.schema.json).")

  func run() throws {
    print(SchemaGenerator.generate(), terminator: "")
  }
}
