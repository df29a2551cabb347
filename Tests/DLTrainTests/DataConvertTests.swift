import Foundation
import Testing

@testable import DLTrain

@Suite struct DataConvertTests {
  /// Converts a 7-sample train and 4-sample test IDX pair; returns the directory (kept alive
  /// by the caller), the train IDX files and the HDF5 path.
  static func convert() throws -> (TemporaryDirectory, (images: String, labels: String), String) {
    let dir = try TemporaryDirectory()
    let train = try DataFixtures.writeIDX(in: dir, prefix: "train", count: 7, gzip: true)
    let test = try DataFixtures.writeIDX(in: dir, prefix: "t10k", count: 4, gzip: false)
    let output = dir.path("out.h5")
    let counts = try DataConvert.idxToHDF5(
      trainImages: train.images, trainLabels: train.labels,
      testImages: test.images, testLabels: test.labels, output: output)
    #expect(counts.train == 7 && counts.test == 4)
    return (dir, (train.images, train.labels), output)
  }

  @Test func idxToHDF5RoundTripsThroughOurReader() throws {
    let (dir, train, output) = try Self.convert()
    // No temporary file is left behind.
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
      .filter { $0.contains(".partial-") || $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty)

    let file = try HDF5File.open(output)
    // Every dataset is gzip-chunked with HDF5's Fletcher32 checksum (filter ids 1 and 3).
    for name in ["x_train", "y_train", "x_test", "y_test"] {
      #expect(try file.filters(of: name) == [1, 3], "\(name)")
    }
    #expect(
      try file.datasetInfo("x_train") == HDF5DatasetInfo(shape: [7, 6], elementType: .float32))
    #expect(try file.datasetInfo("y_test") == HDF5DatasetInfo(shape: [4, 1], elementType: .int64))
    #expect(try file.int64Attribute("format_version") == 1)
    #expect(try file.int64ArrayAttribute("sample_shape") == [1, 2, 3])
    #expect(try file.int64Attribute("class_count") == 3)
    file.close()

    let back = try Dataset.loadHDF5(output, names: .train, sampleShape: [1, 2, 3])
    let original = try Dataset.loadIDX(images: train.images, labels: train.labels)
    #expect(back.x == original.x)
    #expect(back.y == original.y)

  }

  @Test(.enabled(if: DataFixtures.hasH5py, "needs python3 with h5py and numpy"))
  func idxToHDF5IsReadableFromH5py() throws {
    let (dir, _, output) = try Self.convert()
    _ = dir
    let script = """
      import h5py, numpy as np, sys
      f = h5py.File(sys.argv[1], 'r')
      x, y = f['x_train'], f['y_train']
      assert x.dtype == np.float32 and x.shape == (7, 6), (x.dtype, x.shape)
      assert x.compression == 'gzip'
      assert y.dtype == np.int64 and y.shape == (7, 1)
      assert f['x_test'].shape == (4, 6) and f['y_test'].shape == (4, 1)
      xs = x[()]
      assert 0.0 <= xs.min() and xs.max() <= 1.0
      expected = np.array([(i * 7 + j * 40) % 256 for i in range(7) for j in range(6)],
                          dtype=np.float32).reshape(7, 6) / np.float32(255)
      assert np.array_equal(xs, expected), np.abs(xs - expected).max()
      assert list(y[:, 0]) == [i % 3 for i in range(7)]
      assert isinstance(f.attrs['format'], str)
      assert list(f.attrs['sample_shape']) == [1, 2, 3]
      print('ok')
      """
    let result = DataFixtures.python(script, [output])
    #expect(result?.0 == 0, "\(result?.2 ?? "python3 did not start")")
    #expect(result?.1.contains("ok") == true)
  }

  @Test func failedConversionLeavesNoOutput() throws {
    let dir = try TemporaryDirectory()
    let train = try DataFixtures.writeIDX(in: dir, prefix: "train", count: 3, gzip: false)
    let output = dir.path("out.h5")
    #expect(throws: IDXError.self) {
      try DataConvert.idxToHDF5(
        trainImages: train.images, trainLabels: train.labels,
        testImages: dir.path("missing"), testLabels: train.labels, output: output)
    }
    #expect(!FileManager.default.fileExists(atPath: output))
  }
}
