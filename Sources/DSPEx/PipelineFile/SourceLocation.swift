/// A place in a pipeline file: the file's path, a 1-based line and a 1-based column.
///
/// Columns count Unicode scalars, as YAML parsers do, so a caret drawn under the line
/// points at the right character. The description is the form compilers and editors
/// understand, `file:line:column`:
///
/// ```swift
/// let location = SourceLocation(file: "pipelines/qa.yaml", line: 12, column: 5)
/// print(location) // pipelines/qa.yaml:12:5
/// ```
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The path of the file, as it was given to ``PipelineFile/load(path:environment:)``.
    public var file: String
    /// The line, starting at 1.
    public var line: Int
    /// The column, starting at 1, counted in Unicode scalars.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}
