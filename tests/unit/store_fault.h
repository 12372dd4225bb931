/*
 * store_fault.h - a storage backend for tests only: it wraps a handle's
 * SQLite store and fails the Nth counted operation (begin, query, commit)
 * with a chosen kind of error, so a test can walk a call's every storage
 * step and check each failure leaves the database as it was.
 */
#ifndef STORE_FAULT_H
#define STORE_FAULT_H

#include "qtm_int.h"

/* What the failed operation answers (store_rc and the backend's message). */
typedef enum fault_kind {
    FK_BUSY,                       /* STORE_BUSY: locked past the busy timeout */
    FK_FULL,                       /* STORE_FULL: database or disk is full */
    FK_IOERR,                      /* STORE_ERROR: disk I/O error */
    FK_CORRUPT,                    /* STORE_ERROR: database disk image is malformed */
    FK_CONSTRAINT,                 /* STORE_CONSTRAINT: a UNIQUE/CHECK refused it */
    FK_TOOLONG,                    /* STORE_TOOLONG: a value did not fit its field */
    FK_RETRY,                      /* STORE_RETRY: lost to a concurrent transaction
                                      (PostgreSQL's serialization failure), rolled back */
    FK_COUNT
} fault_kind;

typedef struct store_fault store_fault;

/* Replaces q's store by a wrapper around it (qtm_close frees both); the
 * wrapper counts but fails nothing until armed.  NULL if out of memory. */
store_fault *store_fault_wrap(qtm *q);

/* From now on, fails the nth counted operation (1: the next one) with kind;
 * n 0: fail nothing.  Resets the count and the fired flag. */
void store_fault_arm(store_fault *sf, long n, fault_kind kind);

/* store_fault_arm that fires `times` times: the nth counted operation, then
 * the nth after that, and so on (the count starts over at each failure), so
 * a call run again after a failure fails at the same step each time. */
void store_fault_arm_repeat(store_fault *sf, long n, fault_kind kind, long times);

/* How many times the armed fault fired since it was armed. */
long store_fault_fires(const store_fault *sf);

/* 1 when the armed fault fired since store_fault_arm. */
int store_fault_fired(const store_fault *sf);

/* The query the fault failed; -1 when it failed a begin or a commit. */
int store_fault_query(const store_fault *sf);

/* Counted operations since store_fault_arm. */
long store_fault_count(const store_fault *sf);

/* The message a failed operation reports for kind. */
const char *store_fault_message(fault_kind kind);

/* on 1: the wrapper has no controls (a backend without checkpoints). */
void store_fault_no_control(store_fault *sf, int on);

#endif
