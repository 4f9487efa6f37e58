/// A model reply that could not be turned into the signature's outputs.
///
/// It names the fields that were missing or invalid and keeps the raw reply, so a user can see
/// what the model actually said.
public struct AdapterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// Output fields were absent from the reply.
        public static let missingFields = Code(name: "missing_fields")
        /// A field's text could not be read as the field's type.
        public static let invalidValue = Code(name: "invalid_value")
        /// The reply held no JSON object where one was required.
        public static let notJSON = Code(name: "not_json")
        /// The reply was empty.
        public static let emptyReply = Code(name: "empty_reply")
    }

    /// What went wrong.
    public var code: Code
    /// The adapter that failed (`ChatAdapter`, `JSONAdapter`).
    public var adapter: String
    /// The fields concerned: the missing ones, or the one whose value is invalid.
    public var fields: [String]
    /// The reply exactly as the model sent it.
    public var rawReply: String
    /// Details, such as why a value did not fit its type.
    public var detail: String?
    /// Whether the model stopped at the token limit (`finish_reason` `length`), which usually explains
    /// a missing field: raise `max_tokens`.
    public var truncated: Bool

    /// Creates an error.
    public init(
        code: Code, adapter: String, fields: [String], rawReply: String, detail: String? = nil, truncated: Bool = false
    ) {
        self.code = code
        self.adapter = adapter
        self.fields = fields
        self.rawReply = rawReply
        self.detail = detail
        self.truncated = truncated
    }

    public var description: String {
        let names = fields.map { "'\($0)'" }.joined(separator: ", ")
        let reply = rawReply.count > 300 ? String(rawReply.prefix(300)) + "…" : rawReply
        let base: String
        switch code {
        case .missingFields:
            base = "\(adapter) found no output field \(names) in the model's reply" + (detail.map { " (\($0))" } ?? "")
        case .invalidValue:
            base = "\(adapter) could not read field \(names) from the model's reply" + (detail.map { ": \($0)" } ?? "")
        case .notJSON:
            base = "\(adapter) found no JSON object in the model's reply"
        default:
            base = "\(adapter) got an empty reply from the model"
        }
        let cutOff =
            truncated ? "; the reply was cut off at the token limit (finish_reason 'length'): raise max_tokens" : ""
        return base + cutOff + "; the reply was: \(reply.debugDescription)"
    }
}
