import Foundation
import Testing

/// `dlspec gradients --format json` and `--out`: the JSON holds the text report's figures
/// (compared at the text's 4 digits, since the last bits follow the BLAS kernel), and the
/// SVG plots them on a log scale.
@Suite struct GradientsCLITests {
  @Test func jsonAgreesWithTextAndThePlotIsLogScale() throws {
    let base = ["gradients", "specs/logreg.yaml", "--checkpoint", CLI.ckpt + "ok.h5", "--batches", "1"]
    let text = try CLI.run(base)
    #expect(text.status == 0, "\(text.stderr)")
    let row = try #require(text.stdout.split(separator: "\n").first { $0.contains("dense_1  1") })
    let cells = row.split(separator: " ")
    let weight = try #require(Double(String(cells[2])))
    let bias = try #require(Double(String(cells[3])))

    let json = try CLI.run(base + ["--format", "json"])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["batches"] as? Int == 1 && object["samples"] as? Int == 100)
    let layers = try #require(object["layers"] as? [[String: Any]])
    #expect(layers.map { $0["name"] as? String } == ["dense_1"])
    let w = try #require(layers.first?["weight_norm"] as? Double)
    let b = try #require(layers.first?["bias_norm"] as? Double)
    #expect(abs(w - weight) <= 1e-3 * weight && abs(b - bias) <= 1e-3 * bias, "\(w) \(b) vs \(row)")
    #expect(layers.first?["ratio_to_last"] as? Double == 1)
    let tensors = try #require(layers.first?["tensors"] as? [[String: Any]])
    #expect(tensors.map { $0["name"] as? String } == ["weight", "bias"])
    #expect((object["activations"] as? [Any])?.isEmpty == true)

    let out = FileManager.default.temporaryDirectory.appendingPathComponent("g-\(UUID()).svg").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    let plotted = try CLI.run(base + ["--out", out])
    #expect(plotted.stdout.hasSuffix("plotted in \(out)\n"), "\(plotted.stdout)")
    let svg = try String(contentsOfFile: out, encoding: .utf8)
    #expect(svg.contains("data-axis=\"y\" data-scale=\"log\""))
    #expect(svg.contains("data-label=\"‖∂ρ/∂W‖\" data-points=\"1\""))
  }
}
