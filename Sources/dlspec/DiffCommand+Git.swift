import DLSpec
import DLTrain
import Foundation

/// One side of `dlspec diff`: a spec file, or `REV:path` read with `git show`.
enum SpecInput {
  struct Failure: Error {
    var message: String
    var hint: String
  }

  struct Loaded {
    /// The text, with `path` set to where the spec lies (or would lie) in the work tree, so
    /// that data paths resolve against the spec's own directory.
    var source: SourceFile
  }

  static let example = "give a spec file, or a git revision and path like HEAD~1:specs/mlp.yaml"

  static func read(_ argument: String) throws -> Loaded {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
      if isDirectory.boolValue {
        throw Failure(message: "'\(argument)' is a directory, not a spec file", hint: example)
      }
      switch SourceFile.load(path: argument) {
      case .success(let s): return Loaded(source: s)
      case .failure(let d):
        throw Failure(message: "\(d.message) (\(argument))", hint: d.hint ?? example)
      }
    }
    guard let colon = argument.firstIndex(of: ":"), colon != argument.startIndex else {
      throw Failure(message: "no such file: '\(argument)'", hint: example)
    }
    let revision = String(argument[..<colon])
    let path = String(argument[argument.index(after: colon)...])
    guard !path.isEmpty else {
      throw Failure(
        message: "'\(argument)' names a revision but no file",
        hint: "write \(revision):path/to/spec.yaml")
    }
    // A "revision" like `--output=f` would reach git as an option.
    guard !revision.hasPrefix("-") else {
      throw Failure(
        message: "'\(revision)' in '\(argument)' is not a git revision",
        hint: "revisions do not start with '-'; " + example)
    }
    guard let git = findGit() else {
      throw Failure(
        message: "git is not installed (not found on PATH), so '\(argument)' cannot be read",
        hint: "install git, or give the spec as a file (git show \(argument) > old.yaml)")
    }
    let top = run(git, ["rev-parse", "--show-toplevel"])
    guard top.status == 0 else {
      // Say what git said when it is not the usual "not a git repository" (safe.directory…).
      let said = top.stderr.split(separator: "\n").first.map(String.init) ?? ""
      throw Failure(
        message: "not in a git repository, so '\(argument)' cannot be read",
        hint: said.isEmpty || said.contains("not a git repository")
          ? "run dlspec diff inside the repository, or give the spec as a file"
          : "git says: \(said)")
    }
    let root = String(decoding: top.stdout, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard run(git, ["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"]).status == 0 else {
      throw Failure(
        message: "unknown git revision '\(revision)' in '\(argument)'",
        hint: "`git log --oneline` lists the commits; HEAD, HEAD~1, a branch or a tag work")
    }
    let relativeToCwd = path.hasPrefix("./") || path.hasPrefix("../")
    let type = run(git, ["cat-file", "-t", "\(revision):\(path)"])
    let objectType = String(decoding: type.stdout, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    if type.status == 0 && objectType != "blob" {
      throw Failure(
        message: "'\(path)' is a directory in revision \(revision), not a spec file",
        hint: "name the spec file, e.g. \(revision):\(path)/mlp.yaml")
    }
    let shown = run(git, ["show", "\(revision):\(path)"])
    guard type.status == 0, shown.status == 0 else {
      throw Failure(
        message: "'\(path)' is not in revision \(revision)",
        hint: relativeToCwd
          ? "`git ls-tree -r --name-only \(revision)` lists its files"
          : "a path after ':' is relative to the repository root (\(root)); "
            + "write \(revision):./\(path) for one relative to the current directory")
    }
    let base = relativeToCwd ? FileManager.default.currentDirectoryPath : root
    let worktreePath = URL(fileURLWithPath: base).appendingPathComponent(path)
      .standardizedFileURL.path
    switch SourceFile.decode(path: worktreePath, bytes: shown.stdout) {
    case .success(let s): return Loaded(source: s)
    case .failure(let d):
      throw Failure(message: "\(d.message) (\(argument))", hint: d.hint ?? example)
    }
  }

  /// The first executable `git` on PATH; nil when there is none.
  static func findGit() -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for dir in path.split(separator: ":") where !dir.isEmpty {
      let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("git")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// Runs git in the current directory; a launch failure reads as a failed command.
  static func run(
    _ git: URL, _ arguments: [String]
  ) -> (status: Int32, stdout: Data, stderr: String) {
    Subprocess.run(git, arguments)
  }
}
