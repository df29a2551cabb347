import Foundation
import Testing

/// `dlspec train`'s exits on a numerical fault, through the binary on RunCommandTests' tiny IDX
/// fixture (the signal exits, 130 and 143, are in DLTrainTests' SignalProcessTests, which
/// also read the checkpoints back).
@Suite struct StopCommandTests {
  /// The last closing note's case, tanh at lr 1e6 (finite, huge losses that used to train on),
  /// trips the factor rule: exit 1, the rule, the step, the checkpoint, a hint; the run says
  /// failed.
  @Test func tanhAtLearningRate1e6ExitsOneAndSaysWhy() throws {
    let w = try RunCommandTests.Workspace()
    let tanh = try w.read("spec.yaml").replacingOccurrences(
      of: "    - dense: {units: 3}\n",
      with: "    - dense: {units: 16}\n    - tanh\n    - dense: {units: 3}\n")
    try tanh.write(toFile: w.file("tanh.yaml"), atomically: true, encoding: .utf8)
    let r = try w.dlspec([
      "train", "tanh.yaml", "--out", "run", "--set", "optimizer.sgd.lr=1e6",
    ])
    #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
    #expect(r.stderr.hasPrefix("error: training diverged: the loss is "), "\(r.stderr)")
    #expect(r.stderr.contains("(train.divergence_factor)"), "\(r.stderr)")
    #expect(r.stderr.contains("run/checkpoints/last-finite.h5 holds step "), "\(r.stderr)")
    #expect(r.stderr.contains("= hint: lower the learning rate"), "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: w.file("run/checkpoints/last-finite.h5")))
    let summary = try w.summary("run")
    #expect(summary["status"] as? String == "failed")
    #expect((summary["error"] as? String)?.contains("divergence_factor") == true)
    // Turned off, the same training runs to its end.
    let off = try w.dlspec([
      "train", "tanh.yaml", "--out", "off", "--set", "optimizer.sgd.lr=1e6", "--set",
      "train.divergence_factor=0", "--set", "train.divergence_patience=0",
    ])
    #expect(off.status == 0, "\(off.stderr)")
  }

  @Test func aBadDivergenceSettingIsASpecError() throws {
    let w = try RunCommandTests.Workspace()
    let r = try w.dlspec(["train", "spec.yaml", "--set", "train.divergence_patience=-1"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("error[E016]: 'divergence_patience' of 'train'"), "\(r.stderr)")
  }
}
