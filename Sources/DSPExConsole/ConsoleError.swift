/// Why the console refused a request: the HTTP status and one sentence for the user (shown HTML-escaped).
public struct ConsoleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status code (400, 401, 403, 404, 409).
    public var status: Int
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// A query parameter with a value it does not accept.
    static func badParameter(_ name: String, _ value: String, accepted: [String]) -> ConsoleError {
        ConsoleError(
            status: 400, message: "'\(name)' cannot be '\(value)'; use one of \(accepted.joined(separator: ", "))")
    }

    /// The error as a small page.
    func html() -> HTML {
        ConsoleLayout.document(
            title: "Error \(status)",
            body: "<p><a href=\"/\">← all runs</a></p><h1>Error \(status)</h1><p class=\"notice\">\(message)</p>")
    }
}
