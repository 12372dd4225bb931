/*
 * serve_conn.c - what `qtm serve` holds against a slow or greedy client:
 * a deadline for each request, a cap on each address's connections and a
 * budget for bodies in flight.
 *
 * Deadline: every open connection has a slot; from the moment it opens,
 * and again after each answer, it has request_timeout seconds to deliver
 * a whole request (head and body).  libmicrohttpd's own timeout restarts
 * on every byte, so a sweeper thread shuts the socket of a connection past
 * its deadline; libmicrohttpd then sees the end of the stream and closes
 * it.  Cap: libmicrohttpd's accept policy asks conn_admit; an address at
 * per_ip loses its oldest connection still waiting for a request (shut
 * the same way) to the new one, and is refused only when every one of its
 * connections has a whole request in hand.  Budget: body bytes buffered
 * and not yet answered, charged as they arrive, in all and per address;
 * a body that does not fit is refused rather than buffered.
 */
#include "serve.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_MS 200
#define PEER_BUCKETS 256

/* One client address: its connections and the body bytes they buffer. */
typedef struct peer {
    unsigned char addr[16];        /* IPv6, or IPv4 as ::ffff:a.b.c.d */
    unsigned slots;                /* slots pointing here (the entry's life) */
    unsigned live;                 /* ... of which not shut by us */
    size_t bytes;                  /* body bytes charged */
    struct peer *next;
} peer;

struct conn_slot {
    int fd;
    int shut;                      /* shut by the sweeper or an eviction: closing */
    double deadline;               /* monotonic seconds; 0: none (request in hand) */
    peer *from;                    /* NULL when the address is unknown */
    conn_slot *prev, *next;
};

/* Everything below is guarded by mu.  A slot leaves the list
 * (conn_untrack) before libmicrohttpd closes its descriptor, so neither
 * the sweeper nor an eviction shuts a descriptor closed and reused. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static conn_slot *slots;
static peer *peers[PEER_BUCKETS];
static double timeout_s;
static unsigned cap_per_peer;
static int stopping;
static pthread_t sweeper;
static int have_sweeper;

static size_t buffered, budget, share;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The address as 16 bytes; 0 for a family other than IPv4 and IPv6. */
static int addr_key(const struct sockaddr *sa, unsigned char key[16])
{
    memset(key, 0, 16);
    if (sa->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return 1;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return 1;
    }
    return 0;
}

static peer **peer_bucket(const unsigned char key[16])
{
    unsigned h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    return &peers[h % PEER_BUCKETS];
}

/* The entry for key, or NULL; with make, created when missing (NULL only
 * when out of memory). */
static peer *peer_find(const unsigned char key[16], int make)
{
    peer **b = peer_bucket(key);
    for (peer *p = *b; p; p = p->next)
        if (memcmp(p->addr, key, 16) == 0)
            return p;
    if (!make)
        return NULL;
    peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    memcpy(p->addr, key, 16);
    p->next = *b;
    *b = p;
    return p;
}

static void peer_drop(peer *p)
{
    if (--p->slots)
        return;
    for (peer **b = peer_bucket(p->addr); *b; b = &(*b)->next)
        if (*b == p) {
            *b = p->next;
            break;
        }
    free(p);
}

/* Shuts a slot's socket: libmicrohttpd reads the end of the stream and
 * closes the connection.  Once per slot. */
static void slot_shut(conn_slot *s)
{
    shutdown(s->fd, SHUT_RDWR);
    s->deadline = 0;
    s->shut = 1;
    if (s->from)
        s->from->live--;
}

conn_slot *conn_track(int fd)
{
    conn_slot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = fd;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    unsigned char key[16];
    int known = getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
                addr_key((struct sockaddr *)&ss, key);
    pthread_mutex_lock(&mu);
    s->from = known ? peer_find(key, 1) : NULL;
    if (s->from) {
        s->from->slots++;
        s->from->live++;
    }
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
    if (s->from) {
        if (!s->shut)
            s->from->live--;
        peer_drop(s->from);
    }
    pthread_mutex_unlock(&mu);
    free(s);
}

void conn_deadline(conn_slot *s, int armed)
{
    if (!s)
        return;
    pthread_mutex_lock(&mu);
    if (!s->shut)
        s->deadline = armed ? now_s() + timeout_s : 0;
    pthread_mutex_unlock(&mu);
}

/* Connections accepted but not yet tracked (another I/O thread between
 * its accept and conn_track) are not counted: an address may pass the cap
 * by at most the I/O threads less one, for that moment. */
int conn_admit(const struct sockaddr *sa)
{
    unsigned char key[16];
    if (!sa || !addr_key(sa, key))
        return 1;
    int ok = 1;
    pthread_mutex_lock(&mu);
    peer *p = peer_find(key, 0);
    if (p && p->live >= cap_per_peer) {
        /* the oldest wait is the earliest deadline: all have the same length */
        conn_slot *oldest = NULL;
        for (conn_slot *s = slots; s; s = s->next)
            if (s->from == p && !s->shut && s->deadline > 0 &&
                (!oldest || s->deadline < oldest->deadline))
                oldest = s;
        if (oldest)
            slot_shut(oldest);
        else
            ok = 0;                /* every one has a whole request in hand */
    }
    pthread_mutex_unlock(&mu);
    return ok;
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
            if (s->deadline > 0 && now >= s->deadline)
                slot_shut(s);      /* once: the close follows */
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int conn_start(unsigned request_timeout, unsigned per_ip, size_t max_body, size_t max_buffered)
{
    timeout_s = request_timeout;
    cap_per_peer = per_ip;
    budget = max_buffered;
    /* a quarter of the budget, and always room for one whole body */
    share = max_buffered / 4 > max_body ? max_buffered / 4 : max_body;
    buffered = 0;
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

int budget_take(conn_slot *s, size_t n)
{
    int ok = 0;
    pthread_mutex_lock(&mu);
    peer *p = s ? s->from : NULL;
    if (n <= budget - buffered && (!p || n <= share - p->bytes)) {
        buffered += n;
        if (p)
            p->bytes += n;
        ok = 1;
    }
    pthread_mutex_unlock(&mu);
    return ok;
}

void budget_give(conn_slot *s, size_t n)
{
    pthread_mutex_lock(&mu);
    buffered -= n;
    if (s && s->from)
        s->from->bytes -= n;
    pthread_mutex_unlock(&mu);
}
