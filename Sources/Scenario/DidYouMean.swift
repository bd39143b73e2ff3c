/// Suggestions for misspelt keys and names, by edit distance.
enum DidYouMean {
    /// Words longer than this get no suggestion.
    static let maxWord = 100
    /// Levenshtein distance, case-insensitive.
    ///
    /// - Complexity: O(a * b) time, O(b) space.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// The closest candidate when it is close enough to be a likely typo (or one contains the other).
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        // No key or name is this long; a huge word (a 10 MB key) would make the distance take minutes.
        guard word.utf8.count <= maxWord else { return nil }
        let limit = max(2, word.count / 3)
        let scored = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= limit }
        if let best = scored.min(by: { $0.1 < $1.1 }) { return best.0 }
        let lower = word.lowercased()
        if lower.count >= 3, let c = candidates.first(where: { $0.lowercased().contains(lower) || lower.contains($0.lowercased()) }) {
            return c
        }
        return nil
    }

    /// ` (did you mean "x"?)` or an empty string.
    static func clause(for word: String, among candidates: [String]) -> String {
        suggestion(for: word, among: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
