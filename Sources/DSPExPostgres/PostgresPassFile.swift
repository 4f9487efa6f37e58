import Foundation

/// A `.pgpass` file, as libpq reads it: lines `host:port:database:user:password`, where a field may be `*` (any
/// value) and `\:` and `\\` stand for a colon and a backslash; the first matching line wins.
///
/// The file is `PGPASSFILE`'s, else `~/.pgpass`. Like libpq, a file that others may read (group or other
/// permission bits) is ignored.
///
/// ```swift
/// let password = PostgresPassFile.password(for: try PostgresURL("postgresql://dspex@127.0.0.1:54329/dspex"))
/// ```
public enum PostgresPassFile {
    /// The password for `url`: `PGPASSWORD` when set, else the first matching line of the pass file, else `nil`.
    public static func password(
        for url: PostgresURL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let password = environment["PGPASSWORD"] { return password }
        let path =
            environment["PGPASSFILE"]
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
        guard isPrivate(path), let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return password(for: url, in: text)
    }

    /// The password of the first line of `text` (a pass file's contents) that matches `url`.
    public static func password(for url: PostgresURL, in text: String) -> String? {
        let wanted = [url.host, String(url.port), url.database, url.user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = self.fields(of: Substring(line))
            guard fields.count >= 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in
                field == "*" || field == value
            }
            if matches { return fields[4...].joined(separator: ":") }
        }
        return nil
    }

    /// The fields of one line, split at unescaped colons, with `\:` and `\\` unescaped.
    static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// Whether only the owner may read the file at `path` (libpq ignores a pass file others can read).
    static func isPrivate(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? Int
        else { return false }
        return permissions & 0o077 == 0
    }
}
