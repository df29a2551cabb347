import Foundation
import Testing

/// A growing run through the binary (§3.5): the insertions are printed and recorded, the grown
/// checkpoint evaluates and reports gradients, a resume continues on the grown model, and a
/// resume with another growth rule is refused.
@Suite struct GrowthCLITests {
  static let spec = """
    dlspec: 1
    name: grow
    data:
      train: {idx: {images: train-images, labels: train-labels}}
      test: {idx: {images: test-images, labels: test-labels}}
      classes: 3
    model:
      input: [6]
      layers:
        - dense: {units: 4}
        - tanh
        - dense: {units: 3}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.1}
    train: {epochs: 3, batch_size: 10, seed: 1}
    growth:
      min_improvement: 2      # more than accuracy can gain: grows after every epoch
      max_insertions: 2
      before: dense_2
      layers:
        - dense: {units: 4}
        - tanh

    """

  @Test func grownRunEvaluatesResumesAndKeepsItsRule() throws {
    let w = try RunCommandTests.Workspace()
    try Self.spec.write(toFile: w.file("grow.yaml"), atomically: true, encoding: .utf8)
    let train = try w.dlspec(["train", "grow.yaml", "--out", "run"])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stdout.contains("inserted g1_dense_1, g1_tanh_1 (insertion 1 of 2)"), "\(train.stdout)")
    #expect(train.stdout.contains("inserted g2_dense_1, g2_tanh_1 (insertion 2 of 2)"), "\(train.stdout)")
    let growth = try #require(try w.summary("run")["growth"] as? [[String: Any]])
    // The first epoch has no epoch before it to improve on.
    #expect(growth.map { $0["epoch"] as? Int } == [2, 3])
    let header = try w.read("run/metrics.csv").prefix { $0 != "\n" }
    #expect(header.hasSuffix("insertions,grad_norm_dense_1,grad_norm_g1_dense_1,grad_norm_g2_dense_1,grad_norm_dense_2"))

    let evaluate = try w.dlspec(["evaluate", "grow.yaml", "--checkpoint", "run/checkpoints/last.h5"])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    let predict = try w.dlspec(["predict", "grow.yaml", "--checkpoint", "run/checkpoints/last.h5"])
    #expect(predict.status == 0, "\(predict.stderr)")
    #expect(predict.stdout.split(separator: "\n").count > 1, "\(predict.stdout)")
    let gradients = try w.dlspec(["gradients", "grow.yaml", "--checkpoint", "run/checkpoints/last.h5"])
    #expect(gradients.status == 0, "\(gradients.stderr)")
    #expect(gradients.stdout.contains("g2_dense_1  3"), "\(gradients.stdout)")

    let changed = try w.dlspec(
      ["train", "grow.yaml", "--epochs", "4", "--resume", "run", "--set", "growth.max_insertions=3"])
    #expect(changed.status == 1)
    #expect(changed.stderr.contains("cannot take"), "\(changed.stderr)")
    #expect(changed.stderr.contains("growth.max_insertions"), "\(changed.stderr)")
    let resumed = try w.dlspec(["train", "grow.yaml", "--epochs", "4", "--resume", "run"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(try w.summary("run")["epochs"] as? Int == 4)
    // The spec without its growth section cannot rebuild the grown model.
    try Self.spec.components(separatedBy: "growth:").first?.write(
      toFile: w.file("plain.yaml"), atomically: true, encoding: .utf8)
    let plain = try w.dlspec(["evaluate", "plain.yaml", "--checkpoint", "run/checkpoints/last.h5"])
    #expect(plain.status == 1)
    #expect(plain.stderr.contains("no growth section"), "\(plain.stderr)")
  }
}
