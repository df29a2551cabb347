import DLSpec
import Foundation
import Testing

/// `--set KEY=VALUE` overrides: located errors in the override's own pseudo-source (the exact
/// rendered text, caret line included), values of every type, and the spec's own errors still
/// at their true lines.
enum OverrideFixture {
  static let path = "fixture.yaml"
  /// Line numbers matter: the spec's own errors are expected at these lines.
  static let text = """
    dlspec: 1
    name: fixture
    data: {dataset: mnist}
    model:
      input: [784]
      layers:
        - dense: {units: 100}
        - relu
        - dense: {units: 10}
        - softmax
    loss: cross_entropy
    optimizer:
      sgd: {lr: 0.1}

    """

  static func check(_ overrides: [String], text: String = text) -> SpecChecker.Result {
    SpecChecker(memoryLimit: 24 << 30)
      .check(SourceFile(path: path, text: text), overrides: overrides)
  }

  static func rendered(_ r: SpecChecker.Result) -> String {
    DiagnosticRenderer.text(r.diagnostics, sources: r.sources)
  }
}

struct OverrideErrorCase: CustomTestStringConvertible, Sendable {
  var id: String
  var overrides: [String]
  var expected: String
  var testDescription: String { id }

  init(_ id: String, _ overrides: [String], _ expected: String) {
    self.id = id
    self.overrides = overrides
    self.expected = expected
  }

  static let all: [OverrideErrorCase] = [
    .init("bad-key-did-you-mean", ["optimizer.sgd.lrr=0.1"], """
      --set optimizer.sgd.lrr=0.1:1:15: error[E014]: unknown key 'lrr' in optimizer 'sgd'
       1 | optimizer.sgd.lrr=0.1
         |               ^
         = hint: did you mean 'lr'? valid keys: lr, momentum, nesterov, weight_decay

      """),
    .init("bad-variant-did-you-mean", ["optimizer.sgdd.lr=0.1"], """
      --set optimizer.sgdd.lr=0.1:1:11: error[E051]: 'optimizer' is the optimizer 'sgd', not 'sgdd'
       1 | optimizer.sgdd.lr=0.1
         |           ^
         = hint: did you mean 'sgd'?

      """),
    .init("other-variant", ["optimizer.adam.lr=0.001"], """
      --set optimizer.adam.lr=0.001:1:11: error[E051]: 'optimizer' is the optimizer 'sgd', not 'adam'
       1 | optimizer.adam.lr=0.001
         |           ^
         = hint: to use 'adam' instead, replace the whole entry: optimizer={adam: {…}}

      """),
    .init("bad-section", ["trian.epochs=3"], """
      --set trian.epochs=3:1:1: error[E014]: unknown section 'trian'
       1 | trian.epochs=3
         | ^
         = hint: did you mean 'train'? sections: checkpoint, data, description, dlspec, growth, loss, model, name, optimizer, schedule, task, train

      """),
    .init("index-out-of-range", ["model.layers[4].dense.units=64"], """
      --set model.layers[4].dense.units=64:1:14: error[E051]: 'model.layers' has 4 items, so index 4 is past its end
       1 | model.layers[4].dense.units=64
         |              ^
         = hint: items count from 0: use model.layers[0] to model.layers[3]; to add or remove items, set the whole list

      """),
    .init("index-under-missing-key", ["model.layres[0]=relu"], """
      --set model.layres[0]=relu:1:7: error[E051]: 'model' has no key 'layres', so there is no list to index in 'model.layres[0]'
       1 | model.layres[0]=relu
         |       ^
         = hint: did you mean 'layers'?

      """),
    .init("index-under-missing-section", ["checkpoint.every[0]=1"], """
      --set checkpoint.every[0]=1:1:1: error[E051]: the spec has no key 'checkpoint', so there is no list to index in 'checkpoint.every[0]'
       1 | checkpoint.every[0]=1
         | ^
         = hint: set the whole list instead: checkpoint.every=[…]

      """),
    .init("index-into-a-value", ["model.layers[0].dense.units[0]=1"], """
      --set model.layers[0].dense.units[0]=1:1:29: error[E051]: 'model.layers[0].dense.units' is the integer 100, not a list, so it has no item 0
       1 | model.layers[0].dense.units[0]=1
         |                             ^
         = hint: set the value itself: model.layers[0].dense.units=…

      """),
    .init("bad-type", ["train.epochs=abc"], """
      --set train.epochs=abc:1:14: error[E015]: 'epochs' of 'train' must be an integer in [1, 1000000], found the string "abc"
       1 | train.epochs=abc
         |              ^
         = hint: passes over the training set

      """),
    .init("out-of-range", ["optimizer.sgd.lr=-1"], """
      --set optimizer.sgd.lr=-1:1:18: error[E016]: 'lr' of optimizer 'sgd' must be a number > 0, found -1
       1 | optimizer.sgd.lr=-1
         |                  ^
         = hint: learning rate α > 0

      """),
    .init("tag-refused", ["name=!!python/object:os.system x"], """
      --set name=!!python/object:os.system x:1:6: error[E052]: YAML tags are not allowed in an override: '!!python/object:os.system'
       1 | name=!!python/object:os.system x
         |      ^
         = hint: a spec takes plain values; to pass this text as a string, quote it: --set 'name="!!python/object:os.system x"'

      """),
    .init("tag-inside-list", ["model.input=[1, !!int 28, 28]"], """
      --set model.input=[1, !!int 28, 28]:1:17: error[E052]: YAML tags are not allowed in an override: '!!int'
       1 | model.input=[1, !!int 28, 28]
         |                 ^
         = hint: a spec takes plain values; to pass this text as a string, quote it: --set 'model.input="[1, !!int 28, 28]"'

      """),
    .init("anchor-refused", ["name=&a x"], """
      --set name=&a x:1:6: error[E052]: YAML anchors (&a) are not allowed in an override
       1 | name=&a x
         |      ^
         = hint: write the value out in full; a value starting with '&' must be quoted

      """),
    .init("alias-refused", ["name=*a"], """
      --set name=*a:1:6: error[E052]: YAML aliases (*name) are not allowed in an override
       1 | name=*a
         |      ^
         = hint: write the value out in full; a value starting with '*' must be quoted

      """),
    .init("bare-name-layer-has-no-parameters", ["model.layers[1].relu.alpha=1"], """
      --set model.layers[1].relu.alpha=1:1:22: error[E014]: unknown key 'alpha' in relu layer
       1 | model.layers[1].relu.alpha=1
         |                      ^
         = hint: relu layer takes no parameters

      """),
    .init("bare-name-layer-other-kind", ["model.layers[1].tanh.x=1"], """
      --set model.layers[1].tanh.x=1:1:17: error[E051]: 'model.layers[1]' is the layer 'relu', not 'tanh'
       1 | model.layers[1].tanh.x=1
         |                 ^
         = hint: to use 'tanh' instead, replace the whole entry: model.layers[1]={tanh: {…}}

      """),
    .init("replaced-item-checked", ["model.layers[0]=dense"], """
      --set model.layers[0]=dense:1:17: error[E017]: dense layer needs 'units': number of output units
       1 | model.layers[0]=dense
         |                 ^
         = hint: add `units: ` with an integer ≥ 1

      """),
    .init("missing-equals", ["train.epochs"], """
      --set train.epochs:1:13: error[E050]: expected KEY=VALUE, found no '='
       1 | train.epochs
         |             ^
         = hint: e.g. train.epochs=3, optimizer.sgd.lr=0.05 or model.layers[0].dense.units=64

      """),
    .init("empty-key", ["=3"], """
      --set =3:1:1: error[E050]: the key before '=' is empty
       1 | =3
         | ^
         = hint: e.g. train.epochs=3, optimizer.sgd.lr=0.05 or model.layers[0].dense.units=64

      """),
    .init("double-dot", ["train..epochs=3"], """
      --set train..epochs=3:1:7: error[E050]: empty name between two dots
       1 | train..epochs=3
         |       ^
         = hint: e.g. train.epochs=3, optimizer.sgd.lr=0.05 or model.layers[0].dense.units=64

      """),
    .init("index-not-integer", ["model.layers[x]=relu"], """
      --set model.layers[x]=relu:1:14: error[E050]: an index must be a whole number, found 'x'
       1 | model.layers[x]=relu
         |              ^
         = hint: list items count from 0: model.layers[0] is the first layer

      """),
    .init("index-negative", ["model.layers[-1]=relu"], """
      --set model.layers[-1]=relu:1:14: error[E050]: the index -1 is negative
       1 | model.layers[-1]=relu
         |              ^
         = hint: list items count from 0, the first item is [0]; negative indices are not supported

      """),
    .init("index-unclosed", ["model.layers[0=relu"], """
      --set model.layers[0=relu:1:13: error[E050]: '[' has no closing ']'
       1 | model.layers[0=relu
         |             ^
         = hint: write an index as layers[0]

      """),
    .init("key-on-a-value", ["name.x=1"], """
      --set name.x=1:1:6: error[E051]: 'name' is the string "fixture", not a mapping, so it has no key 'x'
       1 | name.x=1
         |      ^
         = hint: set the value itself: name=…

      """),
    .init("key-on-a-list", ["model.layers.dense=1"], """
      --set model.layers.dense=1:1:14: error[E051]: 'model.layers' is a list (4 items), so it has no key 'dense'
       1 | model.layers.dense=1
         |              ^
         = hint: address an item by its index from 0: model.layers[0]

      """),
    .init("value-not-yaml", ["model.input=[1, 28"], """
      --set model.input=[1, 28:1:13: error[E004]: the value is not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1)
       1 | model.input=[1, 28
         |             ^
         = hint: check that every [ and { has its closing ] or }

      """),
    .init("control-character", ["name=a\tb"], """
      --set name=a␉b:1:7: error[E050]: an override is one line of text; found the control character U+0009
       1 | name=a␉b
         |       ^
         = hint: remove line breaks and tabs from the --set argument

      """),
    // Each override is its own source, reported in the order given.
    .init("two-bad-overrides", ["train.epochs=0", "optimizer.sgd.momentum=1"], """
      --set train.epochs=0:1:14: error[E016]: 'epochs' of 'train' must be an integer in [1, 1000000], found 0
       1 | train.epochs=0
         |              ^
         = hint: passes over the training set
      --set optimizer.sgd.momentum=1:1:24: error[E016]: 'momentum' of optimizer 'sgd' must be a number in [0, 1), found 1
       1 | optimizer.sgd.momentum=1
         |                        ^
         = hint: momentum coefficient in [0, 1)

      """),
  ]
}

/// An override that applies, and what the checked experiment must then hold.
struct OverrideValueCase: CustomTestStringConvertible, Sendable {
  var id: String
  var overrides: [String]
  /// A line the overridden YAML text must contain.
  var line: String
  var holds: @Sendable (Experiment) -> Bool
  var testDescription: String { id }

  init(
    _ id: String, _ overrides: [String], _ line: String,
    _ holds: @escaping @Sendable (Experiment) -> Bool
  ) {
    self.id = id
    self.overrides = overrides
    self.line = line
    self.holds = holds
  }

  static let all: [OverrideValueCase] = [
    .init("int-in-new-section", ["train.epochs=3"], "train: {epochs: 3}") {
      $0.train.value.epochs == 3
    },
    .init("float", ["optimizer.sgd.lr=0.05"], "  sgd: {lr: 0.05}") {
      $0.optimizer.value.learningRate == 0.05
    },
    .init("float-exponent", ["optimizer.sgd.lr=5e-3"], "  sgd: {lr: 5e-3}") {
      $0.optimizer.value.learningRate == 0.005
    },
    .init("bool", ["train.shuffle=false"], "train: {shuffle: false}") {
      $0.train.value.shuffle == false
    },
    .init("string", ["name=run-2"], "name: run-2") { $0.name == "run-2" },
    .init("quoted-string", ["name='007'"], "name: \"007\"") { $0.name == "007" },
    .init("comment-dropped", ["name=run-3 # why"], "name: run-3") { $0.name == "run-3" },
    .init(
      "list", ["model.input=[1, 28, 28]", "model.layers=[flatten, {dense: {units: 10}}, softmax]"],
      "  input: [1, 28, 28]"
    ) { $0.model.input.dims == [1, 28, 28] && $0.model.layers.count == 3 },
    .init("list-item-replaced", ["model.layers[1]=tanh"], "  - tanh") {
      $0.model.layers[1].name == "tanh_1"
    },
    .init("list-item-key", ["model.layers[0].dense.units=64"], "  - dense: {units: 64}") {
      $0.model.layers[0].params.int("units") == 64
    },
    .init("nested-key-created", ["optimizer.sgd.momentum=0.9"], "  sgd: {lr: 0.1, momentum: 0.9}") {
      $0.optimizer.value == .sgd(lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0)
    },
    .init("mapping-in-new-section", ["checkpoint.every=2"], "checkpoint: {every: 2}") {
      $0.checkpoint.value.every == 2
    },
    .init("data-key", ["data.validation_split=0.2"], "data: {dataset: mnist, validation_split: 0.2}") {
      $0.data?.validationSplit == 0.2
    },
    // A bare name (here one an earlier override wrote) stands for `{dense: {}}`.
    .init(
      "bare-name-expanded", ["model.layers[1]=dense", "model.layers[1].dense.units=50"],
      "  - dense: {units: 50}"
    ) { $0.model.layers[1].params.int("units") == 50 },
    .init("last-wins", ["train.epochs=3", "train.epochs=4"], "train: {epochs: 4}") {
      $0.train.value.epochs == 4
    },
  ]
}

@Suite struct OverrideTests {
  @Test(arguments: OverrideErrorCase.all)
  func locatedError(_ c: OverrideErrorCase) {
    let r = OverrideFixture.check(c.overrides)
    #expect(!r.isValid)
    #expect(r.experiment == nil)
    #expect(r.overriddenText == nil || r.diagnostics.allSatisfy { $0.code.rawValue < "E050" })
    #expect(OverrideFixture.rendered(r) == c.expected)
    // The renderer finds an override's line from its name alone.
    #expect(DiagnosticRenderer.text(r.diagnostics, sources: [:]) == c.expected)
    for d in r.diagnostics {
      #expect(d.location?.file.hasPrefix("--set ") == true, "\(d.message)")
    }
  }

  @Test(arguments: OverrideValueCase.all)
  func appliedValue(_ c: OverrideValueCase) throws {
    let r = OverrideFixture.check(c.overrides)
    #expect(r.isValid, "\(OverrideFixture.rendered(r))")
    let e = try #require(r.experiment)
    #expect(c.holds(e))
    let text = try #require(r.overriddenText)
    #expect(text.split(separator: "\n").contains { $0 == c.line }, "\(text)")
    // The overridden text is a spec that checks to the same values on its own.
    let again = SpecChecker(memoryLimit: 24 << 30).check(SourceFile(path: "spec.yaml", text: text))
    #expect(again.isValid, "\(DiagnosticRenderer.text(again.diagnostics, sources: again.sources))")
    #expect(again.experiment.map(c.holds) == true)
  }

  @Test func overriddenValueIsLocatedInTheOverride() throws {
    let e = try #require(OverrideFixture.check(["train.epochs=3"]).experiment)
    let origin = try #require(e.train.params.origins["epochs"]?.location)
    #expect(origin == SourceLocation(file: "--set train.epochs=3", line: 1, column: 14))
    #expect(e.optimizer.params.origins["lr"]?.location?.file == OverrideFixture.path)
  }

  @Test func specErrorsKeepTheirLinesBesideOverrides() {
    let bad = OverrideFixture.text.replacingOccurrences(of: "{units: 10}", with: "{units: 0}")
    let r = OverrideFixture.check(["train.epochs=0", "optimizer.sgd.lr=0.5"], text: bad)
    #expect(OverrideFixture.rendered(r) == """
      fixture.yaml:9:22: error[E016]: 'units' of dense layer must be an integer ≥ 1, found 0
       9 |     - dense: {units: 0}
         |                      ^
         = hint: number of output units
      --set train.epochs=0:1:14: error[E016]: 'epochs' of 'train' must be an integer in [1, 1000000], found 0
       1 | train.epochs=0
         |              ^
         = hint: passes over the training set

      """)
  }

  @Test func noOverridesKeepTheTextAsWritten() throws {
    let text = "# a comment\n" + OverrideFixture.text
    let r = OverrideFixture.check([], text: text)
    #expect(r.isValid)
    #expect(r.overriddenText == text)
    let applied = try SpecOverrides.apply([], to: text)
    #expect(applied == text)
  }

  @Test func applyReturnsTheOverriddenText() throws {
    let out = try SpecOverrides.apply(
      ["model.layers[0].dense.units=64", "train.epochs=2"], to: OverrideFixture.text)
    #expect(out.contains("  - dense: {units: 64}\n"))
    #expect(out.contains("train: {epochs: 2}\n"))
    // Errors in the spec itself are the caller's check, not an override failure.
    let bad = OverrideFixture.text.replacingOccurrences(of: "{units: 10}", with: "{units: 0}")
    let unchecked = try SpecOverrides.apply(["train.epochs=2"], to: bad)
    #expect(unchecked.contains("{units: 0}"))
  }

  @Test func applyThrowsLocatedDiagnostics() {
    do {
      _ = try SpecOverrides.apply(["model.layers[7].dense.units=64"], to: OverrideFixture.text)
      Issue.record("expected a failure")
    } catch let f as SpecOverrides.Failure {
      #expect(f.diagnostics.map(\.code) == [.overridePath])
      #expect(f.diagnostics.first?.location == SourceLocation(
        file: "--set model.layers[7].dense.units=64", line: 1, column: 14))
      #expect(f.description.hasPrefix(
        "--set model.layers[7].dense.units=64:1:14: error[E051]: 'model.layers' has 4 items"))
      #expect(f.description.contains("\n   |              ^\n"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func applyToUnparsableSpecNamesTheSpec() {
    #expect {
      try SpecOverrides.apply(["train.epochs=2"], to: "model: [", path: "s.yaml")
    } throws: { error in
      let f = error as? SpecOverrides.Failure
      let d = f?.diagnostics.first
      return d?.code == .yamlSyntax && d?.location?.file == "s.yaml"
    }
  }

  @Test func deepOrHugeValuesAreRefusedQuickly() {
    let start = Date()
    let deep = OverrideFixture.check(["model.input=" + String(repeating: "[", count: 100_000)])
    #expect(deep.diagnostics.map(\.code) == [.tooDeep])
    let many = "[" + Array(repeating: "1", count: 300_000).joined(separator: ",") + "]"
    let huge = OverrideFixture.check(["model.input=" + many])
    #expect(huge.diagnostics.map(\.code) == [.tooManyNodes])
    #expect(Date().timeIntervalSince(start) < 5)
  }
}
