import Foundation
import Testing

@testable import DLTrain

@Suite struct DatasetTests {
  @Test(arguments: [false, true])
  func loadsIDXScaledToUnitRange(gzip: Bool) throws {
    let dir = try TemporaryDirectory()
    let (images, labels) = try DataFixtures.writeIDX(in: dir, prefix: "t", count: 4, gzip: gzip)
    let data = try Dataset.loadIDX(images: images, labels: labels, classCount: 3)
    #expect(data.count == 4)
    #expect(data.sampleShape == [1, 2, 3])
    #expect(data.featureCount == 6)
    #expect(data.x == DataFixtures.pixels(count: 4).map { Float($0) / 255 })
    #expect(data.y == [0, 1, 2, 0])
    #expect(data.classHistogram() == [2, 1, 1])
    let inferred = try Dataset.loadIDX(images: images, labels: labels)
    #expect(inferred.classCount == 3)
  }

  @Test func idxLabelOutOfRangeNamesFileAndIndex() throws {
    let dir = try TemporaryDirectory()
    let (images, labels) = try DataFixtures.writeIDX(in: dir, prefix: "t", count: 4, gzip: false)
    #expect(throws: DatasetError.labelOutOfRange(
      file: labels, dataset: "labels", index: 2, label: 2, classCount: 2)) {
      try Dataset.loadIDX(images: images, labels: labels, classCount: 2)
    }
  }

  @Test func idxCountMismatch() throws {
    let dir = try TemporaryDirectory()
    let (images, _) = try DataFixtures.writeIDX(in: dir, prefix: "a", count: 4, gzip: false)
    let (_, labels) = try DataFixtures.writeIDX(in: dir, prefix: "b", count: 5, gzip: false)
    let error = #expect(throws: DatasetError.self) {
      try Dataset.loadIDX(images: images, labels: labels)
    }
    #expect(error?.description.contains("has 4 samples") == true)
    #expect(error?.description.contains("has 5 labels") == true)
  }

  /// Writes x and y with h5py-like shapes through our own writer.
  private func writeHDF5<X: HDF5Scalar, Y: HDF5Scalar>(
    _ path: String, x: [X], xShape: [Int], y: [Y], yShape: [Int]
  ) throws {
    let file = try HDF5File.create(path)
    try file.write(x, shape: xShape, to: "x_train")
    try file.write(y, shape: yShape, to: "y_train")
    file.close()
  }

  @Test(arguments: [[4, 6], [4, 2, 3], [4, 1, 2, 3]])
  func loadsHDF5FloatInEveryXShape(xShape: [Int]) throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("d.h5")
    let x = (0..<24).map { Float($0) / 24 }
    try writeHDF5(path, x: x, xShape: xShape, y: [3, 0, 1, 2] as [Int64], yShape: [4, 1])
    let data = try Dataset.loadHDF5(path, classCount: 4)
    #expect(data.x == x)
    #expect(data.y == [3, 0, 1, 2])
    #expect(data.sampleShape == (xShape.count == 2 ? [6] : [1, 2, 3]))
    let reshaped = try Dataset.loadHDF5(path, classCount: 4, sampleShape: [1, 2, 3])
    #expect(reshaped.sampleShape == [1, 2, 3])
  }

  @Test func loadsHDF5Uint8PixelsAndFlatLabels() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("u8.h5")
    try writeHDF5(path, x: [0, 255, 51, 102] as [UInt8], xShape: [2, 2],
                  y: [1, 0] as [Int32], yShape: [2])
    let data = try Dataset.loadHDF5(path)
    #expect(data.x == [0, 1, 0.2, 0.4])
    #expect(data.classCount == 2)
  }

  @Test func hdf5ErrorsNameFileDatasetAndIndex() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("bad.h5")
    try writeHDF5(path, x: [Float](repeating: 0, count: 6), xShape: [3, 2],
                  y: [0, 9, 1] as [Int64], yShape: [3, 1])
    #expect(throws: DatasetError.labelOutOfRange(
      file: path, dataset: "y_train", index: 1, label: 9, classCount: 3)) {
      try Dataset.loadHDF5(path, classCount: 3)
    }
    #expect(throws: DatasetError.badShape(
      file: path, dataset: "x_train", shape: [3, 2],
      expected: "N × [1, 28, 28] (784 values per sample)")) {
      try Dataset.loadHDF5(path, sampleShape: [1, 28, 28])
    }
    #expect(throws: HDF5Error.notFound(file: path, object: "x_test")) {
      try Dataset.loadHDF5(path, names: .test)
    }

    let floatLabels = dir.path("fl.h5")
    try writeHDF5(floatLabels, x: [Float](repeating: 0, count: 4), xShape: [2, 2],
                  y: [1, 0.5] as [Double], yShape: [2])
    #expect(throws: DatasetError.nonIntegerLabel(
      file: floatLabels, dataset: "y_train", index: 1, value: 0.5)) {
      try Dataset.loadHDF5(floatLabels)
    }

    let mismatch = dir.path("mm.h5")
    try writeHDF5(mismatch, x: [Float](repeating: 0, count: 4), xShape: [2, 2],
                  y: [1, 0, 1] as [Int64], yShape: [3])
    #expect(throws: DatasetError.countMismatch(
      xFile: mismatch, xDataset: "x_train", xCount: 2,
      yFile: mismatch, yDataset: "y_train", yCount: 3)) {
      try Dataset.loadHDF5(mismatch)
    }

    let wideLabels = dir.path("wl.h5")
    try writeHDF5(wideLabels, x: [Float](repeating: 0, count: 4), xShape: [2, 2],
                  y: [1, 0, 1, 0] as [Int64], yShape: [2, 2])
    #expect(throws: DatasetError.badShape(
      file: wideLabels, dataset: "y_train", shape: [2, 2], expected: "N or N×1")) {
      try Dataset.loadHDF5(wideLabels)
    }
  }

  @Test func memberwiseInitValidates() {
    #expect(throws: DatasetError.self) {
      try Dataset(x: [0, 0, 0], y: [0, 1], sampleShape: [2], classCount: 2)
    }
    #expect(throws: DatasetError.labelOutOfRange(
      file: "<memory>", dataset: "y", index: 1, label: -1, classCount: 2)) {
      try Dataset(x: [0, 0], y: [0, -1], sampleShape: [1], classCount: 2)
    }
    #expect(throws: DatasetError.badClassCount(0)) {
      try Dataset(x: [], y: [], sampleShape: [1], classCount: 0)
    }
  }
}
