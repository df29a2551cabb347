import Foundation
import Testing

/// The own GEMM (`DLSPEC_GEMM=dlspec`) end to end, against OpenBLAS (`DLSPEC_GEMM=openblas`):
/// backpropagation through it passes the finite-difference check in Float64 and Float32, a
/// training step through it allocates nothing on two threads, and runs report who multiplied.
/// (OpenBLAS's SkylakeX small-matrix kernel for A·B with β = 0, which takes this spec's
/// 32×130×140 dx, mallocs 1,120 bytes per call: with `openblas` the step is not checked.)
/// The spec's shapes reach the own GEMM with every transpose it serves: at 32 samples,
/// x·Wᵀ is 32×130×784 and 32×140×130, dx = dy·W 32×130×140, dW = dyᵀ·x 130×784×32 and
/// 140×130×32 (all above `BLAS.kernelISA`'s thresholds of 16 × 128 × 32).
@Suite struct GemmBackendCLITests {
  static let spec = """
    dlspec: 1
    name: wide
    data:
      dataset: fashion-mnist
    model:
      input: [784]
      layers:
        - dense: {units: 130}
        - tanh
        - dense: {units: 140}
        - sigmoid
        - dense: {units: 10}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.1}
    train:
      epochs: 1
      batch_size: 32
      seed: 1

    """

  static func withSpec<R>(_ body: (String) throws -> R) throws -> R {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gemm-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("wide.yaml").path
    try spec.write(toFile: path, atomically: true, encoding: .utf8)
    return try body(path)
  }

  @Test(arguments: ["dlspec", "openblas"])
  func gradcheckPasses(_ backend: String) throws {
    try Self.withSpec { path in
      for precision in [[], ["--float32"]] {
        let out = try CLI.run(
          [
            "gradcheck", path, "--synthetic", "--samples", "32", "--max-entries", "40", "--format",
            "json",
          ]
            + precision, environment: ["DLSPEC_GEMM": backend])
        #expect(out.status == 0, "\(backend) \(precision): \(out.stdout)\(out.stderr)")
        let json = try #require(
          try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(json["passed"] as? Bool == true)
        #expect((json["tensors"] as? [Any])?.count == 7)
      }
    }
  }

  @Test(arguments: ["dlspec", "openblas"])
  func benchReportsTheBackendAndAllocatesNothing(_ backend: String) throws {
    try Self.withSpec { path in
      let out = try CLI.run(
        [
          "bench", path, "--batch", "32", "--threads", "2", "--steps", "2", "--warmup", "1",
          "--format", "json",
        ], environment: ["DLSPEC_GEMM": backend])
      #expect(out.status == 0, "\(out.stderr)")
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
      let gemm = try #require(json["gemm"] as? String)
      let isa = try #require(json["kernel_isa"] as? String)
      if backend == "openblas" || isa == "none" {
        #expect(gemm == "openblas")
      } else {
        #expect(gemm == "dlspec-\(isa)")
        #expect(json["allocations_per_step"] as? Double == 0, "\(out.stdout)")
        #expect(
          (json["pool_handoffs_per_step"] as? Double ?? 0) > 0
            || ProcessInfo.processInfo.activeProcessorCount == 1)
      }
    }
  }
}
