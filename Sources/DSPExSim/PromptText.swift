/// The UTF-8 bytes of a prompt with the few search operations the prompt reader needs.
///
/// Searching bytes avoids the cost of `Character` iteration on the simulator's hot path;
/// every marker DSPy prints is ASCII, so byte positions are always safe cut points.
struct PromptText: Sendable {
    let bytes: [UInt8]

    init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    var count: Int { self.bytes.count }

    /// The first position of `needle` at or after `start`.
    func find(_ needle: String, from start: Int = 0) -> Int? {
        self.find(Array(needle.utf8), from: start, before: self.bytes.count)
    }

    /// The first position of `needle` in `start..<end`.
    func find(_ needle: [UInt8], from start: Int, before end: Int) -> Int? {
        guard let first = needle.first, end - start >= needle.count else { return nil }
        let last = end - needle.count
        var position = start
        return self.bytes.withUnsafeBufferPointer { buffer -> Int? in
            while position <= last {
                if buffer[position] == first {
                    var matched = 1
                    while matched < needle.count, buffer[position + matched] == needle[matched] {
                        matched += 1
                    }
                    if matched == needle.count { return position }
                }
                position += 1
            }
            return nil
        }
    }

    /// Whether the bytes at `position` start with `prefix`.
    func hasPrefix(_ prefix: String, at position: Int) -> Bool {
        var index = position
        for byte in prefix.utf8 {
            guard index < self.bytes.count, self.bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// The line ranges (without their newline) in `start..<end`.
    func lines(from start: Int = 0, to end: Int? = nil) -> [Range<Int>] {
        let end = end ?? self.bytes.count
        var ranges: [Range<Int>] = []
        var lineStart = start
        var position = start
        while position < end {
            if self.bytes[position] == UInt8(ascii: "\n") {
                ranges.append(lineStart..<position)
                lineStart = position + 1
            }
            position += 1
        }
        if lineStart <= end { ranges.append(lineStart..<end) }
        return ranges
    }

    /// `range` without leading and trailing ASCII whitespace.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, Self.isSpace(self.bytes[lower]) { lower += 1 }
        while upper > lower, Self.isSpace(self.bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// The text of `range`.
    func string(_ range: Range<Int>) -> String {
        String(decoding: self.bytes[range], as: UTF8.self)
    }

    /// Whether `range` holds exactly `text` once trimmed.
    func equals(_ text: String, trimming range: Range<Int>) -> Bool {
        let range = self.trimmed(range)
        return range.count == text.utf8.count && self.hasPrefix(text, at: range.lowerBound)
    }

    /// Reads a `[[ ## name ## ]]` marker filling the whole (trimmed) line, returning the name.
    func markerName(_ line: Range<Int>) -> String? {
        let line = self.trimmed(line)
        guard line.count > 12, self.hasPrefix("[[ ## ", at: line.lowerBound),
            self.hasPrefix(" ## ]]", at: line.upperBound - 6)
        else { return nil }
        return self.string(line.lowerBound + 6..<line.upperBound - 6)
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }
}
