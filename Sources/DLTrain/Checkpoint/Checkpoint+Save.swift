import DLRuntime
import DLSpec
import Foundation

extension Checkpoint {
  /// One tensor of a checkpoint: its dataset path, shape and values.
  public struct Tensor {
    public var name: String
    public var shape: [Int]
    public var values: [Float]
  }

  /// Saves `plan`'s weights, optimizer state and layer state with `metadata`.
  ///
  /// The file is written to `<path>.tmp`, closed with every HDF5 result checked, fsynced, and
  /// only then renamed over `path`; on any failure the `.tmp` is removed and `path` keeps the
  /// previous good checkpoint. A failure is a `WriteFailure` naming `path` and the bytes the
  /// checkpoint needs.
  public static func save(
    _ plan: Plan<Float>, to path: String, metadata: Metadata, optimizer: String
  ) throws {
    let temporary = path + ".tmp"
    unlink(temporary)
    let tensors = self.tensors(of: plan)
    let hash = contentHash(
      tensors: tensors, metadata: metadata, optimizer: optimizer, version: formatVersion)
    let needed = estimatedBytes(plan, specCanonical: metadata.specCanonical)
    // Built in memory, then written with checked POSIX calls (FileWrite: `.tmp`, fsync,
    // close, rename): HDF5 never meets the disk, so ENOSPC or EROFS cannot fail inside it.
    let image: [UInt8]
    do {
      let file = try HDF5File.createInMemory(path)
      do {
        try file.setAttribute("format", .string("dlspec-checkpoint"))
        try file.setAttribute("format_version", .int64(formatVersion))
        try file.setAttribute("spec_hash", .string(metadata.specHash))
        if let canonical = metadata.specCanonical {
          try file.setAttribute("spec_canonical", .string(canonical))
        }
        try file.setAttribute("epoch", .int64(Int64(metadata.epoch)))
        try file.setAttribute("step", .int64(Int64(metadata.step)))
        try file.setAttribute(
          "rng_state", .int64Array(metadata.rngState.map { Int64(bitPattern: $0) }))
        try file.setAttribute("optimizer", .string(optimizer))
        if metadata.growthInsertions > 0 {
          try file.setAttribute("growth_insertions", .int64(Int64(metadata.growthInsertions)))
        }
        try metadata.progress?.write(to: file)
        try file.setAttribute("content_sha256", .string(hash))
        try file.createGroup("/weights")
        if !plan.optimizerState.isEmpty { try file.createGroup("/optimizer") }
        if plan.state != nil { try file.createGroup("/state") }
        for t in tensors {
          try file.write(t.values, shape: t.shape, to: t.name)
        }
      } catch {
        file.close()
        throw error
      }
      image = try file.closeReturningImage()
    }
    do {
      // A failed close or write removes the `.tmp` and leaves `path` as it was: renaming
      // after an unchecked close once replaced a good last.h5 with an unreadable file.
      try FileWrite.write(image, to: path)
      syncDirectory(of: path)
      HDF5Probe.trustWritten(path)
    } catch let failure as WriteFailure {
      throw WriteFailure(path: path, bytesNeeded: needed, code: failure.code)
    }
  }

  /// The bytes a checkpoint of `plan` takes on disk: float32 weights, optimizer slots and
  /// layer state, plus HDF5's metadata and the spec. Each chunked dataset costs about 4 KiB of
  /// object header and chunk B-tree (measured: 12 small datasets ≈ 49 KB, 28 ≈ 112 KB).
  public static func estimatedBytes(_ plan: Plan<Float>, specCanonical: String? = nil) -> Int {
    let slots = plan.optimizerState.count
    let values = plan.parameterCount * (1 + slots) + plan.model.stateCount
    let datasets =
      plan.parameterSlices.reduce(0) { $0 + $1.count } * (1 + slots)
      + plan.stateSlices.reduce(0) { $0 + $1.count }
    return 4 * values + 16384 + 4608 * datasets + (specCanonical?.utf8.count ?? 0)
  }

  /// Every tensor a checkpoint of `plan` holds, sorted by name byte-wise (the hash's order).
  static func tensors(of plan: Plan<Float>) -> [Tensor] {
    var out: [Tensor] = []
    func add(
      _ base: UnsafeMutablePointer<Float>, _ group: String,
      _ slices: [[(name: String, offset: Int, count: Int, shape: Shape)]]
    ) {
      for (i, layer) in plan.model.layers.enumerated() {
        for s in slices[i] {
          out.append(
            Tensor(
              name: "\(group)/\(layer.name)/\(s.name)", shape: s.shape.dims,
              values: Array(UnsafeBufferPointer(start: base + s.offset, count: s.count))))
        }
      }
    }
    add(plan.parameters, "/weights", plan.parameterSlices)
    for (k, state) in plan.optimizerState.enumerated() {
      add(state, "/optimizer/slot\(k)", plan.parameterSlices)
    }
    if let state = plan.state { add(state, "/state", plan.stateSlices) }
    return out.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
  }

  /// SHA-256 of a checkpoint's content, in the canonical order of docs/checkpoints.md:
  /// every tensor sorted by dataset path byte-wise (`D`, the path, NUL, the rank, each extent
  /// and the count as little-endian uint64, then the float32 values little-endian), then the
  /// attributes format, format_version, spec_hash, spec_canonical (when present), epoch, step,
  /// rng_state and optimizer (`A`, the name, NUL, then a string as its uint64 byte count and
  /// UTF-8 bytes, an integer as int64, an integer array as its uint64 count and int64s); from
  /// version 4 then the progress attributes the file holds (`Progress.hash`).
  public static func contentHash(
    tensors: [Tensor], metadata: Metadata, optimizer: String, version: Int64
  ) -> String {
    var h = SHA256()
    func u64(_ v: UInt64) { h.update(withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
    func name(_ tag: String, _ n: String) { h.update(Array((tag + n).utf8) + [0]) }
    for t in tensors {
      name("D", t.name)
      u64(UInt64(t.shape.count))
      for d in t.shape { u64(UInt64(d)) }
      u64(UInt64(t.values.count))
      t.values.withUnsafeBufferPointer { buffer in
        var bytes = [UInt8]()
        bytes.reserveCapacity(buffer.count * 4)
        for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        h.update(bytes)
      }
    }
    func string(_ n: String, _ v: String) {
      name("A", n)
      u64(UInt64(v.utf8.count))
      h.update(Array(v.utf8))
    }
    func int(_ n: String, _ v: Int64) {
      name("A", n)
      u64(UInt64(bitPattern: v))
    }
    string("format", "dlspec-checkpoint")
    int("format_version", version)
    string("spec_hash", metadata.specHash)
    if let canonical = metadata.specCanonical { string("spec_canonical", canonical) }
    int("epoch", Int64(metadata.epoch))
    int("step", Int64(metadata.step))
    name("A", "rng_state")
    u64(UInt64(metadata.rngState.count))
    for w in metadata.rngState { u64(w) }
    string("optimizer", optimizer)
    // Only when positive, so checkpoints of runs that never grew keep their hash.
    if metadata.growthInsertions > 0 { int("growth_insertions", Int64(metadata.growthInsertions)) }
    if version >= progressHashedVersion, let progress = metadata.progress {
      progress.hash(into: &h)
    }
    return h.finalizeHex()
  }

  /// fsync(2) of a written file, so the rename never publishes data still in the page cache.
  static func syncFile(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw WriteFailure(path: path, bytesNeeded: 0, code: errno) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw WriteFailure(path: path, bytesNeeded: 0, code: errno) }
  }

  /// Best-effort fsync of the directory holding `path`, making a rename durable.
  static func syncDirectory(of path: String) {
    let directory = (path as NSString).deletingLastPathComponent
    let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }
}
