/*
 * store_fault.c - the test-only fault backend (see store_fault.h).  A failed
 * begin or query never reaches SQLite (as a failed statement, which SQLite
 * undoes whole); a failed commit rolls the transaction back first, as a
 * commit SQLite could not finish does.  Linked only into test binaries.
 */
#include "store_fault.h"

#include <stdlib.h>

struct store_fault {
    store base;                    /* first: the engine holds &base */
    store *inner;
    long arm, count;
    long left;                     /* failures still to come (store_fault_arm_repeat) */
    long fires;                    /* failures since armed */
    fault_kind kind;
    int fired;
    int query;                     /* what the fault failed; -1: begin/commit */
    int last_failed;               /* the last failure was the fault: report its message
                                      (as SQLite keeps its message past later successes) */
    int no_control;
};

static const struct {
    store_rc rc;
    const char *msg;
} kinds[FK_COUNT] = {
    [FK_BUSY] = {STORE_BUSY, "database is locked"},
    [FK_FULL] = {STORE_FULL, "database or disk is full"},
    [FK_IOERR] = {STORE_ERROR, "disk I/O error"},
    [FK_CORRUPT] = {STORE_ERROR, "database disk image is malformed"},
    [FK_CONSTRAINT] = {STORE_CONSTRAINT, "UNIQUE constraint failed"},
    [FK_TOOLONG] = {STORE_TOOLONG, "a stored value is longer than qtm allows for its field"},
    [FK_RETRY] = {STORE_RETRY, "could not serialize access due to concurrent update"},
};

static store_fault *F(store *s)
{
    return (store_fault *)s;
}

/* Counts one operation; non-zero when it is the one to fail. */
static int hit(store_fault *f, int query)
{
    if (f->arm == 0 || ++f->count != f->arm || f->left <= 0)
        return 0;
    f->fired = f->last_failed = 1;
    f->query = query;
    f->fires++;
    if (--f->left > 0)
        f->count = 0;
    return 1;
}

/* Passes the inner store's answer on; its own failure has its own message. */
static store_rc pass(store_fault *f, store_rc rc)
{
    if (rc != STORE_OK)
        f->last_failed = 0;
    return rc;
}

static void f_close(store *s)
{
    store_close(F(s)->inner);
    free(s);
}

static store_rc f_begin(store *s, int immediate)
{
    store_fault *f = F(s);
    return hit(f, -1) ? kinds[f->kind].rc : pass(f, store_begin(f->inner, immediate));
}

static store_rc f_begin_nowait(store *s)
{
    store_fault *f = F(s);
    return hit(f, -1) ? kinds[f->kind].rc : pass(f, store_begin_nowait(f->inner));
}

static store_rc f_commit(store *s)
{
    store_fault *f = F(s);
    if (!hit(f, -1))
        return pass(f, store_commit(f->inner));
    store_rollback(f->inner);
    return kinds[f->kind].rc;
}

static void f_rollback(store *s)
{
    store_rollback(F(s)->inner);
}

static store_rc f_savepoint(store *s)
{
    store_fault *f = F(s);
    return hit(f, -1) ? kinds[f->kind].rc : pass(f, store_savepoint(f->inner));
}

static store_rc f_release(store *s)
{
    store_fault *f = F(s);
    if (!hit(f, -1))
        return pass(f, store_release(f->inner));
    store_rollback_to(f->inner);
    return kinds[f->kind].rc;
}

static void f_rollback_to(store *s)
{
    store_rollback_to(F(s)->inner);
}

static store_rc f_run(store *s, store_query q, const store_val *args, int nargs,
                      store_row_fn fn, void *arg)
{
    store_fault *f = F(s);
    if (hit(f, (int)q))
        return kinds[f->kind].rc;
    return pass(f, store_run(f->inner, q, args, nargs, fn, arg));
}

static int64_t f_changes(store *s) { return store_changes(F(s)->inner); }
static int64_t f_last_id(store *s) { return store_last_id(F(s)->inner); }

static const char *f_errmsg(store *s)
{
    store_fault *f = F(s);
    return f->last_failed ? kinds[f->kind].msg : store_errmsg(f->inner);
}

static store_rc f_control(store *s, store_ctl op, void *arg)
{
    store_fault *f = F(s);
    return f->no_control ? STORE_UNSUPPORTED : store_control(f->inner, op, arg);
}

static const store_vt fault_vt = {
    .version = STORE_VT_VERSION,
    .name = "fault",
    .close = f_close,
    .begin = f_begin,
    .begin_nowait = f_begin_nowait,
    .commit = f_commit,
    .rollback = f_rollback,
    .savepoint = f_savepoint,
    .release = f_release,
    .rollback_to = f_rollback_to,
    .run = f_run,
    .changes = f_changes,
    .last_id = f_last_id,
    .errmsg = f_errmsg,
    .control = f_control,
};

store_fault *store_fault_wrap(qtm *q)
{
    store_fault *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->base.vt = &fault_vt;
    f->inner = q->st;
    f->query = -1;
    q->st = &f->base;
    return f;
}

void store_fault_arm_repeat(store_fault *sf, long n, fault_kind kind, long times)
{
    sf->arm = n;
    sf->kind = kind;
    sf->count = 0;
    sf->left = times;
    sf->fires = 0;
    sf->fired = sf->last_failed = 0;
    sf->query = -1;
}

void store_fault_arm(store_fault *sf, long n, fault_kind kind)
{
    store_fault_arm_repeat(sf, n, kind, 1);
}

long store_fault_fires(const store_fault *sf) { return sf->fires; }

int store_fault_fired(const store_fault *sf) { return sf->fired; }
int store_fault_query(const store_fault *sf) { return sf->query; }
long store_fault_count(const store_fault *sf) { return sf->count; }
const char *store_fault_message(fault_kind kind) { return kinds[kind].msg; }
void store_fault_no_control(store_fault *sf, int on) { sf->no_control = on; }
