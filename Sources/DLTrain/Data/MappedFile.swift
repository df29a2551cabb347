import Foundation

/// A regular file mapped read-only into memory (`mmap`), unmapped when released: `.npy` data
/// and `.npz` members are converted straight from the mapping, never copied into a buffer.
final class MappedFile {
  let path: String
  let bytes: UnsafeRawBufferPointer
  private let base: UnsafeMutableRawPointer?

  /// Maps `path`; an empty file maps to an empty buffer.
  init(_ path: String) throws {
    self.path = path
    let size = try IDXFile.checkRegular(path)
    guard size > 0 else {
      base = nil
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
      return
    }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw IDXError.readFailed(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let address, address != MAP_FAILED else {
      throw IDXError.readFailed(path: path, reason: "mmap: " + String(cString: strerror(errno)))
    }
    base = address
    bytes = UnsafeRawBufferPointer(start: address, count: size)
  }

  deinit {
    if let base { munmap(base, bytes.count) }
  }
}
