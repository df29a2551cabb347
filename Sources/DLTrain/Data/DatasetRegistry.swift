import DLSpec
import Foundation

/// One file of a named dataset and the SHA-256 digests accepted for it.
public struct DatasetFile: Equatable {
  /// File name as published, e.g. `train-images-idx3-ubyte.gz`.
  public var name: String
  /// Lowercase hex SHA-256 digests of acceptable copies; empty means "not verified".
  public var sha256: [String]

  public init(name: String, sha256: [String]) {
    self.name = name
    self.sha256 = sha256
  }

  /// The name without `.gz`: a decompressed copy is accepted too.
  public var uncompressedName: String {
    name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
  }
}

/// Which half of a named dataset.
public enum DatasetSplit: String, CaseIterable {
  case train, test
}

/// A dataset known by name (`mnist`, `fashion-mnist`): its IDX files, checksums, mirrors and
/// how to install it.
public struct NamedDataset: Equatable {
  public var name: String
  public var trainImages: DatasetFile
  public var trainLabels: DatasetFile
  public var testImages: DatasetFile
  public var testLabels: DatasetFile
  public var classCount: Int
  /// `[C, H, W]` of one sample.
  public var sampleShape: [Int]
  /// Human-readable class names, index = label.
  public var classNames: [String]
  /// Base URLs (ending in `/`) serving the four files, tried in order.
  public var mirrors: [String]
  /// A Debian package that installs the files under `/usr/share/datasets/<name>/`, if any.
  public var aptPackage: String?

  /// The four files in a fixed order: train images, train labels, test images, test labels.
  public var files: [DatasetFile] { [trainImages, trainLabels, testImages, testLabels] }

  /// The image and label files of one split.
  public func files(for split: DatasetSplit) -> (images: DatasetFile, labels: DatasetFile) {
    split == .train ? (trainImages, trainLabels) : (testImages, testLabels)
  }

  /// The path of `file` in `directory`: the published name, or its decompressed form.
  public func path(of file: DatasetFile, in directory: String) -> String? {
    for candidate in [file.name, file.uncompressedName] {
      let path = (directory as NSString).appendingPathComponent(candidate)
      if FileManager.default.fileExists(atPath: path) {
        return path
      }
    }
    return nil
  }
}

/// The named datasets and where to find them on disk.
///
/// Search path, in order: `$DLSPEC_DATA`, `<cwd>/data`, `/usr/share/datasets`; each root is
/// tried as `<root>/<name>/` and then `<root>/`. The first directory holding all four files
/// (each `.gz` or decompressed) wins. The environment and working directory are parameters so
/// callers and tests choose them explicitly.
///
/// ```swift
/// let registry = DatasetRegistry.builtIn
/// let dir = try registry.locate("fashion-mnist", environment: ProcessInfo.processInfo.environment,
///                               currentDirectory: FileManager.default.currentDirectoryPath)
/// let train = try registry.load("fashion-mnist", split: .train, from: dir)
/// ```
public struct DatasetRegistry {
  /// Entries by name.
  public var datasets: [String: NamedDataset]
  /// The system-wide root (a parameter so tests can point it elsewhere).
  public var systemDirectory: String

  public init(datasets: [String: NamedDataset], systemDirectory: String = "/usr/share/datasets") {
    self.datasets = datasets
    self.systemDirectory = systemDirectory
  }

  /// `mnist` and `fashion-mnist`.
  public static let builtIn = DatasetRegistry(datasets: [
    "fashion-mnist": .fashionMNIST,
    "mnist": .mnist,
  ])

  /// The sorted names of all entries.
  public var names: [String] { datasets.keys.sorted() }

  /// The entry called `name`, or an error listing the known names and the closest one.
  public func dataset(named name: String) throws -> NamedDataset {
    if let entry = datasets[name] {
      return entry
    }
    let suggestion = names.min { Suggest.distance($0, name) < Suggest.distance($1, name) }
    throw DataLocateError.unknownDataset(name: name, known: names, suggestion: suggestion)
  }

  /// The directories searched for `name`, in order, as (path, label) pairs; the label says
  /// where the directory came from (shown in errors).
  public func searchDirectories(
    for name: String, environment: [String: String], currentDirectory: String
  ) -> [(path: String, origin: String)] {
    var roots: [(String, String)] = []
    if let custom = environment["DLSPEC_DATA"], !custom.isEmpty {
      roots.append((custom, "$DLSPEC_DATA"))
    }
    roots.append(((currentDirectory as NSString).appendingPathComponent("data"), "./data"))
    roots.append((systemDirectory, "system"))
    return roots.flatMap { root, origin in
      [((root as NSString).appendingPathComponent(name), origin), (root, origin)]
    }
  }

  /// The first directory on the search path holding all four files of `name`.
  public func locate(
    _ name: String, environment: [String: String], currentDirectory: String
  ) throws -> String {
    let entry = try dataset(named: name)
    var searched: [DataLocateError.SearchedPlace] = []
    if environment["DLSPEC_DATA"]?.isEmpty ?? true {
      searched.append(.init(path: "$DLSPEC_DATA", problem: "not set"))
    }
    let candidates = searchDirectories(
      for: name, environment: environment, currentDirectory: currentDirectory)
    for (directory, _) in candidates {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        searched.append(.init(path: directory, problem: "no such directory"))
        continue
      }
      let missing = entry.files.filter { entry.path(of: $0, in: directory) == nil }
      if missing.isEmpty {
        return directory
      }
      searched.append(
        .init(path: directory, problem: "missing " + missing.map(\.name).joined(separator: ", ")))
    }
    throw DataLocateError.notFound(
      name: name, searched: searched,
      fetchDirectory: defaultFetchDirectory(
        for: name, environment: environment, currentDirectory: currentDirectory),
      aptPackage: entry.aptPackage)
  }

  /// Where `dlspec data fetch` puts files: `$DLSPEC_DATA/<name>` if set, else
  /// `<cwd>/data/<name>` (both on the search path).
  public func defaultFetchDirectory(
    for name: String, environment: [String: String], currentDirectory: String
  ) -> String {
    let root =
      environment["DLSPEC_DATA"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (currentDirectory as NSString).appendingPathComponent("data")
    return (root as NSString).appendingPathComponent(name)
  }

  /// Loads one split of `name` from `directory` (as returned by `locate`).
  public func load(_ name: String, split: DatasetSplit, from directory: String) throws -> Dataset {
    let entry = try dataset(named: name)
    let (imageFile, labelFile) = entry.files(for: split)
    guard let images = entry.path(of: imageFile, in: directory),
      let labels = entry.path(of: labelFile, in: directory)
    else {
      throw IDXError.fileNotFound(
        path: (directory as NSString).appendingPathComponent(imageFile.name))
    }
    let dataset = try Dataset.loadIDX(images: images, labels: labels, classCount: entry.classCount)
    return try dataset.reshaped(to: entry.sampleShape, source: images)
  }
}

/// A named dataset that is unknown or not on disk.
public enum DataLocateError: Error, Equatable, CustomStringConvertible {
  /// One directory looked at and why it did not qualify.
  public struct SearchedPlace: Equatable {
    public var path: String
    public var problem: String
  }

  case unknownDataset(name: String, known: [String], suggestion: String?)
  case notFound(name: String, searched: [SearchedPlace], fetchDirectory: String,
                aptPackage: String?)

  public var description: String {
    switch self {
    case .unknownDataset(let name, let known, let suggestion):
      var text = "unknown dataset '\(name)'; known datasets: " + known.joined(separator: ", ")
      if let suggestion {
        text += ". Did you mean '\(suggestion)'?"
      }
      return text
    case .notFound(let name, let searched, let fetchDirectory, let aptPackage):
      var lines = ["dataset '\(name)' not found. Searched:"]
      lines += searched.map { "  \($0.path): \($0.problem)" }
      lines.append("To get it, either:")
      lines.append("  dlspec data fetch \(name)    (downloads into \(fetchDirectory))")
      if let aptPackage {
        lines.append(
          "  apt-get install \(aptPackage)    (installs into /usr/share/datasets/\(name))")
      }
      lines.append("  or copy the four IDX files into one of the directories above")
      return lines.joined(separator: "\n")
    }
  }
}

extension Dataset {
  /// The same samples viewed with another sample shape of the same size (e.g. `[784]` as
  /// `[1, 28, 28]`); the storage is already contiguous, so nothing moves.
  public func reshaped(to shape: [Int], source: String = "<memory>") throws -> Dataset {
    guard shape.allSatisfy({ $0 >= 1 }), shape.reduce(1, *) == featureCount else {
      throw DatasetError.badShape(
        file: source, dataset: "x", shape: sampleShape,
        expected: "a sample shape with \(featureCount) values, not \(shape)")
    }
    var d = Dataset(checkedX: x, y: y, sampleShape: shape, classCount: classCount)
    // Regression targets stay with their samples.
    d.targets = targets
    d.targetWidth = targetWidth
    return d
  }
}
