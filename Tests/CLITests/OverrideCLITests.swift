import DLSpecTestSupport
import Foundation
import Testing

/// `train` with a bad `--set` fails before anything is written: no run directory, neither the
/// one `--out` names nor a new one under `runs/`.
@Suite struct OverrideCLITests {
  static let bad = [
    ["--set", "optimizer.sgd.lrr=0.1"],
    ["--set", "model.layers[2].dense.units=64"],
    ["--set", "name=!!python/object:os.system x"],
    ["--set", "train.epochs=abc"],
    ["--epochs", "2000000"],
  ]

  static func entries(_ path: String) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
  }

  @Test(arguments: bad)
  func badOverrideWritesNothing(_ flags: [String]) throws {
    let out = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlspec-override-\(UUID().uuidString)").path
    let runs = URL(fileURLWithPath: "runs/logreg", relativeTo: Snapshot.packageRoot).path
    let before = Self.entries(runs)
    let withOut = try CLI.run(["train", "specs/logreg.yaml", "--out", out] + flags)
    #expect(withOut.status == 1, "\(withOut.stderr)")
    #expect(withOut.stdout.isEmpty)
    #expect(withOut.stderr.hasPrefix("--set "), "\(withOut.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    let withoutOut = try CLI.run(["train", "specs/logreg.yaml"] + flags)
    #expect(withoutOut.status == 1)
    #expect(Self.entries(runs) == before, "a run directory appeared under runs/logreg")
  }
}
