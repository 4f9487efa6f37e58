/// An addition question, "What is A + B?", found in the final user message.
struct ArithmeticProblem: Sendable, Equatable {
    var a: Int
    var b: Int

    /// Finds the first "What is A + B?" (integers, possibly negative) in `text`.
    init?(in text: PromptText) {
        guard let first = Self.next(in: text, from: 0) else { return nil }
        self = first.problem
    }

    /// Every "What is A + B?" in `text`, in order, each with its start and the position just after its question mark.
    static func all(in text: PromptText) -> [(problem: ArithmeticProblem, start: Int, end: Int)] {
        var found: [(problem: ArithmeticProblem, start: Int, end: Int)] = []
        var position = 0
        while let next = Self.next(in: text, from: position) {
            found.append(next)
            position = next.end
        }
        return found
    }

    /// The first question at or after `start`.
    private static func next(
        in text: PromptText, from start: Int
    ) -> (problem: ArithmeticProblem, start: Int, end: Int)? {
        var searchFrom = start
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
            return (ArithmeticProblem(a: a, b: b), start, position + 1)
        }
        return nil
    }

    init(a: Int, b: Int) {
        self.a = a
        self.b = b
    }

    /// The integer (possibly negative) at `position`, which moves past it; `nil` when there is none.
    static func integer(in text: PromptText, at position: inout Int) -> Int? {
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
