extension FieldType {
    /// Whether a value of this type may be passed where `target` is expected — the one rule the engine's graph
    /// and pipeline files both check.
    ///
    /// A `str` input takes anything (DSPy formats any value into a prompt as text); otherwise the types agree up
    /// to optionality, an `int` fits a `float`, a `Literal` fits a `Literal` with at least its options, and lists
    /// follow their elements. A `str` into an `int` (or any other typed input) is refused: type the output.
    ///
    /// ```swift
    /// FieldType.int.canFeed(.double)                                  // true
    /// FieldType.string.canFeed(.int)                                  // false
    /// FieldType.literal(["up"]).canFeed(.literal(["up", "down"]))     // true
    /// ```
    public func canFeed(_ target: FieldType) -> Bool {
        let from = unwrapped
        let to = target.unwrapped
        if to == .string || from == to { return true }
        switch (from, to) {
        case (.int, .double): return true
        case (.literal(let options), .literal(let allowed)): return Set(options).isSubset(of: Set(allowed))
        case (.list(let element), .list(let expected)): return element.canFeed(expected)
        case (.dictionary, .json), (.json, .dictionary(.json)): return true
        case (.dictionary(let value), .dictionary(let expected)): return expected == .json || value.canFeed(expected)
        default: return false
        }
    }
}
