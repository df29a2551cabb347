import DLRuntime
import DLSpec
import Foundation
import Testing

@testable import DLTrain

/// Format version 4: `content_sha256` covers the mid-epoch progress attributes
/// (Checkpoint+Progress), so an edit of where a resume continues is caught like an edited
/// weight; version 3 files, whose hash leaves them out, still verify.
@Suite struct ProgressHashTests {
  static let progress = Checkpoint.Progress(
    batch: 3, lossSum: 2.5, correct: 10, samples: 15, gradientNormSums: [0.25, 1.5],
    lossWatch: [1.25, 0.75, 2])

  static func saved(_ dir: TemporaryDirectory) throws -> (String, Plan<Float>) {
    let path = dir.path("c.h5")
    let plan = try CheckpointTests.trainedPlan()
    var metadata = CheckpointTests.metadata
    metadata.progress = progress
    try Checkpoint.save(plan, to: path, metadata: metadata, optimizer: "adam")
    return (path, plan)
  }

  @Test func aMidEpochCheckpointVerifiesAndLoadsItsProgress() throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    guard case .ok(4, 3, 42, _) = Checkpoint.verify(path) else {
      Issue.record("\(Checkpoint.verify(path))")
      return
    }
    #expect(try Checkpoint.load(path, into: plan, optimizerState: true).progress == Self.progress)
  }

  /// Each progress attribute changed through our own writer (as h5py would) breaks the hash,
  /// though every changed value still passes the range and sum checks.
  @Test(arguments: [
    ("epoch_batch", HDF5AttributeValue.int64(2)),
    ("epoch_loss_sum", .double(2.0)),
    ("epoch_correct", .int64(11)),
    ("epoch_samples", .int64(16)),
    ("epoch_grad_norm_sums", .doubleArray([0.25, 1.0])),
    ("loss_watch", .doubleArray([1.25, 0.75, 0])),
  ])
  func anEditedProgressAttributeBreaksTheHash(_ name: String, _ value: HDF5AttributeValue) throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    let file = try HDF5File.open(path, writable: true)
    try file.setAttribute(name, value)
    file.close()
    #expect(throws: Never.self) { _ = try Checkpoint.readMetadata(path) }
    #expect(
      IntegrityTests.corruptReason(path)?.contains("does not match its hash") == true,
      "\(Checkpoint.verify(path))")
    #expect(throws: Checkpoint.Failure.self) {
      try Checkpoint.load(path, into: plan, optimizerState: true)
    }
  }

  /// A version 3 file hashed its content without the progress; it still verifies as written.
  @Test func aVersion3FileWithUnhashedProgressStillVerifies() throws {
    let dir = try TemporaryDirectory()
    let (path, plan) = try Self.saved(dir)
    var metadata = CheckpointTests.metadata
    metadata.progress = Self.progress
    let v3 = Checkpoint.contentHash(
      tensors: Checkpoint.tensors(of: plan), metadata: metadata, optimizer: "adam", version: 3)
    let file = try HDF5File.open(path, writable: true)
    #expect(try file.stringAttribute("content_sha256") != v3)
    try file.setAttribute("format_version", .int64(3))
    try file.setAttribute("content_sha256", .string(v3))
    file.close()
    guard case .ok(3, 3, 42, _) = Checkpoint.verify(path) else {
      Issue.record("\(Checkpoint.verify(path))")
      return
    }
  }

  /// The hash recomputed from the file by Python (h5py, hashlib), following only
  /// docs/checkpoints.md's description of the byte stream, equals the stored one.
  @Test(.enabled(if: DataFixtures.hasH5py, "needs python3 with h5py and numpy"))
  func pythonRecomputesTheHashFromTheDocs() throws {
    let dir = try TemporaryDirectory()
    let (path, _) = try Self.saved(dir)
    let script = """
      import h5py, hashlib, struct, sys
      f = h5py.File(sys.argv[1], "r")
      h = hashlib.sha256()
      names = []
      f.visititems(lambda n, o: names.append("/" + n) if isinstance(o, h5py.Dataset) else None)
      for n in sorted(names, key=lambda s: s.encode()):
          d = f[n][()]
          h.update(b"D" + n.encode() + b"\\0")
          h.update(struct.pack("<Q", d.ndim) + b"".join(struct.pack("<Q", e) for e in d.shape))
          h.update(struct.pack("<Q", d.size) + d.astype("<f4").tobytes())
      def a(n): h.update(b"A" + n.encode() + b"\\0")
      def s(n):
          v = f.attrs[n].encode(); a(n); h.update(struct.pack("<Q", len(v)) + v)
      def i(n): a(n); h.update(struct.pack("<q", int(f.attrs[n])))
      def d(n): a(n); h.update(struct.pack("<d", float(f.attrs[n])))
      def ds(n):
          v = list(f.attrs[n]); a(n); h.update(struct.pack("<Q", len(v)))
          h.update(b"".join(struct.pack("<d", x) for x in v))
      s("format"); i("format_version"); s("spec_hash")
      if "spec_canonical" in f.attrs: s("spec_canonical")
      i("epoch"); i("step")
      a("rng_state"); r = list(f.attrs["rng_state"])
      h.update(struct.pack("<Q", len(r)) + b"".join(struct.pack("<q", x) for x in r))
      s("optimizer")
      if "epoch_batch" in f.attrs:
          i("epoch_batch")
          if f.attrs["epoch_batch"] > 0:
              d("epoch_loss_sum"); i("epoch_correct"); i("epoch_samples")
              ds("epoch_grad_norm_sums")
          if "loss_watch" in f.attrs: ds("loss_watch")
      print(h.hexdigest() == f.attrs["content_sha256"], h.hexdigest())
      """
    let (status, out, err) = try #require(DataFixtures.python(script, [path]))
    #expect(status == 0, "\(err)")
    #expect(out.hasPrefix("True "), "\(out)")
  }
}
