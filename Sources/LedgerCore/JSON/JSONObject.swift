/// A JSON object that keeps its keys in the order they were written.
///
/// Lookups are linear, which is the fastest choice for the handful of keys an event carries.
/// Setting an existing key replaces its value in place.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }

    /// An object with these members in order; a repeated key keeps its first place and its last value.
    @inlinable
    public init(_ members: [(String, JSONValue)]) {
        if Self.hasRepeatedKey(members) {
            self.init(mergingRepeatedKeys: members)
        } else {
            // The same layout: a tuple's labels are not stored. Taking the caller's array as it is
            // saves building a second one (an allocation, and a retain and a release per member).
            self.init(uniqueMembers: unsafeBitCast(members, to: [(key: String, value: JSONValue)].self))
        }
    }

    @inlinable
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    @usableFromInline
    init(uniqueMembers: [(key: String, value: JSONValue)]) {
        self.members = uniqueMembers
    }

    @usableFromInline
    init(mergingRepeatedKeys members: [(String, JSONValue)]) {
        var list: [(key: String, value: JSONValue)] = []
        list.reserveCapacity(members.count)
        next: for (k, v) in members {
            for i in list.indices where list[i].key == k {
                list[i].value = v
                continue next
            }
            list.append((k, v))
        }
        self.members = list
    }

    /// Whether two members share a key; compares every pair, which beats hashing for the few keys
    /// an event's `data` has.
    @usableFromInline
    static func hasRepeatedKey(_ members: [(String, JSONValue)]) -> Bool {
        members.withUnsafeBufferPointer { m in
            guard m.count > 1 else { return false }
            if m.count > 32 {
                var seen = Set<String>(minimumCapacity: m.count)
                for i in m.indices where !seen.insert(m[i].0).inserted { return true }
                return false
            }
            for i in 1..<m.count {
                for j in 0..<i where m[i].0 == m[j].0 { return true }
            }
            return false
        }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            for m in members where m.key == key { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Adds a member without checking for an existing key; for parsers and builders that know keys are new.
    public mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (a, b) in zip(lhs.members, rhs.members) where a.key != b.key || a.value != b.value {
            return false
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for m in members {
            hasher.combine(m.key)
            hasher.combine(m.value)
        }
    }
}
