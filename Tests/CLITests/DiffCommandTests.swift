import DLSpecTestSupport
import Foundation
import Testing

/// `dlspec diff` with git revisions, in a throwaway repository built in a temporary directory;
/// and its refusals without git or outside a repository.
enum GitTool {
  /// The first `git` on PATH, or nil: the suite below is skipped without it.
  static let url: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return path.split(separator: ":").map {
      URL(fileURLWithPath: String($0)).appendingPathComponent("git")
    }
    .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()
}

@Suite(.enabled(if: GitTool.url != nil, "git is not installed: the REV:path tests need it"))
struct DiffGitTests {
  static var git: URL? { GitTool.url }

  static let spec = """
    dlspec: 1
    name: mlp
    data:
      train: {hdf5: data/train.h5}
    model: {input: [784], layers: [{dense: {units: 100}}, tanh, {dense: {units: 10}}, softmax]}
    loss: cross_entropy
    optimizer: {sgd: {lr: 0.1}}

    """

  /// A repository with two commits of `specs/mlp.yaml` (units 100, then 200) and an invalid
  /// `specs/bad.yaml` in the second.
  final class Repo {
    let root: URL

    init() throws {
      root = FileManager.default.temporaryDirectory
        .appendingPathComponent("dlspec-diff-\(UUID().uuidString)")
      try FileManager.default.createDirectory(
        at: root.appendingPathComponent("specs"), withIntermediateDirectories: true)
      try git("init", "-q")
      try write("specs/mlp.yaml", DiffGitTests.spec)
      try git("add", ".")
      try git("commit", "-q", "-m", "first")
      try write(
        "specs/mlp.yaml",
        DiffGitTests.spec.replacingOccurrences(of: "units: 100", with: "units: 200"))
      try write(
        "specs/bad.yaml",
        "dlspec: 1\nmodel: {input: [4], layers: [{dense: {unitz: 2}}]}\nloss: mse\n")
      try git("add", ".")
      try git("commit", "-q", "-m", "second")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ path: String, _ text: String) throws {
      try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    func git(_ arguments: String...) throws {
      let p = Process()
      p.executableURL = DiffGitTests.git
      p.arguments =
        ["-c", "user.name=dlspec", "-c", "user.email=dlspec@example.invalid"] + arguments
      p.currentDirectoryURL = root
      p.standardOutput = FileHandle.nullDevice
      try p.run()
      p.waitUntilExit()
      try #require(p.terminationStatus == 0, "git \(arguments.joined(separator: " "))")
    }
  }

  /// Runs the built dlspec in `directory`, optionally with another PATH.
  static func dlspec(_ arguments: [String], in directory: URL, path: String? = nil) throws
    -> CLI.Output
  {
    try CLI.run(arguments, in: directory, environment: path.map { ["PATH": $0] } ?? [:])
  }

  @Test func revisionsDiffAndExitOne() throws {
    let repo = try Repo()
    let out = try Self.dlspec(
      ["diff", "HEAD~1:specs/mlp.yaml", "HEAD:specs/mlp.yaml"], in: repo.root)
    #expect(out.status == 1, "\(out.stderr)")
    #expect(
      out.stdout.hasPrefix(
        "HEAD~1:specs/mlp.yaml → HEAD:specs/mlp.yaml: 1 change (1 architecture)\n"))
    #expect(out.stdout.contains("model.layers[0].dense.units  100 → 200"))
  }

  @Test func revisionAgainstTheWorkTreeFileIsTheSame() throws {
    let repo = try Repo()
    // The same data path, resolved from the spec's directory on both sides.
    let out = try Self.dlspec(["diff", "HEAD:specs/mlp.yaml", "specs/mlp.yaml"], in: repo.root)
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    let specs = repo.root.appendingPathComponent("specs")
    let fromSub = try Self.dlspec(["diff", "HEAD:./mlp.yaml", "mlp.yaml"], in: specs)
    #expect(fromSub.status == 0, "\(fromSub.stdout)\(fromSub.stderr)")
    let rootRelative = try Self.dlspec(["diff", "HEAD:specs/mlp.yaml", "mlp.yaml"], in: specs)
    #expect(rootRelative.status == 0, "\(rootRelative.stdout)\(rootRelative.stderr)")
  }

  @Test func aFileOnDiskWinsOverRevisionReading() throws {
    let repo = try Repo()
    // `HEAD~1:specs/mlp.yaml` as a file name, holding the units-200 spec of HEAD.
    try FileManager.default.createDirectory(
      at: repo.root.appendingPathComponent("HEAD~1:specs"), withIntermediateDirectories: true)
    // Its data path leads to the same file as HEAD's `data/train.h5` beside specs/mlp.yaml.
    try repo.write(
      "HEAD~1:specs/mlp.yaml",
      DiffGitTests.spec.replacingOccurrences(of: "units: 100", with: "units: 200")
        .replacingOccurrences(of: "hdf5: data/train.h5", with: "hdf5: ../specs/data/train.h5"))
    let out = try Self.dlspec(
      ["diff", "HEAD~1:specs/mlp.yaml", "HEAD:specs/mlp.yaml"], in: repo.root)
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
  }

  @Test func unknownRevisionAndMissingPathExitTwo() throws {
    let repo = try Repo()
    let rev = try Self.dlspec(["diff", "HEAD~7:specs/mlp.yaml", "specs/mlp.yaml"], in: repo.root)
    #expect(rev.status == 2)
    #expect(rev.stdout.isEmpty)
    #expect(
      rev.stderr.hasPrefix(
        "error: unknown git revision 'HEAD~7' in 'HEAD~7:specs/mlp.yaml'\n  hint: "))
    let path = try Self.dlspec(["diff", "HEAD~1:specs/bad.yaml", "specs/mlp.yaml"], in: repo.root)
    #expect(path.status == 2)
    #expect(path.stderr.hasPrefix("error: 'specs/bad.yaml' is not in revision HEAD~1\n  hint: "))
    let directory = try Self.dlspec(["diff", "HEAD:specs", "specs/mlp.yaml"], in: repo.root)
    #expect(directory.status == 2)
    #expect(directory.stderr.hasPrefix("error: 'specs' is a directory in revision HEAD"))
    // A revision that git would take as an option is refused before git runs.
    let option = try Self.dlspec(
      ["diff", "--", "--output=out.txt:specs/mlp.yaml", "specs/mlp.yaml"], in: repo.root)
    #expect(option.status == 2)
    #expect(option.stderr.hasPrefix("error: '--output=out.txt' in"))
    let written = repo.root.appendingPathComponent("out.txt").path
    #expect(!FileManager.default.fileExists(atPath: written))
    let specs = repo.root.appendingPathComponent("specs")
    let relative = try Self.dlspec(["diff", "HEAD:mlp.yaml", "mlp.yaml"], in: specs)
    #expect(relative.status == 2)
    #expect(
      relative.stderr.contains("write HEAD:./mlp.yaml for one relative to the current directory"))
  }

  @Test func invalidSpecFromGitNamesTheRevision() throws {
    let repo = try Repo()
    let out = try Self.dlspec(["diff", "HEAD:specs/bad.yaml", "specs/mlp.yaml"], in: repo.root)
    #expect(out.status == 2)
    #expect(out.stderr.hasPrefix("HEAD:specs/bad.yaml:2:31: error[E017]"), "\(out.stderr)")
    #expect(out.stderr.contains(" 2 | model: {input: [4], layers: [{dense: {unitz: 2}}]}\n"))
    #expect(out.stderr.hasSuffix("HEAD:specs/bad.yaml: 2 errors, 0 warnings\n"))
  }

  @Test func withoutGitOnPathExitTwo() throws {
    let repo = try Repo()
    let out = try Self.dlspec(
      ["diff", "HEAD:specs/mlp.yaml", "specs/mlp.yaml"], in: repo.root, path: "/nonexistent")
    #expect(out.status == 2)
    #expect(
      out.stderr.hasPrefix(
        "error: git is not installed (not found on PATH), so 'HEAD:specs/mlp.yaml' cannot be read\n"
      ))
    // Two files need no git.
    let files = try Self.dlspec(
      ["diff", "specs/mlp.yaml", "specs/mlp.yaml"], in: repo.root, path: "/nonexistent")
    #expect(files.status == 0)
  }

  @Test func outsideARepositoryExitTwo() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "dlspec-norepo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try DiffGitTests.spec.write(
      to: dir.appendingPathComponent("mlp.yaml"), atomically: true, encoding: .utf8)
    let out = try Self.dlspec(["diff", "HEAD:mlp.yaml", "mlp.yaml"], in: dir)
    #expect(out.status == 2)
    #expect(
      out.stderr.hasPrefix("error: not in a git repository, so 'HEAD:mlp.yaml' cannot be read\n"))
  }
}

/// `dlspec diff --format json` is valid JSON whose numbers are the hand-counted ones.
@Suite struct DiffJSONTests {
  @Test func jsonParsesWithHandCountedTotals() throws {
    let fixtures = "Tests/CLITests/Fixtures/diff/"
    let out = try CLI.run(
      ["diff", "--format", "json", fixtures + "mlp.yaml", fixtures + "mlp-wide.yaml"])
    #expect(out.status == 1)
    let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8))
    let root = try #require(object as? [String: Any])
    #expect(root["same"] as? Bool == false)
    let changes = try #require(root["changes"] as? [[String: Any]])
    #expect(changes.map { $0["path"] as? String } == [
      "model.layers[0].dense.units", "model.layers[2]", "model.layers[3]", "optimizer.sgd.lr",
      "train.epochs",
    ])
    #expect(changes.map { $0["safe_to_resume"] as? Bool } == [false, false, false, true, true])
    let totals = try #require(root["totals"] as? [String: [String: Any]])
    // 784·200 + 200 + 200·64 + 64 + 64·10 + 10 = 170,514; before 784·100 + 100 + 100·10 + 10.
    #expect(totals["parameters"]?["old"] as? Int == 79_510)
    #expect(totals["parameters"]?["new"] as? Int == 170_514)
    #expect(totals["parameters"]?["delta"] as? Int == 91_004)
  }
}
