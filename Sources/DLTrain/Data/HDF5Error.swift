/// An error from the HDF5 wrapper. Every case names the file and, where there is one, the object
/// (group, dataset or attribute path) so a user can find the problem without a debugger.
public enum HDF5Error: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened (missing, unreadable, or not an HDF5 file).
  case openFailed(file: String)
  /// The file could not be created (directory missing or not writable).
  case createFailed(file: String)
  /// A group, dataset or attribute does not exist.
  case notFound(file: String, object: String)
  /// The object exists but is of an element type this call cannot read.
  case unsupportedType(file: String, object: String, type: String)
  /// The values passed do not fill the shape passed (or a shape has a negative extent).
  case shapeMismatch(file: String, object: String, shape: [Int], valueCount: Int)
  /// A call into the HDF5 library failed.
  case operationFailed(file: String, object: String, operation: String)
  /// The path is a directory, FIFO, socket or device (`kind` says which), not a file.
  case notRegularFile(file: String, kind: String)
  /// A dataset's shape claims more bytes than the file can hold or memory can take; nothing
  /// was allocated. `reason` says which bound it broke.
  case claimsTooMuch(file: String, object: String, shape: [Int], bytes: String, reason: String)
  /// Reading the file's metadata crashed, hung or ran away with memory in libhdf5 (seen in
  /// the child process of `HDF5Probe`); `reason` says which.
  case damagedMetadata(file: String, reason: String)

  public var description: String {
    switch self {
    case .openFailed(let file):
      return "\(file): cannot open as an HDF5 file (missing, unreadable or not HDF5)"
    case .createFailed(let file):
      return "\(file): cannot create HDF5 file (does the directory exist and is it writable?)"
    case .notFound(let file, let object):
      return "\(file): no object '\(object)'"
    case .unsupportedType(let file, let object, let type):
      return "\(file): '\(object)' has element type \(type), which cannot be read here"
    case .shapeMismatch(let file, let object, let shape, let valueCount):
      return "\(file): '\(object)': shape \(shape) does not match \(valueCount) values"
    case .operationFailed(let file, let object, let operation):
      return "\(file): '\(object)': HDF5 \(operation) failed"
    case .notRegularFile(let file, let kind):
      return "\(file): cannot open: it is \(kind), not a regular file"
    case .claimsTooMuch(let file, let object, let shape, let bytes, let reason):
      return "\(file): '\(object)' claims shape \(shape) (\(bytes)), but \(reason); "
        + "refusing to read it (corrupt or hostile file?)"
    case .damagedMetadata(let file, let reason):
      return "\(file): \(Self.damageSummary(reason))\n"
        + "  = hint: replace the file with a good copy or write it again (dlspec read its "
        + "metadata in a separate process, so nothing else was affected)"
    }
  }

  /// The sentence `damagedMetadata` says about a file: what libhdf5 did, and what that means.
  public static func damageSummary(_ reason: String) -> String {
    "\(reason) while reading the file's metadata: the file is damaged"
  }
}
