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
}
