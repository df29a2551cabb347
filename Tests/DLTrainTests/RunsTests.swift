import DLSpec
import Foundation
import Testing

@testable import DLTrain

#if canImport(Glibc)
  import Glibc
#endif

/// Run directories built by hand in the contract's format (and the older trainer's), including
/// damaged ones: `runs` must list every one with its status and never crash.
enum RunFixtures {
  static let metricsHeader =
    "epoch,step,lr,train_loss,train_accuracy,val_loss,val_accuracy,samples_per_s,grad_norm_dense_1\n"

  /// A run directory `dir/relative` with the given summary.json text (nil: none), metrics rows
  /// and spec text.
  @discardableResult
  static func run(
    _ dir: TemporaryDirectory, _ relative: String, summary: String?, metrics: [String] = [],
    spec: String? = nil, canonical: String? = nil, checkpoints: [String: Int] = [:]
  ) throws -> String {
    let path = dir.path(relative)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    if let summary {
      try summary.write(toFile: path + "/summary.json", atomically: true, encoding: .utf8)
    }
    if !metrics.isEmpty {
      try (metricsHeader + metrics.map { $0 + "\n" }.joined())
        .write(toFile: path + "/metrics.csv", atomically: true, encoding: .utf8)
    }
    if let spec { try spec.write(toFile: path + "/spec.yaml", atomically: true, encoding: .utf8) }
    if let canonical {
      try canonical.write(toFile: path + "/spec.canonical.yaml", atomically: true, encoding: .utf8)
    }
    if !checkpoints.isEmpty {
      try FileManager.default.createDirectory(
        atPath: path + "/checkpoints", withIntermediateDirectories: true)
      for (name, bytes) in checkpoints {
        _ = FileManager.default.createFile(
          atPath: path + "/checkpoints/" + name, contents: Data(count: bytes))
      }
    }
    return path
  }

  /// A contract summary.json (format_version 1).
  static func summary(
    name: String = "mlp", status: String, started: String, epochs: Int = 3, planned: Int = 3,
    trainAccuracy: Double = 0.9, validationAccuracy: Double? = 0.85, best: Double? = 0.86,
    test: Double? = nil, commit: String? = "0123456789abcdef", dirty: Bool = false,
    overrides: [String] = [], wall: Double = 75.5
  ) -> String {
    var fields = [
      "\"format\": \"dlspec-run\"", "\"format_version\": 1", "\"name\": \"\(name)\"",
      "\"status\": \"\(status)\"", "\"spec_path\": \"specs/\(name).yaml\"",
      "\"spec_sha256\": \"aaaabbbbccccddddeeeeffff0000111122223333\"",
      "\"overrides\": [" + overrides.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
      "\"started_at\": \"\(started)\"", "\"epochs_planned\": \(planned)", "\"epochs\": \(epochs)",
      "\"train_loss\": 0.3", "\"train_accuracy\": \(trainAccuracy)", "\"wall_seconds\": \(wall)",
      "\"samples_per_second\": 1234.5", "\"future_key\": {\"x\": [1, 2]}",
    ]
    fields.append(
      commit.map { "\"git\": {\"commit\": \"\($0)\", \"dirty\": \(dirty), \"root\": \"/r\"}" }
        ?? "\"git\": null")
    if let v = validationAccuracy {
      fields.append("\"validation_loss\": 0.4")
      fields.append("\"validation_accuracy\": \(v)")
    }
    if let best {
      fields.append(
        "\"best\": {\"metric\": \"validation_accuracy\", \"value\": \(best), \"epoch\": 2}")
    }
    if let test {
      fields.append("\"test\": {\"loss\": 0.41, \"accuracy\": \(test), \"samples\": 10000}")
    }
    return "{" + fields.joined(separator: ", ") + "}"
  }
}

@Suite struct RunsTests {
  @Test func everyStatusIsListedAndNothingCrashes() throws {
    let dir = try TemporaryDirectory()
    let rows = [
      "1,10,0.1,0.5,0.8,0.6,0.7,100,1.0", "2,20,0.1,0.4,0.85,0.5,0.75,100,1.0", "3,30,0.1,0.3",
    ]
    try RunFixtures.run(
      dir, "mlp/20261201-100000",
      summary: RunFixtures.summary(status: "finished", started: "2026-12-01T10:00:00Z", test: 0.84))
    try RunFixtures.run(
      dir, "mlp/20261201-110000",
      summary: RunFixtures.summary(status: "failed", started: "2026-12-01T11:00:00Z"))
    // "running" but nobody holds run.lock (a killed trainer) → stopped.
    let killed = try RunFixtures.run(
      dir, "mlp/20261201-120000",
      summary: RunFixtures.summary(status: "running", started: "2026-12-01T12:00:00Z", epochs: 1))
    try "999999999\n".write(toFile: killed + "/run.lock", atomically: true, encoding: .utf8)
    // "running" with the lock held by an open file description in this process → running.
    let live = try RunFixtures.run(
      dir, "mlp/20261201-130000",
      summary: RunFixtures.summary(status: "running", started: "2026-12-01T13:00:00Z", epochs: 2))
    try "1\n".write(toFile: live + "/run.lock", atomically: true, encoding: .utf8)
    let fd = open(live + "/run.lock", O_RDWR)
    #expect(fd >= 0)
    defer { close(fd) }
    #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
    // Damaged summaries: half-written, empty, an array, a directory; metrics.csv still read.
    try RunFixtures.run(
      dir, "bad/20261201-140000", summary: "{\"name\": \"bad\", \"epo", metrics: rows)
    try RunFixtures.run(dir, "bad/20261201-140001", summary: "")
    try RunFixtures.run(dir, "bad/20261201-140002", summary: "[1, 2, 3]")
    let asDirectory = dir.path("bad/20261201-140003/summary.json")
    try FileManager.default.createDirectory(atPath: asDirectory, withIntermediateDirectories: true)
    try RunFixtures.run(dir, "bad/20261201-140004", summary: "{\"status\": \"exploded\"}")
    // No summary at all, only checkpoints → incomplete.
    try RunFixtures.run(dir, "bad/20261201-150000", summary: nil, checkpoints: ["last.h5": 100])
    // A FIFO as summary.json (reading it would block forever) and as metrics.csv.
    let fifo = dir.path("bad/20261201-140005")
    try FileManager.default.createDirectory(atPath: fifo, withIntermediateDirectories: true)
    #expect(mkfifo(fifo + "/summary.json", 0o644) == 0)
    #expect(mkfifo(fifo + "/metrics.csv", 0o644) == 0)
    // Garbage beside the runs, and a directory that is no run.
    try Data([0xff, 0x00, 0xfe]).write(to: dir.url.appendingPathComponent("garbage.bin"))
    try FileManager.default.createDirectory(
      atPath: dir.path("empty/nested"), withIntermediateDirectories: true)
    // The older trainer's summary: no status, spec_hash → finished.
    try RunFixtures.run(
      dir, "old/20261201-090000",
      summary:
        "{\"name\": \"old\", \"spec_hash\": \"0123456789abcdef0123\", \"epochs\": 2, \"steps\": 4, \"train_loss\": 0.5, \"train_accuracy\": 0.75, \"wall_seconds\": 1.5}",
      metrics: ["1,2,0.1,0.6,0.7,,,50,1", "2,4,0.1,0.5,0.75,,,50,1"])

    let runs = RunScanner.scan(dir.url.path)
    let statuses = Dictionary(uniqueKeysWithValues: runs.map { ($0.relativePath, $0.status) })
    #expect(runs.count == 12)
    #expect(statuses["mlp/20261201-100000"] == .finished)
    #expect(statuses["mlp/20261201-110000"] == .failed)
    #expect(statuses["mlp/20261201-120000"] == .stopped)
    #expect(statuses["mlp/20261201-130000"] == .running)
    for i in 0...5 { #expect(statuses["bad/20261201-14000\(i)"] == .corrupt, "\(i)") }
    #expect(
      runs.first { $0.relativePath == "bad/20261201-140005" }?.problem
        == "summary.json is not a regular file")
    #expect(
      runs.first { $0.relativePath == "bad/20261201-140003" }?.problem
        == "summary.json is a directory")
    #expect(statuses["bad/20261201-150000"] == .incomplete)
    #expect(statuses["old/20261201-090000"] == .finished)
    // Sorted by start time: the old run (from its directory name) first.
    #expect(runs.first?.relativePath == "old/20261201-090000")
    #expect(runs.map(\.relativePath).prefix(3).last == "mlp/20261201-110000")
    // A corrupt run still shows what metrics.csv holds (the cut-off third row is skipped).
    let half = try #require(runs.first { $0.relativePath == "bad/20261201-140000" })
    #expect(half.epochsDone == 2)
    #expect(half.finalMetric == 0.75)
    #expect(half.problem == "summary.json is not valid JSON (half-written?)")
    let finished = try #require(runs.first { $0.relativePath == "mlp/20261201-100000" })
    #expect(finished.testAccuracy == 0.84)
    #expect(finished.bestMetric?.value == 0.86)
    #expect(finished.summary?.raw["future_key"] != nil)
  }

  /// Permissions: skipped as root, who reads everything (the FIFO case above needs no
  /// permissions and runs everywhere).
  @Test(.enabled(if: getuid() != 0)) func unreadableSummaryIsCorrupt() throws {
    let dir = try TemporaryDirectory()
    let run = try RunFixtures.run(
      dir, "r/20261201-100000",
      summary: RunFixtures.summary(status: "finished", started: "2026-12-01T10:00:00Z"))
    chmod(run + "/summary.json", 0)
    let locked = dir.path("locked")
    try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
    chmod(locked, 0)
    defer {
      chmod(run + "/summary.json", 0o644)
      chmod(locked, 0o755)
    }
    let runs = RunScanner.scan(dir.url.path)
    #expect(runs.map(\.status) == [.corrupt])
    #expect(runs.first?.problem == "summary.json is not readable")
  }

  @Test func listingTableGolden() throws {
    let dir = try TemporaryDirectory()
    try RunFixtures.run(
      dir, "mlp/20261201-100000",
      summary: RunFixtures.summary(
        status: "finished", started: "2026-12-01T10:00:00Z", test: 0.84, dirty: true,
        overrides: ["train.epochs=3"]))
    try RunFixtures.run(
      dir, "bad/20261201-140000", summary: "[]", metrics: ["1,10,0.1,0.5,0.8,,,100,1.0"])
    let table = RunListing.table(RunScanner.scan(dir.url.path))
    #expect(
      table.text == """
        run                  name  started              spec          commit       overrides       epochs  metric      final    best    test  duration  status
        mlp/20261201-100000  mlp   2026-12-01 10:00:00  aaaabbbbcccc  0123456789*  train.epochs=3     3/3  val_acc    0.8500  0.8600  0.8400     1m16s  finished
        bad/20261201-140000  bad   2026-12-01 14:00:00  -             -                                 1  train_acc  0.8000  0.8000       -         -  corrupt

        """)
    #expect(
      table.csv == """
        run,name,started,spec,commit,overrides,epochs,metric,final,best,test,duration,status
        mlp/20261201-100000,mlp,2026-12-01 10:00:00,aaaabbbbcccc,0123456789*,train.epochs=3,3/3,val_acc,0.8500,0.8600,0.8400,1m16s,finished
        bad/20261201-140000,bad,2026-12-01 14:00:00,-,-,,1,train_acc,0.8000,0.8000,-,-,corrupt

        """)
  }

  static let specA = """
    dlspec: 1
    name: mlp
    model:
      input: [1, 28, 28]
      layers:
        - flatten
        - dense: {units: 100}
        - relu
        - dense: {units: 10}
    optimizer:
      sgd: {lr: 0.1}
    train: {epochs: 3, batch_size: 100}

    """

  static func compareFixture(_ dir: TemporaryDirectory) throws -> RunComparison {
    let b = specA.replacingOccurrences(of: "units: 100", with: "units: 200")
      .replacingOccurrences(of: "lr: 0.1", with: "lr: 0.05")
    let a = try RunFixtures.run(
      dir, "a",
      summary: RunFixtures.summary(status: "finished", started: "2026-12-01T10:00:00Z", test: 0.84),
      metrics: ["1,10,0.1,0.5,0.8,0.6,0.7,100,1.0", "2,20,0.1,0.4,0.85,0.55,0.86,100,1.0"],
      spec: specA)
    let bPath = try RunFixtures.run(
      dir, "b",
      summary: RunFixtures.summary(
        status: "finished", started: "2026-12-01T11:00:00Z", validationAccuracy: 0.88, best: 0.88),
      metrics: ["1,10,0.05,0.45,0.82,0.5,0.88,120,1.0"], canonical: b)
    return RunComparison([RunScanner.read(a), RunScanner.read(bPath)], labels: ["a", "b"])
  }

  @Test func compareLabelsDropTheSharedDirectory() {
    #expect(RunComparison.labels(["sw/points/001-a", "sw/points/002-b"]) == ["001-a", "002-b"])
    #expect(RunComparison.labels(["runs/a/1", "runs/b/1"]) == ["a/1", "b/1"])
    #expect(RunComparison.labels(["a", "b"]) == ["a", "b"])
    #expect(RunComparison.labels(["x/a", "x/a"]) == ["x/a", "x/a"])
  }

  @Test func specKeyPathsIndexLayers() {
    let pairs = SpecKeyPaths.flatten(Self.specA) ?? []
    let map = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    #expect(map["model.layers[1].dense.units"] == "100")
    #expect(map["model.layers[0]"] == "flatten")
    #expect(map["model.input"] == "[1, 28, 28]")
    #expect(map["optimizer.sgd.lr"] == "0.1")
    #expect(SpecKeyPaths.flatten("a: [") == nil)
  }

  @Test func compareOnlyChangedGoldens() throws {
    let dir = try TemporaryDirectory()
    let c = try Self.compareFixture(dir)
    #expect(
      c.text(onlyChanged: true) == """
        spec keys: 2 of 10 differ (only those shown)
           key                          a    b
        *  model.layers[1].dense.units  100  200
        *  optimizer.sgd.lr             0.1  0.05

        metrics:
        metric                          a       b
        epochs                          3       3
        train_loss final           0.3000  0.3000
        train_loss best            0.4000  0.4500
        train_accuracy final       0.9000  0.9000
        train_accuracy best        0.8500  0.8200
        validation_loss final      0.4000  0.4000
        validation_loss best       0.5500  0.5000
        validation_accuracy final  0.8500  0.8800
        validation_accuracy best   0.8600  0.8800
        test_loss                  0.4100       -
        test_accuracy              0.8400       -
        duration                    1m16s   1m16s
        samples_per_s                1234    1234

        """)
    #expect(
      c.markdown(onlyChanged: true) == """
        ### Spec keys (2 of 10 differ)

        | changed | key | a | b |
        |---|---|---|---|
        | * | model.layers[1].dense.units | 100 | 200 |
        | * | optimizer.sgd.lr | 0.1 | 0.05 |

        ### Metrics

        | metric | a | b |
        |---|---:|---:|
        | epochs | 3 | 3 |
        | train_loss final | 0.3000 | 0.3000 |
        | train_loss best | 0.4000 | 0.4500 |
        | train_accuracy final | 0.9000 | 0.9000 |
        | train_accuracy best | 0.8500 | 0.8200 |
        | validation_loss final | 0.4000 | 0.4000 |
        | validation_loss best | 0.5500 | 0.5000 |
        | validation_accuracy final | 0.8500 | 0.8800 |
        | validation_accuracy best | 0.8600 | 0.8800 |
        | test_loss | 0.4100 | - |
        | test_accuracy | 0.8400 | - |
        | duration | 1m16s | 1m16s |
        | samples_per_s | 1234 | 1234 |

        """)
    #expect(
      c.csv(onlyChanged: true) == """
        section,key,a,b,changed
        spec,model.layers[1].dense.units,100,200,true
        spec,optimizer.sgd.lr,0.1,0.05,true
        metric,epochs,3,3,
        metric,train_loss final,0.3,0.3,
        metric,train_loss best,0.4,0.45,
        metric,train_accuracy final,0.9,0.9,
        metric,train_accuracy best,0.85,0.82,
        metric,validation_loss final,0.4,0.4,
        metric,validation_loss best,0.55,0.5,
        metric,validation_accuracy final,0.85,0.88,
        metric,validation_accuracy best,0.86,0.88,
        metric,test_loss,0.41,,
        metric,test_accuracy,0.84,,
        metric,duration,75.5,75.5,
        metric,samples_per_s,1234.5,1234.5,

        """)
    #expect(
      c.json(onlyChanged: true).render() == """
        {
          "runs": ["a", "b"],
          "spec": [
            {
              "key": "model.layers[1].dense.units",
              "values": ["100", "200"],
              "changed": true
            },
            {
              "key": "optimizer.sgd.lr",
              "values": ["0.1", "0.05"],
              "changed": true
            }
          ],
          "metrics": [
            {
              "metric": "epochs",
              "values": [3, 3]
            },
            {
              "metric": "train_loss final",
              "values": [0.3, 0.3]
            },
            {
              "metric": "train_loss best",
              "values": [0.4, 0.45]
            },
            {
              "metric": "train_accuracy final",
              "values": [0.9, 0.9]
            },
            {
              "metric": "train_accuracy best",
              "values": [0.85, 0.82]
            },
            {
              "metric": "validation_loss final",
              "values": [0.4, 0.4]
            },
            {
              "metric": "validation_loss best",
              "values": [0.55, 0.5]
            },
            {
              "metric": "validation_accuracy final",
              "values": [0.85, 0.88]
            },
            {
              "metric": "validation_accuracy best",
              "values": [0.86, 0.88]
            },
            {
              "metric": "test_loss",
              "values": [0.41, null]
            },
            {
              "metric": "test_accuracy",
              "values": [0.84, null]
            },
            {
              "metric": "duration",
              "values": [75.5, 75.5]
            },
            {
              "metric": "samples_per_s",
              "values": [1234.5, 1234.5]
            }
          ],
          "notes": []
        }
        """)
    // Without --only-changed every key is shown, the changed ones marked.
    let all = c.specTable(onlyChanged: false)
    #expect(all.rows.count == 10)
    #expect(
      all.rows.filter { $0[0] == "*" }.map { $0[1] } == [
        "model.layers[1].dense.units", "optimizer.sgd.lr",
      ])
  }

  @Test func showPrintsProvenanceMetricsAndCheckpoints() throws {
    let dir = try TemporaryDirectory()
    let path = try RunFixtures.run(
      dir, "mlp/20261201-100000",
      summary: RunFixtures.summary(
        status: "finished", started: "2026-12-01T10:00:00Z", test: 0.84, dirty: true,
        overrides: ["train.epochs=3"]),
      metrics: ["1,10,0.1,0.5,0.8,0.6,0.7,100,1.0", "2,20,0.1,0.4,0.85,0.5,0.75,100,1.0"],
      checkpoints: ["last.h5": 2048, "epoch-002.h5": 2048])
    let text = RunDetail.text(RunScanner.read(path), lastRows: 1)
    #expect(
      text.hasPrefix(
        "run:                 \(path)\nstatus:              finished\nname:                mlp\n"),
      "\(text)")
    #expect(text.contains("git:                 0123456789abcdef (dirty)\n"), "\(text)")
    #expect(text.contains("test:                accuracy 0.8400, loss 0.4100\n"), "\(text)")
    #expect(
      text.contains("other summary keys:\n  future_key: {\n    \"x\": [1, 2]\n  }\n"), "\(text)")
    #expect(text.contains("metrics.csv: 2 rows, the last 1:\n"), "\(text)")
    #expect(
      text.hasSuffix("checkpoints:\n  epoch-002.h5  2.00 KiB\n  last.h5  2.00 KiB\n"), "\(text)")
    let json = RunDetail.json(RunScanner.read(path), lastRows: 1).render()
    let parsed = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let metrics = try #require(parsed["metrics"] as? [String: Any])
    #expect(metrics["row_count"] as? Int == 2)
    #expect((metrics["last_rows"] as? [[Any]])?.first?.first as? Int == 2)
    #expect((parsed["summary"] as? [String: Any])?["status"] as? String == "finished")
  }

  @Test func listingJSONHasNullsForWhatIsMissing() throws {
    let dir = try TemporaryDirectory()
    try RunFixtures.run(dir, "x/20261201-100000", summary: nil, checkpoints: ["last.h5": 1])
    let json = RunListing.json(RunScanner.scan(dir.url.path)).render()
    #expect(json.contains("\"status\": \"incomplete\""))
    #expect(json.contains("\"spec_sha256\": null"))
    #expect(json.contains("\"started_at\": \"2026-12-01T10:00:00Z\""))
    #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [Any])
  }
}
