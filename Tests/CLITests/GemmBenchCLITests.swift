import Foundation
import Testing

/// `dlspec bench --gemm`: one product timed on OpenBLAS and on the own GEMM per ISA the CPU
/// (and DLSPEC_ISA) allows, each result checked against OpenBLAS's; bad shapes are refused.
@Suite struct GemmBenchCLITests {
  /// `bench ARGS --format json`'s report, checked to have run and on one thread.
  static func report(_ args: [String], environment: [String: String] = [:]) throws -> [String: Any]
  {
    let out = try CLI.run(["bench"] + args + ["--format", "json"], environment: environment)
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    #expect(json["threads"] as? Int == 1)
    return json
  }

  static func timings(_ args: [String], environment: [String: String] = [:]) throws -> [[String:
    Any]]
  {
    try #require(try report(args, environment: environment)["timings"] as? [[String: Any]])
  }

  /// The widest ISA the CPU offers, read from /proc/cpuinfo's flags (which Linux clears for
  /// state it does not save), independently of the kernels' own CPUID check.
  static func cpuISA() throws -> String {
    let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    let line = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    let flags = Set(line.split(separator: " ").map(String.init))
    if flags.isSuperset(of: ["avx512f", "avx512vl", "avx2", "fma"]) { return "avx512" }
    return flags.isSuperset(of: ["avx2", "fma"]) ? "avx2" : "none"
  }

  // Odd sizes: edge tiles in every direction, for each of the three products a dense layer runs.
  @Test(arguments: ["nt", "nn", "tn"])
  func everyBackendAgreesWithOpenBLAS(_ layout: String) throws {
    let rows = try Self.timings(["--gemm", "37x45x29", "--gemm-layout", layout])
    let isas: [String] =
      switch try Self.cpuISA() {
      case "avx512": ["avx512", "avx2"]
      case "avx2": ["avx2"]
      default: []
      }
    // In A·Bᵀ, B is a dense layer's W: also timed packed once ahead, per ISA.
    let expected =
      ["openblas"] + isas.map { "dlspec-\($0)" }
      + (layout == "nt" ? isas.map { "dlspec-\($0)-packed-b" } : [])
    #expect(rows.compactMap { $0["backend"] as? String } == expected)
    for row in rows {
      #expect((row["gflops"] as? Double ?? 0) > 0, "\(row)")
      // Float sums of 29 terms in [-0.25, 0.25] in different orders: far below 1e-5 relative.
      #expect((row["relative_difference"] as? Double ?? 1) < 1e-5, "\(row)")
    }
    #expect(rows.first?["ratio_to_openblas"] as? Double == 1)
  }

  /// With cold operands every call reads another copy of A and B (and of the packed B); all
  /// copies hold the same values, so the results still agree.
  @Test(arguments: ["tn", "nt"])
  func coldOperandsGiveTheSameProduct(_ layout: String) throws {
    let json = try Self.report(["--gemm", "21x33x17", "--gemm-layout", layout, "--gemm-cold"])
    #expect(json["operands"] as? String == "cold")
    for row in try #require(json["timings"] as? [[String: Any]]) {
      #expect((row["relative_difference"] as? Double ?? 1) < 1e-5, "\(row)")
    }
  }

  @Test func dlspecISALimitsTheBackends() throws {
    let rows = try Self.timings(["--gemm", "16x16x16"], environment: ["DLSPEC_ISA": "none"])
    #expect(rows.compactMap { $0["backend"] as? String } == ["openblas"])
  }

  @Test(arguments: ["100x500", "0x5x5", "ax2x3", "-1x2x3", "100000x100000x100000", "1x2x3x4"])
  func badShapesAreRefused(_ shape: String) throws {
    let out = try CLI.run(["bench", "--gemm", shape])
    #expect(out.status == 2, "\(out.status)")
    #expect(out.stderr.contains("--gemm '\(shape)' is not MxNxK"), "\(out.stderr)")
  }
}
