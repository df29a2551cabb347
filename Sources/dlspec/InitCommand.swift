import ArgumentParser

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "init", abstract: "placeholder")
  func run() throws {}
}
