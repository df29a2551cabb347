import DLSpec
import Testing

/// The starter specs of `dlspec init`: each checks without a diagnostic, trains on
/// Fashion-MNIST, and is commented on every line that sets something.
@Suite struct SpecTemplateTests {
  @Test(arguments: SpecTemplate.allCases)
  func templateValidatesCleanly(_ template: SpecTemplate) throws {
    let text = template.text(name: "starter")
    let result = SpecChecker().check(SourceFile(path: "starter.yaml", text: text))
    #expect(result.isValid, "\(result.diagnostics)")
    #expect(result.diagnostics.isEmpty, "warnings: \(result.diagnostics)")
    let e = try #require(result.experiment)
    #expect(e.name == "starter")
    guard case .named(let dataset) = e.data?.source else {
      Issue.record("\(template) does not name a dataset")
      return
    }
    #expect(dataset == "fashion-mnist")
    #expect(e.model.output.elementCount == 10)
  }

  /// Every line that sets a key carries a comment saying what it does (a line may instead be
  /// explained by the comment line right above it, as the inverse schedule is).
  @Test(arguments: SpecTemplate.allCases)
  func everyKeyIsCommented(_ template: SpecTemplate) {
    let lines = template.text(name: "starter").split(separator: "\n").map(String.init)
    for (i, line) in lines.enumerated() {
      let content = line.trimmingPrefix(while: { $0 == " " })
      if content.isEmpty || content.hasPrefix("#") { continue }
      // Section headers (`model:`) are explained by their keys.
      if content.hasSuffix(":") && !content.contains(" ") { continue }
      let above = i > 0 && lines[i - 1].trimmingPrefix(while: { $0 == " " }).hasPrefix("#")
      #expect(line.contains(" # ") || above, "\(template) line \(i + 1) has no comment: \(line)")
      #expect(line.count <= 100, "\(template) line \(i + 1) is over 100 columns")
    }
  }

  @Test func templatesDiffer() {
    let texts = Set(SpecTemplate.allCases.map { $0.text(name: "x") })
    #expect(texts.count == SpecTemplate.allCases.count)
    #expect(SpecTemplate.cnn.text(name: "x").contains("conv2d"))
    #expect(SpecTemplate.mlp.text(name: "x").contains("tanh"))
  }
}
