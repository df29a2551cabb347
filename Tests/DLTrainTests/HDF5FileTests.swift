import Foundation
import Testing

@testable import DLTrain

@Suite struct HDF5FileTests {
  @Test func datasetsRoundTripAllTypes() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("a.h5")
    do {
      let file = try HDF5File.create(path)
      try file.write([1.5, -2, 3, 4, 5, 6] as [Float], shape: [2, 3], to: "f32")
      try file.write([0.25, 1e300] as [Double], shape: [2], to: "nested/deep/f64")
      try file.write([-7, 8] as [Int32], shape: [2, 1], to: "i32")
      try file.write([Int64.max, -1] as [Int64], shape: [2], to: "i64",
                     compression: HDF5Compression(level: 6))
      try file.write([] as [Float], shape: [0, 3], to: "empty", compression: .init())
      try file.write([42] as [Float], shape: [], to: "scalar")
    }
    let file = try HDF5File.open(path)
    let f32 = try file.read("f32", as: Float.self)
    #expect(f32.shape == [2, 3])
    #expect(f32.values == [1.5, -2, 3, 4, 5, 6])
    #expect(try file.read("nested/deep/f64", as: Double.self).values == [0.25, 1e300])
    #expect(try file.datasetInfo("nested/deep/f64").elementType == .float64)
    #expect(try file.read("i32", as: Int64.self).values == [-7, 8])
    #expect(try file.read("i64", as: Int64.self).values == [Int64.max, -1])
    #expect(try file.datasetInfo("i64").elementType == .int64)
    #expect(try file.read("empty", as: Float.self).shape == [0, 3])
    let scalar = try file.read("scalar", as: Float.self)
    #expect(scalar.shape == [] && scalar.values == [42])
    // Conversion on read: int32 stored, read as Float.
    #expect(try file.read("i32", as: Float.self).values == [-7, 8])
    #expect(file.exists("nested/deep"))
    #expect(!file.exists("nested/missing/x"))
  }

  @Test func membersListGroupsAndDatasets() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("members.h5")
    let file = try HDF5File.create(path)
    try file.createGroup("weights/dense_2")
    try file.createGroup("weights/conv2d_1")
    try file.write([Float(1), 2], shape: [2], to: "weights/bias")
    #expect(file.members(of: "weights") == ["bias", "conv2d_1", "dense_2"])
    #expect(file.members(of: "/") == ["weights"])
    #expect(file.members(of: "missing").isEmpty)
    file.close()
  }

  @Test func groupsAndAttributes() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("attrs.h5")
    do {
      let file = try HDF5File.create(path)
      try file.createGroup("a/b/c")
      try file.createGroup("a/b")  // already there: no error
      try file.setAttribute("epoch", .int64(7))
      try file.setAttribute("lr", .double(0.125), on: "a/b")
      try file.setAttribute("name", .string("Größe ✓"), on: "a/b/c")
      try file.setAttribute("shape", .int64Array([1, 28, 28]))
      try file.setAttribute("losses", .doubleArray([0.5, 0.25]))
      try file.setAttribute("epoch", .int64(8))  // replace
    }
    let file = try HDF5File.open(path)
    #expect(try file.int64Attribute("epoch") == 8)
    #expect(try file.doubleAttribute("lr", of: "a/b") == 0.125)
    #expect(try file.stringAttribute("name", of: "a/b/c") == "Größe ✓")
    #expect(try file.int64ArrayAttribute("shape") == [1, 28, 28])
    #expect(try file.attribute("losses") == .doubleArray([0.5, 0.25]))
    #expect(try file.attributeExists("epoch"))
    #expect(try !file.attributeExists("nope"))
    #expect(throws: HDF5Error.notFound(file: path, object: "/@nope")) {
      try file.attribute("nope")
    }
    #expect(throws: HDF5Error.notFound(file: path, object: "zzz")) {
      try file.attribute("x", of: "zzz")
    }
  }

  @Test func errorsNameFileAndObject() throws {
    let dir = try TemporaryDirectory()
    let missing = dir.path("missing.h5")
    #expect(throws: HDF5Error.openFailed(file: missing)) { try HDF5File.open(missing) }
    let notHDF5 = dir.path("text.h5")
    try Data("hello".utf8).write(to: URL(fileURLWithPath: notHDF5))
    #expect(throws: HDF5Error.openFailed(file: notHDF5)) { try HDF5File.open(notHDF5) }
    #expect(throws: HDF5Error.createFailed(file: dir.path("no/such/dir.h5"))) {
      try HDF5File.create(dir.path("no/such/dir.h5"))
    }
    let path = dir.path("e.h5")
    let file = try HDF5File.create(path)
    #expect(throws: HDF5Error.notFound(file: path, object: "x_train")) {
      try file.read("x_train", as: Float.self)
    }
    #expect(throws: HDF5Error.shapeMismatch(file: path, object: "w", shape: [2, 2],
                                            valueCount: 3)) {
      try file.write([1, 2, 3] as [Float], shape: [2, 2], to: "w")
    }
    try file.write([1] as [Float], shape: [1], to: "w")
    #expect(throws: HDF5Error.operationFailed(file: path, object: "w",
                                              operation: "create dataset")) {
      try file.write([1] as [Float], shape: [1], to: "w")
    }
    file.close()
    #expect(throws: HDF5Error.self) { try file.read("w", as: Float.self) }
  }

  @Test func concurrentUseIsSerialised() async throws {
    let dir = try TemporaryDirectory()
    await withTaskGroup(of: Void.self) { group in
      for i in 0..<8 {
        group.addTask {
          let path = dir.path("c\(i).h5")
          let values = (0..<1000).map { Float($0 + i) }
          let file = try? HDF5File.create(path)
          try? file?.write(values, shape: [10, 100], to: "g/x", compression: .init())
          file?.close()
          let back = try? HDF5File.open(path).read("g/x", as: Float.self)
          #expect(back?.values == values)
        }
      }
    }
  }

  @Test(.enabled(if: DataFixtures.hasH5py, "needs python3 with h5py and numpy"))
  func h5pyReadsWhatWeWrite() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("py.h5")
    do {
      let file = try HDF5File.create(path)
      try file.write([1, 2, 3, 4] as [Float], shape: [2, 2], to: "w/k", compression: .init())
      try file.write([5, 6] as [Int64], shape: [2, 1], to: "y")
      try file.setAttribute("format", .string("dlspec"))
      try file.setAttribute("step", .int64(3), on: "w")
      try file.setAttribute("dims", .int64Array([2, 2]), on: "w/k")
    }
    let script = """
      import h5py, sys
      f = h5py.File(sys.argv[1], 'r')
      k = f['w/k']
      assert k.dtype == 'float32' and k.shape == (2, 2) and k.compression == 'gzip', k
      assert f['y'].dtype == 'int64' and f['y'].shape == (2, 1)
      fmt = f.attrs['format']
      assert isinstance(fmt, str) and fmt == 'dlspec', repr(fmt)
      assert int(f['w'].attrs['step']) == 3
      assert list(k.attrs['dims']) == [2, 2]
      print(k[()].sum())
      """
    let result = DataFixtures.python(script, [path])
    #expect(result?.0 == 0, "\(result?.2 ?? "python failed to start")")
    #expect(result?.1.trimmingCharacters(in: .whitespacesAndNewlines) == "10.0")
  }

  @Test(.enabled(if: DataFixtures.hasH5py, "needs python3 with h5py and numpy"))
  func readsWhatH5pyWrites() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path("from-py.h5")
    let script = """
      import h5py, numpy as np, sys
      with h5py.File(sys.argv[1], 'w') as f:
          f['u8'] = np.arange(6, dtype=np.uint8).reshape(2, 3)
          f.attrs['s'] = 'vlen'
          f.attrs['b'] = np.bytes_(b'fixed')
          f.attrs['f'] = np.float32(0.5)
      """
    let result = DataFixtures.python(script, [path])
    #expect(result?.0 == 0, "\(result?.2 ?? "")")
    let file = try HDF5File.open(path)
    #expect(try file.datasetInfo("u8") == HDF5DatasetInfo(shape: [2, 3], elementType: .uint8))
    #expect(try file.read("u8", as: Float.self).values == [0, 1, 2, 3, 4, 5])
    #expect(try file.stringAttribute("s") == "vlen")
    #expect(try file.stringAttribute("b") == "fixed")
    #expect(try file.doubleAttribute("f") == 0.5)
  }
}
