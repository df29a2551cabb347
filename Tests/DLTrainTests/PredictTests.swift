import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// A 3-class logistic regression on 4 inputs with hand-set weights, and an independent
/// computation of what predict must write for it.
enum PredictFixtures {
  /// W (3×4) and b: class scores u = Wx + b.
  static let weight: [Float] = [0.5, -1, 0.25, 2, -0.75, 0.5, 1.5, -0.25, 1, 1, -1, 0.5]
  static let bias: [Float] = [0.1, -0.2, 0.3]
  static let sampleCount = 7

  /// Sample i, feature j: deterministic values in about (−1, 1).
  static func x(_ i: Int, _ j: Int) -> Float { Float(sin(Double(i * 4 + j) * 1.7 + 0.3)) }

  static var inputs: [Float] {
    (0..<sampleCount).flatMap { i in (0..<4).map { j in x(i, j) } }
  }

  /// A spec: input [4], dense 3, then `last` (e.g. "- softmax", or "" for none).
  static func spec(last: String, loss: String = "cross_entropy", input: String = "[4]") -> String {
    """
    dlspec: 1
    name: tiny
    model:
      input: \(input)
      layers:
        - dense: {units: 3}
        \(last)
    loss: \(loss)
    optimizer:
      sgd: {lr: 0.1}
    train:
      batch_size: 2

    """
  }

  static func plan(last: String = "- softmax", loss: String = "cross_entropy", batch: Int = 3)
    throws -> Plan<Float>
  {
    let plan = Plan<Float>(
      try PlanFixtures.experiment(text: spec(last: last, loss: loss)), batch: batch)
    let slices = plan.parameterSlices[0]
    for s in slices {
      let values = s.name == "weight" ? weight : bias
      for k in 0..<s.count { plan.parameters[s.offset + k] = values[k] }
    }
    return plan
  }

  /// The logits of sample i, computed here in Double, independently of the runtime's GEMM.
  static func logits(_ i: Int) -> [Double] {
    (0..<3).map { c in
      Double(bias[c]) + (0..<4).reduce(0.0) { $0 + Double(weight[c * 4 + $1]) * Double(x(i, $1)) }
    }
  }

  /// Softmax by hand: e^{u_k} / Σ_j e^{u_j}.
  static func probabilities(_ i: Int) -> [Double] {
    let e = logits(i).map { Foundation.exp($0) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
  }

  /// Writes x_test (N×4 float32) to an HDF5 file.
  static func inputFile(in dir: TemporaryDirectory, name: String = "x.h5") throws -> String {
    let path = dir.path(name)
    let file = try HDF5File.create(path)
    try file.write(inputs, shape: [sampleCount, 4], to: "x_test")
    file.close()
    return path
  }
}

/// Collects every batch a predictor writes.
final class CollectingWriter: PredictionWriter {
  var batches: [PredictionBatch] = []
  var kind: PredictionKind?
  var finished = false
  func begin(kind: PredictionKind, hasLabels: Bool) throws { self.kind = kind }
  func write(_ batch: PredictionBatch) throws { batches.append(batch) }
  func finish() throws { finished = true }
  func abandon() {}
}

@Suite struct PredictTests {
  typealias F = PredictFixtures

  static let tolerance = 1e-6

  func predict(
    _ plan: Plan<Float>, input: PredictionInput, kind: PredictionKind = .classification(top: 3)
  ) throws -> CollectingWriter {
    let writer = CollectingWriter()
    try Predictor.run(plan, input: input, kind: kind, writer: writer)
    return writer
  }

  @Test func classesAndProbabilitiesMatchAHandSoftmax() throws {
    let dir = try TemporaryDirectory()
    let writer = try predict(try F.plan(), input: try HDF5PredictionInput(try F.inputFile(in: dir)))
    #expect(writer.finished)
    // 7 samples in batches of 3: 3 + 3 + 1.
    #expect(writer.batches.map(\.count) == [3, 3, 1])
    let rows = writer.batches
    let predicted = rows.flatMap(\.predicted)
    let classes = rows.flatMap(\.topClasses)
    let probabilities = rows.flatMap(\.topProbabilities)
    #expect(rows.flatMap(\.indices) == Array(0..<7))
    for i in 0..<F.sampleCount {
      let p = F.probabilities(i)
      let order = [0, 1, 2].sorted { p[$0] > p[$1] }
      #expect(predicted[i] == order[0], "sample \(i)")
      #expect(Array(classes[i * 3..<i * 3 + 3]) == order, "sample \(i): most probable first")
      for k in 0..<3 {
        #expect(abs(Double(probabilities[i * 3 + k]) - p[order[k]]) < Self.tolerance)
      }
      let row = probabilities[i * 3..<i * 3 + 3]
      #expect(row[i * 3] >= row[i * 3 + 1] && row[i * 3 + 1] >= row[i * 3 + 2])
    }
    // The fixture must exercise more than one class, or "predicted" could be a constant.
    #expect(Set(predicted).count > 1)
  }

  @Test func topKIsAPrefixOfTheRanking() throws {
    let dir = try TemporaryDirectory()
    let path = try F.inputFile(in: dir)
    let full = try predict(try F.plan(), input: try HDF5PredictionInput(path))
    let one = try predict(
      try F.plan(), input: try HDF5PredictionInput(path), kind: .classification(top: 1))
    #expect(one.batches.flatMap(\.topClasses) == full.batches.flatMap(\.predicted))
    #expect(Predictor.ranking([0.2, 0.5, 0.2, 0.1], top: 3).map(\.class) == [1, 0, 2])
  }

  /// Softmax, log_softmax or no final layer under cross_entropy: the scores are logits in each
  /// case, and predict reports the same probabilities.
  @Test(arguments: ["- softmax", "- log_softmax", ""])
  func everyFinalLayerGivesProbabilities(last: String) throws {
    let dir = try TemporaryDirectory()
    let writer = try predict(
      try F.plan(last: last), input: try HDF5PredictionInput(try F.inputFile(in: dir)))
    let probabilities = writer.batches.flatMap(\.topProbabilities)
    let classes = writer.batches.flatMap(\.topClasses)
    for i in 0..<F.sampleCount {
      let p = F.probabilities(i)
      for k in 0..<3 {
        #expect(abs(Double(probabilities[i * 3 + k]) - p[classes[i * 3 + k]]) < Self.tolerance)
      }
    }
  }

  /// Under mse nothing is fused: a final softmax's output is written as is, and a model
  /// without one writes its raw scores.
  @Test func regressionWritesTheModelsOutput() throws {
    let dir = try TemporaryDirectory()
    let path = try F.inputFile(in: dir)
    let withSoftmax = try F.plan(last: "- softmax", loss: "mse")
    let kind = Predictor.kind(loss: .mse, outputWidth: 3, top: 3)
    #expect(kind == .regression(width: 3))
    let soft = try predict(withSoftmax, input: try HDF5PredictionInput(path), kind: kind)
    let raw = try predict(
      try F.plan(last: "", loss: "l1"), input: try HDF5PredictionInput(path), kind: kind)
    let softOutputs = soft.batches.flatMap(\.outputs)
    let rawOutputs = raw.batches.flatMap(\.outputs)
    #expect(soft.batches.allSatisfy { $0.predicted.isEmpty })
    for i in 0..<F.sampleCount {
      for c in 0..<3 {
        #expect(abs(Double(softOutputs[i * 3 + c]) - F.probabilities(i)[c]) < Self.tolerance)
        #expect(abs(Double(rawOutputs[i * 3 + c]) - F.logits(i)[c]) < 1e-5)
      }
    }
  }

  @Test func batchSizeDoesNotChangeTheRows() throws {
    let dir = try TemporaryDirectory()
    let path = try F.inputFile(in: dir)
    var texts: [String] = []
    for batch in [2, 3, 7, 64] {
      let out = dir.path("p\(batch).csv")
      let writer = CSVPredictionWriter(try TextOutput(path: out))
      try Predictor.run(
        try F.plan(batch: batch), input: try HDF5PredictionInput(path),
        kind: .classification(top: 2), writer: writer)
      texts.append(try String(contentsOfFile: out, encoding: .utf8))
    }
    #expect(texts.count == 4)
    #expect(texts.allSatisfy { $0 == texts[0] })
    #expect(texts[0].split(separator: "\n").count == 1 + F.sampleCount)
  }

  @Test func csvHasTheDocumentedColumns() throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("p.csv")
    let output = try TextOutput(path: out)
    let writer = CSVPredictionWriter(output)
    let data = try Dataset(
      x: F.inputs, y: [0, 1, 2, 0, 1, 2, 0], sampleShape: [4], classCount: 3)
    try Predictor.run(
      try F.plan(), input: DatasetPredictionInput(data, indices: [6, 0, 3], name: "test"),
      kind: .classification(top: 2), writer: writer)
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    #expect(lines.first == "index,label,predicted,top1_class,top1_prob,top2_class,top2_prob")
    #expect(lines.count == 4)
    for (line, i) in zip(lines.dropFirst(), [6, 0, 3]) {
      let cells = line.split(separator: ",").map(String.init)
      let p = F.probabilities(i)
      let order = [0, 1, 2].sorted { p[$0] > p[$1] }
      #expect(cells.count == 7)
      guard cells.count == 7 else { continue }
      #expect(cells[0] == "\(i)")
      #expect(cells[1] == "\(i % 3)")
      #expect(cells[2] == "\(order[0])")
      #expect(cells[3] == "\(order[0])" && cells[5] == "\(order[1])")
      #expect(abs((Double(cells[4]) ?? -1) - p[order[0]]) < Self.tolerance)
      #expect(abs((Double(cells[6]) ?? -1) - p[order[1]]) < Self.tolerance)
    }
    #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
    #expect(
      CSVPredictionWriter.header(kind: .regression(width: 2), hasLabels: false)
        == "index,output_0,output_1")
  }

  @Test func jsonLinesParseOneObjectPerSample() throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("p.jsonl")
    try Predictor.run(
      try F.plan(), input: try HDF5PredictionInput(try F.inputFile(in: dir)),
      kind: .classification(top: 3), writer: JSONLinesPredictionWriter(try TextOutput(path: out)))
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == F.sampleCount)
    for (i, line) in lines.enumerated() {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let o = try #require(object)
      #expect(Set(o.keys) == ["index", "predicted", "top_classes", "top_probabilities"])
      #expect(o["index"] as? Int == i)
      let p = F.probabilities(i)
      let classes = try #require(o["top_classes"] as? [Int])
      let probabilities = try #require(o["top_probabilities"] as? [Double])
      #expect(classes == [0, 1, 2].sorted { p[$0] > p[$1] })
      #expect(o["predicted"] as? Int == classes.first)
      for k in 0..<3 { #expect(abs(probabilities[k] - p[classes[k]]) < Self.tolerance) }
    }
  }

  @Test func hdf5OutputHoldsTheDatasets() throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("p.h5")
    let reference = try predict(
      try F.plan(), input: try HDF5PredictionInput(try F.inputFile(in: dir)))
    try Predictor.run(
      try F.plan(), input: try HDF5PredictionInput(try F.inputFile(in: dir)),
      kind: .classification(top: 3), writer: HDF5PredictionWriter(path: out, chunkRows: 3))
    #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
    let file = try HDF5File.open(out)
    defer { file.close() }
    #expect(try file.stringAttribute("format") == "dlspec-predictions")
    #expect(!file.exists("label"))
    let predicted = try file.read("predicted", as: Int64.self)
    #expect(predicted.shape == [7])
    #expect(predicted.values.map(Int.init) == reference.batches.flatMap(\.predicted))
    let classes = try file.read("top_classes", as: Int64.self)
    #expect(classes.shape == [7, 3])
    #expect(classes.values.map(Int.init) == reference.batches.flatMap(\.topClasses))
    let probabilities = try file.read("top_probabilities", as: Float.self)
    #expect(try file.datasetInfo("top_probabilities").elementType == .float32)
    #expect(probabilities.values == reference.batches.flatMap(\.topProbabilities))
    #expect(try file.read("index", as: Int64.self).values == (0..<7).map(Int64.init))
  }

  /// h5py reads the file (skipped when python3 with h5py and numpy is not installed).
  @Test(.enabled(if: DataFixtures.hasH5py)) func hdf5OutputReadsInH5py() throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("p.h5")
    try Predictor.run(
      try F.plan(last: "", loss: "mse"), input: try HDF5PredictionInput(try F.inputFile(in: dir)),
      kind: .regression(width: 3), writer: HDF5PredictionWriter(path: out, chunkRows: 2))
    let script = """
      import sys, h5py
      f = h5py.File(sys.argv[1], 'r')
      o = f['outputs']
      print(sorted(f.keys()), o.shape, o.dtype, o.chunks, o.maxshape)
      print(' '.join('%.6f' % v for v in o[3]))
      """
    let (status, stdout, stderr) = try #require(DataFixtures.python(script, [out]))
    #expect(status == 0, "\(stderr)")
    let lines = stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "['index', 'outputs'] (7, 3) float32 (2, 3) (None, 3)")
    #expect(lines.last == F.logits(3).map { String(format: "%.6f", $0) }.joined(separator: " "))
  }

  @Test func idxInputStreamsTheSamePixels() throws {
    let dir = try TemporaryDirectory()
    // 5 images of 2×2 uint8: pixel values known, so the HDF5 twin holds them ÷ 255.
    let bytes: [UInt8] = (0..<20).map { UInt8(($0 * 37) % 256) }
    for gzip in [false, true] {
      let idx = dir.path(gzip ? "i.gz" : "i.idx")
      try IDXFile.write(IDXArray(uint8: bytes, shape: [5, 2, 2]), to: idx, gzip: gzip)
      let input = try PredictionInputs.open(idx)
      #expect(input.sampleShape == [1, 2, 2])
      #expect(input.count == 5)
      try input.checkFits(Shape([4]))
      let twin = dir.path("twin.h5")
      let file = try HDF5File.create(twin)
      try file.write(bytes.map { Float($0) / 255 }, shape: [5, 4], to: "x")
      file.close()
      let fromIDX = try predict(try F.plan(batch: 2), input: input)
      let fromHDF5 = try predict(try F.plan(batch: 2), input: try PredictionInputs.open(twin))
      #expect(fromIDX.batches == fromHDF5.batches)
      #expect(fromIDX.batches.map(\.count) == [2, 2, 1])
    }
  }

  @Test func uint8HDF5IsScaledLikeTraining() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("u.h5")
    let file = try HDF5File.create(path)
    try file.write([0, 255, 51, 102] as [UInt8], shape: [1, 4], to: "x")
    file.close()
    let input = try HDF5PredictionInput(path)
    var x = [Float](repeating: -1, count: 4)
    var labels = [Int32](repeating: 0, count: 1)
    try input.readNext(1, x: &x, labels: &labels)
    #expect(x == [0, 1, 0.2, 0.4])
  }

  @Test func shapeThatDoesNotFitIsRefusedNamingBoth() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("x.h5")
    let file = try HDF5File.create(path)
    try file.write([Float](repeating: 0, count: 2 * 12), shape: [2, 2, 2, 3], to: "x_test")
    try file.write([Float](repeating: 0, count: 2 * 4), shape: [2, 4], to: "flat")
    file.close()
    let input = try PredictionInputs.open(path)
    #expect(input.sampleShape == [2, 2, 3])
    let tooMany = PredictionInputError.badShape(
      "input '\(path)' x_test has samples of shape [2, 2, 3]; the model takes [4]")
    #expect(throws: tooMany) { try input.checkFits(Shape([4])) }
    // Same count, channels in another place: refused rather than scrambled.
    let permuted = PredictionInputError.badShape(
      "input '\(path)' x_test has samples of shape [2, 2, 3]; the model takes [3, 2, 2]")
    #expect(throws: permuted) { try input.checkFits(Shape([3, 2, 2])) }
    try input.checkFits(Shape([12]))
    // A flat N×4 feeds both [4] and [1, 2, 2].
    let flat = try PredictionInputs.open(path, dataset: "flat")
    try flat.checkFits(Shape([4]))
    try flat.checkFits(Shape([1, 2, 2]))
  }

  @Test func badInputsAreNamed() throws {
    let dir = try TemporaryDirectory()
    #expect(throws: PredictionInputError.missing(dir.path("none.h5"))) {
      try PredictionInputs.open(dir.path("none.h5"))
    }
    let path = try F.inputFile(in: dir)
    let noPixels = PredictionInputError.noDataset(
      file: path, tried: ["pixels"], available: ["x_test"])
    #expect(throws: noPixels) { try PredictionInputs.open(path, dataset: "pixels") }
    let text = dir.path("notes.txt")
    try "hello, world".write(toFile: text, atomically: true, encoding: .utf8)
    #expect(throws: PredictionInputError.unknownFormat(text)) { try PredictionInputs.open(text) }
    let message = PredictionInputError.noDataset(
      file: "a.h5", tried: ["x_test", "x"], available: ["y"])
    #expect(
      message.description
        == "input 'a.h5' has no dataset 'x_test' or 'x' (it has datasets y); "
        + "name one with --input-dataset")
  }

  @Test func failuresLeaveNoFileBehind() throws {
    let dir = try TemporaryDirectory()
    let out = dir.path("p.csv")
    let output = try TextOutput(path: out)
    try output.write("index\n")
    #expect(FileManager.default.fileExists(atPath: out + ".tmp"))
    #expect(!FileManager.default.fileExists(atPath: out))
    output.abandon()
    #expect(!FileManager.default.fileExists(atPath: out + ".tmp"))
    #expect(!FileManager.default.fileExists(atPath: out))

    let h5 = dir.path("p.h5")
    let writer = HDF5PredictionWriter(path: h5)
    try writer.begin(kind: .classification(top: 2), hasLabels: false)
    writer.abandon()
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
  }

  /// A raw IDX file short of records is refused when opened (its size says so); a gzip one
  /// when the read reaches the missing records.
  @Test func truncatedIDXIsAnError() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("t.idx")
    var bytes = IDXFile.encode(IDXArray(uint8: [UInt8](repeating: 7, count: 12), shape: [3, 2, 2]))
    bytes.removeLast(5)
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    #expect(throws: IDXError.payloadLength(path: path, shape: [3, 2, 2], expected: 12, actual: 7)) {
      try PredictionInputs.open(path)
    }
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    gzip.arguments = ["gzip", "-k", path]
    try gzip.run()
    gzip.waitUntilExit()
    #expect(gzip.terminationStatus == 0)
    let input = try PredictionInputs.open(path + ".gz")
    // 7 payload bytes: one whole 4-byte record, then a short one.
    let plan = try F.plan(batch: 1)
    let writer = CollectingWriter()
    #expect(throws: IDXError.self) {
      try Predictor.run(plan, input: input, kind: .classification(top: 1), writer: writer)
    }
    #expect(writer.batches.count == 1, "the first whole batch is read before the short one")
  }

  @Test func checkpointRoundTripPredictsTheSame() throws {
    let dir = try TemporaryDirectory()
    let ckpt = dir.path("c.h5")
    let source = try F.plan()
    try Checkpoint.save(
      source, to: ckpt, metadata: .init(specHash: "", epoch: 1, step: 1, rngState: [1, 2, 3, 4]),
      optimizer: "sgd")
    let fresh = Plan<Float>(
      try PlanFixtures.experiment(text: F.spec(last: "- softmax")), batch: 4)
    try Checkpoint.load(ckpt, into: fresh, optimizerState: false)
    let path = try F.inputFile(in: dir)
    let a = try predict(source, input: try HDF5PredictionInput(path))
    let b = try predict(fresh, input: try HDF5PredictionInput(path))
    #expect(a.batches.flatMap(\.topProbabilities) == b.batches.flatMap(\.topProbabilities))
  }
}
