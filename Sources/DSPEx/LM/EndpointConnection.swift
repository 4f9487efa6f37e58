import Foundation
import NIOHTTP1

/// How a client reaches one OpenAI-compatible endpoint (`…/chat/completions`, `…/embeddings`): the key read from
/// the environment, the URL shown in messages (without any password it carries), the headers, the redactor of
/// every secret the client knows, and the transport. Shared by the chat and embeddings clients.
struct EndpointConnection {
    let apiKey: String?
    let endpoint: String
    let redactor: SecretRedactor
    let transport: any HTTPTransport

    init(
        baseURL: String, path: String, keyVariable: String?, environment: [String: String],
        headers extra: [String: String], secretHeaderNames: Set<String>, transport kind: OpenAICompatibleLM.Transport,
        connectTimeout: Duration, maxConnections: Int
    ) {
        apiKey = keyVariable.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let url = base.hasSuffix(path) ? base : base + path
        var components = URLComponents(string: url)
        let password = components?.password
        if components?.user != nil || password != nil {
            components?.user = nil
            components?.password = nil
            endpoint = components?.string ?? url
        } else {
            endpoint = url
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        if let apiKey { headers.add(name: "Authorization", value: "Bearer " + apiKey) }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let secretNames = Set(secretHeaderNames.map { $0.lowercased() })
        let secretValues = extra.filter { secretNames.contains($0.key.lowercased()) }.map(\.value)
        redactor = SecretRedactor(secrets: [apiKey, password].compactMap { $0 } + secretValues)
        let keepAlive =
            kind == .automatic
            ? KeepAliveHTTP1Transport(
                endpoint: url, headers: headers, connectTimeout: connectTimeout, maxConnections: maxConnections) : nil
        transport =
            keepAlive
            ?? AsyncHTTPClientTransport(
                endpoint: url, headers: headers, connectTimeout: connectTimeout, maxConnections: maxConnections)
    }
}
