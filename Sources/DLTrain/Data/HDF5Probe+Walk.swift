import Foundation
import _CHDF5

/// The child's side of `HDF5Probe`: walk a file's metadata with the calls dlspec's loaders
/// make, under resource limits, and report through the exit status.
///
/// The walk opens every link, group and dataset (dataspace, type, filters, chunk index, the
/// storage checks of `checkClaimedSize`) and reads every attribute, variable-length strings
/// included, through the wrapper's own functions. It reads no dataset values. Errors the
/// wrapper reports are not the probe's business (the loader reports them, located): only a
/// crash, a hang or runaway memory is, and those end this process.
extension HDF5Probe {
  /// Exit statuses of `dlspec _probe-hdf5`.
  public enum ChildStatus {
    /// The walk finished (the file may still have errors the loader will name).
    public static let walked: Int32 = 0
    /// libhdf5 failed to allocate memory under the budget, or the walk grew the resident set
    /// past half of it.
    public static let tooMuchMemory: Int32 = 3
    /// The arguments were not `--cpu-seconds N --memory-mb M FILE`.
    public static let usage: Int32 = 4
  }

  /// Names the loaders look up whether or not they exist (a lookup of a missing name walks
  /// the group's index too): the data splits, prediction inputs and checkpoint groups.
  static let lookedUpLinks = [
    "x_train", "y_train", "x_test", "y_test", "x", "y", "weights", "optimizer", "state",
  ]
  /// Root attributes the checkpoint loader asks about with `H5Aexists`.
  static let lookedUpAttributes = [
    "format_version", "spec_hash", "spec_canonical", "epoch", "step", "rng_state", "optimizer",
    "content_sha256", "epoch_batch", "loss_watch",
  ]
  /// Objects visited at most; a file with more is refused by the time limit instead.
  static let maximumObjects = 1 << 20

  /// The probe subcommand's body: applies `limits` to this process, walks `path`, and exits.
  public static func runChild(_ path: String, limits: Limits) -> Never {
    let baseline = residentBytes()
    applyLimits(limits)
    HDF5Library.watchesAllocations = true
    walk(path)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let grown = Int(usage.ru_maxrss) * 1024 - baseline
    let tooMuch = HDF5Library.allocationFailed || grown > limits.memoryBytes / 2
    exit(tooMuch ? ChildStatus.tooMuchMemory : ChildStatus.walked)
  }

  /// CPU seconds (SIGXCPU at the soft limit, SIGKILL a second later), address space (the
  /// current mapping plus the budget, so a runaway allocation fails instead of thrashing), and
  /// no core file for a crash the parent reports anyway.
  static func applyLimits(_ limits: Limits) {
    func set(_ resource: Int32, soft: UInt, hard: UInt) {
      var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
      _ = setrlimit(__rlimit_resource_t(UInt32(resource)), &limit)
    }
    set(Int32(RLIMIT_CORE.rawValue), soft: 0, hard: 0)
    let cpu = UInt(max(1, limits.cpuSeconds))
    set(Int32(RLIMIT_CPU.rawValue), soft: cpu, hard: cpu + 1)
    // Without /proc the current mapping is unknown, and a bare budget could be below it.
    let mapped = virtualBytes()
    if mapped > 0 {
      let space = UInt(mapped + limits.memoryBytes)
      set(Int32(RLIMIT_AS.rawValue), soft: space, hard: space)
    }
  }

  /// Walks `path` as the loaders would, ignoring the errors they would report.
  static func walk(_ path: String) {
    guard let file = try? HDF5File.openWithoutProbe(path) else { return }
    defer { file.close() }
    for name in lookedUpLinks { _ = file.exists(name) }
    for name in lookedUpAttributes { _ = try? file.attributeExists(name) }
    var visited = Set<UInt64>()
    var pending = ["/"]
    while let group = pending.popLast(), visited.count < maximumObjects {
      guard let address = file.objectAddress(group), visited.insert(address).inserted else {
        continue
      }
      readAttributes(file, of: group)
      for member in file.members(of: group) {
        let full = (group == "/" ? "" : group) + "/" + member
        guard file.exists(full) else { continue }
        if file.isGroup(full) {
          pending.append(full)
        } else if let address = file.objectAddress(full), visited.insert(address).inserted {
          _ = try? file.datasetInfo(full)
          _ = try? file.filters(of: full)
          try? file.checkClaimedSize(of: full, memoryBytesPerElement: 4, memoryLimit: .max)
          readAttributes(file, of: full)
        }
      }
    }
  }

  /// Reads every attribute of `object` through `HDF5File.attribute`, as the loaders do.
  static func readAttributes(_ file: HDF5File, of object: String) {
    for name in file.attributeNames(of: object) {
      _ = try? file.attribute(name, of: object)
    }
  }

  /// The process's resident set and virtual size in bytes (`/proc/self/statm`), 0 when unknown.
  static func residentBytes() -> Int { statm(field: 1) }
  static func virtualBytes() -> Int { statm(field: 0) }

  static func statm(field: Int) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
      return 0
    }
    let fields = text.split(separator: " ")
    guard field < fields.count, let pages = Int(fields[field]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }
}

extension HDF5File {
  /// The names of `object`'s attributes, in name order; empty when they cannot be listed.
  func attributeNames(of object: String) -> [String] {
    HDF5Library.sync {
      guard let handle = try? openObject(object) else { return [] }
      defer { H5Oclose(handle) }
      var info = H5O_info_t()
      guard H5Oget_info2(handle, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else { return [] }
      var names: [String] = []
      for i in 0..<min(info.num_attrs, 1 << 16) {
        let length = H5Aget_name_by_idx(
          handle, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, dl_h5p_default())
        guard length > 0, length < 1 << 16 else { continue }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        guard
          H5Aget_name_by_idx(
            handle, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, dl_h5p_default())
            > 0
        else { continue }
        names.append(String(cString: buffer))
      }
      return names
    }
  }
}
