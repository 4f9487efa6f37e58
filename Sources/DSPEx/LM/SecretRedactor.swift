import Foundation

/// Removes the secrets a client sends (its API key, header values marked secret) from text a server sent back,
/// before that text becomes a reply, an ``LMError``, a log line or a stored record.
///
/// Some gateways and proxies echo the `Authorization` header in an error body ("Incorrect API key provided:
/// Bearer sk-…") or even in a reply. ``OpenAICompatibleLM`` passes every server-provided text through one redactor,
/// so nothing downstream — the terminal, the store, the cache, exported rows — can receive the key.
///
/// What is removed, each replaced by ``replacement``:
/// - every secret, and every run of ``fragmentLength`` or more consecutive bytes of one (a key cut short, or
///   masked in the middle as OpenAI does, still loses each long enough piece);
/// - the secret's JSON-escaped, percent-encoded and base64 forms;
/// - any credential after `Bearer ` or `Basic ` (whoever's it is).
///
/// ```swift
/// let redactor = SecretRedactor(secrets: ["sk-test-1234567890abcdef"])
/// redactor.redact("Incorrect API key provided: Bearer sk-test-1234567890abcdef")
/// // "Incorrect API key provided: Bearer [REDACTED]"
/// ```
public struct SecretRedactor: Sendable, Hashable {
    /// What a removed secret is replaced by.
    public static let replacement = "[REDACTED]"
    /// The shortest run of a secret's bytes that is removed on its own; shorter secrets are removed whole.
    public static let fragmentLength = 8
    /// A redactor that removes nothing but `Bearer`/`Basic` credentials.
    public static let none = SecretRedactor(secrets: [])

    /// Every 8-byte piece of every secret form, packed into a `UInt64`.
    private let grams: Set<UInt64>
    /// A 4,096-bit filter over ``grams``, so a byte of ordinary text costs a shift, a multiply and a bit test.
    private let filter: [UInt64]
    /// Secret forms shorter than ``fragmentLength``, matched whole.
    private let shortSecrets: [[UInt8]]

    /// Creates a redactor for `secrets`; empty strings are ignored.
    public init(secrets: [String]) {
        var grams = Set<UInt64>()
        var short: [[UInt8]] = []
        for secret in secrets where !secret.isEmpty {
            for form in Self.forms(of: secret) {
                let bytes = Array(form.utf8)
                guard bytes.count >= Self.fragmentLength else {
                    short.append(bytes)
                    continue
                }
                for start in 0...(bytes.count - Self.fragmentLength) {
                    grams.insert(Self.pack(bytes[start..<(start + Self.fragmentLength)]))
                }
            }
        }
        var filter = [UInt64](repeating: 0, count: 64)
        for gram in grams {
            let bit = Self.filterBit(gram)
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        self.grams = grams
        self.filter = filter
        self.shortSecrets = Array(Set(short)).sorted { $0.count > $1.count }
    }

    /// Whether the redactor knows any secret.
    public var isEmpty: Bool { grams.isEmpty && shortSecrets.isEmpty }

    /// `text` without the secrets, their pieces and their encoded forms, and without `Bearer`/`Basic` credentials.
    public func redact(_ text: String) -> String {
        var text = text
        let ranges = text.withUTF8 { secretRanges(in: $0) }
        guard !ranges.isEmpty else { return text }
        return text.withUTF8 { bytes in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var index = 0
            for range in ranges {
                output.append(contentsOf: bytes[index..<range.lowerBound])
                output.append(contentsOf: Self.replacement.utf8)
                index = range.upperBound
            }
            output.append(contentsOf: bytes[index...])
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// `error` with its message redacted.
    public func redact(_ error: LMError) -> LMError {
        var redacted = error
        redacted.message = redact(error.message)
        return redacted
    }

    /// The byte ranges of `bytes` to remove, sorted and merged; empty (and nothing allocated) for ordinary text.
    func secretRanges(in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        func mark(_ range: Range<Int>) {
            if let last = ranges.last, range.lowerBound <= last.upperBound, range.lowerBound >= last.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                ranges.append(range)
            }
        }
        if !grams.isEmpty, bytes.count >= Self.fragmentLength {
            var window: UInt64 = 0
            for index in 0..<bytes.count {
                window = window << 8 | UInt64(bytes[index])
                guard index >= Self.fragmentLength - 1 else { continue }
                let bit = Self.filterBit(window)
                guard filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0, grams.contains(window) else { continue }
                mark((index + 1 - Self.fragmentLength)..<(index + 1))
            }
        }
        for short in shortSecrets {
            var start = 0
            while let found = Self.find(short, in: bytes, from: start) {
                mark(found..<(found + short.count))
                start = found + short.count
            }
        }
        markCredentials(in: bytes, mark: mark)
        guard ranges.count > 1 else { return ranges }
        // The short secrets and credentials were marked after the pieces: sort and merge once.
        var merged: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Marks a credential after `Bearer ` or `Basic ` (any case, one or more spaces): a token of at least 12 bytes
    /// that has a digit, a punctuation byte or a lowercase-then-uppercase pair, so that prose ("basic arithmetic")
    /// is left alone.
    private func markCredentials(in bytes: UnsafeBufferPointer<UInt8>, mark: (Range<Int>) -> Void) {
        for scheme in Self.schemes {
            var start = 0
            while let found = Self.find(scheme, in: bytes, from: start, ignoringCase: true) {
                var index = found + scheme.count
                start = found + 1
                guard index < bytes.count, bytes[index] == UInt8(ascii: " ") else { continue }
                while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
                let credential = index
                var looksLikeKey = false
                var previousLower = false
                while index < bytes.count, Self.isCredentialByte(bytes[index]) {
                    let byte = bytes[index]
                    let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
                    let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
                    if !isLower && !isUpper || (isUpper && previousLower) { looksLikeKey = true }
                    previousLower = isLower
                    index += 1
                }
                var end = index
                // A sentence's full stop or colon after the credential is not part of it.
                while end > credential, bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: ":") {
                    end -= 1
                }
                if end - credential >= 12, looksLikeKey { mark(credential..<end) }
                start = max(start, index)
            }
        }
    }

    private static let schemes: [[UInt8]] = [Array("bearer".utf8), Array("basic".utf8)]

    /// Bytes of a token68 credential (RFC 7235) and of the keys providers issue.
    private static func isCredentialByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"),
            UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    /// The secret as it may appear in a server's text: itself, JSON-escaped, percent-encoded, base64 (standard and
    /// URL-safe, also as part of `Bearer <secret>`).
    private static func forms(of secret: String) -> Set<String> {
        var forms: Set<String> = [secret]
        forms.insert(
            secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "/", with: "\\/")
                .replacingOccurrences(of: "\"", with: "\\\""))
        if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
        for text in [secret, "Bearer " + secret] {
            let base64 = Data(text.utf8).base64EncodedString()
            // The trailing characters depend on what follows in a longer encoded text: keep the stable prefix.
            let stable = String(base64.prefix(base64.count / 4 * 4 - (text.utf8.count % 3 == 0 ? 0 : 4)))
            forms.insert(stable)
            forms.insert(stable.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        forms.remove("")
        return forms
    }

    private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func filterBit(_ gram: UInt64) -> Int {
        Int(truncatingIfNeeded: (gram &* 0x9E37_79B9_7F4A_7C15) >> 52)
    }

    private static func find(
        _ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, ignoringCase: Bool = false
    ) -> Int? {
        guard !needle.isEmpty, bytes.count - start >= needle.count else { return nil }
        func lower(_ byte: UInt8) -> UInt8 {
            ignoringCase && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
        }
        outer: for index in start...(bytes.count - needle.count) {
            for offset in needle.indices where lower(bytes[index + offset]) != needle[offset] { continue outer }
            return index
        }
        return nil
    }
}
