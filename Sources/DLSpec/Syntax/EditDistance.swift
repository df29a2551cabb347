import Foundation

/// Did-you-mean suggestions, chosen by Levenshtein distance as swift-argument-parser does.
public enum Suggest {
  public static func closest(to word: String, in candidates: [String]) -> String? {
    let w = Array(word.lowercased())
    var best: (String, Int)? = nil
    for c in candidates {
      let d = distance(w, Array(c.lowercased()))
      if let b = best, b.1 <= d { continue }
      best = (c, d)
    }
    // Only suggest when the typo is small relative to the word; otherwise the list is better.
    guard let (name, d) = best, d <= max(2, w.count / 3) else { return nil }
    return name
  }

  /// Levenshtein distance between two strings (case-sensitive).
  public static func distance(_ a: String, _ b: String) -> Int {
    distance(Array(a), Array(b))
  }

  static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }

  /// "did you mean 'dense'? known: a, b, c" or just the known list.
  public static func hint(for word: String, among candidates: [String], noun: String) -> String {
    // The same unknown name repeated 100,000 times in one file must not cost 100,000 edit
    // distance searches: the last few answers are remembered.
    let key = HintCache.Key(word: word, candidates: candidates, noun: noun)
    if let known = HintCache.shared.get(key) { return known }
    let hint = computeHint(for: word, among: candidates, noun: noun)
    HintCache.shared.set(key, hint)
    return hint
  }

  static func computeHint(for word: String, among candidates: [String], noun: String) -> String {
    let list = candidates.sorted().joined(separator: ", ")
    if let c = closest(to: word, in: candidates) {
      return "did you mean '\(c)'? \(noun): \(list)"
    }
    return "\(noun): \(list)"
  }

  /// For long, growing lists (layer kinds): name only the closest candidate, or the three
  /// nearest, so adding a name does not rewrite every message that lists them. Short lists
  /// (at most `shortList` names: losses, optimizers, schedules) are given whole, as by `hint`.
  public static func nearestHint(
    for word: String, among candidates: [String], noun: String, shortList: Int = 8
  ) -> String {
    guard candidates.count > shortList else { return hint(for: word, among: candidates, noun: noun) }
    if let c = closest(to: word, in: candidates) { return "did you mean '\(c)'?" }
    let w = Array(word.lowercased())
    let scored: [(name: String, distance: Int)] = candidates.map { c in
      (c, distance(w, Array(c.lowercased())))
    }
    let ranked = scored.sorted { a, b in
      a.distance != b.distance ? a.distance < b.distance : a.name < b.name
    }
    let nearest: [String] = ranked.prefix(3).map { $0.name }
    return "nearest \(noun): \(nearest.joined(separator: ", ")); `dlspec schema` lists them all"
  }
}

/// A small memo of `Suggest.hint` answers (thread-safe; cleared when it grows past 256).
final class HintCache: @unchecked Sendable {
  struct Key: Hashable {
    var word: String
    var candidates: [String]
    var noun: String
  }

  static let shared = HintCache()
  private let lock = NSLock()
  private var entries: [Key: String] = [:]

  func get(_ key: Key) -> String? {
    lock.lock()
    defer { lock.unlock() }
    return entries[key]
  }

  func set(_ key: Key, _ value: String) {
    lock.lock()
    defer { lock.unlock() }
    if entries.count >= 256 { entries.removeAll() }
    entries[key] = value
  }
}
