/* How long one cache line takes to pass from one core to the other, right now.
 *
 * Two threads hand a counter back and forth: each waits until the other has written its turn, then
 * writes the next. The time per one-way handoff is what a lock word or a shared buffer costs the
 * producers of a queue each time it changes cores. On a virtual machine it depends on where the
 * host placed the virtual CPUs: about 30 ns on cores that share a cache, several times that across
 * dies. compare.sh runs this before and after each run, so that a round can be read against the
 * placement it ran on.
 *
 * The handoffs are timed in 15 samples: a thread preempted in the middle of one (by the kernel's
 * writeback after a run, say) spoils that sample only, and the fastest sample is the placement's figure.
 *
 * Usage: handoff [ROUND_TRIPS]   (per sample, default 20000). Prints one JSON object: the fastest
 * sample's and the median sample's nanoseconds per one-way handoff. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_long turn;
#define SAMPLES 15
static long round_trips = 20000;

static struct timespec started, ended;

/* Player 0 times the handoffs after the first, once both threads are running. */
static void *player(void *arg) {
    long me = (long)arg;
    for (long i = 0; i < round_trips; i++) {
        long mine = 2 * i + me;
        while (atomic_load_explicit(&turn, memory_order_acquire) != mine) __builtin_ia32_pause();
        if (me == 0 && i == 1) clock_gettime(CLOCK_MONOTONIC, &started);
        atomic_store_explicit(&turn, mine + 1, memory_order_release);
    }
    if (me == 0) {
        while (atomic_load_explicit(&turn, memory_order_acquire) != 2 * round_trips) __builtin_ia32_pause();
        clock_gettime(CLOCK_MONOTONIC, &ended);
    }
    return NULL;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc > 2 || (argc == 2 && (round_trips = atol(argv[1])) < 2)) {
        fprintf(stderr, "usage: handoff [ROUND_TRIPS]  (per sample: a whole number of at least 2, default 20000)\n");
        return 64;
    }
    double ns[SAMPLES];
    for (int s = 0; s < SAMPLES; s++) {
        pthread_t first, second;
        atomic_store(&turn, 0);
        if (pthread_create(&first, NULL, player, (void *)0) != 0 ||
            pthread_create(&second, NULL, player, (void *)1) != 0) {
            perror("pthread_create");
            return 1;
        }
        pthread_join(first, NULL);
        pthread_join(second, NULL);
        ns[s] = ((double)(ended.tv_sec - started.tv_sec) * 1e9 + (double)(ended.tv_nsec - started.tv_nsec)) /
                (2.0 * (double)(round_trips - 1));
    }
    qsort(ns, SAMPLES, sizeof ns[0], by_value);
    printf("{\"handoff_ns\":%.1f,\"median_ns\":%.1f,\"samples\":%d,\"round_trips\":%ld}\n", ns[0], ns[SAMPLES / 2],
           SAMPLES, round_trips);
    return 0;
}
