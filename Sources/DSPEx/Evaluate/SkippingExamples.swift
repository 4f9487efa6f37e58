import Synchronization

/// A dataset stream without the examples whose ids are in `skip` (those already done in a resumed run),
/// which ends early once `intake` is closed (a spent budget: no new example starts, those in flight finish).
struct SkippingExamples<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == Example {
    typealias Element = Example
    let base: Base
    let skip: Set<String>
    let intake: IntakeValve

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let skip: Set<String>
        let intake: IntakeValve

        mutating func next() async throws -> Example? {
            while !intake.isClosed, let example = try await base.next() {
                if !skip.contains(example.id) { return example }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), skip: skip, intake: intake)
    }
}

/// A one-way switch that stops a stream from admitting more examples.
final class IntakeValve: Sendable {
    private let closed = Mutex(false)
    var isClosed: Bool { closed.withLock { $0 } }
    func close() { closed.withLock { $0 = true } }
}

/// An array of examples as an async sequence.
public struct ExampleList: AsyncSequence, Sendable {
    public typealias Element = Example
    /// The examples.
    public let examples: [Example]

    /// Wraps an array.
    public init(_ examples: [Example]) {
        self.examples = examples
    }

    /// Iterates the array.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[Example]>
        public mutating func next() async -> Example? { base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: examples.makeIterator()) }
}
