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
      RUN/learning-curves.svg. Several runs, or --metric: that metric of every run overlaid \
      (--out is required for several runs). Metrics are metrics.csv columns: train_loss, \
      train_accuracy, val_loss, val_accuracy, lr, samples_per_s, grad_norm_<layer>.
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
    if let metric {
      for r in loaded where !r.table.columns.contains(metric) {
        throw ValidationError(
          "--metric: '\(metric)' is not a column of \(r.csv); "
            + Suggest.hint(for: metric, among: r.table.columns, noun: "columns"))
      }
      guard loaded.contains(where: { $0.table.hasValues(metric) }) else {
        throw CLIError("no run has a value of \(metric) (column present but empty)")
      }
      plot = RunsOverlayPlot.plot(loaded.map { ($0.label, $0.table) }, metric: metric)
      defaultName = "\(metric).svg"
    } else if loaded.count == 1, let r = loaded.first {
      plot = LearningCurvesPlot.plot(r.table, title: "learning curves: \(r.label)")
      defaultName = "learning-curves.svg"
    } else {
      throw ValidationError(
        "several runs are overlaid one metric at a time: add --metric, e.g. --metric val_accuracy")
    }
    if format == .json {
      print(plot.json(), terminator: "")
      return
    }
    let path = out ?? ((loaded.first?.directory ?? ".") as NSString).appendingPathComponent(defaultName)
    try Self.write(plot.svg(), to: path)
    print("wrote \(path)")
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

  /// Writes `OUT.tmp` and renames it over `OUT`, so a reader never sees half a file.
  static func write(_ text: String, to path: String) throws {
    let tmp = path + ".tmp"
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
    } catch {
      throw CLIError("cannot write \(path): \(error.localizedDescription)")
    }
    if rename(tmp, path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: tmp)
      throw CLIError("cannot write \(path): \(reason)")
    }
  }
}
