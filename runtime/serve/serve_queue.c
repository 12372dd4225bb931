/*
 * serve_queue.c - the database work queue behind `qtm serve`: a FIFO of
 * jobs and a fixed pool of threads that run them.
 *
 * libmicrohttpd's threads only move bytes; a request that needs the
 * database is suspended and pushed here, and whichever worker is free runs
 * it (on its own libqtm handle) and resumes the connection.  Stopping runs
 * every job already pushed before the threads exit, so a request accepted
 * is always answered; a push after the stop is refused (the queue stays
 * until queue_free, so a late push is a refusal, never a use of freed
 * memory).  A batch queue
 * (the writers: group commit) hands a worker all the jobs waiting at once.
 */
#include "serve.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

typedef struct qjob {
    void *item;
    struct qjob *next;
} qjob;

struct serve_queue {
    pthread_mutex_t mu;
    pthread_cond_t ready;
    qjob *head, *tail;
    int stopping;
    void (*run)(void *item);
    void (*run_batch)(void **items, unsigned n);  /* set: a batch queue */
    unsigned max;                  /* items in a batch */
    long wait_ns;                  /* how long a batch waits for company */
    unsigned nthreads;
    pthread_t threads[];
};

/* Takes up to max jobs off the head (q->mu held, head not NULL). */
static unsigned take(serve_queue *q, void **items, unsigned have)
{
    while (q->head && have < q->max) {
        qjob *j = q->head;
        q->head = j->next;
        items[have++] = j->item;
        free(j);
    }
    if (!q->head)
        q->tail = NULL;
    return have;
}

/* A batch worker: everything waiting, and what arrives within wait_ns of
 * the first (never past max, never waiting when stopping). */
static void *batch_worker(void *arg)
{
    serve_queue *q = arg;
    void **items = calloc(q->max, sizeof *items);
    pthread_mutex_lock(&q->mu);
    for (; items;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->ready, &q->mu);
        if (!q->head)
            break;                 /* stopping and drained */
        unsigned n = take(q, items, 0);
        if (n < q->max && q->wait_ns > 0 && !q->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += q->wait_ns;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (n < q->max && !q->stopping &&
                   pthread_cond_timedwait(&q->ready, &q->mu, &until) == 0)
                n = take(q, items, n);
            n = take(q, items, n);
        }
        pthread_mutex_unlock(&q->mu);
        q->run_batch(items, n);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    free(items);
    return NULL;
}

static void *queue_worker(void *arg)
{
    serve_queue *q = arg;
    if (q->run_batch)
        return batch_worker(q);
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->ready, &q->mu);
        qjob *j = q->head;
        if (!j)
            break;                 /* stopping and drained */
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        q->run(j->item);
        free(j);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static serve_queue *start(unsigned threads, void (*run)(void *item),
                          void (*run_batch)(void **items, unsigned n), unsigned max,
                          unsigned wait_us)
{
    serve_queue *q = calloc(1, sizeof *q + threads * sizeof(pthread_t));
    if (!q)
        return NULL;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->ready, NULL);
    q->run = run;
    q->run_batch = run_batch;
    q->max = max ? max : 1;
    q->wait_ns = (long)wait_us * 1000;
    for (; q->nthreads < threads; q->nthreads++)
        if (pthread_create(&q->threads[q->nthreads], NULL, queue_worker, q) != 0)
            break;
    if (q->nthreads == 0) {
        queue_free(q);
        return NULL;
    }
    return q;
}

serve_queue *queue_start(unsigned threads, void (*run)(void *item))
{
    return start(threads, run, NULL, 1, 0);
}

serve_queue *queue_start_batch(unsigned threads, void (*run_batch)(void **items, unsigned n),
                               unsigned max, unsigned wait_us)
{
    return start(threads, NULL, run_batch, max, wait_us);
}

int queue_push(serve_queue *q, void *item)
{
    qjob *j = malloc(sizeof *j);
    if (!j)
        return -1;
    j->item = item;
    j->next = NULL;
    pthread_mutex_lock(&q->mu);
    int refused = q->stopping;
    if (!refused) {
        if (q->tail)
            q->tail->next = j;
        else
            q->head = j;
        q->tail = j;
        pthread_cond_signal(&q->ready);
    }
    pthread_mutex_unlock(&q->mu);
    if (refused)
        free(j);
    return refused ? -1 : 0;
}

void queue_stop(serve_queue *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stopping = 1;
    pthread_cond_broadcast(&q->ready);
    pthread_mutex_unlock(&q->mu);
    for (unsigned i = 0; i < q->nthreads; i++)
        pthread_join(q->threads[i], NULL);
    q->nthreads = 0;               /* joined: a second stop joins nothing */
}

void queue_free(serve_queue *q)
{
    if (!q)
        return;
    queue_stop(q);
    pthread_cond_destroy(&q->ready);
    pthread_mutex_destroy(&q->mu);
    free(q);
}
