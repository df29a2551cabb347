import DLRuntime
import DLSpec
import DLTrain
import Foundation

/// The fuzz targets' entry points: bytes in, every reader dlspec applies to such a file run on
/// them, nothing returned. Errors are the expected outcome; a trap, an abort or an allocation
/// past libFuzzer's `-rss_limit_mb`/`-malloc_limit_mb` is a finding.
///
/// The libFuzzer harnesses (`Fuzz/Harness/_Fuzz*`, built only by `scripts/fuzz.sh`) and the
/// corpus-replay unit tests call these same functions, so CI replays exactly what a campaign
/// ran. Files go to one private temporary directory per process, overwritten on each input,
/// so a target is deterministic and writes nowhere else.
public enum FuzzEntries {
  /// The target names, as `scripts/fuzz.sh` and `Fuzz/corpus/<target>/` spell them.
  public static let targets = ["spec", "idx", "hdf5", "checkpoint", "csv", "npy"]

  /// Runs one input through the named target. Unknown names do nothing.
  public static func run(_ target: String, _ bytes: [UInt8]) {
    switch target {
    case "spec": spec(bytes)
    case "idx": idx(bytes)
    case "hdf5": hdf5(bytes)
    case "checkpoint": checkpoint(bytes)
    case "csv": csv(bytes)
    case "npy": npy(bytes)
    default: break
    }
  }

  /// Spec front end: bytes → `SourceFile.decode` → `SpecChecker` → both renderings.
  public static func spec(_ bytes: [UInt8]) {
    let path = "fuzz.yaml"
    switch SourceFile.decode(path: path, bytes: Data(bytes)) {
    case .failure(let d):
      _ = DiagnosticRenderer.text([d], sources: [:])
      _ = DiagnosticRenderer.json([d], file: path, valid: false)
    case .success(let source):
      let r = SpecChecker(memoryLimit: 8 << 30).check(source)
      _ = DiagnosticRenderer.text(r.diagnostics, sources: [path: source])
      _ = DiagnosticRenderer.summary(r.diagnostics)
      _ = DiagnosticRenderer.json(r.diagnostics, file: path, valid: r.isValid)
    }
  }

  /// IDX reader: the bytes as parsed in memory, and as a file (raw or gzip, by magic) through
  /// every reader `Dataset.loadIDX` and `predict --input` use.
  public static func idx(_ bytes: [UInt8]) {
    _ = try? IDXFile.decode(bytes, path: "fuzz.idx")
    guard let path = write(bytes, name: "input.idx") else { return }
    _ = try? IDXFile.read(path)
    _ = try? IDXFile.readScaledPixels(path)
    // The same file as images and as labels: loadIDX's shape and label checks run on both.
    _ = try? Dataset.loadIDX(images: path, labels: path)
  }

  /// HDF5 data reader: the bytes as a data file in the notes' layout, both splits, as
  /// `train`/`evaluate` open it (with and without a given sample shape).
  public static func hdf5(_ bytes: [UInt8]) {
    guard let path = write(bytes, name: "input.h5") else { return }
    _ = try? Dataset.loadHDF5(path, names: .train)
    _ = try? Dataset.loadHDF5(path, names: .test, classCount: 10, sampleShape: [1, 4, 4])
  }

  /// Checkpoint loader: the bytes as a checkpoint, its metadata alone, then loaded with the
  /// optimizer state into the plan of the model the seeds were trained with.
  public static func checkpoint(_ bytes: [UInt8]) {
    guard let path = write(bytes, name: "input-checkpoint.h5") else { return }
    _ = try? Checkpoint.readMetadata(path)
    guard let plan = checkpointPlan else { return }
    _ = try? Checkpoint.load(path, into: plan, optimizerState: true)
    _ = try? Checkpoint.load(path, into: plan, optimizerState: false)
  }

  /// CSV reader: the bytes in memory and as a file (raw or gzip, by magic) under the layouts
  /// `data:` offers: label by index or header name, feature columns, `;`, uint8 pixels, and
  /// regression targets.
  public static func csv(_ bytes: [UInt8]) {
    let layouts = [
      CSVSource(path: "fuzz.csv"),
      CSVSource(path: "fuzz.csv", label: .name("label"), header: true),
      CSVSource(
        path: "fuzz.csv", label: .index(1), features: [2, 0], delimiter: ";", dtype: .uint8),
    ]
    for layout in layouts {
      _ = try? CSVTable.parse(bytes, layout, labels: .classes(10))
    }
    guard let path = write(bytes, name: "input.csv") else { return }
    for (i, layout) in layouts.enumerated() {
      var source = layout
      source.path = path
      _ = try? Dataset.loadCSV(source, classCount: i == 0 ? nil : 10, regression: i == 2)
    }
  }

  /// numpy reader: the bytes as one `.npy` (header, size check, every conversion), as a `.npz`
  /// archive (directory, each member's extraction and CRC, its `.npy`), and through the
  /// loaders `train` uses, as x and y of both.
  public static func npy(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
      if let a = try? NPYArray.parse(raw, name: "fuzz.npy") {
        _ = a.floats(scaleUInt8: true)
        _ = a.doubles()
        _ = a.integers()
      }
      guard let zip = try? ZipArchive(raw, path: "fuzz.npz") else { return }
      for member in zip.members.prefix(8) {
        _ = try? zip.withContents(of: member) { data in
          _ = try? NPYArray.parse(data, name: member.name).floats(scaleUInt8: false)
        }
      }
    }
    guard let path = write(bytes, name: "input.npy") else { return }
    _ = try? Dataset.loadNPY(x: path, y: path)
    _ = try? Dataset.loadNPY(x: path, y: path, regression: true)
    _ = try? Dataset.loadNPZ(path, x: "x_train", y: "y_train", classCount: 10)
    _ = try? Dataset.loadNPZ(path, x: "x_test", y: "y_test", regression: true)
  }

  /// The model of `Fuzz/seeds/tiny.yaml`, which trained the checkpoint seeds.
  public static let checkpointSpec = """
    dlspec: 1
    name: fuzz-tiny
    model:
      input: [1, 4, 4]
      layers:
        - flatten
        - dense: {units: 5}
        - relu
        - dense: {units: 3}
        - softmax
    loss: cross_entropy
    optimizer:
      adam: {lr: 0.01}
    train: {epochs: 1, batch_size: 5, seed: 1}

    """

  nonisolated(unsafe) static let checkpointPlan: Plan<Float>? = {
    let r = SpecChecker().check(SourceFile(path: "checkpoint.yaml", text: checkpointSpec))
    guard let e = r.experiment else { return nil }
    return Plan<Float>(e, batch: 1)
  }()

  /// One private directory per process, made on first use.
  static let scratch: String? = {
    var template = Array((NSTemporaryDirectory() + "/dlspec-fuzz-XXXXXX").utf8CString)
    return template.withUnsafeMutableBufferPointer { buffer -> String? in
      guard let base = buffer.baseAddress, let dir = mkdtemp(base) else { return nil }
      // Removed when the process exits normally (a fork-mode job killed on a timeout or a
      // crash leaves its directory behind).
      atexit { FuzzEntries.removeScratch() }
      return String(cString: dir)
    }
  }()

  static func removeScratch() {
    if let dir = scratch { try? FileManager.default.removeItem(atPath: dir) }
  }

  /// Writes `bytes` to `name` in the scratch directory, replacing what was there.
  static func write(_ bytes: [UInt8], name: String) -> String? {
    guard let dir = scratch else { return nil }
    let path = dir + "/" + name
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return nil }
    return path
  }
}
