/// "Did you mean …?" hints for misspelt keys, stages and fields.
///
/// A name within a small edit distance of exactly one best candidate is suggested; otherwise
/// the hint lists what is accepted.
///
/// ```swift
/// SpellingSuggestion.hint(for: "signatrue", among: ["id", "signature"])
/// // "did you mean 'signature'?"
/// SpellingSuggestion.hint(for: "zzz", among: ["id", "signature"])
/// // "expected one of 'id', 'signature'"
/// ```
enum SpellingSuggestion {
    /// The candidate closest to `word`, if one is within reach: 1 edit for names of up to 4
    /// characters, 2 for longer ones (a swap of neighbours is one edit; case is ignored).
    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = word.count <= 4 ? 1 : 2
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// `did you mean 'x'?` when a candidate is close, else the list of candidates, else `nil`.
    static func hint(for word: String, among candidates: [String]) -> String? {
        if let closest = closest(to: word, among: candidates) {
            return "did you mean '\(closest)'?"
        }
        guard !candidates.isEmpty else { return nil }
        return "expected " + list(candidates)
    }

    /// `'a'`, `'a' or 'b'`, or `one of 'a', 'b', 'c'`.
    static func list(_ candidates: [String]) -> String {
        let quoted = candidates.map { "'\($0)'" }
        switch quoted.count {
        case 0: return "nothing"
        case 1: return quoted[0]
        case 2: return quoted[0] + " or " + quoted[1]
        default: return "one of " + quoted.joined(separator: ", ")
        }
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps
    /// of neighbouring characters each cost one.
    static func editDistance(_ source: String, _ target: String) -> Int {
        let a = Array(source)
        let b = Array(target)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }
}
