/*
 * serve_rate.c - the public intake's rate limit: a token bucket per client
 * address.
 *
 * Buckets live in a fixed table indexed by a hash of the address, so
 * memory stays flat whatever arrives; an address that lands on a slot held
 * by another takes it over with a full bucket (an eviction, not a shared
 * limit).  One mutex guards the table: a lookup is a few dozen
 * instructions, far below the cost of the write it admits.
 */
#include "serve.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define SLOTS 1024

typedef struct bucket {
    char addr[64];
    double tokens;
    double last;                   /* monotonic seconds of the last refill */
} bucket;

static bucket table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

unsigned rate_take(const serve_opts *o, const char *client)
{
    if (o->intake_rate == 0)
        return 0;                  /* no limit */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    double per_s = o->intake_rate / 60.0, cap = o->intake_burst ? o->intake_burst : 1;
    unsigned wait = 0;
    pthread_mutex_lock(&lock);
    bucket *b = &table[fnv1a(client) % SLOTS];
    if (strcmp(b->addr, client) != 0) {
        strncpy(b->addr, client, sizeof b->addr - 1);
        b->addr[sizeof b->addr - 1] = '\0';
        b->tokens = cap;
        b->last = now;
    }
    b->tokens = fmin(cap, b->tokens + (now - b->last) * per_s);
    b->last = now;
    if (b->tokens >= 1.0)
        b->tokens -= 1.0;
    else
        wait = (unsigned)ceil((1.0 - b->tokens) / per_s);
    pthread_mutex_unlock(&lock);
    return wait;
}
