/// Pairs the layers of two models so that an inserted layer reads as one insertion, not as
/// every later layer changed.
///
/// First a longest common subsequence of identical layers (same kind, same parameters) fixes
/// the anchors. Between two anchors, a second LCS on the kind alone pairs layers whose
/// parameters changed (`dense {units: 100}` → `dense {units: 200}`); what is left over is
/// deleted from the old model or inserted into the new one.
enum LayerAlignment {
  enum Step: Equatable {
    case same(old: Int, new: Int)
    case changed(old: Int, new: Int)
    case inserted(new: Int)
    case deleted(old: Int)
  }

  static func align(_ a: [ResolvedSpec.Choice], _ b: [ResolvedSpec.Choice]) -> [Step] {
    var steps: [Step] = []
    var gapOld: [Int] = []
    var gapNew: [Int] = []
    func flushGap() {
      let byKind = lcs(gapOld.map { a[$0].name }, gapNew.map { b[$0].name })
      for s in byKind {
        switch s {
        case .same(let i, let j): steps.append(.changed(old: gapOld[i], new: gapNew[j]))
        case .deleted(let i): steps.append(.deleted(old: gapOld[i]))
        case .inserted(let j): steps.append(.inserted(new: gapNew[j]))
        case .changed: break
        }
      }
      gapOld = []
      gapNew = []
    }
    for s in lcs(a, b) {
      switch s {
      case .same:
        flushGap()
        steps.append(s)
      case .deleted(let i): gapOld.append(i)
      case .inserted(let j): gapNew.append(j)
      case .changed: break
      }
    }
    flushGap()
    return steps
  }

  /// An edit script from `a` to `b` with `.same`, `.deleted` and `.inserted` steps only;
  /// deletions come before insertions within a gap, as diff(1) prints them.
  static func lcs<T: Equatable>(_ a: [T], _ b: [T]) -> [Step] {
    // table[i][j]: length of the LCS of a[i...] and b[j...].
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
      }
    }
    var steps: [Step] = []
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if i < a.count, j < b.count, a[i] == b[j] {
        steps.append(.same(old: i, new: j))
        i += 1
        j += 1
      } else if i < a.count, j == b.count || table[i + 1][j] >= table[i][j + 1] {
        steps.append(.deleted(old: i))
        i += 1
      } else {
        steps.append(.inserted(new: j))
        j += 1
      }
    }
    return steps
  }
}
