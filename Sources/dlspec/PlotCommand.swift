import ArgumentParser
import DLSpec
import DLTrain
import Foundation

/// `dlspec plot RUN...`: a run's learning curves, or one metric of several runs overlaid, as an
/// SVG (or, with `--format json`, the plotted series).
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Plot a run's learning curves, or one metric of several runs, as SVG.",
    discussion: """
      One run without --metric: its loss and accuracy against epoch, written to \
      RUN/learning-curves.svg. Several runs, or --metric: one metric of every run overlaid \
      against epoch (default val_accuracy, else train_accuracy, else train_loss); --out is \
      required for several runs. A metric is a metrics.csv column: train_loss, \
      train_accuracy, val_loss, val_accuracy, lr, samples_per_s, grad_norm_<layer>.
      The file is written to OUT.tmp and renamed, so a reader never sees half a plot.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case svg
    case json
  }

  @Argument(help: "Run directories (holding metrics.csv), or metrics.csv files.")
  var runs: [String]

  @Option(help: "The metrics.csv column to overlay (default: learning curves of one run).")
  var metric: String?

  @Option(help: "The SVG file to write (default for one run: in the run's directory).")
  var out: String?

  @Option(help: "Output: svg (write the plot) or json (print the plotted series).")
  var format: Format = .svg

  /// A run named on the command line, with its metrics.
  struct Run {
    var label: String
    var directory: String
    var csv: String
    var table: MetricsTable
  }

  func validate() throws {
    if runs.count > 1 && out == nil && format == .svg {
      throw ValidationError("--out is required when plotting more than one run")
    }
  }

  func run() throws {
    let loaded = try runs.map(Self.load)
    let plot: LinePlot
    let defaultName: String
    if metric == nil, loaded.count == 1, let r = loaded.first {
      plot = LearningCurvesPlot.plot(r.table, title: "learning curves: \(r.label)")
      defaultName = "learning-curves.svg"
    } else {
      let m = try metric ?? Self.defaultMetric(loaded)
      for r in loaded where !r.table.columns.contains(m) {
        throw ValidationError(
          "--metric: '\(m)' is not a column of \(r.csv); " + Self.hint(m, r.table))
      }
      guard loaded.contains(where: { $0.table.hasValues(m) }) else {
        throw CLIError("no run has a value of \(m): the column is empty in every run")
      }
      plot = RunsOverlayPlot.plot(loaded.map { ($0.label, $0.table) }, metric: m)
      defaultName = "\(m).svg"
    }
    if format == .json {
      print(plot.json(), terminator: "")
      return
    }
    let path =
      out ?? ((loaded.first?.directory ?? ".") as NSString).appendingPathComponent(defaultName)
    do {
      try PlotFile.write(plot.svg(), to: path)
    } catch {
      throw CLIError("\(error)")
    }
    print("wrote \(path)")
  }

  /// Several runs without --metric: validation accuracy when every run has it, else train
  /// accuracy, else train loss.
  static func defaultMetric(_ runs: [Run]) throws -> String {
    for m in ["val_accuracy", "train_accuracy", "train_loss"]
    where runs.allSatisfy({ $0.table.hasValues(m) }) {
      return m
    }
    throw ValidationError(
      "the runs share no metric to overlay by default; choose one with --metric")
  }

  /// "did you mean 'val_accuracy'? columns: epoch, step, …" (the file's order). A name that
  /// starts a column ("val_acc") is suggested before the closest by edit distance.
  static func hint(_ metric: String, _ table: MetricsTable) -> String {
    let list = "columns: " + table.columns.joined(separator: ", ")
    let prefixed = table.columns.filter { $0.lowercased().hasPrefix(metric.lowercased()) }
    let guess =
      prefixed.count == 1 ? prefixed.first : Suggest.closest(to: metric, in: table.columns)
    return guess.map { "did you mean '\($0)'? \(list)" } ?? list
  }

  /// Reads RUN (a directory with metrics.csv, or the CSV itself), with a clear error for what
  /// is missing.
  static func load(_ run: String) throws -> Run {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: run, isDirectory: &isDirectory) else {
      throw CLIError("\(run): no such run directory or metrics file")
    }
    let trimmed = run.count > 1 && run.hasSuffix("/") ? String(run.dropLast()) : run
    let directory: String
    let csv: String
    if isDirectory.boolValue {
      directory = trimmed
      csv = (trimmed as NSString).appendingPathComponent("metrics.csv")
      guard FileManager.default.fileExists(atPath: csv) else {
        throw CLIError("\(run): no metrics.csv in this directory (not a run directory?)")
      }
    } else {
      csv = trimmed
      let parent = (trimmed as NSString).deletingLastPathComponent
      directory = parent.isEmpty ? "." : parent
    }
    let table: MetricsTable
    do {
      table = try MetricsTable.read(path: csv)
    } catch {
      throw CLIError("\(error)")
    }
    if table.rows.isEmpty {
      throw CLIError("\(csv): no epochs recorded yet (only a header)")
    }
    return Run(label: directory, directory: directory, csv: csv, table: table)
  }
}
