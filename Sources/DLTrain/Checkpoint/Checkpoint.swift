import DLRuntime
import DLSpec
import Foundation

/// Training checkpoints in HDF5 (docs/checkpoints.md), readable from h5py:
///
///     /                      attrs: format = "dlspec-checkpoint", format_version = 4,
///                                   spec_hash, spec_canonical (optional), epoch,
///                                   step, rng_state (int64[4]), optimizer (name),
///                                   the epoch's progress (Checkpoint+Progress),
///                                   content_sha256 (version 3; covers the progress
///                                   from version 4)
///     /weights/<layer>/<param>     float32, the parameter's shape
///     /optimizer/slot<k>/<layer>/<param>   optimizer state, same shapes
///     /state/<layer>/<name>        layer state (batchnorm's running statistics), version 2
///
/// Every dataset is chunked with HDF5's Fletcher32 checksum, and `content_sha256` hashes the
/// whole content in a canonical order (`contentHash`, docs/checkpoints.md); loading checks
/// both, every value's finiteness and the generator state (Checkpoint+Verify.swift).
/// Written to `<path>.tmp`, closed (checked), fsynced and renamed, so neither a kill nor a
/// full disk ever leaves a broken file at `path` (Checkpoint+Save.swift).
public struct Checkpoint {
  public static let formatVersion: Int64 = 4
  /// Version 1 files have no /state group; they load into models without layer state.
  /// Versions 1 and 2 carry no checksums: they load with a note.
  public static let readableVersions: ClosedRange<Int64> = 1...4
  /// The first version with Fletcher32 datasets and `content_sha256`.
  public static let checksummedVersion: Int64 = 3
  /// The first version whose `content_sha256` covers the mid-epoch progress attributes
  /// (version 3 files have them unhashed, and are still verified as written).
  public static let progressHashedVersion: Int64 = 4

  /// The largest epoch a checkpoint may claim: the spec language's bound on `train.epochs`.
  public static let maxEpoch = 1_000_000
  /// The largest step count a checkpoint may claim (exact in a double, far beyond any run).
  public static let maxStep = 1 << 53

  public struct Metadata: Equatable {
    /// SHA-256 of the spec's canonical form (of the spec text, for checkpoints written before
    /// the canonical form was recorded).
    public var specHash: String
    /// The spec's canonical form; nil in checkpoints written before it was recorded.
    public var specCanonical: String?
    /// Epochs completed and optimizer steps taken.
    public var epoch: Int
    public var step: Int
    public var rngState: [UInt64]
    /// The position in the epoch in progress and the divergence watch (Checkpoint+Progress);
    /// nil in checkpoints written before they were recorded.
    public var progress: Progress?
    /// Copies of the spec's growth block in the model saved (§3.5): 0 for a run that did not
    /// grow. The attribute `growth_insertions` is written only when positive.
    public var growthInsertions: Int = 0

    public init(
      specHash: String, specCanonical: String? = nil, epoch: Int, step: Int, rngState: [UInt64],
      progress: Progress? = nil, growthInsertions: Int = 0
    ) {
      self.growthInsertions = growthInsertions
      self.specHash = specHash
      self.specCanonical = specCanonical
      self.epoch = epoch
      self.step = step
      self.rngState = rngState
      self.progress = progress
    }
  }

  public enum Failure: Error, CustomStringConvertible {
    case mismatch(String)
    /// Not a checkpoint this build reads, or its metadata are missing or invalid.
    case unreadable(String, String)
    /// Its data fail a check: a Fletcher32 checksum, the content hash, finiteness.
    case corrupt(String, String)

    public var description: String {
      switch self {
      case .mismatch(let s): return s
      case .unreadable(let path, let why): return "cannot read checkpoint '\(path)': \(why)"
      case .corrupt(let path, let why):
        return "checkpoint '\(path)' is corrupt: \(why)\n"
          + "  = hint: use an earlier checkpoint (`dlspec checkpoint verify` checks them; "
          + "`train --resume RUN --resume-fallback` takes the newest good one)"
      }
    }
  }

  /// Loads weights (and, with `optimizerState`, the optimizer's state) into `plan`, refusing a
  /// checkpoint whose layers or shapes differ from the plan's model, naming what differs.
  @discardableResult
  public static func load(
    _ path: String, into plan: Plan<Float>, optimizerState: Bool,
    note: (String) -> Void = Checkpoint.printNote
  ) throws -> Metadata {
    let file = try openChecked(path)
    defer { file.close() }
    let contents = try verifiedContents(file, path: path)
    if !contents.checksummed {
      note(
        "note: \(path) is a format version \(contents.version) checkpoint: it carries no "
          + "checksums, so damage to it cannot be detected (a new save writes version "
          + "\(formatVersion))")
    }
    try read(into: plan.parameters, plan: plan, under: "/weights", contents, path: path)
    if optimizerState {
      for (k, state) in plan.optimizerState.enumerated() {
        try read(into: state, plan: plan, under: "/optimizer/slot\(k)", contents, path: path)
      }
    }
    try readState(plan, contents, path: path)
    return contents.metadata
  }

  /// A plan of `e`'s model grown as the checkpoint at `path` records (`growth_insertions`), so
  /// `evaluate`, `predict` and `gradients` of a grown run build the model it trained.
  public static func plan(
    for e: Experiment, checkpoint path: String, batch: Int, seed: UInt64 = 1
  ) throws -> Plan<Float> {
    let insertions = try readMetadata(path).growthInsertions
    return Plan<Float>(try grown(e, insertions: insertions, path: path), batch: batch, seed: seed)
  }

  /// `e` grown as a checkpoint records, refusing a count its growth rule cannot build.
  public static func grown(_ e: Experiment, insertions: Int, path: String) throws -> Experiment {
    guard insertions == 0 || e.growth != nil else {
      throw Failure.mismatch(
        "checkpoint '\(path)' was grown \(insertions) times by a growth rule, and the spec has "
          + "no growth section to rebuild that model\n  = hint: use the spec the run trained with "
          + "(RUN/spec.yaml)")
    }
    if let max = e.growth?.value.maxInsertions, insertions > max {
      throw Failure.mismatch(
        "checkpoint '\(path)' was grown \(insertions) times; the spec's growth allows at most \(max)")
    }
    return e.grown(insertions: insertions)
  }

  /// Writes a note to stderr (the default for `load`'s notes).
  public static func printNote(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// The attributes of a checkpoint, without a plan and without reading any weights (so a
  /// resume can compare specs before the shapes are checked).
  public static func readMetadata(_ path: String) throws -> Metadata {
    let file = try openChecked(path)
    defer { file.close() }
    return try readMetadata(file, path: path)
  }

  static func openChecked(_ path: String) throws -> HDF5File {
    let file: HDF5File
    do {
      file = try HDF5File.open(path)
    } catch HDF5Error.damagedMetadata(_, let reason) {
      // A crash or hang of libhdf5 in the probe's child: a damaged file, which verify calls
      // corrupt and `--resume-fallback` skips.
      throw Failure.corrupt(path, HDF5Error.damageSummary(reason))
    } catch {
      throw Failure.unreadable(path, "\(error)")
    }
    let version = (try? file.int64Attribute("format_version")) ?? -1
    guard readableVersions.contains(version) else {
      file.close()
      throw Failure.unreadable(
        path, "format version \(version); this build reads versions \(readableVersions.lowerBound)"
          + "–\(readableVersions.upperBound) (is it a dlspec checkpoint?)")
    }
    return file
  }

  /// Reads and checks the metadata: an epoch or step that is negative or beyond any run is
  /// refused (it would name files `epoch--04.h5` or train "epoch 40/1" forever).
  static func readMetadata(_ file: HDF5File, path: String) throws -> Metadata {
    // A missing or broken attribute is an error, never a default: resuming from zeros would
    // silently restart the schedule, and an all-zero generator state draws only zeros.
    func attribute<V>(_ name: String, _ read: (String) throws -> V) throws -> V {
      do {
        return try read(name)
      } catch {
        throw Failure.unreadable(path, "attribute '\(name)' is missing or unreadable (\(error))")
      }
    }
    let rng = try attribute("rng_state") { try file.int64ArrayAttribute($0) }
      .map { UInt64(bitPattern: $0) }
    guard rng.count == 4, rng.contains(where: { $0 != 0 }) else {
      throw Failure.unreadable(
        path, "rng_state must be 4 words, not all zero; found \(rng.count) words \(rng)")
    }
    let epoch = try attribute("epoch") { try file.int64Attribute($0) }
    let step = try attribute("step") { try file.int64Attribute($0) }
    guard epoch >= 0, epoch <= Int64(maxEpoch) else {
      throw Failure.unreadable(path, "its epoch attribute is \(epoch), outside 0...\(maxEpoch)")
    }
    guard step >= 0, step <= Int64(maxStep) else {
      throw Failure.unreadable(path, "its step attribute is \(step), outside 0...\(maxStep)")
    }
    let hasCanonical = (try? file.attributeExists("spec_canonical")) ?? false
    var insertions: Int64 = 0
    if (try? file.attributeExists("growth_insertions")) ?? false {
      insertions = try attribute("growth_insertions") { try file.int64Attribute($0) }
      guard insertions >= 0, insertions <= 1000 else {
        throw Failure.unreadable(
          path, "its growth_insertions attribute is \(insertions), outside 0...1000")
      }
    }
    return Metadata(
      specHash: try attribute("spec_hash") { try file.stringAttribute($0) },
      specCanonical: hasCanonical
        ? try attribute("spec_canonical") { try file.stringAttribute($0) } : nil,
      epoch: Int(epoch), step: Int(step), rngState: rng,
      progress: try Progress.read(file, path: path), growthInsertions: Int(insertions))
  }

  static func read(
    into base: UnsafeMutablePointer<Float>, plan: Plan<Float>, under group: String,
    _ contents: Contents, path: String
  ) throws {
    for (i, layer) in plan.model.layers.enumerated() where !plan.parameterSlices[i].isEmpty {
      for s in plan.parameterSlices[i] {
        let name = "\(group)/\(layer.name)/\(s.name)"
        guard let array = contents.tensors[name] else {
          throw Failure.mismatch(
            "checkpoint '\(path)' does not fit the spec: it has no \(name) (layer \(layer.name), "
              + "expected shape \(s.shape))")
        }
        guard array.shape == s.shape.dims else {
          throw Failure.mismatch(
            "checkpoint '\(path)' does not fit the spec: layer \(layer.name) \(s.name) has shape "
              + "\(Shape(array.shape)) in the checkpoint, the spec expects \(s.shape)")
        }
        array.values.withUnsafeBufferPointer { src in
          if let source = src.baseAddress { (base + s.offset).update(from: source, count: s.count) }
        }
      }
    }
    // Extra layers in the checkpoint mean a different architecture too.
    if group == "/weights" {
      let expected = Set(
        plan.model.layers.indices.filter { !plan.parameterSlices[$0].isEmpty }
          .map { plan.model.layers[$0].name })
      let extra = Set(
        contents.tensors.keys.compactMap { key -> String? in
          let parts = key.split(separator: "/")
          return parts.count == 3 && parts[0] == "weights" ? String(parts[1]) : nil
        }
      ).filter { !expected.contains($0) }.sorted()
      if !extra.isEmpty {
        throw Failure.mismatch(
          "checkpoint '\(path)' does not fit the spec: it has weights for \(extra.joined(separator: ", ")), "
            + "which the spec's model does not have")
      }
    }
  }

  /// Reads every state tensor the plan's model declares; a version-1 file has none, so it fits
  /// only models without state.
  static func readState(_ plan: Plan<Float>, _ contents: Contents, path: String) throws {
    let version = contents.version
    guard let base = plan.state else { return }
    for (i, layer) in plan.model.layers.enumerated() {
      for s in plan.stateSlices[i] {
        let name = "/state/\(layer.name)/\(s.name)"
        guard version >= 2, let array = contents.tensors[name] else {
          throw Failure.mismatch(
            "checkpoint '\(path)' does not fit the spec: it has no \(name) (layer \(layer.name) "
              + "state, expected shape \(s.shape))"
              + (version < 2 ? "; format version \(version) files carry no layer state" : ""))
        }
        guard array.shape == s.shape.dims else {
          throw Failure.mismatch(
            "checkpoint '\(path)' does not fit the spec: layer \(layer.name) \(s.name) has shape "
              + "\(Shape(array.shape)) in the checkpoint, the spec expects \(s.shape)")
        }
        array.values.withUnsafeBufferPointer { src in
          if let source = src.baseAddress { (base + s.offset).update(from: source, count: s.count) }
        }
      }
    }
  }
}
