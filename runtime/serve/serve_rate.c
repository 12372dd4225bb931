/*
 * serve_rate.c - rate limits: a token bucket per client address, one table
 * for the public intake (requests and anonymous uploads), one for the
 * uploads of signed-in callers.
 *
 * Buckets live in a fixed table indexed by a hash of the address, so
 * memory stays flat whatever arrives.  An address looks at PROBE slots
 * from its hash: its own bucket, else an empty one or one that has
 * refilled completely (its owner is idle: taking it over loses nothing).
 * When all are busy it shares the first, which is stricter, never looser:
 * no pair of addresses can refill each other's bucket by alternating.
 * One mutex guards the table: a lookup is a few dozen instructions, far
 * below the cost of the write it admits.
 */
#include "serve.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define SLOTS 1024
#define PROBE 4

typedef struct bucket {
    char addr[64];
    double tokens;
    double last;                   /* monotonic seconds of the last refill */
} bucket;

typedef struct rate_table {
    bucket b[SLOTS];
    pthread_mutex_t lock;
} rate_table;

static rate_table intake = {.lock = PTHREAD_MUTEX_INITIALIZER},
                  uploads = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static unsigned take(rate_table *t, unsigned per_min, unsigned burst, const char *client)
{
    if (per_min == 0)
        return 0;                  /* no limit */
    bucket *table = t->b;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    double per_s = per_min / 60.0, cap = burst ? burst : 1;
    unsigned wait = 0;
    pthread_mutex_lock(&t->lock);
    uint32_t h = fnv1a(client);
    bucket *b = NULL, *free_slot = NULL;
    for (unsigned i = 0; i < PROBE && !b; i++) {
        bucket *x = &table[(h + i) % SLOTS];
        if (strcmp(x->addr, client) == 0)
            b = x;
        else if (!free_slot &&
                 (!x->addr[0] || fmin(cap, x->tokens + (now - x->last) * per_s) >= cap))
            free_slot = x;
    }
    if (!b && free_slot) {
        b = free_slot;
        strncpy(b->addr, client, sizeof b->addr - 1);
        b->addr[sizeof b->addr - 1] = '\0';
        b->tokens = cap;
        b->last = now;
    }
    if (!b)
        b = &table[h % SLOTS];     /* shared: every sharer drains it */
    b->tokens = fmin(cap, b->tokens + (now - b->last) * per_s);
    b->last = now;
    if (b->tokens >= 1.0)
        b->tokens -= 1.0;
    else
        wait = (unsigned)ceil((1.0 - b->tokens) / per_s);
    pthread_mutex_unlock(&t->lock);
    return wait;
}

unsigned rate_take(const serve_opts *o, const char *client)
{
    return take(&intake, o->intake_rate, o->intake_burst, client);
}

unsigned rate_take_upload(const serve_opts *o, const char *client)
{
    return take(&uploads, o->upload_rate, o->upload_burst, client);
}
