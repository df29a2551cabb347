import ArgumentParser
import DLTrain
import Foundation

struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Get and convert datasets.",
    subcommands: [DataFetchCommand.self, DataConvertCommand.self])
}

struct DataFetchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fetch",
    abstract: "Download a named dataset's IDX files, verify their SHA-256 and store them on the search path.")

  @Argument(help: "Dataset name: \(DatasetRegistry.builtIn.names.joined(separator: ", ")).")
  var name: String

  @Option(help: "Mirror base URL to download from (default: the registry's mirrors, in order).")
  var mirror: String?

  @Option(help: "Directory to store into (default: $DLSPEC_DATA/<name> or ./data/<name>).")
  var dir: String?

  func run() throws {
    let env = ProcessInfo.processInfo.environment
    let cwd = FileManager.default.currentDirectoryPath
    let registry = DatasetRegistry.builtIn
    do {
      // Already on the search path (e.g. installed by apt): say where, download nothing.
      if dir == nil, mirror == nil, registry.datasets[name] != nil,
        let found = try? registry.locate(name, environment: env, currentDirectory: cwd)
      {
        print("\(name): already installed in \(found) (on the search path); nothing to fetch")
        return
      }
      let target = dir ?? registry.defaultFetchDirectory(for: name, environment: env, currentDirectory: cwd)
      let files = try DataFetcher(registry: registry).fetch(name, into: target, mirror: mirror) { print($0) }
      print("\(name): \(files.count) files verified in \(target)")
    } catch {
      throw CLIError("\(error)")
    }
  }
}

struct DataConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Write a dataset into one HDF5 file in the notes' layout (x_train, y_train, x_test, y_test).",
    discussion: """
      The source is a named dataset (--dataset), four IDX files, or --spec SPEC: the train and \
      test data a spec's `data:` section names in any format dlspec reads (HDF5, IDX, CSV, \
      .npy, .npz), loaded and checked as `train` loads them.
      """)

  @Option(help: "A named dataset found on the search path.") var dataset: String?
  @Option(help: "A spec whose `data:` names the train and test files (any format).") var spec: String?
  @Option(help: "Training images (IDX, .gz or raw).") var trainImages: String?
  @Option(help: "Training labels (IDX).") var trainLabels: String?
  @Option(help: "Test images (IDX).") var testImages: String?
  @Option(help: "Test labels (IDX).") var testLabels: String?
  @Argument(help: "The HDF5 file to write.") var output: String

  func validate() throws {
    let files = [trainImages, trainLabels, testImages, testLabels]
    let sources = [dataset != nil, spec != nil, files.contains { $0 != nil }].filter { $0 }.count
    if sources > 1 {
      throw ValidationError("give one of --dataset, --spec or IDX files")
    }
    if dataset == nil && spec == nil && files.contains(where: { $0 == nil }) {
      throw ValidationError("give --dataset NAME, --spec SPEC, or all of --train-images, --train-labels, --test-images, --test-labels")
    }
  }

  func run() throws {
    do {
      let counts: (train: Int, test: Int)
      if let spec {
        counts = try DataConvert.specToHDF5(try loadExperiment(spec, quietWarnings: true), output: output)
      } else if let dataset {
        let registry = DatasetRegistry.builtIn
        let directory = try registry.locate(
          dataset, environment: ProcessInfo.processInfo.environment,
          currentDirectory: FileManager.default.currentDirectoryPath)
        counts = try DataConvert.namedToHDF5(dataset, from: directory, output: output)
      } else if let a = trainImages, let b = trainLabels, let c = testImages, let d = testLabels {
        counts = try DataConvert.idxToHDF5(trainImages: a, trainLabels: b, testImages: c, testLabels: d, output: output)
      } else {
        return
      }
      print("wrote \(output): \(counts.train) training and \(counts.test) test samples")
    } catch {
      throw CLIError("\(error)")
    }
  }
}
