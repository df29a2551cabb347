extension Dataset {
  /// Loads a dataset from an IDX image file and an IDX label file (raw or gzip).
  ///
  /// Images: uint8 (divided by 255) or another IDX number type (converted unscaled), shape
  /// `N×H×W` (sample shape `[1, H, W]`), `N×C×H×W` or `N×F`. Labels: shape `N`, integer
  /// values in `0..<classCount` (inferred as max + 1 if nil).
  ///
  /// ```swift
  /// let train = try Dataset.loadIDX(
  ///   images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz",
  ///   classCount: 10)
  /// ```
  public static func loadIDX(images: String, labels: String, classCount: Int? = nil) throws
    -> Dataset
  {
    // uint8 images (MNIST, Fashion-MNIST) stream into Float pixels; other types go through
    // the general reader.
    let streamed = try IDXFile.readScaledPixels(images)
    let imageArray = streamed == nil ? try IDXFile.read(images) : nil
    let storedShape = streamed?.shape ?? imageArray?.shape ?? []
    let shape = try sampleShape(stored: storedShape, file: images, dataset: "images")
    let labelArray = try IDXFile.read(labels)
    guard labelArray.shape.count == 1 else {
      throw DatasetError.badShape(
        file: labels, dataset: "labels", shape: labelArray.shape, expected: "N")
    }
    guard labelArray.count == storedShape[0] else {
      throw DatasetError.countMismatch(
        xFile: images, xDataset: "images", xCount: storedShape[0],
        yFile: labels, yDataset: "labels", yCount: labelArray.count)
    }
    let raw =
      try labelArray.integerValues()
      ?? integralLabels(
        labelArray.floatValues().map { Double($0) }, file: labels, dataset: "labels")
    let (y, classes) = try checkedLabels(
      raw, classCount: classCount, file: labels, dataset: "labels")
    let x = streamed?.pixels ?? imageArray.map {
      $0.elementType == .uint8 ? scaledPixels($0.payload) : $0.floatValues()
    } ?? []
    return Dataset(checkedX: x, y: y, sampleShape: shape, classCount: classes)
  }
}
