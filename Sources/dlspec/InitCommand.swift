import ArgumentParser
import DLSpec
import Foundation

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Write a commented starter spec (and ignore runs/ in .gitignore).",
    discussion: """
      Writes DIR/NAME.yaml from a template: logreg (softmax regression), mlp (one hidden \
      layer) or cnn (a small convolutional network), each training on Fashion-MNIST. Adds \
      `runs/` to DIR/.gitignore unless it is there. Never overwrites an existing file.
      """)

  enum Template: String, ExpressibleByArgument, CaseIterable {
    case logreg
    case mlp
    case cnn
  }

  @Argument(help: "Spec name: writes NAME.yaml (default: the template's name).")
  var name: String?

  @Option(help: "Starter model: logreg, mlp or cnn.")
  var template: Template = .logreg

  @Option(help: "Directory to write into (created if missing).")
  var dir: String = "."

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  /// The spec's `name:`, from NAME with a trailing `.yaml` dropped.
  var stem: String {
    guard let name else { return template.rawValue }
    for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) {
      return String(name.dropLast(suffix.count))
    }
    return name
  }

  func validate() throws {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    if stem.isEmpty || !stem.allSatisfy(allowed.contains) || stem.hasPrefix(".") {
      throw ValidationError(
        "name '\(name ?? "")' must be letters, digits, '.', '_' or '-' (it names the spec and "
          + "its runs); use --dir for the directory")
    }
  }

  func run() throws {
    let manager = FileManager.default
    let specPath = joined(dir, stem + ".yaml")
    let ignorePath = joined(dir, ".gitignore")
    // Refuse before creating anything, so a refused init leaves the directory as it was.
    if manager.fileExists(atPath: specPath) {
      throw CLIError("\(specPath) already exists; init never overwrites (choose another NAME)")
    }
    guard let template = SpecTemplate(rawValue: template.rawValue) else {
      throw CLIError("no template \(self.template.rawValue)")
    }
    do {
      try manager.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw CLIError("cannot create directory '\(dir)': \(error.localizedDescription)")
    }
    // O_EXCL: a file created between the check above and here is still not overwritten.
    let text = template.text(name: stem)
    let fd = open(specPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
      throw CLIError("cannot create \(specPath): \(String(cString: strerror(errno)))")
    }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else {
      unlink(specPath)
      throw CLIError("cannot write \(specPath): \(String(cString: strerror(errno)))")
    }
    let ignoreChange = try addRunsToGitignore(ignorePath)
    report(specPath: specPath, ignorePath: ignorePath, change: ignoreChange, template: template)
  }

  /// Appends `runs/` to the .gitignore unless a line already says it; returns what was done.
  func addRunsToGitignore(_ path: String) throws -> String {
    let existing = (try? String(contentsOfFile: path, encoding: .utf8))
    if let existing {
      let lines = existing.split(separator: "\n", omittingEmptySubsequences: false)
      if lines.contains(where: { ["runs/", "runs", "/runs/", "/runs"].contains($0.trimmed) }) {
        return "unchanged"
      }
    } else if FileManager.default.fileExists(atPath: path) {
      throw CLIError("cannot read \(path)")
    }
    let prefix = existing.map { $0.isEmpty || $0.hasSuffix("\n") ? "" : "\n" } ?? ""
    let addition = prefix + "runs/\n"
    guard let handle = FileHandle(forWritingAtPath: path) ?? created(path) else {
      throw CLIError("cannot write \(path)")
    }
    defer { try? handle.close() }
    do {
      try handle.seekToEnd()
      try handle.write(contentsOf: Data(addition.utf8))
    } catch {
      throw CLIError("cannot write \(path): \(error.localizedDescription)")
    }
    return existing == nil ? "created" : "appended"
  }

  /// `dir/file`, or just `file` in the current directory, so printed commands stay short.
  func joined(_ dir: String, _ file: String) -> String {
    dir == "." ? file : (dir as NSString).appendingPathComponent(file)
  }

  func created(_ path: String) -> FileHandle? {
    guard FileManager.default.createFile(atPath: path, contents: nil) else { return nil }
    return FileHandle(forWritingAtPath: path)
  }

  func report(specPath: String, ignorePath: String, change: String, template: SpecTemplate) {
    let next = ["validate", "cost", "train"].map { "dlspec \($0) \(specPath)" }
    switch format {
    case .json:
      print(
        """
        {
          "spec": \(JSONText.string(specPath)),
          "template": \(JSONText.string(template.rawValue)),
          "gitignore": {
            "path": \(JSONText.string(ignorePath)), "runs_entry": \(JSONText.string(change))
          },
          "next": [\(next.map(JSONText.string).joined(separator: ", "))]
        }
        """)
    case .text:
      print("wrote \(specPath) (\(template.rawValue): \(template.summary))")
      switch change {
      case "created": print("wrote \(ignorePath) with runs/")
      case "appended": print("added runs/ to \(ignorePath)")
      default: print("\(ignorePath) already ignores runs/")
      }
      print("next:")
      for command in next { print("  \(command)") }
    }
  }
}

extension Substring {
  fileprivate var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
