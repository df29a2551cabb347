import DLSpecTestSupport
import Foundation
import Testing

/// docs/experiments.md is true: every `$ ` line of its console blocks runs, in order, in a new
/// directory with the built `dlspec` on PATH, and exits as the doc says (`# exit 1`, else 0).
/// The commands whose output does not depend on timing or the BLAS kernels print exactly the
/// output the doc shows; the files the walk-through promises exist with the content it names.
@Suite(
  .enabled(if: Walkthrough.dataInstalled, "Fashion-MNIST is not installed (dataset-fashion-mnist)"),
  .enabled(if: Walkthrough.hasGit, "git is not installed"))
struct ExperimentsWalkthroughTests {
  @Test func everyCommandOfTheWalkthroughRunsAsDocumented() throws {
    let doc = try String(
      contentsOf: Snapshot.packageRoot.appendingPathComponent("docs/experiments.md"),
      encoding: .utf8)
    let steps = Walkthrough.steps(doc)
    #expect(steps.count >= 20, "the walk-through lost its commands")
    let work = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-walkthrough-\(UUID().uuidString)")
    let repo = work.appendingPathComponent("repo")
    let logs = work.appendingPathComponent("logs")
    try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let binary = try #require(CLI.binary)

    // One shell runs every step, so `cd` and variables carry over as they would for a reader;
    // it stops at the first step whose exit code is not the documented one.
    var script = "cd '\(repo.path)' || exit 99\n"
    for (i, step) in steps.enumerated() {
      script += "{ \(step.command)\n} > '\(logs.path)/\(i).out' 2> '\(logs.path)/\(i).err'\n"
      script += "rc=$?; echo $rc > '\(logs.path)/\(i).rc'\n"
      script += "[ $rc -eq \(step.exitCode) ] || exit 100\n"
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "")
    for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = "you" }
    for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "you@example.com" }
    environment["COLUMNS"] = "80"
    process.environment = environment
    try process.run()
    process.waitUntilExit()

    func read(_ name: String) -> String {
      (try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }
    for (i, step) in steps.enumerated() {
      let rc = read("\(i).rc").trimmingCharacters(in: .whitespacesAndNewlines)
      guard !rc.isEmpty else { break }
      let output = read("\(i).out") + read("\(i).err")
      #expect(
        rc == String(step.exitCode),
        "step \(i + 1) `\(step.command)` exited \(rc), the doc says \(step.exitCode):\n\(output)")
      if Walkthrough.exactOutput.contains(where: { step.command.hasPrefix($0) }) {
        #expect(
          read("\(i).out") == step.output,
          "step \(i + 1) `\(step.command)` prints other output than the doc shows")
      }
    }
    #expect(process.terminationStatus == 0, "the walk-through stopped early")

    func file(_ path: String) -> String {
      (try? String(contentsOf: repo.appendingPathComponent(path), encoding: .utf8)) ?? ""
    }
    #expect(file(".gitignore").contains("runs/"))
    #expect(file("runs/logreg/learning-curves.svg").contains("<svg"))
    #expect(file("runs/logreg/confusion-matrix.svg").contains("Ankle boot"))
    #expect(file("runs/logreg/summary.json").contains("\"status\": \"finished\""))
    #expect(file("runs/sweep/sweep.svg").contains("<svg"))
    #expect(file("runs/sweep/sweep.csv").split(separator: "\n").count == 5)
    #expect(file("change.md").contains("`model.layers[0]`"))
    #expect(file("compare.md").contains("optimizer.sgd.lr"))
    #expect(file("logreg.txt").contains("train.epochs=3"))
    #expect(file("val-accuracy.svg").contains("<svg"))
    #expect(file("predictions.csv").split(separator: "\n").count == 10_001)
  }
}

enum Walkthrough {
  struct Step {
    var command: String
    var exitCode: Int32
    /// The lines the doc shows after the command, up to the next one.
    var output: String
  }

  /// Commands whose output is the same on every machine (no timings, no trained figures).
  static let exactOutput = [
    "dlspec init", "dlspec validate", "dlspec diff HEAD:fashion.yaml fashion.yaml  #", "ls ",
    "dlspec plot",
  ]

  /// The `$ ` lines of the doc's console blocks, each with its documented exit code and output.
  static func steps(_ doc: String) -> [Step] {
    var steps: [Step] = []
    var inConsole = false
    for line in doc.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") {
        inConsole = !inConsole && line == "```console"
        continue
      }
      guard inConsole else { continue }
      if line.hasPrefix("$ ") {
        let command = String(line.dropFirst(2))
        let code: Int32 = command.range(of: "# exit 1").map { _ in 1 } ?? 0
        steps.append(Step(command: command, exitCode: code, output: ""))
      } else if !steps.isEmpty {
        steps[steps.count - 1].output += line + "\n"
      }
    }
    return steps
  }

  static var dataInstalled: Bool {
    let dirs = [ProcessInfo.processInfo.environment["DLSPEC_DATA"], "/usr/share/datasets"]
    return dirs.compactMap { $0 }.contains {
      FileManager.default.fileExists(atPath: $0 + "/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    }
  }

  static var hasGit: Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/git")
    }
  }
}
