import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Which points a sweep still has to run, read from the disk.
///
/// A point is done iff its run's summary.json says finished with every planned epoch and, when
/// the sweep evaluates, its test metrics are recorded. Otherwise:
/// * trained but not evaluated → only `dlspec evaluate`;
/// * stopped mid-training with `checkpoints/last.h5` → `dlspec train --resume` into the same
///   run, so the finished epochs are not trained again (the checkpoint restores the weights,
///   the optimizer state and the data order, and metrics.csv continues);
/// * failed, corrupt, or stopped before its first checkpoint → trained from scratch in a fresh
///   directory (`NNN-slug-r2`, …); the old one is kept, nothing is deleted.
/// A training process left running by a killed sweep (its pid is in sweep.json) is waited for
/// first, so a point is never trained by two processes.
public enum SweepResume {
  public static func actions(
    _ state: inout SweepState, plan: SweepPlan, directory: String, log: (String) -> Void
  ) -> [(index: Int, action: SweepRunner.Action)] {
    var out: [(index: Int, action: SweepRunner.Action)] = []
    for i in state.points.indices {
      let p = state.points[i]
      let path = directory + "/" + p.directory
      if let pid = p.pid, isTraining(pid: pid, directory: p.directory) {
        log("point \(p.index): waiting for pid \(pid), left running by the killed sweep")
        while isTraining(pid: pid, directory: p.directory) { usleep(200_000) }
      }
      state.points[i].pid = nil
      guard RunScanner.isRun(path) else {
        // Never started, or killed before the trainer wrote anything: start it, in a fresh
        // directory if the trainer had made this one (`--out` must not exist yet).
        state.points[i].status = .pending
        if FileManager.default.fileExists(atPath: path) {
          state.points[i].directory = freshDirectory(p, in: directory)
        }
        out.append((p.index, .train))
        continue
      }
      let run = RunScanner.read(path)
      let planned = plan.points[p.index - 1].experiment.train.value.epochs
      let trained = run.status == .finished && (run.epochsDone ?? 0) >= planned
      let evaluated =
        !state.settings.evaluate || !SweepPlan.hasTestSet(plan.points[p.index - 1].experiment)
        || p.test != nil || run.testAccuracy != nil
      if trained && evaluated {
        state.points[i].status = .finished
        if p.test == nil, let a = run.testAccuracy, let l = run.testLoss {
          state.points[i].test = (l, a, nil)
        }
        continue
      }
      state.points[i].status = .stopped
      if trained {
        out.append((p.index, .evaluate))
      } else if run.status != .failed && run.status != .corrupt && run.status != .running,
        run.checkpoints.contains(where: { $0.name == "last.h5" })
      {
        out.append((p.index, .resume))
      } else {
        state.points[i].directory = freshDirectory(p, in: directory)
        out.append((p.index, .train))
      }
    }
    return out
  }

  /// `points/003-lr=0.1` → `points/003-lr=0.1-r2` (or the next free suffix).
  static func freshDirectory(_ p: SweepState.Point, in directory: String) -> String {
    var base = p.directory
    if let r = base.range(of: #"-r[0-9]+$"#, options: .regularExpression) {
      base.removeSubrange(r)
    }
    var n = 2
    while FileManager.default.fileExists(atPath: directory + "/" + base + "-r\(n)") { n += 1 }
    return base + "-r\(n)"
  }

  /// Whether `pid` is alive and is a dlspec child working on `directory` (its command line
  /// names it), so a recycled pid of an unrelated process is not waited for.
  static func isTraining(pid: Int32, directory: String) -> Bool {
    guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
      return true  // no /proc (macOS): trust the live pid
    }
    let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    return words.contains { $0.hasSuffix(directory) || $0.contains(directory + "/") }
  }
}
