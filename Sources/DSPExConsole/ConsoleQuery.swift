import DSPEx
import Foundation

/// The run page's query parameters (`outcome`, `kind`, `q`, `order`, `offset`, `limit`) to and from a
/// ``ResultPageQuery``; an unknown value is refused with a message that lists the accepted ones.
enum ConsoleQuery {
    /// The most examples on one page.
    static let maxLimit = 500

    /// A query from request parameters.
    ///
    /// - Throws: ``ConsoleError`` naming the parameter and the values it accepts.
    static func resultQuery(_ parameters: [String: String]) throws(ConsoleError) -> ResultPageQuery {
        var query = ResultPageQuery()
        if let outcome = parameters["outcome"], !outcome.isEmpty {
            guard let value = ResultPageQuery.Outcome(rawValue: outcome) else {
                throw ConsoleError.badParameter(
                    "outcome", outcome, accepted: ResultPageQuery.Outcome.allCases.map(\.rawValue))
            }
            query.outcome = value
        }
        if let order = parameters["order"], !order.isEmpty {
            guard let value = ResultPageQuery.Order(rawValue: order) else {
                throw ConsoleError.badParameter(
                    "order", order, accepted: ResultPageQuery.Order.allCases.map(\.rawValue))
            }
            query.order = value
        }
        if let kind = parameters["kind"], !kind.isEmpty { query.errorKind = kind }
        if let search = parameters["q"], !search.isEmpty { query.search = search }
        query.offset = try integer(parameters["offset"], name: "offset", default: 0, range: 0...Int.max)
        query.limit = try integer(parameters["limit"], name: "limit", default: 50, range: 1...maxLimit)
        return query
    }

    /// An integer parameter, `default` when absent.
    static func integer(
        _ text: String?, name: String, default value: Int, range: ClosedRange<Int>
    ) throws(ConsoleError) -> Int {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConsoleError(
                status: 400,
                message: "'\(name)' must be a whole number from \(range.lowerBound)"
                    + (range.upperBound == Int.max ? " up" : " to \(range.upperBound)") + ", not '\(text)'")
        }
        return number
    }

    /// The parameters that make `query` at `offset` (defaults left out).
    static func parameters(of query: ResultPageQuery, offset: Int) -> [(String, String)] {
        var parameters: [(String, String)] = []
        if query.outcome != .all { parameters.append(("outcome", query.outcome.rawValue)) }
        if let kind = query.errorKind { parameters.append(("kind", kind)) }
        if query.order != .index { parameters.append(("order", query.order.rawValue)) }
        if let search = query.search { parameters.append(("q", search)) }
        if query.limit != 50 { parameters.append(("limit", String(query.limit))) }
        if offset > 0 { parameters.append(("offset", String(offset))) }
        return parameters
    }

    /// A query string's parameters, as an HTML form encodes them (`+` is a space, then percent-decoding); the
    /// first of a repeated name wins.
    static func decode(_ query: String?) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decoded(parts[0])
            if parameters[name] == nil { parameters[name] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return parameters
    }
}
