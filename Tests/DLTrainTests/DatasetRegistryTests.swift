import DLSpec
import Foundation
import Testing

@testable import DLTrain

@Suite struct DatasetRegistryTests {
  /// Writes the four files of `entry` (tiny fixtures under the real names) into `directory`.
  static func writeNamedFixture(_ entry: NamedDataset, into directory: String, count: Int = 6)
    throws
  {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true)
    for (split, n) in [(DatasetSplit.train, count), (.test, count / 2)] {
      let (images, labels) = entry.files(for: split)
      try IDXFile.write(
        IDXArray(uint8: [UInt8](repeating: 128, count: n * 784), shape: [n, 28, 28]),
        to: (directory as NSString).appendingPathComponent(images.name), gzip: true)
      try IDXFile.write(
        IDXArray(uint8: (0..<n).map { UInt8($0 % 10) }, shape: [n]),
        to: (directory as NSString).appendingPathComponent(labels.name), gzip: true)
    }
  }

  @Test func builtInEntries() throws {
    let registry = DatasetRegistry.builtIn
    #expect(registry.names == ["fashion-mnist", "mnist"])
    for name in registry.names {
      let entry = try registry.dataset(named: name)
      #expect(entry.classCount == 10)
      #expect(entry.sampleShape == [1, 28, 28])
      #expect(entry.files.map(\.name) == [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
      ])
      #expect(entry.files.allSatisfy { !$0.sha256.isEmpty })
      #expect(entry.files.allSatisfy { $0.sha256.allSatisfy { $0.count == 64 } })
      #expect(!entry.mirrors.isEmpty)
    }
    #expect(try registry.dataset(named: "fashion-mnist").aptPackage == "dataset-fashion-mnist")
  }

  @Test func unknownNameSuggestsClosest() {
    #expect(throws: DataLocateError.unknownDataset(
      name: "fashion_mnist", known: ["fashion-mnist", "mnist"], suggestion: "fashion-mnist")) {
      try DatasetRegistry.builtIn.dataset(named: "fashion_mnist")
    }
    #expect(Suggest.distance("kitten", "sitting") == 3)
    #expect(Suggest.distance("", "abc") == 3)
  }

  @Test func searchOrderAndFirstHitWins() throws {
    let tmp = try TemporaryDirectory()
    let custom = tmp.path("custom")
    let cwd = tmp.path("project")
    let system = tmp.path("system")
    let registry = DatasetRegistry(datasets: DatasetRegistry.builtIn.datasets,
                                   systemDirectory: system)
    let env = ["DLSPEC_DATA": custom]
    let dirs = registry.searchDirectories(for: "mnist", environment: env, currentDirectory: cwd)
    #expect(dirs.map(\.path) == [
      custom + "/mnist", custom, cwd + "/data/mnist", cwd + "/data", system + "/mnist", system,
    ])
    // Only the system copy: found there.
    try Self.writeNamedFixture(.mnist, into: system + "/mnist")
    #expect(try registry.locate("mnist", environment: env, currentDirectory: cwd)
            == system + "/mnist")
    // A flat ./data copy (no per-name folder) is found before the system one.
    try Self.writeNamedFixture(.mnist, into: cwd + "/data")
    #expect(try registry.locate("mnist", environment: env, currentDirectory: cwd)
            == cwd + "/data")
    // $DLSPEC_DATA beats both.
    try Self.writeNamedFixture(.mnist, into: custom + "/mnist")
    #expect(try registry.locate("mnist", environment: env, currentDirectory: cwd)
            == custom + "/mnist")
    let train = try registry.load("mnist", split: .train, from: custom + "/mnist")
    #expect(train.count == 6)
    #expect(train.sampleShape == [1, 28, 28])
    #expect(try registry.load("mnist", split: .test, from: custom + "/mnist").count == 3)
  }

  @Test func decompressedCopiesAreAccepted() throws {
    let tmp = try TemporaryDirectory()
    let dir = tmp.path("data/mnist")
    try Self.writeNamedFixture(.mnist, into: dir)
    for file in NamedDataset.mnist.files {
      let gz = (dir as NSString).appendingPathComponent(file.name)
      let raw = (dir as NSString).appendingPathComponent(file.uncompressedName)
      try Data(try IDXFile.readBytes(gz)).write(to: URL(fileURLWithPath: raw))
      try FileManager.default.removeItem(atPath: gz)
    }
    let registry = DatasetRegistry(datasets: DatasetRegistry.builtIn.datasets,
                                   systemDirectory: tmp.path("none"))
    #expect(try registry.locate("mnist", environment: [:], currentDirectory: tmp.url.path) == dir)
    #expect(try registry.load("mnist", split: .train, from: dir).count == 6)
  }

  @Test func notFoundListsEveryPlaceAndBothRoutes() throws {
    let tmp = try TemporaryDirectory()
    let cwd = tmp.path("project")
    let system = tmp.path("system")
    // A partial copy: the error should say which files are missing.
    try FileManager.default.createDirectory(atPath: cwd + "/data/fashion-mnist",
                                            withIntermediateDirectories: true)
    try Data([1]).write(
      to: URL(fileURLWithPath: cwd + "/data/fashion-mnist/train-images-idx3-ubyte.gz"))
    let registry = DatasetRegistry(datasets: DatasetRegistry.builtIn.datasets,
                                   systemDirectory: system)
    let error = #expect(throws: DataLocateError.self) {
      try registry.locate("fashion-mnist", environment: [:], currentDirectory: cwd)
    }
    let text = error?.description ?? ""
    #expect(text.contains("$DLSPEC_DATA: not set"))
    #expect(text.contains(cwd + "/data/fashion-mnist: missing train-labels-idx1-ubyte.gz, "
                          + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"))
    #expect(text.contains(cwd + "/data: missing train-images-idx3-ubyte.gz"))
    #expect(text.contains(system + "/fashion-mnist: no such directory"))
    #expect(text.contains(system + ": no such directory"))
    #expect(text.contains("dlspec data fetch fashion-mnist"))
    #expect(text.contains("apt-get install dataset-fashion-mnist"))
    #expect(registry.defaultFetchDirectory(
      for: "fashion-mnist", environment: ["DLSPEC_DATA": "/d"], currentDirectory: cwd)
      == "/d/fashion-mnist")
  }

  /// The Debian package's files, if installed: digests accepted by the registry, and the
  /// data itself (60000/10000 samples of 28×28 in [0, 1], 10 classes).
  @Test(.enabled(if: FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz")))
  func realFashionMNIST() throws {
    let registry = DatasetRegistry.builtIn
    let dir = try registry.locate(
      "fashion-mnist", environment: [:], currentDirectory: "/nonexistent")
    #expect(dir == "/usr/share/datasets/fashion-mnist")
    // The small files only; hashing the 26 MB image file in a debug build is slow.
    let entry = NamedDataset.fashionMNIST
    for file in [entry.trainLabels, entry.testLabels] {
      let digest = try SHA256.hex(ofFileAt: entry.path(of: file, in: dir) ?? "")
      #expect(file.sha256.contains(digest), "\(file.name): \(digest)")
    }
    let test = try registry.load("fashion-mnist", split: .test, from: dir)
    #expect(test.count == 10_000)
    #expect(test.sampleShape == [1, 28, 28])
    #expect(test.classHistogram() == [Int](repeating: 1000, count: 10))
    let range = test.featureRange()
    #expect(range.min == 0 && range.max == 1)
    let train = try registry.load("fashion-mnist", split: .train, from: dir)
    #expect(train.count == 60_000)
    #expect(train.x.count == 60_000 * 784)
    #expect(train.classHistogram() == [Int](repeating: 6000, count: 10))
  }
}
