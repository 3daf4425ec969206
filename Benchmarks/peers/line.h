/* The parts of a benchmark line that the C and C++ peers build the same way as agent-ledger bench:
 * a millisecond UTC timestamp (the formatted second is cached, like a logger would), a 26-character
 * ULID-style id (48-bit milliseconds + 80 random bits, Crockford base32), the session id and task id.
 * Shared by c_ceiling.c and spdlog_bench.cpp so that both do the same work per event. */
#ifndef PEER_LINE_H
#define PEER_LINE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    time_t second;  /* the second `prefix` was formatted for */
    char prefix[24]; /* "YYYY-MM-DDTHH:MM:SS" */
    char day[11];    /* "YYYY-MM-DD" */
    uint64_t rng;    /* xorshift64* state */
} peer_clock;

static inline void peer_clock_init(peer_clock *c, uint64_t seed) {
    c->second = (time_t)-1;
    c->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

static inline uint64_t peer_random(peer_clock *c) {
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 0x2545F4914F6CDD1DULL;
}

/* Writes ts ("2026-11-23T19:30:00.123+00:00", 29 chars + NUL) and id (26 chars + NUL) for now. */
static inline void peer_stamp(peer_clock *c, char ts[32], char id[27]) {
    static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != c->second) {
        struct tm tm;
        gmtime_r(&now.tv_sec, &tm);
        strftime(c->prefix, sizeof c->prefix, "%Y-%m-%dT%H:%M:%S", &tm);
        strftime(c->day, sizeof c->day, "%Y-%m-%d", &tm);
        c->second = now.tv_sec;
    }
    unsigned ms = (unsigned)(now.tv_nsec / 1000000);
    memcpy(ts, c->prefix, 19);
    ts[19] = '.';
    ts[20] = (char)('0' + ms / 100);
    ts[21] = (char)('0' + ms / 10 % 10);
    ts[22] = (char)('0' + ms % 10);
    memcpy(ts + 23, "+00:00", 7);
    uint64_t millis = (uint64_t)now.tv_sec * 1000u + ms;
    for (int i = 9; i >= 0; i--) {
        id[i] = crockford[millis & 31];
        millis >>= 5;
    }
    uint64_t r1 = peer_random(c), r2 = peer_random(c);
    for (int i = 10; i < 26; i++) {
        uint64_t *r = i < 18 ? &r1 : &r2;
        id[i] = crockford[*r & 31];
        *r >>= 5;
    }
    id[26] = 0;
}

#endif
