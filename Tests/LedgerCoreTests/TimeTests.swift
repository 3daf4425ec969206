import LedgerCore
import Testing

@Suite struct TimeTests {
    @Test func formatsWithMillisecondsAndOffset() {
        // 2025-11-15T19:12:34.123Z is 2025-11-16T02:12:34.123+07:00.
        let t = TimestampFormat.parseISO8601("2025-11-15T19:12:34.123Z")!.timestamp
        var out: [UInt8] = []
        TimestampFormat.writeISO8601(t, utcOffsetSeconds: 7 * 3600, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "2025-11-16T02:12:34.123+07:00")
        out.removeAll()
        TimestampFormat.writeISO8601(t, utcOffsetSeconds: -(5 * 3600 + 30 * 60), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "2025-11-15T13:42:34.123-05:30")
    }

    @Test func parsesTheFormsPeopleWrite() {
        let base = TimestampFormat.parseISO8601("2025-11-16T02:12:34+07:00")!
        #expect(base.utcOffsetSeconds == 25200)
        #expect(TimestampFormat.parseISO8601("2025-11-15T19:12:34Z")!.timestamp == base.timestamp)
        #expect(TimestampFormat.parseISO8601("2025-11-16T02:12:34.000+0700")!.timestamp == base.timestamp)
        #expect(
            TimestampFormat.parseISO8601("2025-11-16T02:12:34.5+07:00")!.timestamp.milliseconds == base.timestamp
                .milliseconds + 500
        )
        for bad in [
            "9999-12-31T23:59:59.999+14:00", "0000-01-01T00:00:00Z", "2025-11-16T02:12:34", "2025-02-30T00:00:00Z",
            "2025-11-16 nope", "", "2025-11-16T25:00:00Z",
        ] {
            #expect(TimestampFormat.parseISO8601(bad) == nil, "\(bad)")
        }
    }

    @Test func civilDatesRoundTripAcrossCenturies() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
        }
        #expect(CivilDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("2023-02-29") == nil)
        #expect(CivilDate("2024-12-31")!.next.description == "2025-01-01")
    }

    @Test func zonesPickTheLocalDay() throws {
        let t = TimestampFormat.parseISO8601("2025-11-15T19:12:34Z")!.timestamp
        #expect(try LedgerTimeZone.parse("+07:00").localDate(of: t).description == "2025-11-16")
        #expect(try LedgerTimeZone.parse("UTC").localDate(of: t).description == "2025-11-15")
        #expect(try LedgerTimeZone.parse("Asia/Bangkok").utcOffsetSeconds(at: t) == 25200)
        #expect(try LedgerTimeZone.parse("America/New_York").utcOffsetSeconds(at: t) == -18000)
        #expect(throws: LedgerError.self) { try LedgerTimeZone.parse("Mars/Olympus") }
    }

    @Test func namedZonesFollowDaylightSaving() throws {
        let zone = try LedgerTimeZone.parse("Europe/Berlin")
        let winter = TimestampFormat.parseISO8601("2025-01-15T12:00:00Z")!.timestamp
        let summer = TimestampFormat.parseISO8601("2025-07-15T12:00:00Z")!.timestamp
        #expect(zone.utcOffsetSeconds(at: winter) == 3600)
        #expect(zone.utcOffsetSeconds(at: summer) == 7200)
        #expect(zone.utcOffsetSeconds(at: winter) == 3600)
    }
}
