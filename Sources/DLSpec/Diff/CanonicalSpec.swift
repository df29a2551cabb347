import Foundation

/// The resolved experiment written back as a dlspec v1 spec: every default written out, keys
/// in a fixed order (sections as below, keys as each section or layer kind declares them),
/// one layer per line as `- kind: {key: value, …}`.
///
/// Checking the text again gives an experiment with the same canonical text, so two specs that
/// differ only in style, key order or defaults left out have the same canonical text (and the
/// same SHA-256, which runs record). Data paths are written relative to the spec's directory
/// when they lie below it, so the text does not depend on where the repository is checked out.
/// `description:` is not part of the experiment and is not written.
public enum CanonicalSpec {
  public static func text(_ e: Experiment) -> String {
    let directory = URL(fileURLWithPath: e.sourcePath).deletingLastPathComponent().path
    let r = ResolvedSpec(e) { relative($0, to: directory) }
    var out = "dlspec: \(r.version)\n"
    out += "name: \(ResolvedSpec.scalar(r.name))\n"
    if let data = r.data {
      out += "data:\n" + data.map { "  \($0.key): \($0.value)\n" }.joined()
    }
    out += "model:\n  input: \(r.input)\n  layers:\n"
    for l in r.layers {
      out += "    - " + (l.params.isEmpty ? l.name : "\(l.name): \(ResolvedSpec.flow(l.params))")
      out += "\n"
    }
    out += "loss: \(choice(r.loss))\n"
    // Written only for regression, so classification specs keep their canonical text (and hash).
    if e.task.value == .regression { out += "task: regression\n" }
    out += "optimizer: \(choice(r.optimizer))\n"
    out += "schedule: \(choice(r.schedule))\n"
    out += "train:\n" + r.train.map { "  \($0.key): \($0.value)\n" }.joined()
    out += "checkpoint:\n" + r.checkpoint.map { "  \($0.key): \($0.value)\n" }.joined()
    out += growthText(e)
    return out
  }

  /// The `growth:` section's canonical lines (empty without one): every key, then the block.
  static func growthText(_ e: Experiment) -> String {
    guard let g = e.growth else { return "" }
    var out = "growth:\n"
    out += ResolvedSpec.entries(g.params, specs: GrowthSection.params)
      .map { "  \($0.key): \($0.value)\n" }.joined()
    out += "  layers:\n"
    for l in g.value.block {
      let c = ResolvedSpec.Choice(
        name: l.kindName, params: ResolvedSpec.entries(l.params, specs: type(of: l.kind).params))
      out += "    - " + (c.params.isEmpty ? c.name : "\(c.name): \(ResolvedSpec.flow(c.params))") + "\n"
    }
    return out
  }

  /// `cross_entropy`, or `{sgd: {lr: 0.1, …}}`.
  static func choice(_ c: ResolvedSpec.Choice) -> String {
    c.params.isEmpty ? c.name : "{\(c.name): \(ResolvedSpec.flow(c.params))}"
  }

  /// `path` without the `directory/` prefix; unchanged when it lies elsewhere.
  static func relative(_ path: String, to directory: String) -> String {
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    guard !directory.isEmpty, path.hasPrefix(prefix) else { return path }
    return String(path.dropFirst(prefix.count))
  }
}
