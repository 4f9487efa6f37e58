import Synchronization

/// A dataset stream without the examples whose ids are in `skip` (those already done in a resumed run), and, when
/// `range` is given, only the examples at those positions of the dataset (a shard); it ends early once `intake` is
/// closed (a spent budget: no new example starts, those in flight finish).
///
/// Each example it yields has its dataset position noted in `positions`, in the order yielded: the scheduler
/// numbers examples as they arrive, and the store keeps each result at its dataset position.
struct SkippingExamples<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == Example {
    typealias Element = Example
    let base: Base
    let skip: Set<String>
    let intake: IntakeValve
    var range: Range<Int>? = nil
    var positions = DatasetPositions()

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let skip: Set<String>
        let intake: IntakeValve
        let range: Range<Int>?
        let positions: DatasetPositions
        var position = 0

        mutating func next() async throws -> Example? {
            while !intake.isClosed {
                if let range, position >= range.upperBound { return nil }
                guard let example = try await base.next() else { return nil }
                defer { position += 1 }
                if let range, !range.contains(position) { continue }
                if !skip.contains(example.id) {
                    positions.append(position)
                    return example
                }
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), skip: skip, intake: intake, range: range, positions: positions)
    }
}

/// The dataset position of each example a ``SkippingExamples`` stream yielded, by the order it yielded them (the
/// scheduler's index of the example).
final class DatasetPositions: Sendable {
    private let positions = Mutex<[Int]>([])

    func append(_ position: Int) { positions.withLock { $0.append(position) } }

    /// The dataset position of the example the scheduler numbered `index`.
    func position(ofIndex index: Int) -> Int {
        positions.withLock { index < $0.count ? $0[index] : index }
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
