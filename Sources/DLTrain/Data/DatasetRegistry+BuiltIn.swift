extension NamedDataset {
  /// LeCun's MNIST digits. The SHA-256 values are the widely published digests of the
  /// original `.gz` files (as served by the mirrors below, identical to yann.lecun.com's).
  public static let mnist = NamedDataset(
    name: "mnist",
    trainImages: DatasetFile(
      name: "train-images-idx3-ubyte.gz",
      sha256: ["440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"]),
    trainLabels: DatasetFile(
      name: "train-labels-idx1-ubyte.gz",
      sha256: ["3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"]),
    testImages: DatasetFile(
      name: "t10k-images-idx3-ubyte.gz",
      sha256: ["8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"]),
    testLabels: DatasetFile(
      name: "t10k-labels-idx1-ubyte.gz",
      sha256: ["f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"]),
    classCount: 10,
    sampleShape: [1, 28, 28],
    classNames: (0..<10).map(String.init),
    mirrors: [
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    aptPackage: nil)

  /// Zalando's Fashion-MNIST. Each file accepts two digests: the original release (as served
  /// by the mirrors; MD5s match the project's README) and the copy shipped by Debian's
  /// `dataset-fashion-mnist`, which was recompressed without the file name in the gzip header
  /// (24 bytes shorter), so its compressed bytes differ. (Those digests were computed from the
  /// Debian files; that their decompressed content equals the original was not verified.)
  public static let fashionMNIST = NamedDataset(
    name: "fashion-mnist",
    trainImages: DatasetFile(
      name: "train-images-idx3-ubyte.gz",
      sha256: [
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
      ]),
    trainLabels: DatasetFile(
      name: "train-labels-idx1-ubyte.gz",
      sha256: [
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
      ]),
    testImages: DatasetFile(
      name: "t10k-images-idx3-ubyte.gz",
      sha256: [
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
      ]),
    testLabels: DatasetFile(
      name: "t10k-labels-idx1-ubyte.gz",
      sha256: [
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
      ]),
    classCount: 10,
    sampleShape: [1, 28, 28],
    classNames: [
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
    mirrors: [
      "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ],
    aptPackage: "dataset-fashion-mnist")
}
