import ArgumentParser
import DLSpec
import DLTrain
import Foundation

struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Predict with a checkpoint: class and top-K probabilities, or the output vector.",
    discussion: """
      Reads the spec's data (--split) or --input FILE (HDF5: dataset x_test, else x, else \
      --input-dataset; IDX images, raw or .gz) batch by batch, and writes one row per sample: \
      index, label (spec data only), predicted class and the top-K softmax probabilities \
      (cross_entropy), or output_0… (mse, l1). csv and json (JSON Lines) go to stdout or \
      --output; hdf5 needs --output. A file output is written to OUT.tmp and renamed, so a \
      failure leaves nothing behind. See docs/predict.md.
      """)

  enum Split: String, ExpressibleByArgument, CaseIterable {
    case test
    case train
    case validation
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case csv
    case json
    case hdf5
  }

  @Argument(help: "The spec file.")
  var spec: String

  @Option(help: "Checkpoint file (.h5) whose weights predict.")
  var checkpoint: String

  @Option(help: "Input file: HDF5, or IDX images (raw or .gz). Default: the spec's data.")
  var input: String?

  @Option(help: "The HDF5 dataset of --input to read (default: x_test, else x).")
  var inputDataset: String?

  @Option(help: "Which of the spec's samples: test, train or validation (default: test).")
  var split: Split?

  @Option(help: "Output file (default: stdout).")
  var output: String?

  @Option(
    parsing: .unconditional,
    help: "Classes per sample, most probable first (default: 3, at most the classes).")
  var top: Int?

  @Option(help: "Output format: csv, json (JSON Lines) or hdf5.")
  var format: Format = .csv

  @Option(parsing: .unconditional, help: "Samples per batch: memory is the model plus one batch.")
  var batch: Int = 256

  func validate() throws {
    if batch < 1 { throw ValidationError("--batch must be at least 1") }
    if let top, top < 1 { throw ValidationError("--top must be at least 1") }
    if format == .hdf5 && output == nil {
      throw ValidationError("--format hdf5 needs --output FILE (HDF5 cannot stream to stdout)")
    }
    if input != nil && split != nil {
      throw ValidationError("--split picks from the spec's data; it cannot be used with --input")
    }
    if input == nil && inputDataset != nil {
      throw ValidationError("--input-dataset names a dataset of --input; give --input too")
    }
  }

  func run() throws {
    let e = try loadExperiment(spec, quietWarnings: true)
    let classes = e.model.output.elementCount
    let kind = Predictor.kind(loss: e.loss.value, outputWidth: classes, top: top ?? min(3, classes))
    if case .classification(let k) = kind, k > classes {
      throw ValidationError("--top \(k) is more than the model's \(classes) classes")
    }
    if case .regression = kind, top != nil {
      throw ValidationError(
        "--top ranks classes, but \(spec) uses \(e.loss.value) loss (predict writes its outputs)")
    }
    var written = 0
    do {
      // Cheap refusals first: an input file is opened and its shape checked before the
      // checkpoint is read; the spec's data, which takes a while to load, after it.
      let file = try input.map { try PredictionInputs.open($0, dataset: inputDataset) }
      try file?.checkFits(e.model.input)
      try ensureFits(e, batch: batch)
      let plan = try Checkpoint.plan(for: e, checkpoint: checkpoint, batch: batch)
      try Checkpoint.load(checkpoint, into: plan, optimizerState: false)
      let source = try file ?? DatasetPredictionInput.spec(e, split: (split ?? .test).rawValue)
      let writer = try makeWriter()
      do {
        written = try Predictor.run(plan, input: source, kind: kind, writer: writer)
      } catch {
        writer.abandon()
        throw error
      }
    } catch let exit as ExitCode {
      throw exit
    } catch {
      throw CLIError("\(error)")
    }
    if let output {
      FileHandle.standardError.write(Data("wrote \(written) predictions to \(output)\n".utf8))
    }
  }

  func makeWriter() throws -> PredictionWriter {
    switch format {
    case .hdf5:
      return HDF5PredictionWriter(path: output ?? "predictions.h5", chunkRows: batch)
    case .csv:
      return CSVPredictionWriter(try output.map(TextOutput.init(path:)) ?? .standardOutput())
    case .json:
      return JSONLinesPredictionWriter(try output.map(TextOutput.init(path:)) ?? .standardOutput())
    }
  }
}
