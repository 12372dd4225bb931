/*
 * serve_conn.c - what `qtm serve` holds against a slow or greedy client:
 * a deadline for each request and a budget for bodies in flight.
 *
 * Deadline: every open connection has a slot; from the moment it opens,
 * and again after each answer, it has request_timeout seconds to deliver
 * a whole request (head and body).  libmicrohttpd's own timeout restarts
 * on every byte, so a sweeper thread shuts the socket of a connection past
 * its deadline; libmicrohttpd then sees the end of the stream and closes
 * it.  Budget: bytes of request bodies not yet complete, in all; a body
 * that does not fit is refused rather than buffered.
 */
#include "serve.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_MS 200

struct conn_slot {
    int fd;
    double deadline;               /* monotonic seconds; 0: none (request in hand) */
    conn_slot *prev, *next;
};

/* The list and every slot's deadline are guarded by mu.  A slot leaves the
 * list (conn_untrack) before libmicrohttpd closes its descriptor, so the
 * sweeper never shuts a descriptor that was closed and reused. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static conn_slot *slots;
static double timeout_s;
static int stopping;
static pthread_t sweeper;
static int have_sweeper;

static atomic_size_t buffered;
static size_t budget;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

conn_slot *conn_track(int fd)
{
    conn_slot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = fd;
    pthread_mutex_lock(&mu);
    s->deadline = now_s() + timeout_s;
    s->next = slots;
    if (slots)
        slots->prev = s;
    slots = s;
    pthread_mutex_unlock(&mu);
    return s;
}

void conn_untrack(conn_slot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        slots = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&mu);
    free(s);
}

void conn_deadline(conn_slot *s, int armed)
{
    if (!s)
        return;
    pthread_mutex_lock(&mu);
    s->deadline = armed ? now_s() + timeout_s : 0;
    pthread_mutex_unlock(&mu);
}

static void *sweep(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += SWEEP_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &mu, &until);
        double now = now_s();
        for (conn_slot *s = slots; s; s = s->next)
            if (s->deadline > 0 && now >= s->deadline) {
                shutdown(s->fd, SHUT_RDWR);
                s->deadline = 0;   /* once: the close follows */
            }
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int conn_start(unsigned request_timeout, size_t max_buffered)
{
    timeout_s = request_timeout;
    budget = max_buffered;
    atomic_store(&buffered, 0);
    stopping = 0;
    have_sweeper = pthread_create(&sweeper, NULL, sweep, NULL) == 0;
    return have_sweeper ? 0 : -1;
}

void conn_stop(void)
{
    if (!have_sweeper)
        return;
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
    pthread_join(sweeper, NULL);
    have_sweeper = 0;
}

int budget_take(size_t n)
{
    size_t cur = atomic_load(&buffered);
    do {
        if (n > budget || cur > budget - n)
            return 0;
    } while (!atomic_compare_exchange_weak(&buffered, &cur, cur + n));
    return 1;
}

void budget_give(size_t n)
{
    atomic_fetch_sub(&buffered, n);
}
