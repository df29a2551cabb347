import DLSpec

/// Data from numpy files: two `.npy` files (memory-mapped) or two arrays of one `.npz`.
extension Dataset {
  /// `x`: any number type (uint8 divided by 255, others as Float32), shape `N×F`, `N×H×W`
  /// or `N×C×H×W`. `y`: class labels (integers, or floats holding whole numbers) of shape `N`
  /// or `N×1`; with `regression`, targets of any number type of shape `N` or `N×K`.
  public static func loadNPY(
    x xPath: String, y yPath: String, classCount: Int? = nil, regression: Bool = false
  ) throws -> Dataset {
    let xFile = try MappedFile(xPath)
    let yFile = try MappedFile(yPath)
    let x = try NPYArray.parse(xFile.bytes, name: xPath)
    let y = try NPYArray.parse(yFile.bytes, name: yPath)
    return try withExtendedLifetime((xFile, yFile)) {
      try fromArrays(x: x, y: y, classCount: classCount, regression: regression)
    }
  }

  /// Arrays `x` and `y` (with or without `.npy`) of a `.npz` archive, stored or deflated.
  public static func loadNPZ(
    _ path: String, x xName: String, y yName: String, classCount: Int? = nil,
    regression: Bool = false
  ) throws -> Dataset {
    let file = try MappedFile(path)
    return try withExtendedLifetime(file) {
      let zip = try ZipArchive(file.bytes, path: path)
      let xMember = try zip.member(xName)
      let yMember = try zip.member(yName)
      return try zip.withContents(of: xMember) { xBytes in
        let x = try NPYArray.parse(xBytes, name: "\(path)[\(xMember.name)]")
        return try zip.withContents(of: yMember) { yBytes in
          let y = try NPYArray.parse(yBytes, name: "\(path)[\(yMember.name)]")
          return try fromArrays(x: x, y: y, classCount: classCount, regression: regression)
        }
      }
    }
  }

  static func fromArrays(x: NPYArray, y: NPYArray, classCount: Int?, regression: Bool) throws
    -> Dataset
  {
    let shape = try sampleShape(stored: x.shape, file: x.name, dataset: "x")
    let n = x.shape[0]
    let yOK = y.shape.count == 1 || (y.shape.count == 2 && (regression || y.shape[1] == 1))
    guard yOK else {
      throw DatasetError.badShape(
        file: y.name, dataset: "y", shape: y.shape,
        expected: regression ? "N or N×K targets" : "N or N×1 labels")
    }
    guard y.shape[0] == n else {
      throw DatasetError.countMismatch(
        xFile: x.name, xDataset: "x", xCount: n, yFile: y.name, yDataset: "y", yCount: y.shape[0])
    }
    // Float32 features may be 4× the mapped file (uint8): check memory before converting.
    let bytes = x.count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
    let available = MachineMemory.available()
    if bytes.overflow || bytes.partialValue > available {
      throw DataFileError(
        .badNPY, file: x.name,
        "its \(x.count) values need \(ByteCount.format(bytes.partialValue)) as float32 and only "
          + "\(ByteCount.format(available)) of memory is available now",
        hint: "free memory, or use fewer samples")
    }
    let features = x.floats(scaleUInt8: true)
    if regression {
      let width = y.shape.count == 2 ? y.shape[1] : 1
      guard width >= 1 else {
        throw DatasetError.badShape(
          file: y.name, dataset: "y", shape: y.shape, expected: "N×K targets with K ≥ 1")
      }
      let targets = y.floats(scaleUInt8: false)
      try checkFinite(targets, file: y.name, dataset: "y", width: width)
      var d = Dataset(checkedX: features, y: [], sampleShape: shape, classCount: 1)
      d.targets = targets
      d.targetWidth = width
      return d
    }
    let raw = try y.integers() ?? integralLabels(y.doubles(), file: y.name, dataset: "y")
    let (labels, classes) = try checkedLabels(
      raw, classCount: classCount, file: y.name, dataset: "y")
    return Dataset(checkedX: features, y: labels, sampleShape: shape, classCount: classes)
  }
}
