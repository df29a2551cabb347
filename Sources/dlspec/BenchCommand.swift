import ArgumentParser
import DLRuntime
import DLSpec
import DLTrain
import Foundation
import _CAllocCounter

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time a spec's training step and evaluation per layer, on synthetic data.",
    discussion: "Release builds only give meaningful figures. See docs/performance.md.")

  @Argument(help: "The spec file (omit with --sgemm-peak or --gemm).")
  var spec: String?

  @Option(parsing: .unconditional, help: "Batch size (default: the spec's).") var batch: Int?
  @Option(parsing: .unconditional, help: "Threads for OpenBLAS and dlspec's own kernels.")
  var threads = Parallel.coreCount
  @Option(parsing: .unconditional, help: "Timed steps.") var steps = 50
  @Option(parsing: .unconditional, help: "Untimed warm-up steps.") var warmup = 5
  @Flag(help: "Measure SGEMM GFLOP/s of square 1024 products instead (the machine's peak).")
  var sgemmPeak = false
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Time one single-precision M×N×K product, 1 thread, on OpenBLAS and on dlspec's own GEMM per ISA, instead.",
      valueName: "MxNxK"))
  var gemm: String?
  @Option(
    help: "The product --gemm times: nt = A·Bᵀ (dense forward), nn = A·B (dx), tn = Aᵀ·B (dW).")
  var gemmLayout: GemmBench.Layout = .nt
  @Flag(
    help:
      "With --gemm: cycle through 64 MiB of operand copies, so each call reads A and B from memory as a model's forward reads its weights."
  )
  var gemmCold = false
  @Option(help: "Output format: text or json.") var format: OutputFormat = .text

  func validate() throws {
    if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if steps < 1 { throw ValidationError("--steps must be at least 1") }
    if warmup < 0 { throw ValidationError("--warmup must be at least 0") }
    if spec == nil && !sgemmPeak && gemm == nil {
      throw ValidationError("give a spec file, --sgemm-peak or --gemm MxNxK")
    }
    if let gemm, GemmBench.parseShape(gemm) == nil {
      throw ValidationError(
        "--gemm '\(gemm)' is not MxNxK with three positive integers (e.g. 100x500x784) whose operands hold at most \(GemmBench.maxElements) elements each"
      )
    }
  }

  func run() throws {
    if let gemm, let shape = GemmBench.parseShape(gemm) {
      var bench = GemmBench(m: shape.m, n: shape.n, k: shape.k, layout: gemmLayout)
      bench.coldOperands = gemmCold
      printGemmBench(bench)
      return
    }
    if sgemmPeak {
      BLAS.setThreads(threads)
      let peak = Benchmark.sgemmPeak()
      if format == .json {
        print(
          "{\"sgemm_gflops\": \(JSONText.number(peak)), \"threads\": \(threads), \"blas_core\": \(JSONText.string(BLAS.coreName))}"
        )
      } else {
        print(
          String(format: "SGEMM 1024³: %.1f GFLOP/s on %d threads", peak, threads)
            + " (OpenBLAS core \(BLAS.coreName))")
      }
      return
    }
    guard let spec else { return }
    let e = try loadExperiment(spec, quietWarnings: true)
    try ensureFits(e, batch: batch ?? e.train.value.batchSize)
    var options = Benchmark.Options(batch: batch ?? e.train.value.batchSize, threads: threads)
    options.steps = steps
    options.warmup = warmup
    options.allocationCount = { dl_allocation_count() }
    let r = Benchmark(e, options: options).run()
    if format == .json {
      let layers = r.layers.map { l in
        "    {\"name\": \(JSONText.string(l.name)), \"kind\": \(JSONText.string(l.kind)), "
          + "\"forward_ms\": \(JSONText.number(l.forwardMilliseconds)), "
          + "\"backward_ms\": \(JSONText.number(l.backwardMilliseconds)), \"gflops\": \(JSONText.number(l.gflops))}"
      }
      print(
        """
        {
          "spec": \(JSONText.string(spec)),
          "batch": \(r.batch),
          "threads": \(r.threads),
          "blas_core": \(JSONText.string(r.blasCore)),
          "kernel_isa": \(JSONText.string(KernelISA.selected?.description ?? "none")),
          "gemm": \(JSONText.string(GemmBackend.selected.description)),
          "train_samples_per_s": \(JSONText.number(r.trainSamplesPerSecond)),
          "eval_samples_per_s": \(JSONText.number(r.evalSamplesPerSecond)),
          "train_gflops": \(JSONText.number(r.trainGFLOPs)),
          "step_ms": \(JSONText.number(r.stepMilliseconds)),
          "sgd_fused": \(r.fusedSGD),
          "allocations_per_step": \(JSONText.number(r.allocationsPerStep)),
          "pool_handoffs_per_step": \(JSONText.number(r.poolHandOffsPerStep)),
          "peak_rss_bytes": \(r.peakRSSBytes),
          "layers": [
        \(layers.joined(separator: ",\n"))
          ]
        }
        """)
      return
    }
    print(
      "bench \(spec): batch \(r.batch), \(r.threads) threads, OpenBLAS core \(r.blasCore), kernels \(KernelISA.selected?.description ?? "none"), GEMM \(GemmBackend.selected), \(steps) steps after \(warmup) warm-up"
    )
    print(
      String(
        format: "  training   %10.0f samples/s  (%.3f ms/step, %.1f GFLOP/s)",
        r.trainSamplesPerSecond, r.stepMilliseconds, r.trainGFLOPs)
        + (r.fusedSGD ? ", SGD applied inside backward" : ""))
    print(String(format: "  evaluation %10.0f samples/s", r.evalSamplesPerSecond))
    print(
      String(format: "  allocations per step %.2f, peak RSS ", r.allocationsPerStep)
        + ByteCount.format(r.peakRSSBytes))
    print("  layer          kind          forward ms  backward ms   GFLOP/s")
    for l in r.layers {
      print(
        "  " + l.name.padding(toLength: 14, withPad: " ", startingAt: 0) + " "
          + l.kind.padding(toLength: 13, withPad: " ", startingAt: 0)
          + String(
            format: " %10.3f  %11.3f  %8.1f", l.forwardMilliseconds, l.backwardMilliseconds,
            l.gflops))
    }
  }
}

extension GemmBench.Layout: ExpressibleByArgument {}

extension BenchCommand {
  /// `--gemm`'s report: one line per backend, GFLOP/s, ratio to OpenBLAS, relative difference.
  func printGemmBench(_ bench: GemmBench) {
    let timings = bench.run()
    let base = timings.first?.gflops ?? 0
    let shape = "\(bench.m)x\(bench.n)x\(bench.k)"
    if format == .json {
      let rows = timings.map { t in
        "    {\"backend\": \(JSONText.string(t.backend)), \"gflops\": \(JSONText.number(t.gflops)), "
          + "\"ratio_to_openblas\": \(JSONText.number(base > 0 ? t.gflops / base : 0)), "
          + "\"relative_difference\": \(JSONText.number(t.relativeDifference))}"
      }
      print(
        """
        {
          "shape": \(JSONText.string(shape)),
          "layout": \(JSONText.string(bench.layout.rawValue)),
          "threads": 1,
          "operands": \(JSONText.string(bench.coldOperands ? "cold" : "warm")),
          "blas_core": \(JSONText.string(BLAS.coreName)),
          "timings": [
        \(rows.joined(separator: ",\n"))
          ]
        }
        """)
      return
    }
    print(
      "GEMM \(shape) \(bench.layout.rawValue.uppercased()), 1 thread, OpenBLAS core \(BLAS.coreName), \(bench.coldOperands ? "cold" : "warm") operands, best of \(bench.rounds) rounds"
    )
    print("  backend                  GFLOP/s  vs openblas  max rel. difference")
    for t in timings {
      print(
        "  " + t.backend.padding(toLength: 22, withPad: " ", startingAt: 0)
          + String(
            format: " %9.1f  %10.2fx  %19.1e", t.gflops, base > 0 ? t.gflops / base : 0,
            t.relativeDifference))
    }
  }
}
