import Foundation

/// A parsed arithmetic expression — numbers, `+ - * / % **`, unary minus and parentheses — evaluated exactly on
/// integers (an overflow is an error, not a wrong answer) and in floating point once a decimal or a division that
/// does not come out even appears. The calculator tool's engine.
///
/// No library in the mirror evaluates expressions, so this small recursive-descent parser is written here.
///
/// ```swift
/// try ArithmeticExpression.evaluate("123456789 + 987654321")   // .int(1111111110)
/// try ArithmeticExpression.evaluate("7 / 2")                   // .double(3.5)
/// ```
enum ArithmeticExpression {
    /// Why an expression could not be evaluated, with the column (1-based) where reading stopped.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var column: Int
        var description: String { "\(message) at column \(column)" }
    }

    enum Number: Equatable {
        case int(Int)
        case double(Double)

        var double: Double {
            switch self {
            case .int(let int): Double(int)
            case .double(let double): double
            }
        }

        var value: Value {
            switch self {
            case .int(let int): .int(int)
            case .double(let double): .double(double)
            }
        }
    }

    /// The value of `text`.
    static func evaluate(_ text: String) throws(Failure) -> Value {
        var parser = Parser(characters: Array(text))
        let result = try parser.sum()
        parser.skipSpaces()
        guard parser.position == parser.characters.count else {
            throw Failure(message: "unexpected '\(parser.characters[parser.position])'", column: parser.position + 1)
        }
        return result.value
    }

    private struct Parser {
        let characters: [Character]
        var position = 0

        mutating func skipSpaces() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func take(_ symbol: String) -> Bool {
            skipSpaces()
            let symbol = Array(symbol)
            guard position + symbol.count <= characters.count,
                Array(characters[position..<position + symbol.count]) == symbol
            else { return false }
            // `*` is not taken when it begins `**`.
            if symbol == ["*"], position + 1 < characters.count, characters[position + 1] == "*" { return false }
            position += symbol.count
            return true
        }

        mutating func sum() throws(Failure) -> Number {
            var value = try product()
            while true {
                let column = position + 1
                if take("+") {
                    value = try combine(
                        value, try product(), column: column, integer: { $0.addingReportingOverflow($1) }, { $0 + $1 })
                } else if take("-") {
                    value = try combine(
                        value, try product(), column: column, integer: { $0.subtractingReportingOverflow($1) },
                        { $0 - $1 })
                } else {
                    return value
                }
            }
        }

        mutating func product() throws(Failure) -> Number {
            var value = try power()
            while true {
                let column = position + 1
                if take("*") {
                    value = try combine(
                        value, try power(), column: column, integer: { $0.multipliedReportingOverflow(by: $1) },
                        { $0 * $1 })
                } else if take("/") {
                    let divisor = try power()
                    guard divisor.double != 0 else { throw Failure(message: "division by zero", column: column) }
                    if case .int(let a) = value, case .int(let b) = divisor, a % b == 0 {
                        value = .int(a / b)
                    } else {
                        value = .double(value.double / divisor.double)
                    }
                } else if take("%") {
                    let divisor = try power()
                    guard case .int(let a) = value, case .int(let b) = divisor else {
                        throw Failure(message: "'%' needs whole numbers", column: column)
                    }
                    guard b != 0 else { throw Failure(message: "division by zero", column: column) }
                    value = .int(((a % b) + b) % b)
                } else {
                    return value
                }
            }
        }

        mutating func power() throws(Failure) -> Number {
            let base = try unary()
            let column = position + 1
            guard take("**") else { return base }
            let exponent = try power()  // right-associative, as in Python
            if case .int(let a) = base, case .int(let b) = exponent, b >= 0 {
                var result = 1
                for _ in 0..<b {
                    let (next, overflow) = result.multipliedReportingOverflow(by: a)
                    guard !overflow else { throw Failure(message: "the result is too large", column: column) }
                    result = next
                }
                return .int(result)
            }
            return .double(Foundation.pow(base.double, exponent.double))
        }

        mutating func unary() throws(Failure) -> Number {
            let column = position + 1
            if take("-") {
                switch try unary() {
                case .int(let int):
                    guard int != Int.min else { throw Failure(message: "the result is too large", column: column) }
                    return .int(-int)
                case .double(let double): return .double(-double)
                }
            }
            if take("+") { return try unary() }
            return try primary()
        }

        mutating func primary() throws(Failure) -> Number {
            skipSpaces()
            let column = position + 1
            if take("(") {
                let value = try sum()
                guard take(")") else { throw Failure(message: "expected ')'", column: position + 1) }
                return value
            }
            var text = ""
            while position < characters.count,
                characters[position].isNumber || characters[position] == "." || characters[position] == "_"
                    || characters[position] == ","
            {
                if characters[position] != "_" && characters[position] != "," { text.append(characters[position]) }
                position += 1
            }
            guard !text.isEmpty else {
                let found = position < characters.count ? "'\(characters[position])'" : "the end"
                throw Failure(message: "expected a number but found \(found)", column: column)
            }
            if let int = Int(text) { return .int(int) }
            if let double = Double(text) { return .double(double) }
            throw Failure(message: "'\(text)' is not a number", column: column)
        }

        private func combine(
            _ left: Number, _ right: Number, column: Int, integer: (Int, Int) -> (partialValue: Int, overflow: Bool),
            _ floating: (Double, Double) -> Double
        ) throws(Failure) -> Number {
            if case .int(let a) = left, case .int(let b) = right {
                let (result, overflow) = integer(a, b)
                guard !overflow else { throw Failure(message: "the result is too large", column: column) }
                return .int(result)
            }
            return .double(floating(left.double, right.double))
        }
    }
}
