/// The most recent chat-completion requests, oldest first, kept in a ring buffer.
///
/// When ``limit`` records are stored each new one replaces the oldest, so memory stays
/// bounded however long the server runs.
struct RequestLog: Sendable {
    /// The most records kept.
    let limit: Int
    private var storage: [SimulatorRequestRecord] = []
    private var oldest = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Adds a record, dropping the oldest when full.
    mutating func append(_ record: SimulatorRequestRecord) {
        guard self.limit > 0 else { return }
        if self.storage.count < self.limit {
            self.storage.append(record)
        } else {
            self.storage[self.oldest] = record
            self.oldest = (self.oldest + 1) % self.limit
        }
    }

    /// The records, oldest first.
    var records: [SimulatorRequestRecord] {
        Array(self.storage[self.oldest...] + self.storage[..<self.oldest])
    }

    /// Forgets every record.
    mutating func removeAll() {
        self.storage.removeAll()
        self.oldest = 0
    }
}
