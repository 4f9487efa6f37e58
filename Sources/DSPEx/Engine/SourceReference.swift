/// Where a stage input's value comes from: a dataset field or an upstream stage's output.
///
/// Pipeline files spell it `input.<field>` for the dataset and `<stage>.<field>` for a stage:
///
/// ```swift
/// SourceReference("input.question") // .input(field: "question")
/// SourceReference("solve.answer")   // .stage(id: "solve", field: "answer")
/// SourceReference("solve")          // nil: a reference has exactly one dot
/// ```
public enum SourceReference: Sendable, Hashable, CustomStringConvertible {
    /// A field of the dataset example.
    case input(field: String)
    /// An output field of another stage.
    case stage(id: String, field: String)

    /// The prefix that names the dataset, `input`; no stage may have this id.
    public static let datasetPrefix = "input"

    /// Parses `input.<field>` or `<stage>.<field>`; `nil` unless the text is two identifiers
    /// joined by one dot.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ Self.isIdentifier($0) }) else { return nil }
        let owner = String(parts[0])
        let field = String(parts[1])
        self = owner == Self.datasetPrefix ? .input(field: field) : .stage(id: owner, field: field)
    }

    /// The field named by the reference.
    public var field: String {
        switch self {
        case .input(let field), .stage(_, let field): return field
        }
    }

    /// The stage id, or `nil` for a dataset field.
    public var stageID: String? {
        if case .stage(let id, _) = self { return id }
        return nil
    }

    /// The pipeline-file spelling, `input.question` or `solve.answer`.
    public var description: String {
        switch self {
        case .input(let field): return "\(Self.datasetPrefix).\(field)"
        case .stage(let id, let field): return "\(id).\(field)"
        }
    }

    /// Whether `text` is an identifier: a letter or `_`, then letters, digits or `_`.
    static func isIdentifier<S: StringProtocol>(_ text: S) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
