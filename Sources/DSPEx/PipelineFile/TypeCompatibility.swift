/// Whether an upstream stage's output can feed a downstream stage's input.
///
/// Pipeline validation rejects only connections that are certainly wrong: when either side is
/// `str` the value passes as text (the adapter parses it), so anything goes. Otherwise the types
/// must match structurally, with `int` accepted where `float` is expected, a literal accepted by
/// a literal with more options, and optional wrappers ignored.
///
/// ```swift
/// TypeCompatibility.canFeed(.list(.string), into: .int) // false
/// TypeCompatibility.canFeed(.int, into: .string)        // true
/// ```
enum TypeCompatibility {
    /// Whether a value of type `upstream` may be passed where `downstream` is expected.
    static func canFeed(_ upstream: FieldType, into downstream: FieldType) -> Bool {
        let from = upstream.unwrapped
        let to = downstream.unwrapped
        if from == .string || to == .string { return true }
        switch (from, to) {
        case (.int, .int), (.int, .double), (.double, .double), (.bool, .bool), (.json, .json):
            return true
        case (.list(let element), .list(let expected)):
            return canFeed(element, into: expected)
        case (.literal(let options), .literal(let allowed)):
            return Set(options).isSubset(of: Set(allowed))
        default:
            return false
        }
    }
}
