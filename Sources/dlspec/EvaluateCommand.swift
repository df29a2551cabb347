import ArgumentParser
import DLSpec
import DLTrain
import Foundation

struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Loss, accuracy, per-class accuracy and confusion matrix of a checkpoint.")

  enum Split: String, ExpressibleByArgument, CaseIterable {
    case test
    case train
    case validation
  }

  @Argument(help: "The spec file.")
  var spec: String

  @Option(help: "Checkpoint file (.h5) to evaluate.")
  var checkpoint: String

  @Option(help: "Which samples: test, train or validation.")
  var split: Split = .test

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let e = try loadExperiment(spec, quietWarnings: true)
    let batch = min(1000, max(e.train.value.batchSize, 100))
    try ensureFits(e, batch: batch)
    do {
      // Built as the checkpoint's model: a grown run's has the growth block's copies.
      let plan = try Checkpoint.plan(for: e, checkpoint: checkpoint, batch: batch)
      let meta = try Checkpoint.load(checkpoint, into: plan, optimizerState: false)
      noteSpecChange(meta, experiment: e)
      let data = try ExperimentData.load(e, split: split == .test ? .test : .train)
      var indices = Array(0..<data.count)
      if split != .test {
        let s = try ValidationSplit(count: data.count, fraction: e.data?.validationSplit ?? 0, seed: UInt64(e.train.value.seed))
        indices = split == .train ? s.train : s.validation
      }
      guard !indices.isEmpty else {
        throw CLIError("the \(split.rawValue) split has no samples (N = 0); nothing to evaluate")
      }
      let r = Evaluation.run(plan, on: data, indices: indices)
      if let fit = r.regression {
        printRegression(r, fit, name: e.name)
        return
      }
      let recorded = split == .test ? recordTest(r) : nil
      let plotted = split == .test ? plotConfusion(
          r, title: "\(e.name): \(split.rawValue) split", data: e.data?.source) : nil
      switch format {
      case .json:
        let rows = r.confusion.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
        print("""
          {
            "split": "\(split.rawValue)",
            "samples": \(r.count),
            "loss": \(JSONText.number(r.loss)),
            "accuracy": \(JSONText.number(r.accuracy)),
            "per_class_accuracy": [\(r.perClassAccuracy.map(JSONText.number).joined(separator: ", "))],
            "confusion_matrix": [
              \(rows.joined(separator: ",\n    "))
            ]
          }
          """)
      case .text:
        print("\(e.name) on the \(split.rawValue) split (\(r.count) samples)")
        print(String(format: "  loss %.4f  accuracy %.4f", r.loss, r.accuracy))
        print("  per-class accuracy:")
        for (i, a) in r.perClassAccuracy.enumerated() { print(String(format: "    class %2d  %.4f", i, a)) }
        print("  confusion matrix (rows: true class, columns: predicted):")
        for row in r.confusion {
          print("    " + row.map { String($0).leftPadded(6) }.joined())
        }
        if let recorded { print("  recorded under `test` in \(recorded)") }
        if let plotted { print("  confusion matrix plotted in \(plotted)") }
      }
    } catch let failure as CLIError {
      throw failure
    } catch let exit as ExitCode {
      throw exit
    } catch {
      throw CLIError("\(error)")
    }
  }

  /// Regression: loss, MSE, MAE, R² and the largest error, as text or JSON (no confusion matrix).
  func printRegression(_ r: Evaluation, _ fit: RegressionMetrics, name: String) {
    switch format {
    case .json:
      print("""
        {
          "split": "\(split.rawValue)",
          "samples": \(r.count),
          "loss": \(JSONText.number(r.loss)),
          "mse": \(JSONText.number(fit.mse)),
          "mae": \(JSONText.number(fit.mae)),
          "r2": \(JSONText.number(fit.r2)),
          "max_abs_error": \(JSONText.number(fit.maxAbsolute))
        }
        """)
    case .text:
      print("\(name) on the \(split.rawValue) split (\(r.count) samples)")
      print(String(format: "  loss %.6g  mse %.6g  mae %.6g  r2 %.6f", r.loss, fit.mse, fit.mae, fit.r2))
      print(String(format: "  max |prediction − target| %.6g", fit.maxAbsolute))
    }
  }

  /// Says on stderr, with the semantic diff, when the checkpoint was trained from another spec
  /// than the one given (shapes that differ were already refused by the load).
  func noteSpecChange(_ meta: Checkpoint.Metadata, experiment e: Experiment) {
    guard let stored = meta.specCanonical else {
      FileHandle.standardError.write(
        Data("note: \(checkpoint) records no spec; it cannot be compared with \(spec)\n".utf8))
      return
    }
    if stored == CanonicalSpec.text(e) { return }
    guard let old = SpecChecker().check(SourceFile(path: spec, text: stored)).experiment else {
      FileHandle.standardError.write(
        Data("note: \(checkpoint) was trained from a spec this build no longer reads\n".utf8))
      return
    }
    var d = SpecDiff(from: old, to: e)
    // `train --epochs N` is the usual way a run ends elsewhere than the spec says: not a warning.
    d.changes.removeAll { $0.kind == .epochs }
    if d.isEmpty { return }
    FileHandle.standardError.write(
      Data(
        ("warning: \(checkpoint) was trained from a different spec than \(spec):\n"
          + SpecDiffRenderer.changeLines(d)).utf8))
  }

  /// Draws the confusion matrix into the run the checkpoint lies in; returns the SVG's path, or
  /// nil outside a run. Like the summary, a failure to write is a note: the metrics were printed.
  func plotConfusion(_ r: Evaluation, title: String, data experimentData: DataConfig.Source?)
    -> String?
  {
    // A regression run has no classes, so no matrix to draw.
    guard r.regression == nil, !r.confusion.isEmpty,
      let run = RunDirectory.containing(checkpoint: checkpoint)
    else { return nil }
    let path = run + "/confusion-matrix.svg"
    do {
      // A named dataset's classes are labelled by name (Fashion-MNIST's "Sandal", …).
      var names: [String]? = nil
      if case .named(let dataset)? = experimentData,
        let entry = DatasetRegistry.builtIn.datasets[dataset],
        entry.classNames.count == r.confusion.count
      {
        names = entry.classNames
      }
      try PlotFile.write(
        ConfusionMatrixPlot.svg(r.confusion, title: title, classNames: names), to: path)
      return path
    } catch {
      FileHandle.standardError.write(Data("note: confusion matrix not written: \(error)\n".utf8))
      return nil
    }
  }

  /// Writes the test metrics into the summary.json of the run the checkpoint lies in; returns
  /// that summary's path, or nil outside a run. A failure to record is a note, not an error:
  /// the metrics were printed.
  func recordTest(_ r: Evaluation) -> String? {
    guard let run = RunDirectory.containing(checkpoint: checkpoint) else { return nil }
    let path = run + "/summary.json"
    do {
      // A training writing the run would drop the field at its next epoch; wait for it.
      let lock = try RunLock.acquire(run)
      defer { lock.release() }
      var summary = try RunSummary.read(path)
      summary.test = RunSummary.Test(
        loss: r.loss, accuracy: r.accuracy, samples: r.count,
        checkpoint: "checkpoints/" + URL(fileURLWithPath: checkpoint).lastPathComponent)
      try summary.write(to: path)
      return path
    } catch {
      FileHandle.standardError.write(
        Data("note: test metrics not recorded in \(path): \(error)\n".utf8))
      return nil
    }
  }
}
