/// Finds malformed quoting in CSV bytes, which yaslab/CSV.swift's `CSVReader` accepts without a word.
///
/// `CSVReader` reads text after a closing quote (`"abc"x`) by dropping a character and staying inside the
/// quotes, and reads an unclosed quote to the end of the file, so both can merge the following lines into one
/// cell. This checker follows the same rules (a quote starts a quoted cell only at the start of a cell; `""`
/// inside one is a quote; a quoted cell ends at a quote followed by a comma, a line break or the end) over
/// the bytes as they are read, and remembers the first problem and its position. Records before the problem
/// are parsed identically by both, so the reader can stop at the record that holds it.
struct CSVQuoteChecker {
    /// Malformed quoting and where it is.
    struct Problem: Equatable {
        enum Kind: Equatable {
            /// A character other than a comma or line break follows the closing quote of a quoted cell.
            case textAfterClosingQuote
            /// A quoted cell is still open at the end of the file.
            case unclosedQuote
        }

        var kind: Kind
        /// The 1-based physical line of the offending character (the opening quote for ``Kind/unclosedQuote``).
        var line: Int
        /// The 1-based column of that character, in characters.
        var column: Int
    }

    private enum State {
        case cellStart
        case unquoted
        case quoted
        case quoteInQuoted
    }

    private var state = State.cellStart
    private var line = 1
    private var column = 0
    private var previousWasCR = false
    private var openQuote = (line: 1, column: 1)
    /// How many bytes of a leading UTF-8 byte order mark have been seen; `nil` once past the start.
    private var byteOrderMarkMatched: Int? = 0
    /// The first problem found, if any.
    private(set) var problem: Problem?

    /// Checks the next bytes of the file.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard problem == nil else { return }
        for byte in bytes {
            if skipsByteOrderMark(byte) { continue }
            advancePosition(byte)
            if !step(byte) { return }
        }
    }

    /// Records an unclosed quote, if the file ended inside one.
    mutating func finish() {
        guard problem == nil, state == .quoted else { return }
        problem = Problem(kind: .unclosedQuote, line: openQuote.line, column: openQuote.column)
    }

    /// Whether `byte` belongs to a UTF-8 byte order mark at the start, which CSVReader drops before parsing.
    private mutating func skipsByteOrderMark(_ byte: UInt8) -> Bool {
        guard let matched = byteOrderMarkMatched else { return false }
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        guard byte == mark[matched] else {
            byteOrderMarkMatched = nil
            return false
        }
        byteOrderMarkMatched = matched + 1 < mark.count ? matched + 1 : nil
        return true
    }

    private mutating func advancePosition(_ byte: UInt8) {
        if byte == UInt8(ascii: "\n") {
            if !previousWasCR { line += 1 }
            column = 0
            previousWasCR = false
        } else if byte == UInt8(ascii: "\r") {
            line += 1
            column = 0
            previousWasCR = true
        } else {
            if byte & 0xC0 != 0x80 { column += 1 }
            previousWasCR = false
        }
    }

    /// Moves the state machine over one byte; `false` once a problem is found.
    private mutating func step(_ byte: UInt8) -> Bool {
        let isQuote = byte == UInt8(ascii: "\"")
        let endsCell = byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        switch state {
        case .cellStart:
            if isQuote {
                state = .quoted
                openQuote = (line, column)
            } else if !endsCell {
                state = .unquoted
            }
        case .unquoted:
            if endsCell { state = .cellStart }
        case .quoted:
            if isQuote { state = .quoteInQuoted }
        case .quoteInQuoted:
            if isQuote {
                state = .quoted
            } else if endsCell {
                state = .cellStart
            } else {
                problem = Problem(kind: .textAfterClosingQuote, line: line, column: column)
                return false
            }
        }
        return true
    }
}
