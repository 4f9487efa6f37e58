import AsyncHTTPClient
import DSPEx
import DSPExTesting
import Foundation
import NIOCore
import NIOHTTP1

/// Headless Chromium driven over the W3C WebDriver protocol: `chromedriver` on a free loopback port, one browser
/// session, and the few commands the console's end-to-end tests need. ``close()`` ends the session and the driver.
final class WebDriver: Sendable {
    /// Why a WebDriver command failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where Debian installs the browser and its driver.
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Whether both are installed.
    static var isAvailable: Bool { chromium != nil && chromedriver != nil }

    private let driver: SpawnedProcess
    private let base: String
    private let http: HTTPClient
    private let session: String

    private init(driver: SpawnedProcess, base: String, http: HTTPClient, session: String) {
        self.driver = driver
        self.base = base
        self.http = http
        self.session = session
    }

    /// Starts chromedriver and a headless browser session.
    static func start() async throws -> WebDriver {
        guard let chromium, let chromedriver else {
            throw Failure(
                description: "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
        }
        let port = try FreePort.loopback()
        let driver = try SpawnedProcess.start(
            URL(fileURLWithPath: chromedriver), ["--port=\(port)", "--allowed-ips=127.0.0.1"])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(port)"
        do {
            let deadline = ContinuousClock.now + .seconds(20)
            while (try? await Self.send(http, .GET, base + "/status"))?["value"]?["ready"]?.boolValue != true {
                guard ContinuousClock.now < deadline, driver.isRunning else {
                    throw Failure(description: "chromedriver did not start: \(driver.stderr)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let capabilities: Value = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": .string(chromium),
                            "args": [
                                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--window-size=1360,1000", "--force-device-scale-factor=1",
                            ],
                        ],
                    ]
                ]
            ]
            let created = try await Self.send(http, .POST, base + "/session", capabilities)
            guard let session = created["value"]?["sessionId"]?.stringValue else {
                throw Failure(description: "no session: \(created.jsonString())")
            }
            return WebDriver(driver: driver, base: base, http: http, session: session)
        } catch {
            driver.send(SIGTERM)
            _ = await driver.wait(timeout: 5)
            try? await http.shutdown()
            throw error
        }
    }

    /// Ends the session and stops chromedriver (and the browser with it).
    func close() async {
        _ = try? await command(.DELETE, "")
        driver.send(SIGTERM)
        _ = await driver.wait(timeout: 5)
        try? await http.shutdown()
    }

    /// Opens `url` and waits for it to load.
    func open(_ url: String) async throws {
        _ = try await command(.POST, "/url", ["url": .string(url)])
    }

    /// The element matching a CSS selector, waiting up to `timeout` for it to appear.
    func element(_ selector: String, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = try? await command(
                .POST, "/element", ["using": "css selector", "value": .string(selector)]),
                let id = found["value"]?["element-6066-11e4-a52e-4f735466cecf"]?.stringValue
            {
                return id
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "no element matches \(selector)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// How many elements match a CSS selector.
    func count(_ selector: String) async throws -> Int {
        let found = try await command(.POST, "/elements", ["using": "css selector", "value": .string(selector)])
        return found["value"]?.arrayValue?.count ?? 0
    }

    /// The visible text of the element matching `selector`.
    func text(_ selector: String) async throws -> String {
        let id = try await element(selector)
        return try await command(.GET, "/element/\(id)/text")["value"]?.stringValue ?? ""
    }

    /// Clicks the element matching `selector`.
    func click(_ selector: String) async throws {
        let id = try await element(selector)
        _ = try await command(.POST, "/element/\(id)/click", [:])
    }

    /// Runs `script` in the page and returns its result.
    func execute(_ script: String) async throws -> Value {
        try await command(.POST, "/execute/sync", ["script": .string(script), "args": []])["value"] ?? .null
    }

    /// Waits until `condition` holds for the text of `selector`, returning the text.
    func waitForText(
        _ selector: String, timeout: Duration = .seconds(15), _ condition: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = (try? await self.text(selector)) ?? ""
            if condition(text) { return text }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "\(selector) never satisfied the condition (last text: '\(text)')")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Saves a PNG screenshot of the page to `path` and prints where it is.
    func screenshot(to path: String) async throws {
        guard let encoded = try await command(.GET, "/screenshot")["value"]?.stringValue,
            let png = Data(base64Encoded: encoded)
        else { throw Failure(description: "no screenshot") }
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
        print("screenshot: \(path)")
    }

    private func command(_ method: HTTPMethod, _ path: String, _ body: Value? = nil) async throws -> Value {
        let reply = try await Self.send(http, method, base + "/session/\(session)" + path, body)
        if let error = reply["value"]?["error"]?.stringValue {
            throw Failure(description: "\(method) \(path): \(error): \(reply["value"]?["message"]?.plainText ?? "")")
        }
        return reply
    }

    private static func send(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: Value? = nil)
        async throws -> Value
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.jsonString()))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return try Value(json: String(buffer: bytes))
    }
}

/// A free TCP port on the loopback interface (bound, read, released).
enum FreePort {
    static func loopback() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw WebDriver.Failure(description: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw WebDriver.Failure(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw WebDriver.Failure(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
