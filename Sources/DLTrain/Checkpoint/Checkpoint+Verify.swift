import Foundation

extension Checkpoint {
  /// A checkpoint's content, read and checked: every tensor by dataset path.
  struct Contents {
    var version: Int64
    var metadata: Metadata
    var optimizer: String
    var tensors: [String: HDF5Array<Float>]
    /// True for format version 3 and later, whose Fletcher32 checksums and content hash were
    /// verified.
    var checksummed: Bool
  }

  /// What `dlspec checkpoint verify` reports of one file.
  public enum State: Equatable {
    /// Every check passed (format version 3: Fletcher32 and the content hash).
    case ok(version: Int64, epoch: Int, step: Int, tensors: Int)
    /// A format 1–2 file that reads, with finite values and a valid generator state, but
    /// carries no checksums to verify.
    case unchecked(version: Int64, epoch: Int, step: Int, tensors: Int)
    /// A checkpoint whose data or metadata fail a check.
    case corrupt(String)
    /// Not a dlspec checkpoint at all (not HDF5, or no `format_version` this build reads).
    case notACheckpoint(String)

    /// True when the file loads: verified, or a format 1–2 file without checksums.
    public var isOK: Bool {
      switch self {
      case .ok, .unchecked: return true
      default: return false
      }
    }
  }

  /// Verifies the checkpoint at `path` without a spec: Fletcher32 on every dataset, the
  /// content hash, finiteness and the metadata (generator state, epoch, step).
  public static func verify(_ path: String) -> State {
    let file: HDF5File
    do {
      file = try openChecked(path)
    } catch let Failure.unreadable(_, why) {
      return .notACheckpoint(
        why.hasPrefix(path + ": ") ? String(why.dropFirst(path.count + 2)) : why)
    } catch let Failure.corrupt(_, why) {
      return .corrupt(why)  // its metadata crash or hang libhdf5 (HDF5Probe)
    } catch {
      return .notACheckpoint("\(error)")
    }
    defer { file.close() }
    do {
      let c = try verifiedContents(file, path: path)
      let m = c.metadata
      return c.checksummed
        ? .ok(version: c.version, epoch: m.epoch, step: m.step, tensors: c.tensors.count)
        : .unchecked(version: c.version, epoch: m.epoch, step: m.step, tensors: c.tensors.count)
    } catch let Failure.unreadable(_, why) {
      return .corrupt(why)
    } catch let Failure.corrupt(_, why) {
      return .corrupt(why)
    } catch {
      return .corrupt("\(error)")
    }
  }

  /// Reads every tensor under /weights, /optimizer and /state and checks the file: each
  /// dataset must read (HDF5 verifies its Fletcher32 checksum chunk by chunk), hold finite
  /// values only, and — from format version 3 — the content must hash to `content_sha256`.
  static func verifiedContents(_ file: HDF5File, path: String) throws -> Contents {
    let metadata = try readMetadata(file, path: path)
    let version = try file.int64Attribute("format_version")
    let checksummed = version >= checksummedVersion
    let optimizer = (try? file.stringAttribute("optimizer")) ?? ""
    var tensors: [Tensor] = []
    for group in ["/weights", "/optimizer", "/state"] {
      for name in file.datasets(under: group) {
        let array: HDF5Array<Float>
        do {
          array = try file.read(name, as: Float.self)
        } catch {
          let filters = (try? file.filters(of: name)) ?? []
          throw Failure.corrupt(
            path,
            filters.contains(3)
              ? "dataset '\(name)' fails its Fletcher32 checksum (a damaged chunk)"
              : "dataset '\(name)' cannot be read (\(error))")
        }
        // Format 3 writes every chunkable dataset with Fletcher32; one without it was
        // rewritten by another tool and its bytes are unchecked.
        if checksummed, !array.shape.isEmpty, !array.shape.contains(0),
          !((try? file.filters(of: name)) ?? []).contains(3)
        {
          throw Failure.corrupt(
            path, "dataset '\(name)' carries no Fletcher32 checksum (format \(version) writes one)")
        }
        if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
          throw Failure.corrupt(
            path,
            "'\(name)' holds \(array.values[bad]) at index \(Self.index(bad, in: array.shape)) "
              + "(element \(bad) of \(array.values.count)); every weight and state value must "
              + "be finite")
        }
        tensors.append(Tensor(name: name, shape: array.shape, values: array.values))
      }
    }
    // The hash's order: every tensor by path, byte-wise (as `tensors(of:)` sorts them).
    tensors.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    if checksummed {
      guard let stored = try? file.stringAttribute("content_sha256") else {
        throw Failure.corrupt(
          path, "attribute 'content_sha256' is missing (format version \(version) requires it)")
      }
      let actual = contentHash(
        tensors: tensors, metadata: metadata, optimizer: optimizer, version: version)
      guard stored == actual else {
        throw Failure.corrupt(
          path,
          "its content does not match its hash: content_sha256 is \(stored.prefix(16))…, the "
            + "weights, state and attributes hash to \(actual.prefix(16))… (changed after "
            + "it was written)")
      }
    }
    var byName: [String: HDF5Array<Float>] = [:]
    for t in tensors { byName[t.name] = HDF5Array(shape: t.shape, values: t.values) }
    return Contents(
      version: version, metadata: metadata, optimizer: optimizer, tensors: byName,
      checksummed: checksummed)
  }

  /// A flat row-major index as a multi-index: 17 in [4, 5] is [3, 2].
  static func index(_ flat: Int, in shape: [Int]) -> [Int] {
    var rest = flat
    var out = [Int](repeating: 0, count: shape.count)
    for d in shape.indices.reversed() where shape[d] > 0 {
      out[d] = rest % shape[d]
      rest /= shape[d]
    }
    return out
  }
}
