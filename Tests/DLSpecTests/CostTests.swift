import Foundation
import Testing

@testable import DLSpec

/// Cost counts against values computed by hand from the conventions in docs/cost.md:
/// a multiply-add is 2 ops; dense forward 2·in·out, backward in·out for dW plus 2·in·out for dx
/// when the input gradient is needed; activations 2 per unit forward, 1 backward; cross-entropy
/// fused with a final softmax: forward 1, backward 2K; unfused: forward 2K + 1, backward 2K.
@Suite struct CostTests {
  func experiment(_ yaml: String) throws -> Experiment {
    let r = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "cost.yaml", text: yaml))
    let e = try #require(r.experiment, "\(r.diagnostics.map(\.message))")
    #expect(IRVerifier.verify(e).isEmpty)
    return e
  }

  func line(_ r: CostReport, _ eq: String) throws -> NotesComparison.Line {
    try #require(r.notes?.lines.first { $0.equation == eq })
  }

  @Test func logisticRegression() throws {
    let e = try experiment("""
      dlspec: 1
      model: {input: [784], layers: [{dense: {units: 10}}, softmax]}
      loss: cross_entropy
      """)
    let r = CostReport(e, batch: 1)
    // θ: 10×784 + 10 = 7,850.
    #expect(r.parameters == 7_850)
    // dense: 2·784·10 = 15,680 forward; softmax 2·10 = 20; loss (fused) −log z_y = 1.
    #expect(r.rows[0].forwardOps == 15_680)
    #expect(r.rows[0].forwardMACs == 7_840)
    #expect(r.rows[1].forwardOps == 20)
    #expect(r.loss.forwardOps == 1)
    #expect(r.forwardOps == 15_701)
    // Backward: dW = δxᵀ is 784·10 = 7,840; no dx (nothing before it learns); softmax is
    // fused into the loss (0); the loss's δ = softmax − e(y) is 2K = 20.
    #expect(r.rows[0].backwardOps == 7_840)
    #expect(r.rows[1].backwardOps == 0)
    #expect(r.loss.backwardOps == 20)
    #expect(r.backwardOps == 7_860)
  }

  static let mlpYAML = """
    dlspec: 1
    model:
      input: [784]
      layers:
        - dense: {units: 100}
        - tanh
        - dense: {units: 10}
        - softmax
    loss: cross_entropy
    optimizer: {sgd: {lr: 0.1}}
    train: {batch_size: 100}
    """

  /// The worked example of docs/cost.md; the doc quotes these numbers and the last check
  /// keeps it honest.
  @Test func mlp784x100x10() throws {
    let e = try experiment(Self.mlpYAML)
    let r = CostReport(e, batch: 100)
    // Parameters: 100·784 + 100 = 78,500; 10·100 + 10 = 1,010; total 79,510.
    #expect(r.rows.map(\.parameters) == [78_500, 0, 1_010, 0])
    #expect(r.parameters == 79_510)
    // Forward: 2·78,400 = 156,800; tanh 2·100 = 200; 2·1,000 = 2,000; softmax 20; loss 1.
    #expect(r.rows.map(\.forwardOps) == [156_800, 200, 2_000, 20])
    #expect(r.forwardOps == 159_021)
    // Backward: dense_1 dW only 78,400; tanh 100; dense_2 dW 1,000 + dx 2,000 = 3,000;
    // softmax fused 0; loss 2K = 20.
    #expect(r.rows.map(\.backwardOps) == [78_400, 100, 3_000, 0])
    #expect(r.backwardOps == 81_520)
    // Per batch of 100 = 100 × per sample.
    #expect(r.perBatch(r.forwardOps) == 15_902_100)
    #expect(r.perBatch(r.backwardOps) == 8_152_000)
    // (4.12) L = 1, d_H = 100, d = 784, K = 10: 2·100·(1 + 784 + 10) + 2·10 = 159,020 = exact
    // network forward (156,800 + 200 + 2,000 + 20).
    #expect(try line(r, "(4.12)").formula == 159_020)
    #expect(try line(r, "(4.12)").exact == 159_020)
    // (4.13): 100·(2·100 + 784 + 30 + 1) + 20 = 101,520; exact 81,520: 2·d_H² = 20,000 more.
    #expect(try line(r, "(4.13)").formula == 101_520)
    #expect(try line(r, "(4.13)").exact == 81_520)
    // (4.14): 100·(784 + 10) + 10 = 79,410; exact 79,510: short by d_H = 100 (b¹).
    #expect(try line(r, "(4.14)").formula == 79_410)
    // (4.15): 79,410 + 2·100·100 = 99,410 numbers.
    #expect(try line(r, "(4.15)").formula == 99_410)
    // Training memory at batch 100 (sgd without momentum: no optimizer state), in bytes:
    //   parameters 79,510·4 = 318,040; gradients 318,040;
    //   data: input 100·784·4 = 313,600 + labels 100·4 = 400 → 314,000;
    //   activations: dense_1 100·100 + dense_2 100·10 = 11,000 (tanh, softmax in place) → 44,000;
    //   δ buffers: widest gradient 100 wide → 2·100·100·4 = 80,000.
    //   total 318,040·2 + 314,000 + 44,000 + 80,000 = 1,074,080.
    let m = r.memory
    #expect(m.bytes(.parameters) == 318_040)
    #expect(m.bytes(.gradients) == 318_040)
    #expect(m.bytes(.optimizerState) == 0)
    #expect(m.bytes(.data) == 314_000)
    #expect(m.bytes(.activations) == 44_000)
    #expect(m.bytes(.backpropagation) == 80_000)
    #expect(m.totalBytes == 1_074_080)
    #expect(try line(r, "(4.15)").exact == 268_520)  // 1,074,080 / 4

    let doc = try String(
      contentsOf: TestSpecs.root.appendingPathComponent("docs/cost.md"), encoding: .utf8)
    for n in ["79,510", "159,021", "81,520", "15,902,100", "8,152,000", "159,020", "101,520",
      "79,410", "99,410", "1,074,080", "20,000"]
    {
      #expect(doc.contains(n), "docs/cost.md should quote \(n)")
    }
  }

  /// The notes' worked example: L = 5 hidden layers of d_H = 500, d = 1,000, K = 100, N = 1,000.
  @Test func notesWorkedExample() throws {
    var layers = ""
    for _ in 0..<5 { layers += "    - dense: {units: 500}\n    - relu\n" }
    let e = try experiment(
      "dlspec: 1\nmodel:\n  input: [1000]\n  layers:\n" + layers
        + "    - dense: {units: 100}\n    - softmax\nloss: cross_entropy\ntrain: {batch_size: 1000}\n")
    let r = CostReport(e, batch: 1_000)
    let notes = try #require(r.notes)
    #expect(notes.L == 5 && notes.dH == 500 && notes.d == 1_000 && notes.K == 100 && notes.N == 1_000)
    // (4.12) = 2·4·(500² + 500) + 2·500·(1 + 1000 + 100) + 2·100
    //        = 2,004,000 + 1,101,000 + 200 = 3,105,200.
    // Exact: 2·1000·500 + 4·2·500² + 2·500·100 + 5·2·500 (relu) + 2·100 (softmax)
    //        = 1,000,000 + 2,000,000 + 100,000 + 5,000 + 200 = 3,105,200: they agree.
    let f412 = try line(r, "(4.12)")
    #expect(f412.formula == 3_105_200)
    #expect(f412.exact == 3_105_200)
    #expect(f412.why == nil)
    // (4.13) = 4·(3·500² + 500) + 500·(2·500 + 1000 + 3·100 + 1) + 2·100
    //        = 3,002,000 + 1,150,500 + 200 = 4,152,700.
    // Exact: dense_1 dW only 500,000; 4 hidden 3·500² = 750,000 each → 3,000,000;
    //        output 3·500·100 = 150,000; relu 5·500 = 2,500; loss 200 → 3,652,700.
    // (4.13) exceeds it by 2·d_H² = 500,000.
    let f413 = try line(r, "(4.13)")
    #expect(f413.formula == 4_152_700)
    #expect(f413.exact == 3_652_700)
    #expect(f413.formula - f413.exact == 2 * 500 * 500)
    #expect(f413.why?.contains("2·d_H²") == true)
    // (4.14) = 4·(500² + 500) + 500·(1000 + 100) + 100 = 1,002,000 + 550,000 + 100 = 1,552,100.
    // Exact: 500,500 + 4·250,500 + 50,100 = 1,552,600: (4.14) is short by d_H = 500 (b¹).
    let f414 = try line(r, "(4.14)")
    #expect(f414.formula == 1_552_100)
    #expect(f414.exact == 1_552_600)
    #expect(f414.exact - f414.formula == 500)
    #expect(f414.why?.contains("b¹") == true)
    // (4.15) = 1,552,100 + 2·1000·500 = 2,552,100 numbers = 10,208,400 bytes in float32
    // (the notes' "0.08 GB" is 2,552,100 · 32 bits ≈ 0.08 Gbit).
    let f415 = try line(r, "(4.15)")
    #expect(f415.formula == 2_552_100)
    // Exact training memory, bytes (default optimizer: sgd without momentum):
    //   parameters + gradients 2·1,552,600·4 = 12,420,800; input 1000·1000·4 = 4,000,000,
    //   labels 4,000; activations (5·1000·500 + 1000·100)·4 = 10,400,000;
    //   δ buffers 2·1000·500·4 = 4,000,000; total 30,824,800 = 7,706,200 numbers.
    #expect(r.memory.totalBytes == 30_824_800)
    #expect(f415.exact == 7_706_200)
    // The same in bytes, and where the notes' "≈ 0.08 GB" comes from.
    let bytes = try #require(r.notes?.lines.first { $0.equation == "(4.15)" && $0.unit == "bytes" })
    #expect(bytes.formula == 10_208_400)
    #expect(bytes.exact == 30_824_800)
    #expect(bytes.why?.contains("10.21 MB") == true)
    #expect(bytes.why?.contains("gigabits") == true)
  }

  @Test func convNet() throws {
    let e = try experiment("""
      dlspec: 1
      model:
        input: [1, 28, 28]
        layers:
          - conv2d: {filters: 8, kernel: 5}
          - relu
          - maxpool: {size: 2}
          - flatten
          - dense: {units: 10}
      loss: cross_entropy
      optimizer: {sgd: {lr: 0.1, momentum: 0.9}}
      train: {batch_size: 50}
      """)
    let r = CostReport(e, batch: 50)
    #expect(e.model.layers.map(\.outputShape) == [
      Shape([8, 24, 24]), Shape([8, 24, 24]), Shape([8, 12, 12]), Shape([1152]), Shape([10]),
    ])
    // conv: 24·24 = 576 positions; MACs 8·576·(1·5·5) = 115,200; fwd 2·115,200 = 230,400
    // (bias adds included, as in dense); params 8·1·5·5 + 8 = 208; im2col [1·5·5, 576] = 14,400.
    #expect(r.rows[0].forwardMACs == 115_200)
    #expect(r.rows[0].forwardOps == 230_400)
    #expect(r.rows[0].parameters == 208)
    #expect(e.model.layers[0].cost.workspaceElements == 14_400)
    // conv backward: dW 2·115,200 + db 8·576 = 235,008; no dx (first layer).
    #expect(r.rows[0].backwardOps == 235_008)
    // relu over 4,608: 9,216 / 4,608. maxpool 2×2 → 1,152 outputs, 3 comparisons each = 3,456;
    // backward 1 per output = 1,152. flatten 0.
    #expect(r.rows.map(\.forwardOps)[1...3] == [9_216, 3_456, 0])
    #expect(r.rows.map(\.backwardOps)[1...3] == [4_608, 1_152, 0])
    // dense 1,152 → 10: params 11,530; MACs 11,520; fwd 23,040; bwd 11,520 + 23,040 = 34,560.
    #expect(r.rows[4].parameters == 11_530)
    #expect(r.rows[4].forwardMACs == 11_520)
    #expect(r.rows[4].backwardOps == 34_560)
    // No softmax layer: the loss computes it, forward 2·10 + 1 = 21, backward 20.
    #expect(r.loss.forwardOps == 21 && r.loss.backwardOps == 20)
    #expect(r.parameters == 11_738)
    #expect(r.forwardMACs == 126_720)
    #expect(r.forwardOps == 266_133)  // 230,400 + 9,216 + 3,456 + 23,040 + 21
    #expect(r.backwardOps == 275_348)  // 235,008 + 4,608 + 1,152 + 34,560 + 20
    #expect(r.notes == nil)
    // Training memory at batch 50, bytes:
    //   parameters, gradients, momentum: 3·11,738·4 = 140,856;
    //   data: 50·784·4 + 50·4 = 157,000;
    //   activations: conv 50·4,608 + pool 50·1,152 + dense 50·10 = 288,500 (relu, flatten in
    //   place) → 1,154,000; maxpool argmax Int32 50·1,152·4 = 230,400;
    //   im2col workspace: the runtime lowers a group of G samples at once into
    //   [C·k·k + F, G·H'·W'] = (25 + 8)·576·G elements; G = 50 (the whole batch fits its
    //   target), so 950,400·4 = 3,801,600; δ buffers 2·50·4,608·4 = 1,843,200.
    //   total 7,327,056.
    let m = r.memory
    #expect(m.bytes(.parameters) + m.bytes(.gradients) + m.bytes(.optimizerState) == 140_856)
    #expect(m.bytes(.data) == 157_000)
    #expect(m.bytes(.activations) == 1_154_000)
    #expect(m.bytes(.masks) == 230_400)
    #expect(m.bytes(.workspace) == 3_801_600)
    #expect(m.bytes(.backpropagation) == 1_843_200)
    #expect(m.totalBytes == 7_327_056)
    #expect(TrainingMemory(e, batch: 50).totalBytes == 7_327_056)
  }
}
