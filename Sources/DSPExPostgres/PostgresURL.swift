import DSPEx
import Foundation

/// Where a PostgreSQL store is: `postgresql://user@host:port/database?sslmode=…`, without a password.
///
/// The password never appears in the URL (so it never reaches a command line, a shell history, a log or a run's
/// plan): it comes from the `PGPASSWORD` environment variable or from a `.pgpass` file (``PostgresPassFile``), as
/// with `psql`. A URL holding a password is refused with an error saying where to put it instead.
///
/// ```swift
/// let url = try PostgresURL("postgresql://dspex@127.0.0.1:54329/dspex")
/// print(url.host, url.port, url.database)  // 127.0.0.1 54329 dspex
/// ```
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS, as libpq's `sslmode` says.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS or no connection (the server's certificate is verified).
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port (5432 when the URL names none).
    public var port: Int
    /// The role to connect as (the URL's, else `PGUSER`, else the current user).
    public var user: String
    /// The database (the URL's path, else the user's name).
    public var database: String
    /// Whether TLS is used.
    public var tlsMode: TLSMode
    /// The schema holding the store's tables (`?schema=`; `public` by default), so several stores can share one
    /// database.
    public var schema: String

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses `text`.
    ///
    /// - Parameter environment: Where `PGUSER` is read from when the URL names no user.
    /// - Throws: ``StoreError`` (``StoreError/Code/cannotOpen``) saying what is wrong: not a PostgreSQL URL, a
    ///   password in it, no host, a bad port or an unknown `sslmode`.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func failure(_ reason: String) -> StoreError {
            StoreError(
                code: .cannotOpen, message: "the store URL \(Self.redacted(text)) \(reason)",
                path: Self.redacted(text))
        }
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw failure("is not a URL of the form postgresql://user@host:port/database")
        }
        if components.password != nil {
            throw failure(
                "holds a password; give it in the PGPASSWORD environment variable or a .pgpass file "
                    + "(~/.pgpass, or the file PGPASSFILE names), never in the URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw failure("names no host (postgresql://user@host:port/database)")
        }
        self.host = host
        self.port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw failure("has a port outside 1–65535") }
        let user = components.user.flatMap { $0.removingPercentEncoding ?? $0 } ?? environment["PGUSER"]
        self.user = user ?? ProcessInfo.processInfo.userName
        let path = String(components.path.drop { $0 == "/" })
        self.database = path.isEmpty ? self.user : (path.removingPercentEncoding ?? path)
        var tlsMode = TLSMode.prefer
        var schema = "public"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw failure(
                        "has sslmode=\(item.value ?? ""); expected one of "
                            + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                tlsMode = mode
            case "schema":
                guard let name = item.value, Self.isPlainName(name) else {
                    throw failure("has schema=\(item.value ?? ""); expected a name of letters, digits and _")
                }
                schema = name
            default:
                throw failure("has the unknown parameter '\(item.name)'; expected sslmode or schema")
            }
        }
        self.tlsMode = tlsMode
        self.schema = schema
    }

    /// Whether `name` is a plain SQL name (a letter or `_`, then letters, digits and `_`, at most 63).
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63,
            first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ("a"..."z").contains($0)
                || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        }
    }

    /// The URL, which holds no password.
    public var description: String {
        var parameters: [String] = []
        if tlsMode != .prefer { parameters.append("sslmode=\(tlsMode.rawValue)") }
        if schema != "public" { parameters.append("schema=\(schema)") }
        let mode = parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(user)@\(hostPart):\(port)/\(database)\(mode)"
    }

    /// `text` with anything after a `:` in its user part replaced by `***`, safe to print.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else {
            return text
        }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
