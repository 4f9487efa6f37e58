import Foundation

/// DSPy's text normalisation and token scores (`dspy/evaluate/metrics.py`), reproduced code point
/// for code point so that scores match DSPy's.
extension Metric {
    /// DSPy's `normalize_text`: the form in which answers are compared.
    ///
    /// In order: Unicode NFD (accents become separate combining marks, which are kept, so
    /// "café" ≠ "cafe"); Python's `str.lower()`; removal of ASCII punctuation (Python's
    /// `string.punctuation`, so "“" and "—" stay); each whole word "a", "an" or "the" replaced by a
    /// space, where a word is a run of letters, numbers and underscores (as Python's `\b`, so the
    /// "the" of a decomposed "thé" is removed and its accent left behind); whitespace collapsed to
    /// single spaces and trimmed.
    ///
    /// ```swift
    /// Metric.normalizeText("The,  Eiffel  Tower!")   // "eiffel tower"
    /// ```
    public static func normalizeText(_ text: String) -> String {
        if let normalized = normalizeASCII(text) { return normalized }
        let decomposed = text.decomposedStringWithCanonicalMapping
        let lowered = pythonLowercased(decomposed.unicodeScalars)
        let unpunctuated = lowered.filter { !($0.isASCII && pythonPunctuation.contains(UInt8($0.value))) }
        let withoutArticles = removingArticles(unpunctuated)
        return pythonSplit(withoutArticles).map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }

    /// ``normalizeText(_:)`` for ASCII text (most answers), where NFD changes nothing and lowercasing only
    /// maps A–Z: the same steps on bytes. `nil` when the text is not ASCII.
    private static func normalizeASCII(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var kept: [UInt8] = []
            kept.reserveCapacity(bytes.count)
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if pythonPunctuation.contains(byte) { continue }
                kept.append((UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte)
            }
            func isWord(_ byte: UInt8) -> Bool {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            }
            func isSpace(_ byte: UInt8) -> Bool { (0x09...0x0D).contains(byte) || (0x1C...0x20).contains(byte) }
            var output: [UInt8] = []
            output.reserveCapacity(kept.count)
            var pendingSpace = false
            var index = 0
            while index < kept.count {
                var end = index + 1
                if isWord(kept[index]) {
                    while end < kept.count, isWord(kept[end]) { end += 1 }
                    let word = kept[index..<end]
                    if word.elementsEqual("a".utf8) || word.elementsEqual("an".utf8) || word.elementsEqual("the".utf8) {
                        pendingSpace = !output.isEmpty
                        index = end
                        continue
                    }
                } else if isSpace(kept[index]) {
                    pendingSpace = !output.isEmpty
                    index = end
                    continue
                }
                if pendingSpace {
                    output.append(UInt8(ascii: " "))
                    pendingSpace = false
                }
                output.append(contentsOf: kept[index..<end])
                index = end
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// DSPy's `f1_score`: token F1 between the normalised texts, 0 when no token is shared
    /// (also when both are empty).
    ///
    /// ```swift
    /// Metric.f1Score("Eiffel Tower is in Paris", gold: "Paris")   // 0.333…
    /// ```
    public static func f1Score(_ prediction: String, gold: String) -> Double {
        let predicted = normalizedTokens(prediction)
        let expected = normalizedTokens(gold)
        var remaining: [[Unicode.Scalar]: Int] = [:]
        for token in expected { remaining[token, default: 0] += 1 }
        var shared = 0
        for token in predicted where remaining[token, default: 0] > 0 {
            remaining[token, default: 0] -= 1
            shared += 1
        }
        guard shared > 0 else { return 0 }
        let precision = Double(shared) / Double(predicted.count)
        let recall = Double(shared) / Double(expected.count)
        return (2 * precision * recall) / (precision + recall)
    }

    /// DSPy's `em_score`: whether the normalised texts are identical (code point for code point).
    public static func exactMatchScore(_ prediction: String, gold: String) -> Bool {
        normalizeText(prediction).unicodeScalars.elementsEqual(normalizeText(gold).unicodeScalars)
    }

    /// DSPy's passage match (`has_answer` over `DPR_normalize(normalize_text(...))`): whether the
    /// answer's tokens appear as a contiguous run of the passage's tokens.
    ///
    /// Tokens are runs of letters, numbers and marks, or single other visible characters, so
    /// "4" is not found in "42" but "eiffel tower" is found in "the eiffel tower is in paris".
    /// An answer that normalises to nothing is found in every passage, as in DSPy.
    public static func passageContains(_ passage: String, answer: String) -> Bool {
        let answerTokens = dprTokens(normalizeText(answer))
        let passageTokens = dprTokens(normalizeText(passage))
        guard answerTokens.count <= passageTokens.count else { return false }
        for start in 0...(passageTokens.count - answerTokens.count)
        where passageTokens[start..<(start + answerTokens.count)].elementsEqual(answerTokens) {
            return true
        }
        return false
    }

    // MARK: Python's string semantics

    /// Python's `string.punctuation`.
    private static let pythonPunctuation = Set(##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##.utf8)

    /// The normalised text split on whitespace, each token as code points.
    static func normalizedTokens(_ text: String) -> [[Unicode.Scalar]] {
        pythonSplit(Array(normalizeText(text).unicodeScalars))
    }

    /// Python's `str.lower()`: full lowercase mappings, with capital sigma becoming final sigma
    /// at the end of a word (Unicode's Final_Sigma context).
    static func pythonLowercased<S: Collection<Unicode.Scalar>>(_ scalars: S) -> [Unicode.Scalar] {
        let scalars = Array(scalars)
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if scalar.value == 0x03A3 {
                output.append(isFinalSigma(at: index, in: scalars) ? "\u{03C2}" : "\u{03C3}")
            } else if scalar.isASCII {
                output.append(scalar.properties.isUppercase ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar)
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return output
    }

    /// Whether the capital sigma at `index` is preceded by a cased letter and not followed by one,
    /// skipping case-ignorable characters (CPython's `handle_capital_sigma`).
    private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = scalars[..<index].last { !$0.properties.isCaseIgnorable }
        guard let before, before.properties.isCased else { return false }
        let after = scalars[(index + 1)...].first { !$0.properties.isCaseIgnorable }
        return after.map { !$0.properties.isCased } ?? true
    }

    /// Python's `str.split()` with no separator: runs of non-whitespace.
    static func pythonSplit(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var tokens: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if isPythonWhitespace(scalar) {
                if !current.isEmpty { tokens.append(current) }
                current = []
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// Python's `str.isspace()`: Unicode White_Space plus the separators U+001C…U+001F.
    private static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// Python's `\w` on a str: letters, numbers (any numeric type) and the underscore.
    private static func isPythonWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return scalar.properties.numericType != nil
        }
    }

    /// `re.sub(r"\b(a|an|the)\b", " ", text)`: every whole word "a", "an" or "the" becomes a space.
    private static func removingArticles(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            guard isPythonWordCharacter(scalars[index]) else {
                output.append(scalars[index])
                index += 1
                continue
            }
            var end = index
            while end < scalars.count, isPythonWordCharacter(scalars[end]) { end += 1 }
            let word = scalars[index..<end]
            if word.elementsEqual("a".unicodeScalars) || word.elementsEqual("an".unicodeScalars)
                || word.elementsEqual("the".unicodeScalars)
            {
                output.append(" ")
            } else {
                output.append(contentsOf: word)
            }
            index = end
        }
        return output
    }

    /// DPR's `SimpleTokenizer` words, lowercased: runs of letters, numbers and marks
    /// (`[\p{L}\p{N}\p{M}]+`), or any single character that is neither a separator nor a control
    /// or format character (`[^\p{Z}\p{C}]`), after NFD.
    static func dprTokens(_ text: String) -> [[Unicode.Scalar]] {
        let scalars = Array(text.decomposedStringWithCanonicalMapping.unicodeScalars)
        var tokens: [[Unicode.Scalar]] = []
        var index = 0
        while index < scalars.count {
            let kind = dprKind(scalars[index])
            switch kind {
            case .alphanumeric:
                var end = index
                while end < scalars.count, dprKind(scalars[end]) == .alphanumeric { end += 1 }
                tokens.append(pythonLowercased(scalars[index..<end]))
                index = end
            case .other:
                tokens.append(pythonLowercased(scalars[index...index]))
                index += 1
            case .skipped:
                index += 1
            }
        }
        return tokens
    }

    private enum DPRKind { case alphanumeric, other, skipped }

    private static func dprKind(_ scalar: Unicode.Scalar) -> DPRKind {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
            return .alphanumeric
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format, .surrogate, .privateUse,
            .unassigned:
            return .skipped
        default:
            return .other
        }
    }
}
