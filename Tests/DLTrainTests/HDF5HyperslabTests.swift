import Foundation
import Testing

@testable import DLTrain

/// Row reads (hyperslabs) and growing datasets, which predict streams through.
@Suite struct HDF5HyperslabTests {
  @Test func readRowsMatchesTheWholeRead() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("r.h5")
    let file = try HDF5File.create(path)
    let values = (0..<5 * 2 * 3).map { Float($0) * 0.5 }
    try file.write(values, shape: [5, 2, 3], to: "g/x")
    for (start, count) in [(0, 5), (1, 2), (4, 1), (3, 0)] {
      let rows = try file.readRows("g/x", start: start, count: count, as: Float.self)
      #expect(rows == Array(values[start * 6..<(start + count) * 6]), "rows \(start)+\(count)")
    }
    // Converted on read, as `read` converts.
    #expect(try file.readRows("g/x", start: 1, count: 1, as: Double.self).first == 3)
    #expect(
      throws: HDF5Error.shapeMismatch(file: path, object: "g/x", shape: [5, 2, 3], valueCount: 6)
    ) {
      _ = try file.readRows("g/x", start: 4, count: 2, as: Float.self)
    }
    #expect(throws: HDF5Error.notFound(file: path, object: "nope")) {
      _ = try file.readRows("nope", start: 0, count: 1, as: Float.self)
    }
  }

  @Test func appendRowsGrowsAnExtendibleDataset() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("a.h5")
    let file = try HDF5File.create(path)
    try file.createExtendible("p", rowShape: [2], as: Int64.self, chunkRows: 2)
    #expect(try file.datasetInfo("p").shape == [0, 2])
    try file.appendRows([1, 2, 3, 4, 5, 6] as [Int64], to: "p")
    try file.appendRows([7, 8] as [Int64], to: "p")
    try file.appendRows([] as [Int64], to: "p")
    #expect(try file.datasetInfo("p").shape == [4, 2])
    #expect(try file.read("p", as: Int64.self).values == [1, 2, 3, 4, 5, 6, 7, 8])
    #expect(throws: HDF5Error.self) { try file.appendRows([1, 2, 3] as [Int64], to: "p") }
    file.close()
    let again = try HDF5File.open(path)
    #expect(try again.readRows("p", start: 3, count: 1, as: Int64.self) == [7, 8])
  }
}
