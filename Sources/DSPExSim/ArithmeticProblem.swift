/// An addition question, "What is A + B?", found in the final user message.
struct ArithmeticProblem: Sendable, Equatable {
    var a: Int
    var b: Int

    /// Finds the first "What is A + B?" (integers, possibly negative) in `text`.
    init?(in text: PromptText) {
        var searchFrom = 0
        while let start = text.find("What is ", from: searchFrom) {
            searchFrom = start + 8
            var position = start + 8
            guard let a = Self.integer(in: text, at: &position) else { continue }
            Self.skipSpaces(in: text, at: &position)
            guard position < text.count, text.bytes[position] == UInt8(ascii: "+") else { continue }
            position += 1
            Self.skipSpaces(in: text, at: &position)
            guard let b = Self.integer(in: text, at: &position) else { continue }
            Self.skipSpaces(in: text, at: &position)
            guard position < text.count, text.bytes[position] == UInt8(ascii: "?") else { continue }
            self.a = a
            self.b = b
            return
        }
        return nil
    }

    init(a: Int, b: Int) {
        self.a = a
        self.b = b
    }

    private static func integer(in text: PromptText, at position: inout Int) -> Int? {
        var cursor = position
        var negative = false
        if cursor < text.count, text.bytes[cursor] == UInt8(ascii: "-") {
            negative = true
            cursor += 1
        }
        let digitsStart = cursor
        var value = 0
        while cursor < text.count, text.bytes[cursor] >= UInt8(ascii: "0"), text.bytes[cursor] <= UInt8(ascii: "9") {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int(text.bytes[cursor] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            cursor += 1
        }
        guard cursor > digitsStart else { return nil }
        position = cursor
        return negative ? -value : value
    }

    private static func skipSpaces(in text: PromptText, at position: inout Int) {
        while position < text.count, text.bytes[position] == UInt8(ascii: " ") { position += 1 }
    }
}
