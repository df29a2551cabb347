import Foundation
import Testing

/// `dlspec bench` counts malloc calls in its own process (the `_CAllocCounter` interposer), so
/// "a training step allocates nothing" is asserted exactly, per example spec. One thread: a
/// multi-threaded OpenBLAS GEMM mallocs its job list itself (docs/performance.md).
@Suite struct BenchTests {
  @Test(arguments: ["logreg", "mlp", "fashion-mnist-cnn", "mnist-cnn"])
  func trainingStepAllocatesNothing(_ name: String) throws {
    let out = try CLI.run([
      "bench", "specs/\(name).yaml", "--batch", "8", "--threads", "1", "--steps", "3", "--warmup", "1",
      "--format", "json",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    #expect(json["allocations_per_step"] as? Double == 0, "\(out.stdout)")
    #expect((json["train_samples_per_s"] as? Double ?? 0) > 0)
    let layers = try #require(json["layers"] as? [[String: Any]])
    #expect(layers.count > 0 && layers.allSatisfy { $0["forward_ms"] is Double && $0["gflops"] is Double })
    for key in ["eval_samples_per_s", "peak_rss_bytes", "blas_core", "threads", "batch"] {
      #expect(json[key] != nil, "missing \(key)")
    }
  }

  /// Two threads: the kernels hand jobs to the worker pool, and the hand-off allocates nothing
  /// (job structs on the caller's stack, not closures). Batch 100 is large enough that the
  /// element-wise loops (CNNs) and the GEMM split (every spec here) run on both threads:
  /// `pool_handoffs_per_step` > 0 shows the parallel path was taken (given two cores), so the
  /// test can fail.
  @Test(arguments: ["mlp", "fashion-mnist-cnn", "mnist-cnn", "fashion-mnist-cnn-bn"])
  func twoThreadStepAllocatesNothing(_ name: String) throws {
    let out = try CLI.run([
      "bench", "specs/\(name).yaml", "--batch", "100", "--threads", "2", "--steps", "2",
      "--warmup", "1", "--format", "json",
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    #expect(json["allocations_per_step"] as? Double == 0, "\(out.stdout)")
    if ProcessInfo.processInfo.activeProcessorCount > 1 {
      #expect((json["pool_handoffs_per_step"] as? Double ?? 0) > 0, "\(out.stdout)")
    }
  }

  /// DLSPEC_ISA lowers the C kernels' ISA (never raises it): `none` turns them off, `avx2`
  /// keeps AVX2 on an AVX-512 machine; bench reports the ISA in use, and a step still
  /// allocates nothing on every path.
  @Test func kernelISAFollowsTheEnvironment() throws {
    func isa(_ value: String?) throws -> String {
      let out = try CLI.run(
        [
          "bench", "specs/mnist-cnn.yaml", "--batch", "8", "--threads", "1", "--steps", "2",
          "--warmup", "1", "--format", "json",
        ], environment: value.map { ["DLSPEC_ISA": $0] } ?? [:])
      #expect(out.status == 0, "\(out.stderr)")
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
      #expect(json["allocations_per_step"] as? Double == 0, "\(out.stdout)")
      return try #require(json["kernel_isa"] as? String)
    }
    let detected = try isa(nil)
    #expect(["avx512", "avx2", "none"].contains(detected))
    #expect(try isa("none") == "none")
    #expect(try isa("avx2") == (detected == "none" ? "none" : "avx2"))
  }

  /// The counter is real: a command that does allocate (spec checking) is not reported as 0
  /// by construction; bench's figure comes from the same counter, read around the timed steps.
  @Test func sgemmPeakReportsAFigure() throws {
    let out = try CLI.run(["bench", "--sgemm-peak", "--threads", "1", "--format", "json"])
    #expect(out.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    #expect((json["sgemm_gflops"] as? Double ?? 0) > 1)
  }
}
