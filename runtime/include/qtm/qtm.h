/*
 * qtm.h - libqtm, the governed-envelope runtime: public API.
 *
 * One `qtm` handle is one open database plus the surfaces linked into the
 * program (qtm_registry).  Every call that changes state runs in one
 * transaction and either commits all of its effects with one audit row per
 * change, or changes nothing.  Errors live on the handle: a call returns a
 * qtm_status, and qtm_errmsg() says what and why in words a person can act
 * on ("job 12 is claimed by ana; bo cannot advance it").
 *
 * Conventions: `actor` arguments are actor slugs (NULL where the call
 * allows anonymity); ids are positive int64; results returned as json_t*
 * belong to the caller (json_decref).  Not thread-safe per handle: open one
 * handle per thread.
 */
#ifndef QTM_H
#define QTM_H

#include <stdint.h>

#include <jansson.h>

#include "qtm_surface.h"

#define QTM_SCHEMA_VERSION 5       /* PRAGMA user_version this build writes */

/* Result of every call; the values are the `qtm` command's exit statuses. */
typedef enum qtm_status {
    QTM_OK = 0,
    QTM_EVERIFY = 1,               /* verify found a broken invariant */
    QTM_EUSAGE = 2,                /* bad arguments */
    QTM_ENOTFOUND = 3,             /* unknown job, task, actor, surface, record */
    QTM_EFORBIDDEN = 4,            /* role, access state or ownership forbids it */
    QTM_EREFUSED = 5,              /* the lifecycle refuses it (phase, evidence...) */
    QTM_ECONFLICT = 6,             /* already claimed, duplicate */
    QTM_EINVALID = 7,              /* invalid input (intake, amount...) */
    QTM_ESTORAGE = 10              /* the database failed, is locked, corrupt or newer */
} qtm_status;

typedef struct qtm qtm;

/* Opening flags. */
enum {
    QTM_OPEN_CREATE = 1,           /* create the file and schema if missing */
    QTM_OPEN_MANUAL_CHECKPOINT = 2, /* commits never checkpoint the write-ahead
                                      log: the program calls qtm_checkpoint()
                                      (a server does, off the request path) */
    QTM_OPEN_RELAXED = 4           /* commits return before the log is fsynced:
                                      a power cut may lose the last ones (for
                                      throwaway databases); without it every
                                      call that reports a change returns only
                                      once the change is on disk */
};

/*
 * qtm_open - opens (or with QTM_OPEN_CREATE creates) the database at path.
 * Always stores a handle in *out unless out of memory (then NULL and
 * QTM_ESTORAGE); on failure the handle carries the message and must still
 * be closed.  A database written by a newer schema is refused.
 * path is an SQLite file path ("", ":memory:" and SQLite URIs, "file:...",
 * are refused: QTM_EUSAGE) or a "postgresql://" / "postgres://" URI, which
 * picks the PostgreSQL backend (QTM_EUSAGE when this build has no libpq;
 * QTM_ESTORAGE when the server cannot be reached).  A new file is created
 * mode 0600.  A file (or directory) the caller cannot write opens
 * read-only: reads work, changes fail with QTM_ESTORAGE.
 */
qtm_status qtm_open(const char *path, unsigned flags, qtm **out);
void qtm_close(qtm *q);
/* Copies committed pages from the write-ahead log into the database.
 * restart 0: waits for no one and never blocks a commit; 1: also waits
 * (up to the busy timeout) for readers of old pages, so the next writer
 * starts the log from its beginning and it stops growing; the caller
 * keeps its own writers out meanwhile.  *log_pages: pages in the log.
 * A storage backend without a write-ahead log answers QTM_EUSAGE ("... is
 * not supported by the X backend"), *log_pages -1. */
qtm_status qtm_checkpoint(qtm *q, int restart, int *log_pages);
/*
 * Group commit.  qtm_batch_begin opens one write transaction on the handle
 * (taking the write lock); until qtm_batch_end, every call's transaction
 * is a savepoint inside it: a call that fails undoes only its own changes
 * (a refusal still changes nothing) and one that succeeds keeps them, not
 * yet committed, so nothing it reports may be told anyone before
 * qtm_batch_end.  qtm_batch_end(q, 1) commits all of them at once (one
 * fsync); on failure (QTM_ESTORAGE) none was committed.  commit 0 rolls
 * them all back.  The audit chain follows the order of the calls.
 */
qtm_status qtm_batch_begin(qtm *q);
qtm_status qtm_batch_end(qtm *q, int commit);

qtm_status qtm_errcode(const qtm *q);
const char *qtm_errmsg(const qtm *q);
/* Nonzero when the last call failed (QTM_ESTORAGE) because the disk holding
 * the database is full: nothing of it was stored, and the same call may
 * succeed once space is freed.  A server answers it 507. */
int qtm_disk_full(const qtm *q);
/* Nonzero when the last call failed (QTM_ESTORAGE) because it lost to a
 * concurrent transaction (a serialization failure, a deadlock, a lock
 * timeout, a same-key race: a database that orders concurrent writers,
 * PostgreSQL): the backend rolled it back whole, so nothing of it happened
 * and the same call may simply run again (qtm_retry).  Not set for
 * SQLite's "database is locked", which a busy timeout already waited out.
 * A server answers it 503 with Retry-After. */
int qtm_busy(const qtm *q);

/*
 * The one retry policy of every caller that writes (the qtm command and
 * qtm serve): run the call again while it fails busy, QTM_RETRY_TRIES
 * tries in all, sleeping 1, 2, 4, 8 ms times a random jitter in [0.5, 1.5)
 * between them.  qtm_retry counts the try just made in *tries (start it at
 * 0) and returns 1, after the sleep, when st is a busy failure and tries
 * remain; otherwise 0 (on the last busy failure, the message says how many
 * tries were made).  Only a call that failed busy is run again: it changed
 * nothing.  QTM_RETRY(q, st, call) is the loop: st = call until it holds.
 */
#define QTM_RETRY_TRIES 5
int qtm_retry(qtm *q, qtm_status st, unsigned *tries);
#define QTM_RETRY(q, st, call)                                                                    \
    do {                                                                                          \
        unsigned qtm_tries_ = 0;                                                                  \
        do                                                                                        \
            (st) = (call);                                                                        \
        while (qtm_retry((q), (st), &qtm_tries_));                                                \
    } while (0)

/* The database's name as it may be printed (banners, messages): a URI's
 * password masked as "***" (user:***@host, password=***); "" with no
 * database.  Lives as long as q.  Cannot fail. */
const char *qtm_db_label(const qtm *q);

/* QTM_OK when the database answers now (a connection found broken is
 * opened again first), else QTM_ESTORAGE saying why: for readiness
 * probes (GET /readyz).  SQLite reads the chain head. */
qtm_status qtm_ping(qtm *q);
/* 1 when the database admits one writer at a time and the program orders
 * its own writers (SQLite: a server takes turns and checkpoints the log
 * itself); 0 when the database orders concurrent writers (PostgreSQL).
 * Cannot fail. */
int qtm_single_writer(qtm *q);
/* The database server's connection budget: *max the connections it admits
 * (less those reserved for superusers), *used those open now, this one
 * included.  QTM_EUSAGE ("... is not supported by the X backend", -1s)
 * for a backend without connections (SQLite). */
qtm_status qtm_connections(qtm *q, int *max, int *used);

/* "usage", "not found", "forbidden", "refused", "conflict", "invalid input",
 * "storage", "verify" */
const char *qtm_category(qtm_status s);

/* Time source, for tests: when set, returns the ISO-8601 UTC time to stamp. */
typedef void (*qtm_clock_fn)(char out[32], void *arg);
void qtm_set_clock(qtm *q, qtm_clock_fn fn, void *arg);

/* --- paging -------------------------------------------------------------- */

/*
 * Every list has a paged variant (NAME_page): keyset paging on the listed
 * table's id, ascending.  A page holds the rows whose id is greater than
 * `after`, at most `limit` of them; *next_after is the id to pass as
 * `after` for the next page, or 0 when this page is the last.  A NULL page
 * is the first page of QTM_PAGE_DEFAULT rows.  The lists without _page give
 * everything, for tools on small databases; servers and the `qtm` command
 * use the paged ones.
 */
#define QTM_PAGE_DEFAULT 100       /* rows when limit is 0 */
#define QTM_PAGE_MAX 1000          /* a larger limit is QTM_EUSAGE */

typedef struct qtm_page {
    int64_t after;                 /* 0: from the first row; negative: QTM_EUSAGE */
    unsigned limit;                /* 0: QTM_PAGE_DEFAULT */
} qtm_page;

/* --- surfaces (compiled in) --------------------------------------------- */

/* The current spec of slug (never a retained one); NULL if not built in. */
const qtm_surface *qtm_surface_find(const char *slug);
/*
 * qtm_request_summary - the one-line summary of a request (its intake
 * packet as JSON text) as surface s's `summary` declares it, e.g. "Sat 16
 * May: Wedding / Ceremony at Laguna Gloria, 140 guests": the declared
 * fields' values (a date as weekday, day and month; line breaks as
 * spaces) with the text between them; text before a field shows only when
 * the field has a value.  Writes at most n bytes, NUL included, cut at a
 * UTF-8 boundary; returns the length (0: no summary declared, no value, or
 * not a JSON object).  Cannot fail; needs no database.
 */
#define QTM_SUMMARY_MAX 300        /* bytes of a summary in the views */
size_t qtm_request_summary(const qtm_surface *s, const char *intake_json, char *buf, size_t n);
/* The spec of slug with that fingerprint, current or retained; NULL if this
 * program was not built with it. */
const qtm_surface *qtm_surface_by_fingerprint(const char *slug, const char *fingerprint);
qtm_status qtm_surfaces(qtm *q, json_t **out);            /* array */
qtm_status qtm_surface_show(qtm *q, const char *slug, json_t **out);  /* the model */

/* --- actors ------------------------------------------------------------- */

/* Local administration (actor add and set, token issue and revoke) is the
 * database holder's and needs no actor; the audit log names who did it:
 * `as`, an admin not suspended (checked now: QTM_ENOTFOUND,
 * QTM_EFORBIDDEN), or with as NULL "os:" followed by os_user, the
 * operating system's user (NULL: nobody is named, the audit actor is null). */
qtm_status qtm_set_local_actor(qtm *q, const char *as, const char *os_user);
qtm_status qtm_actor_add(qtm *q, const char *slug, const char *role, const char *name);
qtm_status qtm_actor_set_access(qtm *q, const char *slug, const char *access);
qtm_status qtm_actor_list(qtm *q, json_t **out);
qtm_status qtm_actor_list_page(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after);

/* --- requests and governance tasks -------------------------------------- */

/*
 * qtm_request_submit - validates intake_json against the surface's intake
 * schema and stores it with its governance task.  With a key, a retry with
 * the same key returns the first request's ids (and QTM_OK) and stores
 * nothing new; the same key with a different packet is a conflict.
 * The photos are the packet's "photos" (names of files already stored,
 * "sha256:HEX", e.g. by qtm_blob_upload) and the nphoto_files files at
 * the paths photo_files (checked, cleaned and stored in the request's own
 * transaction); every one must be a stored image of a type the surface
 * accepts, and the distinct ones count toward its photo minimum.
 */
qtm_status qtm_request_submit(qtm *q, const char *actor, const char *surface,
                              const char *intake_json, const char *const *photo_files,
                              size_t nphoto_files, const char *key, int64_t *request_id,
                              int64_t *task_id);

/* Nonzero when the last qtm_request_submit answered with the request an
 * earlier call with the same key stored (nothing new was stored). */
int qtm_request_replayed(const qtm *q);

qtm_status qtm_task_list(qtm *q, const char *state, json_t **out);
qtm_status qtm_task_list_page(qtm *q, const char *state, const qtm_page *pg, json_t **out,
                              int64_t *next_after);
qtm_status qtm_task_show(qtm *q, int64_t task, json_t **out);
qtm_status qtm_task_approve(qtm *q, const char *actor, int64_t task);
/* reason: required (QTM_EUSAGE when missing or blank), at most 500 bytes. */
qtm_status qtm_task_reject(qtm *q, const char *actor, int64_t task, const char *reason);
qtm_status qtm_task_assign(qtm *q, const char *actor, int64_t task, const char *operator_slug);
qtm_status qtm_task_close(qtm *q, const char *actor, int64_t task);

/* --- jobs and their ServiceEvent ---------------------------------------- */

qtm_status qtm_job_create(qtm *q, const char *actor, int64_t task, int64_t *job);
qtm_status qtm_job_claim(qtm *q, const char *actor, int64_t job);
qtm_status qtm_job_advance(qtm *q, const char *actor, int64_t job, const char *event);
/*
 * qtm_job_advance_reason - qtm_job_advance with the actor's reason (NULL or
 * blank: none).  A `requires reason` transition without one is refused
 * (QTM_EINVALID, nothing changed); the ServiceEvent keeps the reason of its
 * last step, and at a final phase its outcome, both in its governed image
 * and, through it, on the step's audit row.  At most QTM_REASON_MAX bytes
 * of UTF-8.
 */
#define QTM_REASON_MAX 500
qtm_status qtm_job_advance_reason(qtm *q, const char *actor, int64_t job, const char *event,
                                  const char *reason);
qtm_status qtm_job_complete(qtm *q, const char *actor, int64_t job);
qtm_status qtm_job_show(qtm *q, int64_t job, json_t **out);
/* Queued / active / ready / completed jobs, optionally of one operator
 * ("ready": the ServiceEvent is final, job complete is next; "active" holds
 * active jobs only). */
qtm_status qtm_desk(qtm *q, const char *operator_slug, json_t **out);
/* The desk with each list bounded: list NULL gives the first page of all
 * four (pg->after must be 0) and "next_after": {queued, active, ready,
 * completed}, each an id or null; list "queued", "active", "ready" or
 * "completed" gives the page of that list only (the object holds that
 * list and next_after.LIST). */
qtm_status qtm_desk_page(qtm *q, const char *operator_slug, const char *list,
                         const qtm_page *pg, json_t **out);

/* --- finding work (joblist.c) ------------------------------------------- */

/* Filters of the job list; each NULL: no filter. */
typedef struct qtm_job_filter {
    const char *state;             /* queued active ready complete cancelled */
    const char *surface;           /* a surface slug built in (QTM_ENOTFOUND otherwise) */
    const char *operator_slug;     /* the jobs it holds: owned by it, or assigned to it
                                      while nobody owns them */
    const char *phase;             /* the ServiceEvent's phase (an unclaimed job: the
                                      initial one); a phase of no surface is QTM_EUSAGE */
    const char *q;                 /* a case-insensitive substring of the intake's text
                                      values (venue, contact...), 3 to 200 characters */
} qtm_job_filter;

/*
 * qtm_job_list_page - one page of the jobs matching f (NULL: every job), by
 * id: [{id, surface, state, phase, label, owner, assignee, settlement (its
 * status), created_at}], *next_after as every list (qtm_page).  The
 * database holder's: every job.
 */
qtm_status qtm_job_list_page(qtm *q, const qtm_job_filter *f, const qtm_page *pg, json_t **out,
                             int64_t *next_after);
/* The same as reader may read it: an admin every job (mine: the ones the
 * admin holds, none); an operator only the jobs they hold (f->operator_slug
 * another operator is QTM_EFORBIDDEN); vendors, clients and suspended
 * actors none (QTM_EFORBIDDEN). */
qtm_status qtm_job_list_as(qtm *q, const char *reader, int mine, const qtm_job_filter *f,
                           const qtm_page *pg, json_t **out, int64_t *next_after);

/*
 * The governance of a job's work (governance_handover.c).  Each is one
 * transaction with a hand-off row (reason, by whom) and audit rows naming
 * the old and the new operator; a refusal changes nothing.  reason: at most
 * 500 bytes; blank (only whitespace) is none; required (QTM_EUSAGE without)
 * for handover and cancel.
 *   reassign: an admin, while the job is queued: the task's assignee moves
 *     to `to` (an active operator), who claims it; the old one is refused.
 *   handover: an admin, while it is active (claimed, the ServiceEvent not
 *     final; ready: QTM_EREFUSED, job complete is next): the single owner
 *     (and the assignment) moves to `to`; the ServiceEvent keeps its phases
 *     and the view lists every owner.
 *   release: the owner, while the ServiceEvent is in the phase the claim
 *     entered: the job is queued again for its assignee, the ServiceEvent
 *     back in the initial phase (its phases keep the claim and the release).
 *   cancel: an admin, before the claim: state cancelled, no record ever.
 * Refusals: not an admin / not the owner QTM_EFORBIDDEN; the wrong state or
 * phase QTM_EREFUSED; `to` unknown QTM_ENOTFOUND, not an active operator
 * QTM_EFORBIDDEN, the one who has it already QTM_EREFUSED.
 */
qtm_status qtm_job_reassign(qtm *q, const char *actor, int64_t job, const char *to,
                            const char *reason);
qtm_status qtm_job_handover(qtm *q, const char *actor, int64_t job, const char *to,
                            const char *reason);
qtm_status qtm_job_release(qtm *q, const char *actor, int64_t job, const char *reason);
qtm_status qtm_job_cancel(qtm *q, const char *actor, int64_t job, const char *reason);
/* A note on a job, by its owner or an admin, until its ServiceEvent is
 * complete (then QTM_EREFUSED: the record holds the notes it had): context
 * text (at most 2000 bytes, QTM_EINVALID past that; blank is none:
 * QTM_EUSAGE), appended, never edited; it gates and fires nothing.  The job
 * view lists notes; a record whose surface lists `notes` carries them. */
qtm_status qtm_note_add(qtm *q, const char *actor, int64_t job, const char *text);

/* An evidence item is a file: the one at path (checked, cleaned and stored
 * with the item in one transaction), or (qtm_evidence_add_blob) a stored
 * file named "sha256:HEX"; note is optional text beside it.  The owner
 * only, while the job runs; the file must be of a type the surface
 * accepts for evidence. */
qtm_status qtm_evidence_add(qtm *q, const char *actor, int64_t job, const char *category,
                            const char *path, const char *note);
qtm_status qtm_evidence_add_blob(qtm *q, const char *actor, int64_t job, const char *category,
                                 const char *ref, const char *note);
qtm_status qtm_participant_add(qtm *q, const char *actor, int64_t job, const char *name,
                               const char *role, const char *contact);

/* --- files (content-addressed blobs) ------------------------------------ */

typedef struct qtm_blob_info {
    char ref[72];                  /* "sha256:" and the hex SHA-256 of the stored bytes */
    char type[32];                 /* MIME type, detected from the bytes */
    int64_t size;                  /* bytes */
    int created;                   /* qtm_blob_upload: 1 stored now, 0 already there */
} qtm_blob_info;

/* Receives a file's bytes in order; 0 to go on, nonzero to stop (failure). */
typedef int (*qtm_write_fn)(void *arg, const void *data, size_t n);

/*
 * qtm_blob_upload - checks the file open on fd (read from its start; not
 * closed): not empty, at most the surface's size limit, a type the surface
 * accepts (surface NULL: the default photo types and limit) by its bytes,
 * whole; removes its location metadata and stores it once, unreferenced
 * (qtm_blob_gc collects it unless a request or evidence item names it
 * within the grace period).  actor NULL: anonymous (public intake).
 * QTM_EINVALID for a refused file; nothing is stored then.
 */
qtm_status qtm_blob_upload(qtm *q, const char *actor, const char *surface, int fd,
                           qtm_blob_info *info);
/*
 * The two halves of qtm_blob_upload, for a caller that must not hold the
 * database while a file is decoded (qtm serve: the check runs beside the
 * writer, only the insert takes its turn).  qtm_upload_check does all the
 * file work (type, structure, location metadata, hash, thumbnail) and
 * touches no database: *out is the cleaned file, or NULL on refusal
 * (QTM_EINVALID, nothing stored).  qtm_upload_store stores it in its own
 * write transaction, once per distinct content (a race of the same bytes
 * stores one blob; the loser is answered created = 0); it may be called
 * once per check.  qtm_upload_free releases it (NULL is fine).
 */
typedef struct qtm_upload qtm_upload;
qtm_status qtm_upload_check(qtm *q, const char *surface, int fd, qtm_upload **out);
qtm_status qtm_upload_store(qtm *q, const char *actor, const qtm_upload *u,
                            qtm_blob_info *info);
void qtm_upload_free(qtm_upload *u);
/*
 * qtm_blob_read - sends the stored bytes of ref ("sha256:HEX"), or with
 * thumb its thumbnail (a WebP), to fn, and fills info.  reader NULL: the
 * holder of the database (everything); else only a file the reader may
 * see (see qtm_job_show_as): its uploader, the submitter of its request,
 * admins, and readers of the job it belongs to; QTM_ENOTFOUND otherwise,
 * the same as for a file that does not exist.
 */
qtm_status qtm_blob_read(qtm *q, const char *reader, const char *ref, int thumb,
                         qtm_blob_info *info, qtm_write_fn fn, void *arg);
/* Deletes every file no request or evidence item references whose last
 * upload is older than older_than_s seconds; *removed says how many. */
qtm_status qtm_blob_gc(qtm *q, int64_t older_than_s, int64_t *removed);
/* The bytes of every stored file nothing references yet (what qtm_blob_gc
 * would collect once their grace period is over), in *bytes. */
qtm_status qtm_blob_unreferenced_bytes(qtm *q, int64_t *bytes);

/* --- records ------------------------------------------------------------ */

qtm_status qtm_record_show(qtm *q, int64_t job, json_t **out);
qtm_status qtm_record_list(qtm *q, json_t **out);
qtm_status qtm_record_list_page(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after);

/* --- signed records (sign.c) --------------------------------------------
 *
 * Once the database has a signing key (qtm_key_init), every record is
 * signed (Ed25519) in the transaction that composes it, over its id, job,
 * surface, created_at and hash and the audit row that composed it (seq,
 * at, actor, prev_hash, hash).  The private key lives in a file, never in
 * the database.  The handle reads it, at its first signed compose, from
 * the file qtm_set_signing_key named, else $QTM_SIGNING_KEY, else DB.key
 * beside the database; when that fails (missing, readable by others, not
 * the database's current key) composing refuses (QTM_EREFUSED) and the
 * completing call changes nothing: no record is stored unsigned.
 */
#define QTM_KEY_ID_LEN 17          /* a key id: 16 hex digits, the fingerprint, + NUL */

/* Creates a signing key: the private key in key_file (NULL: DB.key), a new
 * file, mode 0600 (an existing one is QTM_ECONFLICT, never overwritten);
 * the public key in the database, audited ("key" "create").  The newest
 * key signs from then on.  *out: {id, public_key, key_file, created_at}. */
qtm_status qtm_key_init(qtm *q, const char *key_file, json_t **out);
/* [{id, public_key, created_at}], oldest first; the last one signs. */
qtm_status qtm_key_show(qtm *q, json_t **out);
/* Reads the private key from path now (NULL: back to the default). */
qtm_status qtm_set_signing_key(qtm *q, const char *path);
/* The export document of a job's signed record: {format, record {id, job,
 * surface, created_at, body, hash}, audit {seq, at, actor, prev_hash, hash},
 * signature {algorithm, key_id, public_key, value}}.  An unsigned record
 * (composed before the first key) is QTM_EREFUSED. */
qtm_status qtm_record_export(qtm *q, int64_t job, json_t **out);
/* The same under the read rule of qtm_record_show_as; a preview reader is
 * refused (QTM_EFORBIDDEN): a redacted body would not verify. */
qtm_status qtm_record_export_as(qtm *q, const char *actor, int64_t job, json_t **out);
/* The canonical text of an export (compact JSON, sorted keys); free() it. */
char *qtm_record_export_text(const json_t *doc);
/* Checks an export with no database: the body hashes to the hash, the key
 * id is the public key's fingerprint, the signature verifies, and, with
 * key (a public key in hex, or a key id), that it is that key.  *report:
 * {valid, failed?, record, job, proved: [...], not_proved: [...]}.
 * QTM_OK valid, QTM_EVERIFY invalid, QTM_EUSAGE a malformed key. */
qtm_status qtm_record_check(const char *doc, const char *key, json_t **report);

/* --- settlement --------------------------------------------------------- */

typedef struct qtm_payment {
    const char *amount;            /* decimal text, e.g. "150.00"; NULL: none */
    const char *currency;          /* ISO 4217 code; NULL: USD */
    const char *method;            /* cash zelle venmo card wire other */
    const char *note;              /* may be NULL */
    const char *due;               /* decimal text: set the amount due; may be NULL */
    int waive;                     /* 1: mark the settlement waived */
} qtm_payment;

qtm_status qtm_settle(qtm *q, const char *actor, int64_t job, const qtm_payment *p);
/* The settlement with a bounded summary of its ledger: status, currency,
 * due, paid, overpaid (what is paid past the due, or null), payment_count
 * and `payments`, the last QTM_RECENT_PAYMENTS of
 * the ledger (oldest first).  The whole ledger: qtm_settlement_payments. */
qtm_status qtm_settlement_show(qtm *q, int64_t job, json_t **out);
#define QTM_RECENT_PAYMENTS 5
/*
 * qtm_settle_reverse - the correcting entry: appends to job's ledger a
 * payment of minus the amount of its payment `payment`, naming it and the
 * reason, and recomputes the status (nothing is ever edited).  The owner
 * or an admin, as qtm_settle.  Refused (QTM_EREFUSED) for a payment of
 * another job, a payment that is itself a reversal, and one already
 * reversed; QTM_ENOTFOUND for no such payment; QTM_EUSAGE for a missing
 * or blank reason.  Never moves the job, its ServiceEvent or its record.
 */
qtm_status qtm_settle_reverse(qtm *q, const char *actor, int64_t job, int64_t payment,
                              const char *reason);
/* One page of settlements by job id, every job (one with nothing recorded
 * is unpaid): [{id (the job), job, surface, status, currency, due, due_minor,
 * paid, paid_minor, overpaid, payment_count, updated_at}]; status and
 * surface filter (NULL: any).  The database holder's and admins'. */
qtm_status qtm_settlement_list_page(qtm *q, const char *status, const char *surface,
                                    const qtm_page *pg, json_t **out, int64_t *next_after);
/* One page of the job's ledger (payments by id, each with its id; a
 * correcting entry has "reverses" and "reason", the payment it corrects
 * "reversed_by"). */
qtm_status qtm_settlement_payments(qtm *q, int64_t job, const qtm_page *pg, json_t **out,
                                   int64_t *next_after);

/* --- identity: tokens and web sessions (token.c) ------------------------- */

/* Who a credential speaks for: the actor as stored now. */
typedef struct qtm_principal {
    char slug[64];
    char name[128];
    char role[16];                 /* admin, operator, vendor, client */
    char access[16];               /* active, limited, suspended */
} qtm_principal;

#define QTM_SECRET_LEN 48          /* buffer for a token, session id or CSRF secret */

/* Issues a new random token for an actor and returns it in `token`: it is
 * shown once; only its SHA-256 is stored.  An actor may hold several. */
qtm_status qtm_token_issue(qtm *q, const char *slug, char token[QTM_SECRET_LEN]);
/* The same, for a token that expires `seconds` after now (0: never).  An
 * expired token authenticates as unknown, and its sessions end with it. */
qtm_status qtm_token_issue_expiring(qtm *q, const char *slug, int64_t seconds,
                                    char token[QTM_SECRET_LEN]);
/* Revokes every live token of the actor (and so every session they opened). */
qtm_status qtm_token_revoke(qtm *q, const char *slug, int *revoked);
/* [{id, actor, created_at, revoked_at, expires_at, last_used_at}], nulls
 * where there is none. */
qtm_status qtm_token_list(qtm *q, json_t **out);
qtm_status qtm_token_list_page(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after);
/* The actor behind a live token; QTM_ENOTFOUND when unknown, revoked or
 * expired.  Stamps the token's last_used_at at most once a minute, and
 * only when that write would not wait for another writer (then it is
 * skipped: the call still succeeds). */
qtm_status qtm_token_auth(qtm *q, const char *token, qtm_principal *p);
/* Opens a web session for a live token, valid ttl seconds: returns the
 * session id (the cookie) and the CSRF secret that must accompany every
 * change made under the session.  A token keeps at most QTM_SESSIONS_MAX
 * sessions: opening one more ends its oldest.  Expired sessions are not
 * swept here (see qtm_session_purge). */
#define QTM_SESSIONS_MAX 20
qtm_status qtm_session_open(qtm *q, const char *token, unsigned ttl, qtm_principal *p,
                            char sid[QTM_SECRET_LEN], char csrf[QTM_SECRET_LEN]);
/* The actor and CSRF secret of a live session; QTM_ENOTFOUND otherwise. */
qtm_status qtm_session_auth(qtm *q, const char *sid, qtm_principal *p,
                            char csrf[QTM_SECRET_LEN]);
qtm_status qtm_session_close(qtm *q, const char *sid);
/* Deletes up to `limit` expired sessions in one short write transaction;
 * *purged says how many (call again while it equals limit).  A server
 * calls it off the request path. */
qtm_status qtm_session_purge(qtm *q, unsigned limit, unsigned *purged);

/* --- migration (migrate.c) ---------------------------------------------- */

/*
 * qtm_migrate - plans (apply 0) or applies (apply 1) the move of every job
 * of `surface` that is not complete to the surface's current spec.
 * *report (the caller's, even on refusal when the plan was made) holds
 * {surface, current, jobs: [{job, fingerprint, phase, action, to, reason}],
 * migrate, cannot}; action is "current" (nothing to do), "migrate", "keep"
 * (execution over; finishes under its retained spec) or "cannot".
 * Applying needs an admin actor (QTM_EFORBIDDEN) and is refused with
 * QTM_EREFUSED, changing nothing, when any job cannot migrate; otherwise
 * one transaction moves every job, auditing its fingerprint (old -> new;
 * verify holds jobs.fingerprint to it) and its ServiceEvent phase.
 * QTM_ENOTFOUND for a surface this program was not built with.
 */
qtm_status qtm_migrate(qtm *q, const char *actor, const char *surface, int apply,
                       json_t **report);

/* --- read access (access.c) ---------------------------------------------
 *
 * Who reads a job, its record, settlement, evidence and participants:
 * admins everything; an operator the jobs they own, or the job assigned
 * to them while nobody owns it (not one a reassign or hand-over took from
 * them: a former holder reads it no more); an active operator also a queued, unowned
 * job under `ownership pool` (one they could claim) as a preview: no
 * intake contact details (the `contact` section, email and phone fields),
 * no participants' contacts, no payment ledger.  Vendors, clients and
 * suspended actors read no job.  To a reader who may not see the job,
 * a job that exists and one that does not get the same answer:
 * QTM_EFORBIDDEN "no job N visible to SLUG" (the operator a reassign or
 * hand-over took it from is told where it went and why).  The *_show functions above
 * are the database holder's (no actor) and see everything.
 */
typedef enum qtm_access {
    QTM_ACCESS_NONE = 0,
    QTM_ACCESS_PREVIEW = 1,        /* a claimable pool job, redacted */
    QTM_ACCESS_FULL = 2
} qtm_access;

/* What actor may read of job: QTM_OK with *level PREVIEW or FULL, or the
 * refusal (*level NONE): an unknown actor, a suspended one (forbidden),
 * or the one not-visible message above. */
qtm_status qtm_job_access(qtm *q, const char *actor, int64_t job, qtm_access *level);
/* The views of qtm_job_show, qtm_record_show and qtm_settlement_show as
 * actor may read them (the job view adds "access": "full"|"preview"). */
qtm_status qtm_job_show_as(qtm *q, const char *actor, int64_t job, json_t **out);
qtm_status qtm_record_show_as(qtm *q, const char *actor, int64_t job, json_t **out);
qtm_status qtm_settlement_show_as(qtm *q, const char *actor, int64_t job, json_t **out);
/* What actor may do to job now, by the rule the changing calls apply
 * (role, access state, ownership, phase): {"actions": [each transition of
 * the job view's "next" that actor may fire, plus "claim": bool],
 * "can_claim": bool, "can_complete": bool, and the governance the actor
 * may do: "can_reassign", "can_handover", "can_release", "can_cancel",
 * "can_note": bool}.  A transition's `requires` (evidence, payment,
 * participants) is listed, not checked; a target operator is not.
 * Refusals as qtm_job_show_as (a job the actor may not read is forbidden). */
qtm_status qtm_job_actions(qtm *q, const char *actor, int64_t job, json_t **out);
/* qtm_settlement_payments as actor may read it: the full reader only (a
 * pool preview shows totals, never the ledger: QTM_EFORBIDDEN). */
qtm_status qtm_settlement_payments_as(qtm *q, const char *actor, int64_t job, const qtm_page *pg,
                                      json_t **out, int64_t *next_after);
/* qtm_desk_page as actor may read it: an operator's own (operator_slug is
 * ignored), an admin's everyone's or operator_slug's; vendors and clients
 * have none (QTM_EFORBIDDEN). */
qtm_status qtm_desk_as(qtm *q, const char *actor, const char *operator_slug, const char *list,
                       const qtm_page *pg, json_t **out);
/* QTM_OK if actor may read what only admins read (tasks and their intake,
 * the audit log, the record list, actors, verify): an admin not suspended;
 * otherwise QTM_EFORBIDDEN naming `what`, the same for every id. */
qtm_status qtm_admin_read_as(qtm *q, const char *actor, const char *what);
/* QTM_OK if actor may do what only admins do to the database as a whole
 * (`blobs gc`): an admin not suspended; otherwise QTM_EFORBIDDEN ("only
 * admins <what>"), or QTM_ENOTFOUND for no such actor. */
qtm_status qtm_admin_act_as(qtm *q, const char *actor, const char *what);

/* --- audit -------------------------------------------------------------- */

qtm_status qtm_log(qtm *q, int64_t job, json_t **out);  /* job 0: everything */
qtm_status qtm_log_page(qtm *q, int64_t job, const qtm_page *pg, json_t **out,
                        int64_t *next_after);
/* Checks the hash chain and the cross-layer invariants; QTM_EVERIFY if
 * any fails, with every finding in the report. */
qtm_status qtm_verify(qtm *q, json_t **report);

/* --- backups ------------------------------------------------------------ */

enum { QTM_BACKUP_FORCE = 1 };     /* replace an existing file */

/*
 * qtm_backup - writes a consistent copy of the database (one moment of it,
 * while others go on writing) to path.tmp (mode 0600), opens the copy and
 * runs qtm_verify on it, fsyncs it, renames it to path and fsyncs the
 * directory.  An existing path is refused (QTM_EUSAGE) unless
 * QTM_BACKUP_FORCE.  A copy that does not verify is removed (QTM_EVERIFY,
 * the findings in the message); on any failure path.tmp is removed and
 * path is as it was.  *report (may be NULL): {file, bytes, audit_rows,
 * jobs}.  Back up from a handle that is not writing at the same time.
 */
qtm_status qtm_backup(qtm *q, const char *path, unsigned flags, json_t **report);

/*
 * qtm_db_copy - copies the whole database `from` into `to` (each a database
 * name as qtm_open takes it: an SQLite path or a postgresql:// URI, either
 * way round): every row of every table verbatim (ids, stamps, hashes, the
 * audit chain and its head, file bytes, signatures, sessions), read in one
 * read transaction of `from` and written in one write transaction of `to`,
 * which is created at the current schema.  `to` must hold no qtm data: an
 * existing file, or a database with a row in any table, is QTM_ECONFLICT
 * and nothing is written.  Then `to` is verified on a handle of its own:
 * QTM_EVERIFY when it does not verify (the copy is kept for inspection).
 * A storage failure is QTM_ESTORAGE with nothing committed (an SQLite file
 * the copy created is removed).  *report (may be NULL; set unless out of
 * memory): {tables: [{table, rows}], rows, chain (audit rows), verify
 * (qtm_verify's report, once it ran), error (the message, on failure)}.
 * No actor is needed: it is an operator's tool on two databases they hold.
 */
qtm_status qtm_db_copy(const char *from, const char *to, json_t **report);

#endif
