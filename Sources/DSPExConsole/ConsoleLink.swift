import Foundation

/// The console's URLs, built in one place with every run name and example id percent-encoded.
enum ConsoleLink {
    /// The runs page.
    static let runs = "/"
    /// The live event stream.
    static let events = "/events"

    /// A run's page, with query parameters.
    static func run(_ name: String, query: [(String, String)] = []) -> String {
        "/runs/" + segment(name) + queryString(query)
    }

    /// An example's page.
    static func example(run: String, id: String) -> String {
        "/runs/" + segment(run) + "/examples/" + segment(id)
    }

    /// A compile run's best program as DSPy-layout JSON.
    static func program(run: String) -> String { "/runs/" + segment(run) + "/program.json" }

    /// A compile run's score-per-trial plot.
    static func plot(run: String) -> String { "/runs/" + segment(run) + "/plot.svg" }

    /// A run action (`cancel`, `resume`), POST only.
    static func action(_ action: String, run: String) -> String { "/runs/" + segment(run) + "/" + action }

    /// The comparison of two runs.
    static func compare(_ a: String, _ b: String, query: [(String, String)] = []) -> String {
        "/compare" + queryString([("a", a), ("b", b)] + query)
    }

    /// `text` percent-encoded for one path segment.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `?k=v&…` with keys and values percent-encoded, or nothing for no parameters.
    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { segment($0.0) + "=" + segment($0.1) }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
