// swift-tools-version:6.0
import PackageDescription

// Release builds use plain -O. -Ounchecked (dropping overflow checks and preconditions) was
// measured against it on the bench specs and gained nothing beyond noise (docs/performance.md,
// "Layer kinds that describe themselves"), so the checks stay.

let package = Package(
  name: "dlspec",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "dlspec", targets: ["dlspec"]),
    .library(name: "DLSpec", targets: ["DLSpec"]),
    .library(name: "DLRuntime", targets: ["DLRuntime"]),
    .library(name: "DLTrain", targets: ["DLTrain"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    .systemLibrary(name: "_COpenBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "_CHDF5", pkgConfig: "hdf5-serial",
                   providers: [.apt(["libhdf5-dev"])]),
    .systemLibrary(name: "_CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "_CAllocCounter", exclude: ["README.md"]),
    // Hot kernels compiled per ISA with target attributes, chosen by CPUID at run time
    // (Sources/_CKernels/README.md); no -march=native.
    .target(name: "_CKernels", exclude: ["README.md"]),
    .target(
      name: "DLRuntime", dependencies: ["_COpenBLAS", "_CKernels"], exclude: ["README.md"]),
    .target(
      name: "DLSpec", dependencies: ["DLRuntime", "Yams"], exclude: ["README.md"]),
    .target(
      name: "DLTrain", dependencies: ["DLSpec", "DLRuntime", "_CHDF5", "_CZlib"],
      exclude: ["README.md"]),
    // ONNX: the generated onnx.proto types (scripts/regen-onnx-proto.sh), the exporter and the
    // runner of ONNX's node tests on DLRuntime's kernels.
    .target(
      name: "DLONNX",
      dependencies: ["DLSpec", "DLRuntime", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["README.md"]),
    .executableTarget(name: "dlspec", dependencies: [
      "DLSpec", "DLRuntime", "DLTrain", "DLONNX", "_CAllocCounter",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], exclude: ["README.md"]),
    .target(name: "DLSpecTestSupport", dependencies: ["DLSpec", "DLRuntime"],
            path: "Tests/DLSpecTestSupport"),
    .testTarget(name: "DLRuntimeTests", dependencies: ["DLRuntime", "DLSpecTestSupport"]),
    .testTarget(name: "DLSpecTests", dependencies: ["DLSpec", "DLSpecTestSupport"],
                resources: [.copy("BadSpecs"), .copy("Goldens")]),
    // The fuzz targets' entry points, shared by the libFuzzer harnesses and the corpus replay.
    .target(name: "_FuzzEntries", dependencies: ["DLSpec", "DLTrain", "DLRuntime"],
            path: "Fuzz/Entries"),
    .testTarget(name: "DLTrainTests", dependencies: ["DLTrain", "DLSpecTestSupport", "_FuzzEntries"]),
    .testTarget(name: "DLONNXTests", dependencies: ["DLONNX", "DLSpecTestSupport"]),
    .testTarget(name: "CLITests", dependencies: ["DLSpecTestSupport"], exclude: ["Snapshots", "Fixtures"]),
  ],
  swiftLanguageModes: [.v5]
)

// libFuzzer harnesses (Fuzz/Harness/_Fuzz*): declared only when scripts/fuzz.sh builds them
// (DLSPEC_FUZZ=1, with -sanitize=fuzzer, in .build-fuzz), because they have no main of their
// own and would not link in a normal build.
if Context.environment["DLSPEC_FUZZ"] == "1" {
  for name in ["_FuzzSpec", "_FuzzIDX", "_FuzzHDF5", "_FuzzCheckpoint", "_FuzzCSV", "_FuzzNPY"] {
    package.targets.append(
      .executableTarget(name: name, dependencies: ["_FuzzEntries"], path: "Fuzz/Harness/\(name)"))
    package.products.append(.executable(name: name, targets: [name]))
  }
}
