/// An error from any part of the ledger: a code to match on, a message for people, and an optional cause.
///
/// Messages say what was wrong and what to do, for example
/// `agent id "../x" is invalid: use [a-z0-9][a-z0-9._-]{0,63} without ".."`.
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: modules add their own codes as static members.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An agent id outside `[a-z0-9][a-z0-9._-]{0,63}` or containing `..`.
        public static let invalidAgentID = Code("invalid_agent_id")
        /// An event type outside `[a-z0-9][a-z0-9_.:-]{0,127}`.
        public static let invalidEventType = Code("invalid_event_type")
        /// An event type that is not in the catalogue while strict mode is on.
        public static let unknownEventType = Code("unknown_event_type")
        /// Text that is not valid JSON, or JSON of the wrong shape.
        public static let invalidJSON = Code("invalid_json")
        /// Bytes that are not valid UTF-8.
        public static let invalidUTF8 = Code("invalid_utf8")
        /// A NaN or infinite number, which JSON cannot carry.
        public static let invalidNumber = Code("invalid_number")
        /// An encoded event larger than the configured cap.
        public static let eventTooLarge = Code("event_too_large")
        /// A field value that is not acceptable (a session id, a timestamp, a task id).
        public static let invalidField = Code("invalid_field")
        /// A configuration value that cannot be used.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// A file system call failed.
        public static let io = Code("io")
        /// The thing asked for does not exist.
        public static let notFound = Code("not_found")
        /// The ledger is shutting down or shut down and accepts nothing more.
        public static let shutdown = Code("shutdown")
    }

    public var code: Code
    public var message: String
    /// The underlying failure in words (an errno text, a child process's stderr), if any.
    public var cause: String?
    /// The errno of a failed system call, if any.
    public var errno: Int32?
    public var file: String
    public var line: UInt

    public init(
        _ code: Code,
        _ message: String,
        cause: String? = nil,
        errno: Int32? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.errno = errno
        self.file = file
        self.line = line
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }

    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.cause == rhs.cause && lhs.errno == rhs.errno
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(cause)
        hasher.combine(errno)
    }
}
