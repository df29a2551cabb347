import DLRuntime
import DLSpecTestSupport
import Foundation
import Testing

@testable import DLSpec

/// The layer table (Tests/DLSpecTestSupport/LayerTable.swift): each row's shapes, and the
/// rules that make adding a kind without its row, gradient check, example or docs row fail.
@Suite struct LayerTableTests {
  static func layer(_ row: LayerRow) throws -> LayerIR {
    // mse accepts any flat output; a flatten keeps image outputs legal for the loss, and a
    // dense layer gives parameter-free kinds something to train (E037 refuses a model without).
    let text = """
      dlspec: 1
      model:
        input: \(row.input)
        layers:
          - \(row.yaml)
          - flatten
          - dense: {units: 1}
      loss: mse

      """
    let r = SpecChecker(memoryLimit: 24 << 30).check(
      SourceFile(path: "\(row.kind).yaml", text: text))
    let e = try #require(r.experiment, "\(r.diagnostics.map(\.message))")
    #expect(IRVerifier.verify(e).isEmpty)
    return e.model.layers[0]
  }

  @Test(arguments: layerTable)
  func row(_ row: LayerRow) throws {
    let layer = try Self.layer(row)
    #expect(layer.kindName == row.kind)
    #expect(layer.inputShape == Shape(row.input))
    #expect(layer.outputShape == Shape(row.output))
    #expect(layer.parameters.map(\.name) == row.parameters.map(\.0))
    #expect(layer.parameters.map(\.shape) == row.parameters.map { Shape($0.1) })
    #expect(layer.state.map(\.name) == row.state.map(\.0))
    #expect(layer.state.map(\.shape) == row.state.map { Shape($0.1) })
  }

  @Test func everyRegisteredKindHasARow() {
    let rows = Set(layerTable.map(\.kind))
    let kinds = Set(LayerRegistry.builtIn.names)
    #expect(
      kinds.subtracting(rows).isEmpty, "kinds without a row: \(kinds.subtracting(rows).sorted())")
    #expect(
      rows.subtracting(kinds).isEmpty, "rows for unknown kinds: \(rows.subtracting(kinds).sorted())"
    )
    #expect(layerTable.count == kinds.count, "one row per kind")
  }

  /// A kind's gradient is proven by finite differences (GradientCheckTests runs these specs).
  @Test(arguments: layerTable)
  func rowHasAGradientCheckUsingItsKind(_ row: LayerRow) {
    let uses = row.gradcheck.filter { g in
      g.layers.contains { $0 == row.kind || $0.hasPrefix(row.kind + ":") }
    }
    #expect(!uses.isEmpty, "\(row.kind): no gradcheck spec in its row uses it")
  }

  /// Every kind is used by at least one example spec under specs/.
  @Test func everyRegisteredKindHasAnExampleSpec() throws {
    let directory = Snapshot.packageRoot.appendingPathComponent("specs")
    let texts = try FileManager.default.contentsOfDirectory(atPath: directory.path)
      .filter { $0.hasSuffix(".yaml") }
      .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    let used = Set(
      texts.flatMap { $0.split(separator: "\n") }.compactMap { line -> String? in
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("- ") else { return nil }
        return String(t.dropFirst(2).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
      })
    let missing = Set(LayerRegistry.builtIn.names).subtracting(used).sorted()
    #expect(missing.isEmpty, "kinds no spec under specs/ uses: \(missing)")
  }

  /// An activation's runtime kernel against its row's plain σ (forward) and against central
  /// differences of that σ (backward, from the saved output), skipping kinks.
  @Test(arguments: layerTable.filter { $0.reference != nil })
  func activationKernelMatchesReference(_ row: LayerRow) throws {
    let sigma = try #require(row.reference)
    let kernel = try #require(try Self.layer(row).kind.activationKernel(Double.self))
    var generator = RandomGenerator(seed: 5)
    let z = (0..<64).map { _ in Double.random(in: -3..<3, using: &generator) } + [0, 0.5, -0.0]
    let dyValues = (0..<z.count).map { _ in Double.random(in: -1..<1, using: &generator) }
    var y = [Double](repeating: 0, count: z.count)
    var dx = [Double](repeating: 0, count: z.count)
    z.withUnsafeBufferPointer { zp in
      y.withUnsafeMutableBufferPointer { yp in
        kernel.forward(zp.baseAddress!, yp.baseAddress!, z.count)
      }
    }
    for i in z.indices { #expect(abs(y[i] - sigma(z[i])) <= 1e-12, "\(row.kind)(\(z[i]))") }
    y.withUnsafeBufferPointer { yp in
      dyValues.withUnsafeBufferPointer { dp in
        dx.withUnsafeMutableBufferPointer { xp in
          kernel.backward(yp.baseAddress!, dp.baseAddress!, xp.baseAddress!, z.count)
        }
      }
    }
    let h = 1e-6
    for i in z.indices where !(row.kink?(z[i]) ?? false) {
      let numeric = (sigma(z[i] + h) - sigma(z[i] - h)) / (2 * h) * dyValues[i]
      #expect(abs(dx[i] - numeric) <= 1e-6, "\(row.kind)'(\(z[i])): \(dx[i]) vs \(numeric)")
    }
  }

  /// docs/spec-language.md's layer table is generated from the registry; RECORD_SNAPSHOTS=1
  /// rewrites it in place.
  @Test func specLanguageLayerTableMatchesRegistry() throws {
    let path = Snapshot.packageRoot.appendingPathComponent("docs/spec-language.md")
    let text = try String(contentsOf: path, encoding: .utf8)
    let begin = "<!-- layer table: generated from LayerRegistry.builtIn by LayerTableTests -->\n"
    let end = "<!-- end of layer table -->"
    let start = try #require(text.range(of: begin), "no generated-table marker in \(path.path)")
    let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex))
    let generated = LayerTableDoc.markdown(LayerRegistry.builtIn)
    let updated = text.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: generated)
    if let failure = Snapshot.mismatch(updated, expected: text, recordTo: path) {
      Issue.record(Comment(rawValue: failure))
    }
  }
}

/// The markdown of docs/spec-language.md's layer table, one row per key, from `ParamSpec`s.
enum LayerTableDoc {
  static func markdown(_ registry: LayerRegistry) -> String {
    var out = "| kind | key | accepts | default | meaning |\n|---|---|---|---|---|\n"
    for name in registry.names {
      guard let kind = registry.kinds[name] else { continue }
      if kind.params.isEmpty {
        out += "| `\(name)` | — | | | \(kind.summary) |\n"
        continue
      }
      for (i, p) in kind.params.enumerated() {
        let value = p.defaultValue.map { "`\($0)`" } ?? (p.required ? "required" : "none")
        out +=
          "| \(i == 0 ? "`\(name)`" : "") | `\(p.name)` | \(p.type.expected) | \(value) | \(p.doc) |\n"
      }
    }
    return out
  }
}

extension LayerRow: CustomTestStringConvertible {
  public var testDescription: String { yaml }
}

extension LayerRow.GradCheck: CustomTestStringConvertible {
  public var testDescription: String { description }
}
