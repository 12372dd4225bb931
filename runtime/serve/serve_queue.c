/*
 * serve_queue.c - the database work queue behind `qtm serve`: a FIFO of
 * jobs and a fixed pool of threads that run them.
 *
 * libmicrohttpd's threads only move bytes; a request that needs the
 * database is suspended and pushed here, and whichever worker is free runs
 * it (on its own libqtm handle) and resumes the connection.  Stopping runs
 * every job already pushed before the threads exit, so a request accepted
 * is always answered; a push after the stop is refused.
 */
#include "serve.h"

#include <pthread.h>
#include <stdlib.h>

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
    unsigned nthreads;
    pthread_t threads[];
};

static void *queue_worker(void *arg)
{
    serve_queue *q = arg;
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

serve_queue *queue_start(unsigned threads, void (*run)(void *item))
{
    serve_queue *q = calloc(1, sizeof *q + threads * sizeof(pthread_t));
    if (!q)
        return NULL;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->ready, NULL);
    q->run = run;
    for (; q->nthreads < threads; q->nthreads++)
        if (pthread_create(&q->threads[q->nthreads], NULL, queue_worker, q) != 0)
            break;
    if (q->nthreads == 0) {
        queue_stop(q);
        return NULL;
    }
    return q;
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
    pthread_cond_destroy(&q->ready);
    pthread_mutex_destroy(&q->mu);
    free(q);
}
