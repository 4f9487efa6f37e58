import AsyncHTTPClient
import Foundation
import NIOCore
import OrderedCollections

/// A built-in tool that fetches a page under one allowed base URL: the model supplies a path (and query) relative
/// to it; anything that would leave the base — another host, `..` above it, an absolute URL — is refused. The reply's
/// text is returned, cut at ``maxBytes``; an error status is a tool error.
///
/// ```swift
/// let docs = try HTTPGetTool(name: "docs", baseURL: URL(string: "http://127.0.0.1:8080/docs/")!)
/// ```
public struct HTTPGetTool: Tool {
    public var name: String
    public var description: String?
    public var timeout: Duration?
    /// Every fetched URL starts with this one.
    public var baseURL: URL
    /// The most bytes of a reply returned to the model.
    public var maxBytes: Int
    public var arguments: OrderedDictionary<String, Value> {
        [
            "path": [
                "type": "string",
                "description": .string("The path and query to fetch, relative to \(baseURL.absoluteString)"),
            ]
        ]
    }

    /// Creates the tool.
    ///
    /// - Throws: ``ToolError`` (`bad_declaration`) for a bad name or a base URL that is not `http` or `https`.
    public init(
        name: String, description: String? = nil, baseURL: URL, timeout: Duration = .seconds(10),
        maxBytes: Int = 100_000
    ) throws(ToolError) {
        try FunctionTool.checkName(name)
        guard let scheme = baseURL.scheme, ["http", "https"].contains(scheme), baseURL.host != nil else {
            throw ToolError(
                code: .badDeclaration, tool: name, message: "base_url must be an http or https URL, not '\(baseURL)'")
        }
        self.name = name
        self.description = description ?? "Fetches a page under \(baseURL.absoluteString) and returns its text."
        self.baseURL = baseURL.absoluteString.hasSuffix("/") ? baseURL : baseURL.appendingPathComponent("")
        self.timeout = timeout
        self.maxBytes = maxBytes
    }

    /// The URL `path` names, or `nil` when it leaves the base.
    public func resolve(_ path: String) -> URL? {
        let relative = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !relative.contains("://"), !relative.hasPrefix("/"),
            let url = URL(string: relative, relativeTo: baseURL)?.absoluteURL.standardized
        else { return nil }
        guard url.absoluteString.hasPrefix(baseURL.absoluteString), url.host == baseURL.host,
            url.port == baseURL.port, url.scheme == baseURL.scheme
        else { return nil }
        return url
    }

    public func call(_ arguments: ToolArguments) async throws -> Value {
        let path = try arguments.decode("path", as: String.self)
        guard let url = resolve(path) else {
            throw ToolError(
                code: .invalidArgument, tool: name,
                message: "'\(path)' is outside the allowed base URL \(baseURL.absoluteString)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        let seconds = Int64((timeout ?? .seconds(10)).seconds.rounded(.up))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(seconds))
        var body = try await response.body.collect(upTo: maxBytes + 1)
        let text = body.readString(length: min(body.readableBytes, maxBytes)) ?? ""
        guard (200..<300).contains(Int(response.status.code)) else {
            throw ToolError(
                code: .failed, tool: name,
                message: "GET \(url.absoluteString) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
        return .string(text)
    }
}
