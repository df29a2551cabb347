import DLSpecTestSupport
import Foundation
import Testing

/// The regression workflow through the binary: train specs/linreg.yaml, evaluate it (text and
/// JSON: MSE, MAE, R², the largest error; no accuracy, no confusion matrix), predict its
/// output vectors.
@Suite struct RegressionCLITests {
  @Test func trainEvaluatePredictLinearRegression() throws {
    let dir = try PredictInitCLITests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = dir.appendingPathComponent("run").path
    let train = try CLI.run(["train", "specs/linreg.yaml", "--out", run])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stdout.contains("mae ") && train.stdout.contains("r2 1.0000"))
    #expect(!train.stdout.contains("accuracy"))
    let checkpoint = run + "/checkpoints/last.h5"

    let text = try CLI.run(["evaluate", "specs/linreg.yaml", "--checkpoint", checkpoint])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.hasPrefix("linreg on the test split (200 samples)\n  loss "))
    #expect(text.stdout.contains("r2 1.0000") || text.stdout.contains("r2 0.9999"))
    #expect(text.stdout.contains("max |prediction − target|"))
    #expect(!text.stdout.contains("confusion"))

    let json = try CLI.run(["evaluate", "specs/linreg.yaml", "--checkpoint", checkpoint, "--format", "json"])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["split", "samples", "loss", "mse", "mae", "r2", "max_abs_error"])
    let mse = try #require(object["mse"] as? Double)
    let r2 = try #require(object["r2"] as? Double)
    #expect(mse < 1e-5 && r2 > 0.9999)

    let predict = try CLI.run(["predict", "specs/linreg.yaml", "--checkpoint", checkpoint])
    #expect(predict.status == 0, "\(predict.stderr)")
    let lines = predict.stdout.split(separator: "\n")
    #expect(lines.first == "index,output_0")
    #expect(lines.count == 201)
  }
}
