/* The C ceiling: the benchmark line formatted with snprintf into a 64 KiB buffer per agent and written
 * with write() when the next line would not fit. One thread, no queue, no validation: what the
 * hardware allows for this workload.
 *
 * Usage: c_ceiling DIR EVENTS AGENTS [buffered|line|locked-line]
 *   buffered     the ceiling above (the default);
 *   line         one write() per line: the floor of any emitter whose line is in the file on return;
 *   locked-line  per line what AgentLedger's sync mode does to share a day file with other processes
 *                and with the archiver: flock(LOCK_EX), statx of the size and link count, write(),
 *                flock(LOCK_UN).
 * Writes DIR/agent-N.jsonl and prints one JSON object with the time from the first event to the end
 * of the final write and close. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line.h"

#define BUFFER_BYTES (64 * 1024)
#define MAX_AGENTS 64

typedef struct {
    int fd;
    size_t used;
    char agent[16];
    char session[48];
    char buffer[BUFFER_BYTES];
} agent_file;

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    enum { BUFFERED, LINE, LOCKED_LINE } mode = BUFFERED;
    if (argc == 5 && strcmp(argv[4], "line") == 0) {
        mode = LINE;
    } else if (argc == 5 && strcmp(argv[4], "locked-line") == 0) {
        mode = LOCKED_LINE;
    } else if (argc != 4 && !(argc == 5 && strcmp(argv[4], "buffered") == 0)) {
        fprintf(stderr, "usage: c_ceiling DIR EVENTS AGENTS [buffered|line|locked-line]\n");
        return 64;
    }
    const char *dir = argv[1];
    long events = atol(argv[2]);
    int agents = atoi(argv[3]);
    if (events < 1 || agents < 1 || agents > MAX_AGENTS) {
        fprintf(stderr, "c_ceiling: EVENTS must be at least 1 and AGENTS between 1 and %d\n", MAX_AGENTS);
        return 64;
    }
    static agent_file files[MAX_AGENTS];
    peer_clock clock;
    peer_clock_init(&clock, 0x1234567ULL);
    char ts[32], id[27];
    peer_stamp(&clock, ts, id);
    for (int a = 0; a < agents; a++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/agent-%d.jsonl", dir, a + 1);
        files[a].fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (files[a].fd < 0) {
            perror(path);
            return 1;
        }
        files[a].used = 0;
        snprintf(files[a].agent, sizeof files[a].agent, "agent-%d", a + 1);
        snprintf(files[a].session, sizeof files[a].session, "%s_agent-%d_001", clock.day, a + 1);
    }

    double start = seconds_now();
    for (long seq = 0; seq < events; seq++) {
        agent_file *f = &files[seq % agents];
        peer_stamp(&clock, ts, id);
        char line[1024];
        int n = snprintf(line, sizeof line,
                         "{\"ts\":\"%s\",\"id\":\"%s\",\"agent\":\"%s\",\"session_id\":\"%s\",\"event\":\"task_result\","
                         "\"task_id\":\"wo-%07ld\",\"source\":\"gg_orchestrator\","
                         "\"summary\":\"Completed layout SPEC + PLAN for the ledger app\","
                         "\"data\":{\"status\":\"success\",\"duration_sec\":1,\"seq\":%ld}}\n",
                         ts, id, f->agent, f->session, seq, seq);
        if (mode != BUFFERED) {
            struct statx status;
            if (mode == LOCKED_LINE && (flock(f->fd, LOCK_EX) != 0 ||
                                        statx(f->fd, "", AT_EMPTY_PATH, STATX_SIZE | STATX_NLINK, &status) != 0)) {
                perror("flock/statx");
                return 1;
            }
            write_all(f->fd, line, (size_t)n);
            if (mode == LOCKED_LINE) flock(f->fd, LOCK_UN);
            continue;
        }
        if (f->used + (size_t)n > BUFFER_BYTES) {
            write_all(f->fd, f->buffer, f->used);
            f->used = 0;
        }
        memcpy(f->buffer + f->used, line, (size_t)n);
        f->used += (size_t)n;
    }
    for (int a = 0; a < agents; a++) {
        write_all(files[a].fd, files[a].buffer, files[a].used);
        close(files[a].fd);
    }
    double seconds = seconds_now() - start;
    static const char *names[] = {"buffered", "line", "locked-line"};
    printf("{\"peer\":\"c_ceiling\",\"mode\":\"%s\",\"events\":%ld,\"agents\":%d,\"seconds\":%.6f,"
           "\"events_per_sec\":%.0f}\n",
           names[mode], events, agents, seconds, (double)events / seconds);
    return 0;
}
