extension Chat {
    /// Where chat is kept and what it accepts. Every default is the seed's.
    public struct Configuration: Sendable, Hashable {
        /// The notes ref for run-attached messages. Default `refs/notes/scp-chat`.
        public var notesRef: String
        /// The folder of threads on the ledger branch. Default `chat/threads`.
        public var threadsFolder: String
        /// The longest message text, in UTF-8 bytes (before encryption). Default 65,536.
        public var maxTextBytes: Int
        /// PBKDF2 rounds for `ENC:v1`. Default 600,000; other values make texts other readers cannot open.
        public var rounds: Int

        public init(
            notesRef: String = "refs/notes/scp-chat",
            threadsFolder: String = "chat/threads",
            maxTextBytes: Int = 65_536,
            rounds: Int = ChatCipher.rounds
        ) {
            self.notesRef = notesRef
            self.threadsFolder = threadsFolder
            self.maxTextBytes = maxTextBytes
            self.rounds = rounds
        }

        /// The line the ledger branch's `.gitattributes` holds so that thread files merge by keeping
        /// both sides' lines.
        public static let unionMergeAttribute = "*.jsonl merge=union"
    }
}
