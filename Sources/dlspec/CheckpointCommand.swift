import ArgumentParser
import DLSpec
import DLTrain
import Foundation

/// `dlspec checkpoint verify FILE...`: each checkpoint's integrity, without a spec.
struct CheckpointCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "checkpoint",
    abstract: "Work with checkpoint files.",
    subcommands: [VerifyCommand.self])

  struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Check checkpoints: Fletcher32 checksums, content hash, finite values, RNG state.",
      discussion: """
        Each file is ok, ok without checksums (format versions 1–2 carry none), corrupt \
        (with the reason: the dataset, tensor and index, or attribute), or not a checkpoint. \
        Exit status 0 when every file is ok (with or without checksums), 1 otherwise.
        """)

    @Argument(help: "Checkpoint files (.h5).")
    var files: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
      var allOK = true
      var objects: [String] = []
      for path in files {
        let state = Checkpoint.verify(path)
        allOK = allOK && state.isOK
        let (word, detail) = Self.describe(state)
        switch format {
        case .text:
          print("\(path): \(word)" + (detail.isEmpty ? "" : ": \(detail)"))
        case .json:
          objects.append(Self.json(path, state, word: word, detail: detail))
        }
      }
      if format == .json {
        print("[" + (objects.isEmpty ? "" : "\n" + objects.joined(separator: ",\n") + "\n") + "]")
      }
      if !allOK { throw ExitCode(1) }
    }

    static func describe(_ state: Checkpoint.State) -> (String, String) {
      switch state {
      case .ok(let version, let epoch, let step, let tensors):
        return ("ok", "format \(version), epoch \(epoch), step \(step), \(tensors) tensors checked")
      case .unchecked(let version, let epoch, let step, let tensors):
        return (
          "ok without checksums",
          "format \(version) carries none, epoch \(epoch), step \(step), \(tensors) tensors finite"
        )
      case .corrupt(let why): return ("corrupt", why)
      case .notACheckpoint(let why): return ("not a checkpoint", why)
      }
    }

    static func json(_ path: String, _ state: Checkpoint.State, word: String, detail: String)
      -> String
    {
      var fields = [("file", JSONText.string(path))]
      let checked: Bool
      if case .ok = state { checked = true } else { checked = false }
      switch state {
      case .ok(let version, let epoch, let step, let tensors),
        .unchecked(let version, let epoch, let step, let tensors):
        fields += [
          ("state", JSONText.string(checked ? "ok" : "ok_without_checksums")),
          ("format_version", "\(version)"), ("epoch", "\(epoch)"), ("step", "\(step)"),
          ("tensors", "\(tensors)"), ("checksums", checked ? "true" : "false"),
        ]
      case .corrupt(let why):
        fields += [("state", JSONText.string("corrupt")), ("reason", JSONText.string(why))]
      case .notACheckpoint(let why):
        fields += [
          ("state", JSONText.string("not_a_checkpoint")), ("reason", JSONText.string(why)),
        ]
      }
      return "  {" + fields.map { "\(JSONText.string($0.0)): \($0.1)" }.joined(separator: ", ")
        + "}"
    }
  }
}
