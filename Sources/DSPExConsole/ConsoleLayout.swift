/// The console's page frame: one HTML document with inline CSS, no script or style fetched from anywhere.
enum ConsoleLayout {
    /// A whole page around `body`, with an optional inline script (the live event stream's).
    static func document(title: String, body: HTML, script: HTML? = nil) -> HTML {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · DSPEx</title>
        <style>\(css)</style></head>
        <body><header><a class="brand" href="/">DSPEx</a> <span class="muted">runs console</span></header>
        <main>\(body)</main>
        \(script.map { "<script>\($0)</script>" as HTML } ?? "")
        </body></html>
        """
    }

    /// A status as a coloured badge.
    static func status(_ status: String) -> HTML {
        "<span class=\"badge \(status)\" data-field=\"status\">\(status)</span>"
    }

    /// A score from 0 to 1 as a percentage.
    static func percent(_ score: Double?) -> String {
        score.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
    }

    /// Text cut to `limit` characters, with an ellipsis.
    static func excerpt(_ text: String, limit: Int = 120) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    static let css = HTML(
        trusted: """
            :root{--fg:#1d2330;--muted:#6b7385;--line:#e3e6ec;--bg:#f7f8fa;--accent:#3451b2;--bad:#b42318;--good:#067647}
            *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;
            color:var(--fg);background:var(--bg)}header{background:#fff;border-bottom:1px solid var(--line);
            padding:10px 24px}header .brand{font-weight:700;color:var(--accent);text-decoration:none;margin-right:8px}
            main{padding:20px 24px;max-width:1400px}h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 8px}
            h3{font-size:14px;margin:16px 0 6px}a{color:var(--accent)}.muted{color:var(--muted)}
            table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
            th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
            th{background:#fafbfc;font-weight:600;white-space:nowrap}td.num,th.num{text-align:right;
            font-variant-numeric:tabular-nums}tr.failed td{background:#fff6f5}tr.wrong td:nth-child(3){color:var(--bad)}
            .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eef0f4}
            .badge.running{background:#e8efff;color:var(--accent)}.badge.completed{background:#e7f6ee;color:var(--good)}
            .badge.stopped{background:#fff4e5;color:#93370d}.badge.failed{background:#fdecea;color:var(--bad)}
            dl.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:0 0 16px}
            dl.summary div{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 12px}
            dl.summary dt{color:var(--muted);font-size:12px}dl.summary dd{margin:0;font-size:18px;font-weight:600}
            dl.summary dd .date{font-size:13px;font-weight:500;white-space:nowrap}
            pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid var(--line);
            border-radius:6px;padding:10px;margin:4px 0 10px;font:12.5px/1.45 ui-monospace,Menlo,Consolas,monospace}
            pre.reply{border-left:3px solid var(--good)}pre.error{border-left:3px solid var(--bad)}
            .message .role{font-weight:600;text-transform:capitalize;color:var(--muted);font-size:12px}
            section.stage,section.call{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px;
            margin:12px 0}section.call{background:#fbfcfd}form.inline{display:inline}
            form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0 12px}
            input,select,button{font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:4px;
            background:#fff}button{cursor:pointer}button.danger{color:var(--bad);border-color:#f3c5c0}
            .pager{margin:10px 0;display:flex;gap:12px;align-items:center}.plot{background:#fff;
            border:1px solid var(--line);border-radius:8px;padding:8px}.flip{font-weight:600;color:var(--bad)}
            .flip.up{color:var(--good)}.notice{background:#fff4e5;border:1px solid #f7d9a8;padding:8px 12px;
            border-radius:6px;margin:8px 0}
            """)
}
