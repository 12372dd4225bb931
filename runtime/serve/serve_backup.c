/*
 * serve_backup.c - `qtm serve --backup-dir DIR --backup-every DURATION`:
 * a thread of its own takes a verified backup (qtm_backup) every DURATION,
 * named by UTC time (DIR/qtm-YYYYMMDDTHHMMSS.mmmZ.db, so names sort by
 * age), and keeps the newest --backup-keep of them.  Never on a request
 * path: it has its own handle, and the copy runs under one read
 * transaction, which writers (WAL) never wait for.
 */
#include "serve.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NAME_LEN 27                /* strlen("qtm-20261202T001500.123Z.db") */

static pthread_mutex_t bk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bk_cond = PTHREAD_COND_INITIALIZER;
static int bk_stop;
static pthread_t bk_thread;
static int bk_running;             /* the thread exists */
static atomic_int bk_copying;      /* a copy holds its read transaction */
static qtm *bk_q;
static const serve_opts *bk_o;

int backup_busy(void)
{
    return atomic_load(&bk_copying);
}

/* Names this thread writes, and only those: what pruning may remove. */
static int ours(const struct dirent *e)
{
    const char *n = e->d_name;
    return strlen(n) == NAME_LEN && strncmp(n, "qtm-", 4) == 0 && n[12] == 'T' &&
           strcmp(n + NAME_LEN - 4, "Z.db") == 0 &&
           strspn(n + 4, "0123456789") == 8 && strspn(n + 13, "0123456789") == 6;
}

/* Removes all but the newest keep backups (names sort by time). */
static void prune(void)
{
    struct dirent **list = NULL;
    int n = scandir(bk_o->backup_dir, &list, ours, alphasort);
    for (int i = 0; i < n; i++) {
        if (i < n - (int)bk_o->backup_keep) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", bk_o->backup_dir, list[i]->d_name);
            if (unlink(path) != 0)
                fprintf(stderr, "qtm serve: backup: cannot remove old %s\n", path);
            /* and what opening it may have left beside it */
            char side[4200];
            snprintf(side, sizeof side, "%s-wal", path);
            unlink(side);
            snprintf(side, sizeof side, "%s-shm", path);
            unlink(side);
        }
        free(list[i]);
    }
    free(list);
}

static void take_one(void)
{
    struct timespec ts;
    struct tm tm;
    char path[4096];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(path, sizeof path, "%s/qtm-%04d%02d%02dT%02d%02d%02d.%03ldZ.db", bk_o->backup_dir,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             ts.tv_nsec / 1000000L);
    json_t *r = NULL;
    atomic_store(&bk_copying, 1);
    qtm_status st = qtm_backup(bk_q, path, 0, &r);
    atomic_store(&bk_copying, 0);
    if (st == QTM_OK) {
        fprintf(stderr, "qtm serve: backup %s: verify ok (%lld bytes)\n", path,
                (long long)json_integer_value(json_object_get(r, "bytes")));
        prune();                   /* only after a good one: failures keep the old */
    } else {
        fprintf(stderr, "qtm serve: backup %s failed: %s\n", path, qtm_errmsg(bk_q));
    }
    json_decref(r);
}

static void *backup_thread(void *arg)
{
    (void)arg;
    struct timespec next;
    clock_gettime(CLOCK_REALTIME, &next);
    pthread_mutex_lock(&bk_lock);
    while (!bk_stop) {
        next.tv_sec += bk_o->backup_every;
        while (!bk_stop && pthread_cond_timedwait(&bk_cond, &bk_lock, &next) == 0)
            ;                      /* woken early but not told to stop: wait on */
        if (bk_stop)
            break;
        pthread_mutex_unlock(&bk_lock);
        take_one();
        /* a backup longer than the interval: the next one starts from now */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (now.tv_sec > next.tv_sec)
            next = now;
        pthread_mutex_lock(&bk_lock);
    }
    pthread_mutex_unlock(&bk_lock);
    return NULL;
}

int backup_start(const serve_opts *o)
{
    if (!o->backup_dir)
        return 0;
    bk_o = o;
    if (qtm_open(o->db, 0, &bk_q) != QTM_OK) {
        fprintf(stderr, "qtm: error: backups: %s\n", bk_q ? qtm_errmsg(bk_q) : "out of memory");
        qtm_close(bk_q);
        bk_q = NULL;
        return -1;
    }
    if (pthread_create(&bk_thread, NULL, backup_thread, NULL) != 0) {
        fprintf(stderr, "qtm: error: cannot start the backup thread\n");
        qtm_close(bk_q);
        bk_q = NULL;
        return -1;
    }
    bk_running = 1;
    printf("qtm serve: a backup every %u s in %s, keeping the newest %u\n", o->backup_every,
           o->backup_dir, o->backup_keep);
    return 0;
}

void backup_stop(void)
{
    if (!bk_running)
        return;
    pthread_mutex_lock(&bk_lock);
    bk_stop = 1;
    pthread_cond_signal(&bk_cond);
    pthread_mutex_unlock(&bk_lock);
    pthread_join(bk_thread, NULL);   /* a backup in progress finishes first */
    bk_running = 0;
    qtm_close(bk_q);
    bk_q = NULL;
}
