import LedgerCore
import Testing

@testable import LedgerRuntime

@Suite struct EventQueueTests {
    /// A written batch's buffers come back to the queue as they are: the next batch fills the
    /// same memory instead of new pages that every producer would fault in.
    @Test func aRecycledBatchKeepsItsMemory() throws {
        let queue = EventQueue(
            maxEvents: 10_000,
            maxBytes: 1 << 24,
            batchSize: 1000,
            policy: .dropNewest,
            blockTimeout: 0
        )
        let encoder = EventEncoder(timeZone: .utc)
        func fill() {
            for i in 0..<500 {
                let e = encoder.event(agent: "cls", type: "info", data: ["seq": .int(Int64(i))])
                #expect(queue.offer(e, encoder: encoder, keepEvent: false) == .accepted)
            }
        }
        // Two batches circulate: the one being filled and the spare.
        var addresses: Set<Int> = []
        for _ in 0..<6 {
            fill()
            var taken = try #require(queue.take())
            #expect(taken.batch.count == 500)
            addresses.insert(taken.batch.bytes.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) })
            queue.recycle(&taken.batch)
            #expect(taken.batch.bytes.isEmpty)
        }
        #expect(addresses.count <= 2)
    }

    /// A queue smaller than the batch size is written when half full, in events or in bytes, instead
    /// of waiting for the flush interval while its producers wait for room.
    @Test func aSmallQueueIsDueWhenHalfFull() {
        let byEvents = EventQueue(maxEvents: 64, maxBytes: 1 << 24, batchSize: 8192, policy: .block, blockTimeout: 0)
        #expect(!byEvents.isBatchDue(count: 31, bytes: 0))
        #expect(byEvents.isBatchDue(count: 32, bytes: 0))
        let byBytes = EventQueue(maxEvents: 65_536, maxBytes: 4096, batchSize: 8192, policy: .block, blockTimeout: 0)
        #expect(!byBytes.isBatchDue(count: 10, bytes: 2047))
        #expect(byBytes.isBatchDue(count: 10, bytes: 2048))
        let large = EventQueue(maxEvents: 65_536, maxBytes: 1 << 26, batchSize: 8192, policy: .block, blockTimeout: 0)
        #expect(!large.isBatchDue(count: 8191, bytes: 1 << 20))
        #expect(large.isBatchDue(count: 8192, bytes: 1 << 20))
    }
}
