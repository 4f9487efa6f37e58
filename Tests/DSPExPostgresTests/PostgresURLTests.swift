import DSPEx
import DSPExPostgres
import Testing

/// `postgresql://` store URLs and `.pgpass` files, read as libpq reads them.
@Suite
struct PostgresURLTests {
    @Test("a URL gives host, port, user, database, sslmode and schema; defaults fill what it leaves out")
    func parse() throws {
        let url = try PostgresURL("postgresql://alice@db.example:6543/evals?sslmode=require&schema=team_a")
        #expect(url.host == "db.example" && url.port == 6543 && url.user == "alice" && url.database == "evals")
        #expect(url.tlsMode == .require && url.schema == "team_a")
        #expect(url.description == "postgresql://alice@db.example:6543/evals?sslmode=require&schema=team_a")
        let short = try PostgresURL("postgres://db.example", environment: ["PGUSER": "bob"])
        #expect(short.port == 5432 && short.user == "bob" && short.database == "bob" && short.tlsMode == .prefer)
        #expect(short.schema == "public")
        #expect(PostgresURL.isPostgresURL("postgresql://x") && !PostgresURL.isPostgresURL("runs.sqlite"))
    }

    @Test("a password in the URL is refused without printing it; so are a bad sslmode, schema or parameter")
    func refused() throws {
        let password = #expect(throws: StoreError.self) { try PostgresURL("postgresql://alice:s3cret@db/evals") }
        #expect(password?.message.contains("PGPASSWORD") == true)
        #expect(password?.message.contains("s3cret") == false)
        #expect(password?.code == .cannotOpen)
        let mode = #expect(throws: StoreError.self) { try PostgresURL("postgresql://a@db/x?sslmode=verify") }
        #expect(mode?.message.contains("disable, prefer, require") == true)
        #expect(throws: StoreError.self) { try PostgresURL("postgresql://a@db/x?schema=bad-name") }
        #expect(throws: StoreError.self) { try PostgresURL("postgresql://a@db/x?timeout=3") }
        #expect(throws: StoreError.self) { try PostgresURL("postgresql:///x") }
    }

    @Test("a .pgpass line matches by host, port, database and user, with * and escaped colons")
    func passFile() throws {
        let url = try PostgresURL("postgresql://alice@db:5432/evals")
        let text = """
            # comment
            other:5432:evals:alice:wrong
            db:5432:evals:bob:wrong
            db:*:evals:alice:pa\\:ss\\\\word
            *:*:*:*:fallback
            """
        #expect(PostgresPassFile.password(for: url, in: text) == "pa:ss\\word")
        let other = try PostgresURL("postgresql://carol@elsewhere:1/x")
        #expect(PostgresPassFile.password(for: other, in: text) == "fallback")
        #expect(PostgresPassFile.password(for: other, in: "db:5432:evals:alice:x") == nil)
        #expect(PostgresPassFile.password(for: other, environment: ["PGPASSWORD": "env"]) == "env")
    }
}
