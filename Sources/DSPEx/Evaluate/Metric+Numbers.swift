/// Reading numbers out of values and model replies for ``Metric/numeric(field:label:tolerance:)``.
extension Metric {
    /// The number a value holds: an `Int` or `Double` as it is, the first number written in a
    /// text, or `nil`.
    ///
    /// In text a number is an optional sign, ASCII digits with optional thousands separators
    /// ("1,234"), an optional fraction (".5", but not a sentence's full stop) and an optional
    /// exponent ("1e-3"): `"The answer is -1,234.5."` reads -1234.5.
    static func firstNumber(in value: Value) -> Double? {
        switch value {
        case .int, .double: return value.doubleValue
        case .string(let string): return firstNumber(in: string)
        default: return nil
        }
    }

    /// The first number written in `text`, or `nil`.
    static func firstNumber(in text: String) -> Double? {
        let bytes = Array(text.utf8)
        func isDigit(_ index: Int) -> Bool { index < bytes.count && (48...57).contains(bytes[index]) }
        var start = 0
        while start < bytes.count {
            let startsFraction = bytes[start] == UInt8(ascii: ".") && isDigit(start + 1)
            if isDigit(start) || startsFraction {
                return number(in: bytes, from: start)
            }
            start += 1
        }
        return nil
    }

    /// The number starting at `start` (a digit, or a "." before one), with any sign just before it.
    private static func number(in bytes: [UInt8], from start: Int) -> Double? {
        func isDigit(_ index: Int) -> Bool { index < bytes.count && (48...57).contains(bytes[index]) }
        var digits = ""
        if start > 0, bytes[start - 1] == UInt8(ascii: "-") { digits = "-" }
        var index = start
        var groupLength = 0
        var grouped = false
        while index < bytes.count {
            if isDigit(index) {
                digits.append(Character(Unicode.Scalar(bytes[index])))
                groupLength += 1
                index += 1
            } else if bytes[index] == UInt8(ascii: ","), (grouped || groupLength <= 3), groupLength > 0,
                isDigit(index + 1), isDigit(index + 2), isDigit(index + 3), !isDigit(index + 4)
            {
                grouped = true
                groupLength = 0
                index += 1
            } else {
                break
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "."), isDigit(index + 1) {
            digits.append(".")
            index += 1
            while isDigit(index) {
                digits.append(Character(Unicode.Scalar(bytes[index])))
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var exponent = "e"
            var next = index + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "-") || bytes[next] == UInt8(ascii: "+") {
                exponent.append(Character(Unicode.Scalar(bytes[next])))
                next += 1
            }
            if isDigit(next) {
                while isDigit(next) {
                    exponent.append(Character(Unicode.Scalar(bytes[next])))
                    next += 1
                }
                digits += exponent
            }
        }
        if digits.hasPrefix("-.") {
            digits = "-0" + digits.dropFirst()
        } else if digits.hasPrefix(".") {
            digits = "0" + digits
        }
        return Double(digits)
    }
}
