/* How long one cache line takes to pass from one core to the other, right now.
 *
 * Two threads hand a counter back and forth: each waits until the other has written its turn, then
 * writes the next. The time per one-way handoff is what a lock word or a shared buffer costs the
 * producers of a queue each time it changes cores. On a virtual machine it depends on where the
 * host placed the virtual CPUs: about 30 ns on cores that share a cache, several times that across
 * dies. compare.sh runs this before and after each AgentLedger run, so that a round can be read
 * against the placement it ran on.
 *
 * Usage: handoff [ROUND_TRIPS]   (default 300000). Prints one JSON object. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_long turn;
static long round_trips = 300000;

static void *player(void *arg) {
    long me = (long)arg;
    for (long i = 0; i < round_trips; i++) {
        long mine = 2 * i + me;
        while (atomic_load_explicit(&turn, memory_order_acquire) != mine) __builtin_ia32_pause();
        atomic_store_explicit(&turn, mine + 1, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 2 || (argc == 2 && (round_trips = atol(argv[1])) < 1)) {
        fprintf(stderr, "usage: handoff [ROUND_TRIPS]  (a positive whole number, default 300000)\n");
        return 64;
    }
    struct timespec a, b;
    pthread_t first, second;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (pthread_create(&first, NULL, player, (void *)0) != 0 || pthread_create(&second, NULL, player, (void *)1) != 0) {
        perror("pthread_create");
        return 1;
    }
    pthread_join(first, NULL);
    pthread_join(second, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (2.0 * (double)round_trips);
    printf("{\"handoff_ns\":%.1f,\"round_trips\":%ld}\n", ns, round_trips);
    return 0;
}
