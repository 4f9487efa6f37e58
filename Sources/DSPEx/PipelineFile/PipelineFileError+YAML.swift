import Yams

extension PipelineFileError {
    /// A `syntax` error at the place Yams (libYAML) reports, with libYAML's own wording.
    ///
    /// ```
    /// x.yaml:3:9: error: invalid YAML: mapping values are not allowed in this context
    /// ```
    init(yamlError: YamlError, reader: NodeReader) {
        func at(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: reader.file, line: max(1, mark.line), column: max(1, mark.column))
        }
        func explain(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "invalid YAML: \(problem)" }
            return "invalid YAML: \(problem) (\(context.text) at line \(context.mark.line),"
                + " column \(context.mark.column))"
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            self = reader.error(.syntax, explain(problem, context), at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let first = at(context.mark)
            let second = duplicates.first.flatMap { Self.repeatedKey($0, after: first, in: reader.lines) }
            self = reader.error(
                .syntax,
                "invalid YAML: the key \(keys) appears more than once in the same mapping"
                    + (second == nil ? "" : " (first at line \(first.line))"),
                at: second.map { SourceLocation(file: reader.file, line: $0.line, column: $0.column) } ?? first)
        case .reader(let problem, let offset, _, let yaml):
            var location = SourceLocation(file: reader.file, line: 1, column: 1)
            if let offset, offset <= yaml.count {
                let before = yaml.prefix(offset)
                let line = before.reduce(1) { $0 + ($1.isNewline ? 1 : 0) }
                let lineStart =
                    before.lastIndex(where: \.isNewline).map { before.index(after: $0) } ?? before.startIndex
                location.line = line
                location.column = before[lineStart...].unicodeScalars.count + 1
            }
            self = reader.error(.syntax, "invalid YAML: \(problem)", at: location)
        default:
            self = reader.error(
                .syntax, "invalid YAML: \(yamlError)", at: SourceLocation(file: reader.file, line: 1, column: 1))
        }
    }

    /// The next block-style occurrence of `key` at the same column as the first, so a duplicate
    /// key is reported where it is repeated; `nil` when there is none (a flow mapping, say).
    private static func repeatedKey(
        _ key: String, after first: SourceLocation, in lines: [String]
    ) -> (line: Int, column: Int)? {
        guard first.line < lines.count else { return nil }
        for index in first.line..<lines.count {
            let scalars = lines[index].unicodeScalars
            guard scalars.count >= first.column else { continue }
            let indent = scalars.prefix(first.column - 1)
            let rest = String(String.UnicodeScalarView(scalars.dropFirst(first.column - 1)))
            if indent.allSatisfy({ $0 == " " || $0 == "-" }), rest.hasPrefix(key + ":") {
                return (index + 1, first.column)
            }
        }
        return nil
    }
}
