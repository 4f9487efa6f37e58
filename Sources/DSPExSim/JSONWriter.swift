/// Builds JSON text by appending to a string, escaping as RFC 8259 requires.
///
/// The simulator writes every reply with it: string building is much cheaper than a
/// `Codable` round trip, and the replies have a fixed, known shape.
///
/// ```swift
/// var json = JSONWriter()
/// json.beginObject()
/// json.key("content"); json.string("say \"hi\"")
/// json.endObject()
/// json.text   // {"content":"say \"hi\""}
/// ```
struct JSONWriter {
    /// The JSON written so far.
    private(set) var text: String
    private var needsComma = false

    init(capacity: Int = 256) {
        self.text = ""
        self.text.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        self.separate()
        self.text.append("{")
        self.needsComma = false
    }

    mutating func endObject() {
        self.text.append("}")
        self.needsComma = true
    }

    mutating func beginArray() {
        self.separate()
        self.text.append("[")
        self.needsComma = false
    }

    mutating func endArray() {
        self.text.append("]")
        self.needsComma = true
    }

    /// Writes an object key; the next value written belongs to it.
    mutating func key(_ name: String) {
        self.separate()
        Self.appendQuoted(name, to: &self.text)
        self.text.append(":")
        self.needsComma = false
    }

    mutating func string(_ value: String) {
        self.separate()
        Self.appendQuoted(value, to: &self.text)
        self.needsComma = true
    }

    mutating func integer(_ value: Int) {
        self.separate()
        self.text.append(String(value))
        self.needsComma = true
    }

    mutating func number(_ value: Double) {
        self.separate()
        self.text.append(Self.format(value))
        self.needsComma = true
    }

    mutating func bool(_ value: Bool) {
        self.separate()
        self.text.append(value ? "true" : "false")
        self.needsComma = true
    }

    mutating func null() {
        self.separate()
        self.text.append("null")
        self.needsComma = true
    }

    /// Appends already-valid JSON text as one value.
    mutating func raw(_ json: String) {
        self.separate()
        self.text.append(json)
        self.needsComma = true
    }

    /// Writes any parsed JSON value.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: self.null()
        case .bool(let flag): self.bool(flag)
        case .number(let number): self.number(number)
        case .string(let string): self.string(string)
        case .array(let elements):
            self.beginArray()
            for element in elements { self.value(element) }
            self.endArray()
        case .object(let members):
            self.beginObject()
            for member in members {
                self.key(member.key)
                self.value(member.value)
            }
            self.endObject()
        }
    }

    private mutating func separate() {
        if self.needsComma { self.text.append(",") }
    }

    /// Formats a number the way JSON expects: integral values without a fraction, no NaN or infinity.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    /// Appends `value` as a quoted JSON string.
    static func appendQuoted(_ value: String, to output: inout String) {
        output.append("\"")
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            while runStart < bytes.count {
                // Plain bytes up to the next quote, backslash or control byte are appended as they are.
                let special = JSONStringScan.firstSpecial(in: bytes, from: runStart)
                if special > runStart {
                    output.append(
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<special]), as: UTF8.self))
                }
                guard special < bytes.count else { break }
                switch bytes[special] {
                case UInt8(ascii: "\""): output.append("\\\"")
                case UInt8(ascii: "\\"): output.append("\\\\")
                case UInt8(ascii: "\n"): output.append("\\n")
                case UInt8(ascii: "\r"): output.append("\\r")
                case UInt8(ascii: "\t"): output.append("\\t")
                case 0x08: output.append("\\b")
                case 0x0C: output.append("\\f")
                default:
                    let hex = String(bytes[special], radix: 16)
                    output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                }
                runStart = special + 1
            }
        }
        output.append("\"")
    }

    /// `value` as a quoted JSON string.
    static func quoted(_ value: String) -> String {
        var output = ""
        Self.appendQuoted(value, to: &output)
        return output
    }
}
