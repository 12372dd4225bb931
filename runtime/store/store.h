/*
 * store.h - the engine's only door to persistence.
 *
 * The engine names queries from a fixed list (store_query) and passes typed
 * arguments; each backend owns the text of every query for its own SQL
 * dialect, prepares it once and reuses it.  No statement is ever built from
 * input.  A second backend (PostgreSQL) implements store_vt and its own
 * query table; the engine does not change.
 *
 * Lists page by keyset: "after" is an id (rows with a greater one) and
 * "limit" a row count, negative for no limit.
 *
 * Results: STORE_OK, or a store_rc the engine maps to QTM_ESTORAGE /
 * QTM_ECONFLICT (STORE_FULL: QTM_ESTORAGE with qtm_disk_full set);
 * store_errmsg() says what the backend reported.
 *
 * Backends: qtmi_store_open picks one by the database name (store.c's table: a
 * "scheme://" name its scheme's backend, anything else a path, SQLite).
 * What only one backend has (WAL checkpoints) goes through store_control,
 * which another backend answers STORE_UNSUPPORTED.
 */
#ifndef QTM_STORE_H
#define QTM_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef enum store_rc {
    STORE_OK = 0,
    STORE_BUSY,                    /* locked past the busy timeout */
    STORE_CONSTRAINT,              /* a UNIQUE/CHECK/trigger refused the write */
    STORE_NEWER,                   /* the database was written by a newer qtm */
    STORE_ERROR,                   /* anything else: I/O, corruption */
    STORE_UNSUPPORTED,             /* this backend has no such control, or is not built in */
    STORE_TOOLONG,                 /* a row callback refused a value longer than its field */
    STORE_FULL,                    /* the disk (file system) is full: nothing was written */
    /* a serialization failure, a deadlock, a lock timeout or a same-key race
     * lost to a concurrent transaction: the backend rolled the transaction
     * back; the whole command may be run again (qtm_busy) */
    STORE_RETRY
} store_rc;

/* Every query the engine runs. ORDER: matches the SQL table of each backend. */
typedef enum store_query {
    SQ_ACTOR_INSERT,               /* slug, name, role, at */
    SQ_ACTOR_BY_SLUG,              /* slug -> id, slug, name, role, access */
    SQ_ACTOR_BY_ID,                /* id -> id, slug, name, role, access */
    SQ_ACTOR_SET_ACCESS,           /* access, slug */
    SQ_ACTOR_LIST,                 /* after, limit -> id, slug, name, role, access, created_at */
    SQ_REQUEST_INSERT,             /* surface, fingerprint, intake, photos, key, actor, at */
    SQ_REQUEST_BY_KEY,             /* key -> id, intake, surface, task id */
    SQ_REQUEST_BY_ID,              /* id -> id, surface, fingerprint, intake, photos, actor slug, created_at */
    SQ_TASK_INSERT,                /* request, at */
    SQ_TASK_BY_ID,                 /* id -> id, request, state, assignee id, assignee slug, reason, surface, created_at, updated_at, job id */
    SQ_TASK_SET_STATE,             /* state, reason, at, id, old state */
    SQ_TASK_SET_ASSIGNEE,          /* assignee, at, id */
    SQ_TASK_LIST,                  /* state or NULL, after, limit -> id, request, state, assignee slug, surface, updated_at, job id, intake, fingerprint,
                                      settlement status (NULL: no job) */
    SQ_JOB_INSERT,                 /* task, surface, fingerprint, at */
    SQ_JOB_BY_ID,                  /* id -> id, task, surface, fingerprint, state, owner id, owner slug, assignee id, assignee slug, created_at, claimed_at, completed_at */
    SQ_JOB_CLAIM,                  /* owner, at, id  (only if still queued) */
    SQ_JOB_COMPLETE,               /* at, id (only if ready) */
    SQ_JOB_DESK,                   /* state or NULL, after -> id, surface, state, phase, owner slug, assignee slug, owner id, assignee id, fingerprint, intake,
                                      settlement status */
    SQ_SE_INSERT,                  /* job, phase, operator, at */
    SQ_SE_BY_JOB,                  /* job -> id, phase, operator slug, complete, started_at,
                                      completed_at, outcome, reason */
    SQ_SE_SET_PHASE,               /* phase, complete, completed_at, id, old phase, outcome,
                                      reason */
    SQ_PHASE_LIST,                 /* job -> from, to, event, actor slug, at (from audit) */
    SQ_EVIDENCE_INSERT,            /* job, category, ref, note, actor, at, blob id (v5) */
    SQ_EVIDENCE_COUNT,             /* job, category -> count of file items (v5: blob id set) */
    SQ_EVIDENCE_LIST,              /* job -> category, ref, note, actor slug, at, blob type,
                                      blob size (v5; NULL for a pre-v5 text reference) */
    SQ_PARTICIPANT_INSERT,         /* job, name, role, contact, actor, at */
    SQ_PARTICIPANT_LIST,           /* job -> name, role, contact, actor slug, at */
    SQ_PARTICIPANT_COUNT,          /* job -> count */
    SQ_RECORD_INSERT,              /* job, se, surface, body, hash, at */
    SQ_RECORD_BY_JOB,              /* job -> id, job, surface, body, hash, created_at */
    SQ_RECORD_LIST,                /* after, limit -> id, job, surface, hash, created_at, settlement status */
    SQ_SETTLE_GET,                 /* job -> currency, due, status, paid total (NULL: past
                                      64 bits), payment count */
    SQ_SETTLE_UPSERT,              /* job, currency, due, status, at */
    SQ_PAYMENT_INSERT,             /* job, amount, currency, method, note, actor, at */
    SQ_PAYMENT_LIST,               /* job, after, limit -> id, amount, currency, method, note, actor slug, at,
                                      reversal_of, reason, reversed_by (schema v5) */
    SQ_PAYMENT_RECENT,             /* job, n -> the last n payments, as SQ_PAYMENT_LIST, by id */
    SQ_AUDIT_LAST_HASH,            /* -> hash */
    SQ_AUDIT_INSERT,               /* at, actor, entity, entity id, action, from, to, job, prev, hash,
                                      image */
    SQ_AUDIT_JOB_PAGE,             /* job, after, limit -> as SQ_AUDIT_LIST (by the job index) */
    SQ_AUDIT_LIST,                 /* job or NULL, after, limit -> id, at, actor, entity, entity id,
                                      action, from, to, job, prev, hash, image */
    SQ_VERIFY_JOBS,                /* -> job id, state, se complete or NULL, record count, last audited job state */
    SQ_VERIFY_ORPHAN_RECORDS,      /* -> record id, job id (records without a complete SE) */
    SQ_VERIFY_SE_PHASE,            /* -> job id, se phase, last audited se phase */
    SQ_VERIFY_RECORDS,             /* -> record id, job id, body, hash, audited hash */
    SQ_VERIFY_SETTLEMENTS,         /* -> job, due, status, ledger total (NULL: past 64 bits), last audited status */
    SQ_INTEGRITY,                  /* -> the backend's own consistency check, "ok" rows */
    /* identity (schema v2): credentials and web sessions */
    SQ_TOKEN_INSERT,               /* actor id, hash, at, expires_at or NULL */
    SQ_TOKEN_AUTH,                 /* hash, now -> token id, actor slug, name, role, access,
                                      last_used_at  (live: not revoked, not expired) */
    SQ_TOKEN_REVOKE,               /* at, actor id  (every live token of the actor) */
    SQ_TOKEN_LIST,                 /* after, limit -> id, actor slug, created_at, revoked_at,
                                      expires_at, last_used_at */
    SQ_TOKEN_TOUCH,                /* now, id, cutoff: last_used_at = now unless used since cutoff */
    SQ_SESSION_INSERT,             /* hash, token id, csrf, at, expires_at (unix s) */
    SQ_SESSION_AUTH,               /* hash, now (unix s), now (stamp) -> actor slug, name, role,
                                      access, csrf */
    SQ_SESSION_DELETE,             /* hash */
    SQ_SESSION_PURGE,              /* now (unix s), limit: drops up to limit expired sessions */
    SQ_SESSION_EVICT,              /* token id, keep: drops all but its `keep` newest sessions */

    /* migration */
    SQ_MIGRATE_JOBS,               /* surface -> job id, fingerprint, state, se id, se phase, se complete (jobs not complete) */
    SQ_MIGRATE_JOB,                /* new fingerprint, id, old fingerprint */
    SQ_MIGRATE_SE,                 /* new phase, se id, old phase */
    SQ_VERIFY_FINGERPRINTS,        /* -> job id, fingerprint, last audited fingerprint (migrated jobs) */
    /* signed records (schema v4) */
    SQ_KEY_INSERT,                 /* id, public key, at */
    SQ_KEY_CURRENT,                /* -> id, public key (the newest key) */
    SQ_KEY_LIST,                   /* after, limit -> id, public key, created_at (by creation) */
    SQ_AUDIT_ROW,                  /* id -> at, actor, prev_hash, hash */
    SQ_SIGNATURE_INSERT,           /* record id, key id, signature */
    SQ_RECORD_EXPORT,              /* job -> record id, job, surface, body, hash, created_at,
                                      key id, signature, public key, audit id, audit at,
                                      audit actor, audit prev_hash, audit hash */
    SQ_VERIFY_SIGNATURES,          /* -> as SQ_RECORD_EXPORT, every record composed after the
                                      first key (key id NULL: unsigned) */
    /* schema v4: the governed image and the chain head */
    SQ_IMAGE,                      /* entity, entity id -> the row's image digest (NULL: gone) */
    SQ_CHAIN_HEAD_SET,             /* seq, hash */
    SQ_CHAIN_HEAD_GET,             /* -> seq, hash, legacy seq */
    SQ_VERIFY_CHAIN,               /* -> as SQ_AUDIT_LIST, then image (the whole log) */
    SQ_VERIFY_IMAGES,              /* -> kind, id, job or NULL, image, last audit id or NULL,
                                      its image (every governed row) */
    SQ_VERIFY_GONE,                /* -> entity, entity id, job, last audit id (audited rows
                                      that no longer exist) */
    /* --- v5: governance (schema v5) --- */
    SQ_JOB_READY,                  /* id: state ready (only from queued or active) */
    SQ_JOB_SET_OWNER,              /* owner, id, old owner: the hand-over (only while active
                                      or ready) */
    SQ_JOB_RELEASE,                /* id, owner: queued again, nobody owns it (only while
                                      active and owned by owner) */
    SQ_JOB_CANCEL,                 /* id: cancelled (only while queued) */
    SQ_HANDOFF_INSERT,             /* job, action, from actor, to actor, reason, actor, at */
    SQ_HANDOFF_LAST,               /* job -> id, action, from id, from slug, to id, to slug,
                                      reason, actor slug, at (the job's newest hand-off) */
    SQ_HANDOFF_LIST,               /* job -> action, from slug, to slug, reason, actor slug, at */
    SQ_OWNER_LIST,                 /* job -> how (claim, handover, release), operator slug,
                                      previous owner slug, at, reason, by slug (from the audit
                                      log: the claims and the hand-offs, in order) */
    SQ_NOTE_INSERT,                /* job, text, actor, at */
    SQ_NOTE_LIST,                  /* job -> text, author slug, at */
    SQ_TASK_REASSIGN,              /* assignee, at, id, old assignee: the assignee only */
    /* --- end v5: governance --- */
    /* --- v5: blobs (content-addressed files: intake photos, evidence) ---
     * A blob is named by the lowercase hex SHA-256 of its bytes, which are
     * stored in chunks (blob_chunks, in seq order) so no query moves a whole
     * file at once.  Hashes are bound without their "sha256:" prefix. */
    SQ_BLOB_BY_HASH,               /* hash -> id, type, size, actor id, uploaded_at */
    SQ_BLOB_INSERT,                /* hash, type, size, actor id or NULL, at */
    SQ_BLOB_TOUCH,                 /* at, id: a second upload restarts the grace period */
    SQ_BLOB_CHUNK_INSERT,          /* blob id, seq, data (SV_BLOB) */
    SQ_BLOB_CHUNKS,                /* blob id -> seq, data (by seq) */
    SQ_BLOB_THUMB_INSERT,          /* blob id, type, data (SV_BLOB), hex SHA-256 of data */
    SQ_BLOB_THUMB,                 /* blob id -> type, data */
    SQ_BLOB_GC,                    /* cutoff: deletes every blob uploaded before it that no
                                      request or evidence references (chunks, thumbnail) */
    SQ_BLOB_USES,                  /* blob id -> kind ("request" | "evidence"), job id or NULL,
                                      submitting actor id or NULL (up to 64 rows) */
    SQ_REQUEST_PHOTO_INSERT,       /* request id, blob id */
    SQ_REQUEST_PHOTOS,             /* request id -> hash, type, size (in the packet's order) */
    SQ_VERIFY_BLOBS,               /* -> blob id, hash, size, chunk seq, chunk data, type (every
                                      chunk, by blob then seq; seq NULL: a blob without chunks) */
    SQ_VERIFY_BLOB_REFS,           /* -> what, id, job or NULL: references that dangle or
                                      disagree with the governed rows */
    SQ_BLOB_UPLOADER_ADD,          /* blob id, actor id or NULL (anonymous): once each */
    SQ_BLOB_UPLOADED_BY,           /* blob id, actor id (0: anonymous) -> 1 if it uploaded it */
    SQ_VERIFY_BLOB_THUMBS,         /* -> blob id, blob hash, thumbnail hash, thumbnail data */
    SQ_BLOB_UNREFERENCED_BYTES,    /* -> total size of the blobs nothing references */
    /* schema v5: finding work.  Every SQ_JOB_LIST* takes the same arguments
     * and gives the same columns; they differ only in the index that drives
     * them (the engine picks one by the filters given):
     *   state, surface, operator id (owns it, or is assigned while nobody
     *   owns it), phase, ",slug,..." of the surfaces whose initial phase is
     *   that phase (an unclaimed job is in it), q (an FTS5 phrase over the
     *   intake's text values), after, limit; each NULL: no filter
     *   -> id, surface, state, phase (NULL: not claimed), owner slug,
     *      assignee slug, settlement status, created_at, fingerprint,
     *      intake */
    SQ_JOB_LIST,                   /* by id */
    SQ_JOB_LIST_STATE,             /* by jobs_state (state given) */
    SQ_JOB_LIST_SURFACE,           /* by jobs_surface (surface given) */
    SQ_JOB_LIST_OPERATOR,          /* by jobs_owner + tasks_assignee (operator given) */
    SQ_JOB_LIST_SEARCH,            /* by job_search (q given) */
    /* schema v5: settlement, visible and correctable */
    SQ_SETTLEMENT_LIST,            /* status or NULL, surface or NULL, after, limit -> job id, surface,
                                      status, currency, due, paid total, payment count, updated_at */
    SQ_PAYMENT_BY_ID,              /* id -> id, job, amount, currency, method, reversal_of,
                                      reversed_by (NULL: not reversed) */
    SQ_PAYMENT_REVERSE,            /* job, amount (negative), currency, method, actor, at, reversal_of,
                                      reason */
    SQ_VERIFY_REVERSALS,           /* -> id, job, amount, currency, reversal_of, original's job,
                                      amount, currency, reversal_of (NULL: none), reversals of it */
    SQ_COUNT
} store_query;

/* A typed argument or column value. */
typedef enum store_type { SV_NULL, SV_INT, SV_TEXT, SV_BLOB } store_type;

typedef struct store_val {
    store_type type;
    int64_t i;                     /* SV_INT; SV_BLOB: its length in bytes */
    const char *s;                 /* SV_TEXT (NUL-ended), SV_BLOB (bytes); borrowed */
} store_val;

static inline store_val sv_text(const char *s)
{
    store_val v = {s ? SV_TEXT : SV_NULL, 0, s};
    return v;
}
#define SV_I(x) ((store_val){SV_INT, (x), NULL})
#define SV_S(x) sv_text(x)              /* NULL binds as NULL */
#define SV_N ((store_val){SV_NULL, 0, NULL})
#define SV_B(p, n) ((store_val){SV_BLOB, (int64_t)(n), (const char *)(p)})

/* Called once per result row; cols are valid only during the call.
 * Return positive to stop early (the query still succeeds), negative to
 * refuse the row: a value does not fit the caller's field (see qtmi_col_text);
 * the query then answers STORE_TOOLONG (no later row is read). */
typedef int (*store_row_fn)(void *arg, const store_val *cols, int ncols);

typedef struct store store;

/* Backend-specific controls (store_control); arg per op. */
typedef enum store_ctl {
    /* arg int *: pages before a commit checkpoints the write-ahead log by
     * itself (0: never) */
    STORE_CTL_AUTOCHECKPOINT,
    /* arg store_checkpoint *: copies the log into the database.  restart 0
     * waits for no one (copies what readers allow); 1 also waits for readers
     * so the next writer starts the log from its beginning: it stops growing
     * (the caller keeps writers out).  log_pages: the pages the log holds
     * afterwards, -1 if unknown. */
    STORE_CTL_CHECKPOINT,
    /* arg const char *: the path of an existing empty file, which receives
     * a copy of the whole database as of one moment (one read transaction:
     * writers on other connections go on and are not in the copy).  The
     * copy is complete on STORE_OK; the caller syncs and renames it. */
    STORE_CTL_BACKUP,
    /* arg int *: 1 makes every commit durable before it returns (the log
     * is fsynced at each commit: the default), 0 relaxes it (a crash of
     * the machine may lose the last commits, never consistency) */
    STORE_CTL_DURABLE,
    /* arg NULL: STORE_OK when the database answers now (a connection found
     * broken is opened again first); for readiness probes */
    STORE_CTL_PING,
    /* arg int *: 1 when every writer shares one lock on the database (SQLite:
     * the server orders its writers itself and checkpoints the log), 0 when
     * the database orders concurrent writers (PostgreSQL) */
    STORE_CTL_SINGLE_WRITER,
    /* arg store_connections *: the server's connection budget */
    STORE_CTL_CONNECTIONS,
    /* `qtm db copy` (store_copy.h lists the tables, parent before child).
     * arg store_copy_out *: hands every row of that table to fn, in its
     * key order, as the table's copied columns (their values verbatim: a
     * file's bytes SV_BLOB); the chain head is its one row.  Runs in the
     * caller's transaction, so one read transaction gives every table as
     * of one moment.  fn stopping early is STORE_OK, refusing (negative)
     * STORE_TOOLONG. */
    STORE_CTL_COPY_OUT,
    /* arg store_copy_in *: writes one row, as COPY_OUT gave it, verbatim
     * (ids included): an INSERT, or for the chain head an UPDATE of the
     * row the schema's creation made.  The caller's write transaction;
     * a row of another width is STORE_ERROR. */
    STORE_CTL_COPY_IN,
    /* arg NULL: after the last COPY_IN, in the same transaction: what the
     * backend must redo for rows written with their own ids (PostgreSQL:
     * each identity sequence moves past the largest id copied) */
    STORE_CTL_COPY_END
} store_ctl;

typedef struct store_copy_out {
    int table;                     /* index into qtmi_copy_tables */
    store_row_fn fn;               /* called once per row */
    void *arg;
} store_copy_out;

typedef struct store_copy_in {
    int table;                     /* index into qtmi_copy_tables */
    const store_val *row;          /* the table's copied columns, in order */
    int n;                         /* how many: the table's column count */
} store_copy_in;

typedef struct store_connections {
    int max;                       /* max_connections less the superuser reserve */
    int used;                      /* connections open now, this one included */
} store_connections;

typedef struct store_checkpoint {
    int restart;                   /* in */
    int log_pages;                 /* out */
} store_checkpoint;

/* Bumped whenever store_vt changes shape; qtmi_store_open refuses a backend
 * whose table says otherwise. */
#define STORE_VT_VERSION 3

typedef struct store_vt {
    unsigned version;                               /* STORE_VT_VERSION */
    const char *name;                               /* "sqlite", for messages */
    void (*close)(store *s);
    store_rc (*begin)(store *s, int immediate);     /* immediate: take the write lock now */
    /* Takes the write lock now or answers STORE_BUSY at once, never waiting
     * for another writer (for writes that may be skipped). */
    store_rc (*begin_nowait)(store *s);
    store_rc (*commit)(store *s);                   /* on failure nothing was committed */
    void (*rollback)(store *s);
    /* Nested scopes inside an open transaction (a batch of requests): a
     * savepoint opens one, release keeps its changes (still uncommitted),
     * rollback_to undoes them and closes it.  savepoint refuses
     * (STORE_ERROR) when no transaction is open, so a batch whose
     * transaction the backend dropped never goes on in autocommit. */
    store_rc (*savepoint)(store *s);
    store_rc (*release)(store *s);
    void (*rollback_to)(store *s);
    store_rc (*run)(store *s, store_query q, const store_val *args, int nargs,
                    store_row_fn fn, void *arg);
    int64_t (*changes)(store *s);                   /* rows changed by the last run */
    int64_t (*last_id)(store *s);                   /* id of the last insert */
    const char *(*errmsg)(store *s);
    /* One of store_ctl; STORE_UNSUPPORTED (message set) for one it lacks.
     * May be NULL: nothing is supported. */
    store_rc (*control)(store *s, store_ctl op, void *arg);
} store_vt;

struct store {
    const store_vt *vt;
};

typedef store *(*store_open_fn)(const char *name, int create, store_rc *rc, char *msg,
                                size_t msglen);

/* One row of the backend table (store.c). */
typedef struct store_backend {
    const char *scheme;            /* matched as "scheme://", case-insensitive; NULL: a path */
    const char *label;             /* "PostgreSQL", for messages */
    store_open_fn open;            /* NULL: not built into this qtm */
} store_backend;

/*
 * qtmi_store_open - opens the database the name designates with its backend,
 * creating it when `create` is set (see qtmi_store_sqlite_open).  A scheme whose
 * backend is not built in answers NULL with STORE_UNSUPPORTED.  Returns the
 * store, or NULL with *rc and msg set (msg is always written).
 */
store *qtmi_store_open(const char *name, int create, store_rc *rc, char *msg, size_t msglen);

/*
 * qtmi_store_sqlite_open - opens the SQLite database at path (WAL, foreign keys,
 * busy timeout), creating file and schema when `create` is set, migrating
 * older schemas forward.  A new file is created mode 0600 (its -wal and -shm
 * take the same).  A file the caller cannot write, or one in a directory it
 * cannot write whose -wal/-shm are missing, is opened read-only: reads work
 * and every write transaction is refused with STORE_ERROR.  path is never
 * read as a URI.  Returns the store, or NULL with *rc and msg set (msg is
 * always written).
 */
store *qtmi_store_sqlite_open(const char *path, int create, store_rc *rc, char *msg, size_t msglen);

/*
 * qtmi_store_pg_open - connects to the PostgreSQL database the URI names
 * (libpq: host=/dir sockets, service=, sslmode=, passwords from ~/.pgpass or
 * PGPASSFILE), creating the schema in an empty database and migrating an
 * older one forward under an advisory lock.  Messages never hold the
 * password.  Built only with libpq (QTM_HAVE_PG).
 */
store *qtmi_store_pg_open(const char *uri, int create, store_rc *rc, char *msg, size_t msglen);

/*
 * qtmi_store_redact - name as it may be printed: in a "scheme://" name, the
 * password of the user information ("user:secret@") and the value of every
 * password= query parameter become "***"; any other name is copied as it
 * is.  Writes at most n bytes (n > 0), always NUL-terminated; a name cut to
 * fit never shows a byte of a password (they are masked before the cut).
 */
void qtmi_store_redact(const char *name, char *out, size_t n);

static inline void store_close(store *s) { if (s) s->vt->close(s); }
static inline store_rc store_begin(store *s, int immediate) { return s->vt->begin(s, immediate); }
static inline store_rc store_begin_nowait(store *s) { return s->vt->begin_nowait(s); }
static inline store_rc store_commit(store *s) { return s->vt->commit(s); }
static inline void store_rollback(store *s) { s->vt->rollback(s); }
static inline store_rc store_savepoint(store *s) { return s->vt->savepoint(s); }
static inline store_rc store_release(store *s) { return s->vt->release(s); }
static inline void store_rollback_to(store *s) { s->vt->rollback_to(s); }
static inline store_rc store_run(store *s, store_query q, const store_val *a, int n,
                                 store_row_fn fn, void *arg)
{
    return s->vt->run(s, q, a, n, fn, arg);
}
static inline int64_t store_changes(store *s) { return s->vt->changes(s); }
static inline int64_t store_last_id(store *s) { return s->vt->last_id(s); }
static inline const char *store_errmsg(store *s) { return s->vt->errmsg(s); }
/* Never NULL-calls: a backend without control answers STORE_UNSUPPORTED
 * (store_errmsg then is the backend's last message, not about this). */
static inline store_rc store_control(store *s, store_ctl op, void *arg)
{
    return s->vt->control ? s->vt->control(s, op, arg) : STORE_UNSUPPORTED;
}

#endif
