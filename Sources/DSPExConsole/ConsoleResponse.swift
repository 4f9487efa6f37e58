import Crypto
import Foundation
import Hummingbird

/// The console's responses: HTML pages, downloads and errors, never cached by a proxy or the browser.
enum ConsoleResponse {
    static func html(_ html: HTML, status: Int = 200) -> Response {
        body(html.text, contentType: "text/html; charset=utf-8", status: status)
    }

    static func body(_ text: String, contentType: String, status: Int = 200, headers extra: HTTPFields = [:])
        -> Response
    {
        var headers = extra
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// Pages load nothing from anywhere else and run no script but the console's own (allowed by its hash): were
    /// any markup from a dataset or a model ever to reach a page unescaped, a browser would still not run it.
    static let contentSecurityPolicy: String = {
        let hash = Data(SHA256.hash(data: Data(LiveScript.runs.text.utf8))).base64EncodedString()
        return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-\(hash)'; connect-src 'self'; "
            + "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }()
}
