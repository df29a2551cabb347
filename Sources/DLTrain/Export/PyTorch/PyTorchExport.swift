import DLRuntime
import DLSpec
import Foundation

/// What one export needs to know about the spec beyond the IR: its canonical text and hash
/// (stated in model.py and written into every checkpoint train.py saves).
struct PyTorchPackage {
  var canonical: String
  var specHash: String
}

/// `dlspec export --to pytorch`: writes a small Python package for a spec (docs/interop.md):
///
///     model.py       nn.Module, children named as dlspec's layers
///     data.py        dlspec's readers, split and shuffle
///     train.py       the training recipe, single-process or torchrun/DDP
///     checkpoint.py  dlspec checkpoints (format 4) in h5py
///     verify.py      compares the model with dlspec's outputs on a batch
///     weights.h5     the weights to start from: dlspec's initial ones, or --checkpoint's
///     README.md
///
/// Every layer is mapped before anything is written, so a refused spec (E085) leaves `--out`
/// untouched; a checkpoint that does not fit is E086, an unwritable `--out` E087.
public enum PyTorchExport {
  /// The files written, in order (weights.h5 last).
  public static let files = [
    "model.py", "data.py", "train.py", "checkpoint.py", "verify.py", "README.md", "weights.h5",
  ]

  /// The Python sources of the package, by file name (weights.h5 aside).
  public static func sources(_ e: Experiment) throws -> [(name: String, text: String)] {
    if let growth = e.growth {
      // train.py trains a fixed model; inserting layers mid-run is dlspec's own loop.
      throw Diagnostic(
        .exportUnsupportedLayer, at: growth.origin.location,
        "the spec grows its model during training (`growth:`), which the PyTorch package "
          + "cannot do exactly",
        hint: "export the spec without `growth:` (the model it starts from), or the grown "
          + "run's spec with its checkpoint")
    }
    try refuseUnreadableData(e)
    let canonical = CanonicalSpec.text(e)
    let package = PyTorchPackage(canonical: canonical, specHash: Trainer.specHash(canonical))
    return [
      ("model.py", try PyTorchModelFile.text(e, package: package)),
      ("data.py", PyTorchDataFile.text(e)),
      ("train.py", PyTorchTrainFile.text(e)),
      ("checkpoint.py", PyTorchCheckpointFile.text),
      ("verify.py", PyTorchVerifyFile.text),
      ("README.md", PyTorchReadme.text(e, specHash: package.specHash)),
    ]
  }

  /// data.py reproduces dlspec's HDF5 and IDX readers only; a CSV, `.npy` or `.npz` split is
  /// refused at its line (E085) rather than read with other parsing or scaling rules.
  static func refuseUnreadableData(_ e: Experiment) throws {
    guard case .files(let train, let test)? = e.data?.source else { return }
    for file in [train] + (test.map { [$0] } ?? []) {
      switch file.format {
      case .hdf5, .idx: continue
      case .csv, .npy, .npz:
        throw Diagnostic(
          .exportUnsupportedLayer, at: file.location,
          "data.py reads HDF5 and IDX files as dlspec does; this split is CSV or numpy, whose "
            + "exact parsing and scaling it does not reproduce",
          hint: "convert the data once with `dlspec data convert --spec SPEC data.h5` and name "
            + "the HDF5 file in `data:` before exporting")
      }
    }
  }

  /// Writes the package into `directory` (created when missing; files of an earlier export
  /// are replaced). Returns the spec hash the package states.
  @discardableResult
  public static func write(_ e: Experiment, to directory: String, checkpoint: String?) throws
    -> String
  {
    let sources = try sources(e)
    let plan = try weights(e, checkpoint: checkpoint)
    try prepare(directory)
    let canonical = CanonicalSpec.text(e)
    let hash = Trainer.specHash(canonical)
    do {
      for (name, text) in sources { try FileWrite.write(text, to: directory + "/" + name) }
      try Checkpoint.save(
        plan.plan, to: directory + "/weights.h5",
        metadata: Checkpoint.Metadata(
          specHash: hash, specCanonical: canonical, epoch: plan.epoch, step: plan.step,
          rngState: plan.plan.random.generator.state),
        optimizer: e.optimizer.variant ?? "sgd")
    } catch let failure as WriteFailure {
      throw Diagnostic(
        .exportOutput, at: nil, "cannot write the package into '\(directory)': \(failure)",
        hint: "choose a writable --out directory")
    }
    return hash
  }

  /// The weights to export: the spec's initial ones (its seed and init scheme, as `dlspec
  /// train` starts), or the checkpoint's, checked against the spec.
  static func weights(_ e: Experiment, checkpoint: String?) throws
    -> (plan: Plan<Float>, epoch: Int, step: Int)
  {
    let seed = UInt64(e.train.value.seed)
    let plan = Plan<Float>(e, batch: 1, seed: seed)
    plan.initialize(e.train.value.initScheme, seed: seed)
    guard let checkpoint else { return (plan, 0, 0) }
    do {
      let meta = try Checkpoint.load(checkpoint, into: plan, optimizerState: false)
      return (plan, meta.epoch, meta.step)
    } catch {
      let text = "\(error)"
      let first = text.split(separator: "\n").first.map(String.init) ?? text
      throw Diagnostic(
        .exportCheckpoint, at: nil, "--checkpoint: \(first)",
        hint: "give a checkpoint written by training this spec (dlspec train or train.py)")
    }
  }

  /// Creates `directory` when missing; refuses a path that is not a directory or cannot be
  /// written, before any file is touched.
  static func prepare(_ directory: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw Diagnostic(
          .exportOutput, at: nil, "--out '\(directory)' exists and is not a directory",
          hint: "give a directory for the Python package (it is created when missing)")
      }
    } else {
      do {
        try FileManager.default.createDirectory(
          atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw Diagnostic(
          .exportOutput, at: nil,
          "cannot create --out '\(directory)': \(error.localizedDescription)",
          hint: "choose a writable --out directory")
      }
    }
    guard access(directory, W_OK) == 0 else {
      throw Diagnostic(
        .exportOutput, at: nil, "--out '\(directory)' is not writable",
        hint: "choose a writable --out directory")
    }
  }
}
