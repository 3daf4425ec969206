import LedgerCore

/// A run of encoded events taken from the queue in one go, to be written by agent.
///
/// Lines sit back to back in ``bytes``; ``entries`` says where each is and whose it is.
/// Buffers are recycled between batches so that steady state allocates nothing.
public struct Batch: Sendable {
    /// Where one line is in ``Batch/bytes`` and what the flusher needs to know about it.
    public struct Entry: Sendable {
        public var offset: Int
        public var length: Int32
        /// The agent's slot in the queue's agent table.
        public var slot: Int32
        /// The local day, as days since 1970-01-01.
        public var day: Int32
        /// Non-zero for event types that change an agent's status (see ``StatusKind``).
        public var statusKind: UInt8
    }

    public var bytes: [UInt8] = []
    public var entries: [Entry] = []
    /// The events themselves, parallel to `entries`, kept only while the bus has subscribers.
    public var events: [LedgerEvent?] = []
    /// Index of the first live entry (entries before it were dropped by `dropOldest`).
    public var head = 0
    /// Bytes of the live entries.
    public var liveBytes = 0
    /// When the oldest live entry was queued (monotonic nanoseconds), or 0 when empty.
    public var oldestEnqueued: UInt64 = 0
    /// The sequence number after the last event in this batch.
    public var endSequence: UInt64 = 0

    public var count: Int { entries.count - head }
    public var isEmpty: Bool { entries.count == head }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        head = 0
        liveBytes = 0
        oldestEnqueued = 0
    }
}

/// Which status-changing event an entry is; the flusher reads back only the last of each kind.
public enum StatusKind {
    public static let none: UInt8 = 0
    public static let heartbeat: UInt8 = 1
    public static let taskStart: UInt8 = 2
    public static let taskEnd: UInt8 = 3
    public static let error: UInt8 = 4
    public static let sessionEnd: UInt8 = 5
    public static let count = 6

    /// The kind of an event type. Looks at the first byte before comparing whole strings:
    /// most event types change no status and leave after one comparison.
    @inline(__always)
    public static func of(_ type: String) -> UInt8 {
        guard let first = type.utf8.first else { return none }
        switch first {
        case UInt8(ascii: "t"):
            switch type {
            case "task_result", "task_completed", "task_failed": return taskEnd
            case "task_start", "task_started": return taskStart
            default: return none
            }
        case UInt8(ascii: "h"): return type == "heartbeat" ? heartbeat : none
        case UInt8(ascii: "e"): return type == "error" ? error : none
        case UInt8(ascii: "a"): return type == "agent.error" ? error : none
        case UInt8(ascii: "s"): return type == "session_end" || type == "session_start" ? sessionEnd : none
        default: return none
        }
    }
}
