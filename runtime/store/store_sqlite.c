/*
 * store_sqlite.c - the SQLite backend of store.h.
 *
 * WAL journal, synchronous=FULL (every commit fsyncs the log before it
 * returns; STORE_CTL_DURABLE 0 relaxes it to NORMAL), foreign keys on, a busy timeout so
 * concurrent writers queue instead of failing.  Every query of store_query
 * has its SQL text here, prepared once (SQLITE_PREPARE_PERSISTENT) and
 * reused.  The schema version lives in PRAGMA user_version; older schemas
 * are migrated forward in one transaction, newer ones are refused.
 * Immutable tables (requests, records, payments, audit, evidence) refuse
 * UPDATE and DELETE by trigger, whatever the caller does.  Phase history
 * is the ServiceEvent's rows of the hash-chained audit log, not a table of
 * its own: one row per change, written once.  Schema v4 adds qtm_sha256()
 * on every connection, the image of each governed row (IMAGE_OF) that the
 * audit rows chain, and the chain head (see schema_v4).
 */
#include "store.h"
#include "store_copy.h"
#include "qtm/qtm_vocab.h"   /* the CHECK lists */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "qtm/qtm.h"

#define BUSY_TIMEOUT_MS 10000
#define MAX_COLS 16

/* Transaction control, prepared once like every other statement. */
enum { TX_BEGIN, TX_BEGIN_IMMEDIATE, TX_COMMIT, TX_ROLLBACK, TX_SAVEPOINT, TX_RELEASE,
       TX_ROLLBACK_TO, TX_COUNT };
static const char *const tx_sql[TX_COUNT] = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK",
                                             "SAVEPOINT qtm_sp", "RELEASE qtm_sp",
                                             "ROLLBACK TO qtm_sp"};

typedef struct sqlite_store {
    store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_COUNT];  /* prepared on first use */
    sqlite3_stmt *tx[TX_COUNT];
    sqlite3_stmt **copy;           /* db copy: [2 * table + copy_stmt], prepared on first use */
    int readonly;                  /* opened read-only: every write transaction is refused */
    char err[256];
} sqlite_store;

/*
 * A job's ledger total, or NULL when it would not fit in 64 bits: SQLite's
 * SUM fails the whole statement on integer overflow, which would make one
 * tampered ledger break settle and verify.  qtm keeps a total within 10^15
 * (qtmi_money_add); the guard sums magnitudes as doubles first, and below 9e18
 * (2% under INT64_MAX, far beyond their rounding) no partial sum can wrap.
 */
#define LEDGER_TOTAL(job)                                                                  \
    " CASE WHEN (SELECT TOTAL(ABS(p.amount * 1.0)) FROM payments p WHERE p.job_id = " job  \
    ") < 9.0e18 THEN (SELECT COALESCE(SUM(p.amount), 0) FROM payments p"                    \
    " WHERE p.job_id = " job ") END"

/* A record with its signature, its key and the audit row that composed it. */
#define RECORD_EXPORT                                                                      \
    "SELECT r.id, r.job_id, r.surface, r.body, r.hash, r.created_at, g.key_id, g.signature,"  \
    " k.public_key, a.id, a.at, a.actor, a.prev_hash, a.hash FROM records r"                \
    " LEFT JOIN record_signatures g ON g.record_id = r.id"                                  \
    " LEFT JOIN keys k ON k.id = g.key_id"                                                  \
    " LEFT JOIN audit a ON a.job_id = r.job_id AND a.entity = 'record'"                     \
    "  AND a.entity_id = r.id AND a.action = 'compose'"
/*
 * Schema v4, the governed image: what each governed row holds, as one
 * canonical text (a JSON array: its kind, then its columns in schema order;
 * SQLite's json_array text is deterministic for given values) and its
 * SHA-256 (qtm_sha256, registered on every connection).  Every audit row
 * stores the digest of the row it changed, as it stands after the change,
 * and verify compares each row's current digest with its last audit row's.
 * Left out: tokens.last_used_at (touched on every use, not audited) and
 * revoked_at (a revoke is audited on the actor, so the actor's image holds
 * its revoked tokens); a settlement's image holds its whole payment ledger.
 */
#define IMG_ACTOR(id)                                                                          \
    "(SELECT qtm_sha256(json_array('actor', x.id, x.slug, x.name, x.role, x.access,"          \
    " x.created_at, (SELECT json_group_array(json_array(k.id, k.revoked_at)) FROM"             \
    " (SELECT id, revoked_at FROM tokens WHERE actor_id = x.id AND revoked_at IS NOT NULL"     \
    " ORDER BY id) k))) FROM actors x WHERE x.id = " id ")"
#define IMG_REQUEST(id)                                                                        \
    "(SELECT qtm_sha256(json_array('request', x.id, x.surface, x.fingerprint, x.intake,"      \
    " x.photos, x.idem_key, x.actor_id, x.created_at)) FROM requests x WHERE x.id = " id ")"
#define IMG_TASK(id)                                                                           \
    "(SELECT qtm_sha256(json_array('task', x.id, x.request_id, x.state, x.assignee_id,"       \
    " x.reason, x.created_at, x.updated_at)) FROM tasks x WHERE x.id = " id ")"
#define IMG_JOB(id)                                                                            \
    "(SELECT qtm_sha256(json_array('job', x.id, x.task_id, x.surface, x.fingerprint, x.state," \
    " x.owner_id, x.created_at, x.claimed_at, x.completed_at)) FROM jobs x WHERE x.id = " id ")"
/* the image as schema v4 had it (its migration runs before v5's columns) */
#define IMG_SE_V4(id)                                                                          \
    "(SELECT qtm_sha256(json_array('service_event', x.id, x.job_id, x.phase, x.operator_id,"  \
    " x.complete, x.started_at, x.completed_at)) FROM service_events x WHERE x.id = " id ")"
/* a ServiceEvent's outcome and reason (v5) join its image once set, so the
 * images of rows from before v5 (both NULL) are what they were */
#define IMG_SE(id)                                                                             \
    "(SELECT qtm_sha256(CASE WHEN x.outcome IS NULL AND x.reason IS NULL"                     \
    " THEN json_array('service_event', x.id, x.job_id, x.phase, x.operator_id,"               \
    " x.complete, x.started_at, x.completed_at)"                                              \
    " ELSE json_array('service_event', x.id, x.job_id, x.phase, x.operator_id,"               \
    " x.complete, x.started_at, x.completed_at, x.outcome, x.reason) END)"                    \
    " FROM service_events x WHERE x.id = " id ")"
#define IMG_EVIDENCE(id)                                                                       \
    "(SELECT qtm_sha256(json_array('evidence', x.id, x.job_id, x.category, x.ref, x.note,"    \
    " x.actor_id, x.at)) FROM evidence x WHERE x.id = " id ")"
#define IMG_PARTICIPANT(id)                                                                    \
    "(SELECT qtm_sha256(json_array('participant', x.id, x.job_id, x.name, x.role, x.contact," \
    " x.actor_id, x.at)) FROM participants x WHERE x.id = " id ")"
#define IMG_RECORD(id)                                                                         \
    "(SELECT qtm_sha256(json_array('record', x.id, x.job_id, x.se_id, x.surface, x.body,"     \
    " x.hash, x.created_at)) FROM records x WHERE x.id = " id ")"
#define IMG_SETTLEMENT_V4(id)                                                                  \
    "(SELECT qtm_sha256(json_array('settlement', x.job_id, x.currency, x.due, x.status,"      \
    " x.updated_at, (SELECT json_group_array(json_array(p.id, p.amount, p.currency, p.method," \
    " p.note, p.actor_id, p.at)) FROM (SELECT * FROM payments WHERE job_id = x.job_id"          \
    " ORDER BY id) p))) FROM settlements x WHERE x.job_id = " id ")"
/* schema v5: a reversal's payment row adds what it reverses and why; every
 * other row keeps the v4 image, so settlements audited before v5 verify */
#define IMG_SETTLEMENT(id)                                                                     \
    "(SELECT qtm_sha256(json_array('settlement', x.job_id, x.currency, x.due, x.status,"      \
    " x.updated_at, (SELECT json_group_array(json(CASE WHEN p.reversal_of IS NULL THEN"        \
    " json_array(p.id, p.amount, p.currency, p.method, p.note, p.actor_id, p.at) ELSE"         \
    " json_array(p.id, p.amount, p.currency, p.method, p.note, p.actor_id, p.at,"              \
    " p.reversal_of, p.reason) END)) FROM (SELECT * FROM payments WHERE job_id = x.job_id"     \
    " ORDER BY id) p))) FROM settlements x WHERE x.job_id = " id ")"
#define IMG_TOKEN(id)                                                                          \
    "(SELECT qtm_sha256(json_array('token', x.id, x.actor_id, x.hash, x.created_at,"          \
    " x.expires_at)) FROM tokens x WHERE x.id = " id ")"
/* --- v5: governance --- a hand-off (reassign, handover, release, cancel)
 * and a note, both append-only */
#define IMG_HANDOFF(id)                                                                        \
    "(SELECT qtm_sha256(json_array('handoff', x.id, x.job_id, x.action, x.from_id, x.to_id,"  \
    " x.reason, x.actor_id, x.at)) FROM handoffs x WHERE x.id = " id ")"
#define IMG_NOTE(id)                                                                           \
    "(SELECT qtm_sha256(json_array('note', x.id, x.job_id, x.text, x.actor_id, x.at))"        \
    " FROM notes x WHERE x.id = " id ")"
/* --- end v5: governance --- */
/* a signing key (schema v4, signed records): its rowid is the audit row's
 * entity id (its id is the key's fingerprint) */
#define IMG_KEY(id)                                                                            \
    "(SELECT qtm_sha256(json_array('key', x.id, x.public_key, x.created_at)) FROM keys x"      \
    " WHERE x.rowid = " id ")"
/* The image of the row an audit row of entity ent (a "fingerprint" row is
 * about its job) and entity id id is about; NULL for a row that is gone. */
/* img_se, img_settle: the service_event and settlement images of the
 * schema the query runs on (v5 added outcome and reason to the one, the
 * reversal columns of payments to the other) */
#define IMAGE_CASES_V4(id, img_se, img_settle)                                                 \
    " WHEN 'actor' THEN " IMG_ACTOR(id) " WHEN 'request' THEN " IMG_REQUEST(id)                \
    " WHEN 'task' THEN " IMG_TASK(id) " WHEN 'job' THEN " IMG_JOB(id)                          \
    " WHEN 'fingerprint' THEN " IMG_JOB(id) " WHEN 'service_event' THEN " img_se(id)           \
    " WHEN 'evidence' THEN " IMG_EVIDENCE(id) " WHEN 'participant' THEN " IMG_PARTICIPANT(id) \
    " WHEN 'record' THEN " IMG_RECORD(id) " WHEN 'settlement' THEN " img_settle(id)           \
    " WHEN 'token' THEN " IMG_TOKEN(id) " WHEN 'key' THEN " IMG_KEY(id)
/* the v3 -> v4 step's: the tables and columns of v4 only (a query naming a
 * table that does not exist yet fails even in a branch it never takes) */
#define IMAGE_OF_V4(ent, id) "CASE " ent IMAGE_CASES_V4(id, IMG_SE_V4, IMG_SETTLEMENT_V4) " END"
#define IMAGE_OF(ent, id)                                                                      \
    "CASE " ent IMAGE_CASES_V4(id, IMG_SE, IMG_SETTLEMENT) " WHEN 'handoff' THEN "            \
    IMG_HANDOFF(id) " WHEN 'note' THEN " IMG_NOTE(id) " END"
/* One verify row per governed row: kind, id, job (or NULL), current image,
 * the id of its last audit row (NULL: none; from `last`, SQ_VERIFY_IMAGES:
 * no index on audit(entity), which every write would pay for). */
#define IMG_ROWS(kind, table, key, job, ent, img)                                              \
    "SELECT '" kind "' AS kind, t." key " AS id, " job " AS job, " img("t." key) " AS image," \
    " (SELECT l.id FROM last l WHERE l.k = '" ent "' AND l.eid = t." key ") AS last"        \
    " FROM " table " t"

/* A job's settlement status: unpaid until anything is recorded, except a
 * cancelled job with nothing recorded, which has none (null: no work, so
 * nothing to settle; settle refuses it). */
#define SETTLEMENT_OF_JOB                                                                      \
    "CASE WHEN st.status IS NULL AND j.state = 'cancelled' THEN NULL"                          \
    " ELSE COALESCE(st.status, 'unpaid') END"

/*
 * Schema v5, finding work: the job list.  One column list and one set of
 * filters (?1 state, ?2 surface, ?3 operator id: owns it, or is assigned
 * while nobody owns it, the read rule's "own"; ?4 phase, ?5 ",slug,..." of
 * the surfaces whose initial phase ?4 is (an unclaimed job has no
 * ServiceEvent row and sits in it); ?6 an FTS5 phrase over job_search;
 * ?7 after, ?8 limit), each NULL for none.  The queries differ only in
 * what drives them, so a selective filter walks its own index in id order
 * and never the whole table.
 */
#define JOB_LIST_COLS                                                                          \
    "SELECT j.id, j.surface, j.state, s.phase, o.slug, a.slug," SETTLEMENT_OF_JOB ","          \
    " j.created_at, j.fingerprint, (SELECT r.intake FROM requests r WHERE r.id = t.request_id)"
#define JOB_LIST_JOINS                                                                         \
    " JOIN tasks t ON t.id = j.task_id LEFT JOIN service_events s ON s.job_id = j.id"          \
    " LEFT JOIN actors o ON o.id = j.owner_id LEFT JOIN actors a ON a.id = t.assignee_id"      \
    " LEFT JOIN settlements st ON st.job_id = j.id"
#define JOB_LIST_FILTERS                                                                       \
    " (?1 IS NULL OR j.state = ?1) AND (?2 IS NULL OR j.surface = ?2)"                        \
    " AND (?3 IS NULL OR j.owner_id = ?3 OR (j.owner_id IS NULL AND t.assignee_id = ?3))"     \
    " AND (?4 IS NULL OR s.phase = ?4 OR (s.id IS NULL AND instr(?5, ',' || j.surface || ',')" \
    " > 0))"
#define JOB_LIST_Q " AND (?6 IS NULL OR j.id IN (SELECT rowid FROM job_search WHERE job_search MATCH ?6))"
#define JOB_LIST_TAIL " AND j.id > ?7 ORDER BY j.id LIMIT ?8"

static const char *const sql[SQ_COUNT] = {
    [SQ_ACTOR_INSERT] =
        "INSERT INTO actors(slug, name, role, created_at) VALUES(?1, ?2, ?3, ?4)",
    [SQ_ACTOR_BY_SLUG] = "SELECT id, slug, name, role, access FROM actors WHERE slug = ?1",
    [SQ_ACTOR_BY_ID] = "SELECT id, slug, name, role, access FROM actors WHERE id = ?1",
    [SQ_ACTOR_SET_ACCESS] = "UPDATE actors SET access = ?1 WHERE slug = ?2",
    [SQ_ACTOR_LIST] =
        "SELECT id, slug, name, role, access, created_at FROM actors WHERE id > ?1"
        " ORDER BY id LIMIT ?2",
    [SQ_REQUEST_INSERT] =
        "INSERT INTO requests(surface, fingerprint, intake, photos, idem_key, actor_id, created_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQ_REQUEST_BY_KEY] =
        "SELECT r.id, r.intake, r.surface, t.id FROM requests r JOIN tasks t ON t.request_id = r.id"
        " WHERE r.idem_key = ?1",
    [SQ_REQUEST_BY_ID] =
        "SELECT r.id, r.surface, r.fingerprint, r.intake, r.photos, a.slug, r.created_at"
        " FROM requests r LEFT JOIN actors a ON a.id = r.actor_id WHERE r.id = ?1",
    [SQ_TASK_INSERT] =
        "INSERT INTO tasks(request_id, state, created_at, updated_at) VALUES(?1, 'review', ?2, ?2)",
    [SQ_TASK_BY_ID] =
        "SELECT t.id, t.request_id, t.state, t.assignee_id, a.slug, t.reason, r.surface,"
        " t.created_at, t.updated_at, j.id"
        " FROM tasks t JOIN requests r ON r.id = t.request_id"
        " LEFT JOIN actors a ON a.id = t.assignee_id LEFT JOIN jobs j ON j.task_id = t.id"
        " WHERE t.id = ?1",
    [SQ_TASK_SET_STATE] =
        "UPDATE tasks SET state = ?1, reason = COALESCE(?2, reason), updated_at = ?3"
        " WHERE id = ?4 AND state = ?5",
    [SQ_TASK_SET_ASSIGNEE] =
        "UPDATE tasks SET assignee_id = ?1, state = 'assigned', updated_at = ?2 WHERE id = ?3",
    [SQ_TASK_LIST] =
        "SELECT t.id, t.request_id, t.state, a.slug, r.surface, t.updated_at, j.id, r.intake,"
        " r.fingerprint, CASE WHEN j.id IS NULL THEN NULL ELSE " SETTLEMENT_OF_JOB " END"
        " FROM tasks t JOIN requests r ON r.id = t.request_id"
        " LEFT JOIN actors a ON a.id = t.assignee_id LEFT JOIN jobs j ON j.task_id = t.id"
        " LEFT JOIN settlements st ON st.job_id = j.id"
        " WHERE (?1 IS NULL OR t.state = ?1) AND t.id > ?2 ORDER BY t.id LIMIT ?3",
    [SQ_JOB_INSERT] =
        "INSERT INTO jobs(task_id, surface, fingerprint, state, created_at)"
        " VALUES(?1, ?2, ?3, 'queued', ?4)",
    [SQ_JOB_BY_ID] =
        "SELECT j.id, j.task_id, j.surface, j.fingerprint, j.state, j.owner_id, o.slug,"
        " t.assignee_id, a.slug, j.created_at, j.claimed_at, j.completed_at"
        " FROM jobs j JOIN tasks t ON t.id = j.task_id"
        " LEFT JOIN actors o ON o.id = j.owner_id LEFT JOIN actors a ON a.id = t.assignee_id"
        " WHERE j.id = ?1",
    [SQ_JOB_CLAIM] =
        "UPDATE jobs SET state = 'active', owner_id = ?1, claimed_at = ?2"
        " WHERE id = ?3 AND state = 'queued'",
    [SQ_JOB_COMPLETE] =
        "UPDATE jobs SET state = 'complete', completed_at = ?1 WHERE id = ?2 AND state = 'ready'",
    [SQ_JOB_DESK] =
        "SELECT j.id, j.surface, j.state, s.phase, o.slug, a.slug, j.owner_id, t.assignee_id,"
        " j.fingerprint, r.intake, COALESCE(st.status, 'unpaid')"
        " FROM jobs j JOIN tasks t ON t.id = j.task_id JOIN requests r ON r.id = t.request_id"
        " LEFT JOIN service_events s ON s.job_id = j.id"
        " LEFT JOIN actors o ON o.id = j.owner_id LEFT JOIN actors a ON a.id = t.assignee_id"
        " LEFT JOIN settlements st ON st.job_id = j.id"
        " WHERE (?1 IS NULL OR j.state = ?1)"
        " AND j.id > ?2 ORDER BY j.id",
    [SQ_SE_INSERT] =
        "INSERT INTO service_events(job_id, phase, operator_id, started_at) VALUES(?1, ?2, ?3, ?4)",
    [SQ_SE_BY_JOB] =
        "SELECT s.id, s.phase, a.slug, s.complete, s.started_at, s.completed_at, s.outcome,"
        " s.reason FROM service_events s LEFT JOIN actors a ON a.id = s.operator_id"
        " WHERE s.job_id = ?1",
    [SQ_SE_SET_PHASE] =
        "UPDATE service_events SET phase = ?1, complete = ?2, completed_at = ?3, outcome = ?6,"
        " reason = ?7 WHERE id = ?4 AND phase = ?5",
    [SQ_PHASE_LIST] =
        "SELECT from_state, to_state, action, actor, at FROM audit"
        " WHERE job_id = ?1 AND entity = 'service_event' ORDER BY id",
    [SQ_EVIDENCE_INSERT] =
        "INSERT INTO evidence(job_id, category, ref, note, actor_id, at, blob_id)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQ_EVIDENCE_COUNT] =
        "SELECT COUNT(*) FROM evidence WHERE job_id = ?1 AND category = ?2"
        " AND blob_id IS NOT NULL",
    [SQ_EVIDENCE_LIST] =
        "SELECT e.category, e.ref, e.note, a.slug, e.at, b.type, b.size FROM evidence e"
        " JOIN actors a ON a.id = e.actor_id LEFT JOIN blobs b ON b.id = e.blob_id"
        " WHERE e.job_id = ?1 ORDER BY e.id",
    [SQ_PARTICIPANT_INSERT] =
        "INSERT INTO participants(job_id, name, role, contact, actor_id, at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_PARTICIPANT_LIST] =
        "SELECT p.name, p.role, p.contact, a.slug, p.at FROM participants p"
        " JOIN actors a ON a.id = p.actor_id WHERE p.job_id = ?1 ORDER BY p.id",
    [SQ_PARTICIPANT_COUNT] = "SELECT COUNT(*) FROM participants WHERE job_id = ?1",
    [SQ_RECORD_INSERT] =
        "INSERT INTO records(job_id, se_id, surface, body, hash, created_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_RECORD_BY_JOB] =
        "SELECT id, job_id, surface, body, hash, created_at FROM records WHERE job_id = ?1",
    [SQ_RECORD_LIST] =
        "SELECT r.id, r.job_id, r.surface, r.hash, r.created_at, COALESCE(st.status, 'unpaid')"
        " FROM records r LEFT JOIN settlements st ON st.job_id = r.job_id WHERE r.id > ?1"
        " ORDER BY r.id LIMIT ?2",
    [SQ_SETTLE_GET] =
        "SELECT s.currency, s.due, s.status,"
        LEDGER_TOTAL("?1") ","
        " (SELECT COUNT(*) FROM payments p WHERE p.job_id = ?1)"
        " FROM settlements s WHERE s.job_id = ?1",
    [SQ_SETTLE_UPSERT] =
        "INSERT INTO settlements(job_id, currency, due, status, updated_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(job_id) DO UPDATE SET"
        " currency = excluded.currency, due = excluded.due, status = excluded.status,"
        " updated_at = excluded.updated_at",
    [SQ_PAYMENT_INSERT] =
        "INSERT INTO payments(job_id, amount, currency, method, note, actor_id, at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQ_PAYMENT_LIST] =
        "SELECT p.id, p.amount, p.currency, p.method, p.note, a.slug, p.at, p.reversal_of,"
        " p.reason, (SELECT r.id FROM payments r WHERE r.reversal_of = p.id) FROM payments p"
        " JOIN actors a ON a.id = p.actor_id WHERE p.job_id = ?1 AND p.id > ?2"
        " ORDER BY p.id LIMIT ?3",
    [SQ_PAYMENT_RECENT] =
        "SELECT * FROM (SELECT p.id, p.amount, p.currency, p.method, p.note, a.slug, p.at,"
        " p.reversal_of, p.reason, (SELECT r.id FROM payments r WHERE r.reversal_of = p.id)"
        " FROM payments p JOIN actors a ON a.id = p.actor_id WHERE p.job_id = ?1"
        " ORDER BY p.id DESC LIMIT ?2) ORDER BY 1",
    [SQ_AUDIT_LAST_HASH] = "SELECT hash FROM audit ORDER BY id DESC LIMIT 1",
    [SQ_AUDIT_INSERT] =
        "INSERT INTO audit(at, actor, entity, entity_id, action, from_state, to_state, job_id,"
        " prev_hash, hash, image) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [SQ_AUDIT_LIST] =
        "SELECT id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"
        " prev_hash, hash, image FROM audit WHERE (?1 IS NULL OR job_id = ?1) AND id > ?2"
        " ORDER BY id LIMIT ?3",
    [SQ_AUDIT_JOB_PAGE] =
        "SELECT id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"
        " prev_hash, hash, image FROM audit WHERE job_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
    [SQ_VERIFY_JOBS] =
        "SELECT j.id, j.state, s.complete,"
        " (SELECT COUNT(*) FROM records r WHERE r.job_id = j.id),"
        " (SELECT a.to_state FROM audit a WHERE a.job_id = j.id AND a.entity = 'job'"
        "  ORDER BY a.id DESC LIMIT 1)"
        " FROM jobs j LEFT JOIN service_events s ON s.job_id = j.id ORDER BY j.id",
    [SQ_VERIFY_ORPHAN_RECORDS] =
        "SELECT r.id, r.job_id FROM records r LEFT JOIN service_events s ON s.id = r.se_id"
        " WHERE s.id IS NULL OR s.complete = 0 OR s.job_id != r.job_id ORDER BY r.id",
    [SQ_VERIFY_SE_PHASE] =
        "SELECT s.job_id, s.phase,"
        " (SELECT a.to_state FROM audit a WHERE a.job_id = s.job_id"
        "  AND a.entity = 'service_event' AND a.entity_id = s.id ORDER BY a.id DESC LIMIT 1)"
        " FROM service_events s ORDER BY s.job_id",
    [SQ_VERIFY_RECORDS] =
        "SELECT r.id, r.job_id, r.body, r.hash,"
        " (SELECT a.to_state FROM audit a WHERE a.job_id = r.job_id AND a.entity = 'record'"
        "  AND a.entity_id = r.id AND a.action = 'compose' ORDER BY a.id DESC LIMIT 1)"
        " FROM records r ORDER BY r.id",
    [SQ_VERIFY_SETTLEMENTS] =
        "SELECT s.job_id, s.due, s.status,"
        LEDGER_TOTAL("s.job_id") ","
        " (SELECT a.to_state FROM audit a WHERE a.job_id = s.job_id AND a.entity = 'settlement'"
        "  ORDER BY a.id DESC LIMIT 1)"
        " FROM settlements s ORDER BY s.job_id",
    [SQ_INTEGRITY] = "PRAGMA integrity_check",
    [SQ_TOKEN_INSERT] =
        "INSERT INTO tokens(actor_id, hash, created_at, expires_at) VALUES(?1, ?2, ?3, ?4)",
    [SQ_TOKEN_AUTH] =
        "SELECT t.id, a.slug, a.name, a.role, a.access, t.last_used_at FROM tokens t"
        " JOIN actors a ON a.id = t.actor_id WHERE t.hash = ?1 AND t.revoked_at IS NULL"
        " AND (t.expires_at IS NULL OR t.expires_at > ?2)",
    [SQ_TOKEN_REVOKE] =
        "UPDATE tokens SET revoked_at = ?1 WHERE actor_id = ?2 AND revoked_at IS NULL",
    [SQ_TOKEN_LIST] =
        "SELECT t.id, a.slug, t.created_at, t.revoked_at, t.expires_at, t.last_used_at"
        " FROM tokens t JOIN actors a ON a.id = t.actor_id WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
    [SQ_TOKEN_TOUCH] =
        "UPDATE tokens SET last_used_at = ?1"
        " WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at <= ?3)",
    [SQ_SESSION_INSERT] =
        "INSERT INTO sessions(hash, token_id, csrf, created_at, expires_at)"
        " VALUES(?1, ?2, ?3, ?4, ?5)",
    [SQ_SESSION_AUTH] =
        "SELECT a.slug, a.name, a.role, a.access, s.csrf FROM sessions s"
        " JOIN tokens t ON t.id = s.token_id JOIN actors a ON a.id = t.actor_id"
        " WHERE s.hash = ?1 AND s.expires_at > ?2 AND t.revoked_at IS NULL"
        " AND (t.expires_at IS NULL OR t.expires_at > ?3)",
    [SQ_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = ?1",
    /* both walk an index (sessions_expiry, sessions_token): bounded work */
    [SQ_SESSION_PURGE] =
        "DELETE FROM sessions WHERE id IN"
        " (SELECT id FROM sessions WHERE expires_at <= ?1 LIMIT ?2)",
    [SQ_SESSION_EVICT] =
        "DELETE FROM sessions WHERE token_id = ?1 AND id NOT IN"
        " (SELECT id FROM sessions WHERE token_id = ?1 ORDER BY id DESC LIMIT ?2)",

    /* migration */
    [SQ_MIGRATE_JOBS] =
        "SELECT j.id, j.fingerprint, j.state, s.id, s.phase, s.complete"
        " FROM jobs j LEFT JOIN service_events s ON s.job_id = j.id"
        " WHERE j.surface = ?1 AND j.state NOT IN ('complete', 'cancelled') ORDER BY j.id",
    [SQ_MIGRATE_JOB] = "UPDATE jobs SET fingerprint = ?1 WHERE id = ?2 AND fingerprint = ?3",
    [SQ_MIGRATE_SE] = "UPDATE service_events SET phase = ?1 WHERE id = ?2 AND phase = ?3",
    /* schema v4: the governed image and the chain head */
    [SQ_IMAGE] = "SELECT " IMAGE_OF("?1", "?2"),
    [SQ_CHAIN_HEAD_SET] = "UPDATE chain_head SET seq = ?1, hash = ?2 WHERE id = 1",
    [SQ_CHAIN_HEAD_GET] = "SELECT seq, hash, legacy_seq FROM chain_head WHERE id = 1",
    [SQ_VERIFY_CHAIN] =
        "SELECT id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"
        " prev_hash, hash, image FROM audit ORDER BY id",
    [SQ_VERIFY_IMAGES] =
        "WITH last(k, eid, id) AS (SELECT CASE entity WHEN 'fingerprint' THEN 'job'"
        " ELSE entity END, entity_id, MAX(id) FROM audit GROUP BY 1, 2)"
        " SELECT v.*, (SELECT a.image FROM audit a WHERE a.id = v.last) FROM ("
        IMG_ROWS("actor", "actors", "id", "NULL", "actor", IMG_ACTOR) " UNION ALL "
        IMG_ROWS("request", "requests", "id", "NULL", "request", IMG_REQUEST) " UNION ALL "
        IMG_ROWS("task", "tasks", "id", "NULL", "task", IMG_TASK) " UNION ALL "
        IMG_ROWS("job", "jobs", "id", "NULL", "job", IMG_JOB) " UNION ALL "
        IMG_ROWS("service_event", "service_events", "id", "t.job_id", "service_event", IMG_SE)
        " UNION ALL "
        IMG_ROWS("evidence", "evidence", "id", "t.job_id", "evidence", IMG_EVIDENCE)
        " UNION ALL "
        IMG_ROWS("participant", "participants", "id", "t.job_id", "participant", IMG_PARTICIPANT)
        " UNION ALL "
        IMG_ROWS("record", "records", "id", "t.job_id", "record", IMG_RECORD) " UNION ALL "
        IMG_ROWS("settlement of job", "settlements", "job_id", "NULL", "settlement",
                 IMG_SETTLEMENT)
        " UNION ALL "
        IMG_ROWS("token", "tokens", "id", "NULL", "token", IMG_TOKEN) " UNION ALL "
        IMG_ROWS("key", "keys", "rowid", "NULL", "key", IMG_KEY) " UNION ALL "
        IMG_ROWS("handoff", "handoffs", "id", "t.job_id", "handoff", IMG_HANDOFF) " UNION ALL "
        IMG_ROWS("note", "notes", "id", "t.job_id", "note", IMG_NOTE) ") v",
    /* payments have no audit rows of their own: the settlement's image holds them */
    [SQ_VERIFY_GONE] =
        "SELECT a.entity, a.entity_id, a.job_id, MAX(a.id) FROM audit a WHERE NOT EXISTS (SELECT 1"
        " FROM (SELECT 'actor' k, id FROM actors UNION ALL SELECT 'request', id FROM requests"
        " UNION ALL SELECT 'task', id FROM tasks UNION ALL SELECT 'job', id FROM jobs"
        " UNION ALL SELECT 'fingerprint', id FROM jobs"
        " UNION ALL SELECT 'service_event', id FROM service_events"
        " UNION ALL SELECT 'evidence', id FROM evidence"
        " UNION ALL SELECT 'participant', id FROM participants"
        " UNION ALL SELECT 'record', id FROM records"
        " UNION ALL SELECT 'settlement', job_id FROM settlements"
        " UNION ALL SELECT 'token', id FROM tokens UNION ALL SELECT 'key', rowid FROM keys"
        " UNION ALL SELECT 'handoff', id FROM handoffs UNION ALL SELECT 'note', id FROM notes)"
        " g WHERE g.k = a.entity AND g.id = a.entity_id)"
        " GROUP BY a.entity, a.entity_id ORDER BY MAX(a.id)",
    [SQ_VERIFY_FINGERPRINTS] =
        "SELECT j.id, j.fingerprint, a.to_state FROM audit a JOIN jobs j ON j.id = a.job_id"
        " WHERE a.entity = 'fingerprint' AND a.id = (SELECT MAX(b.id) FROM audit b"
        "  WHERE b.job_id = a.job_id AND b.entity = 'fingerprint') ORDER BY j.id",
    /* signed records (schema v4) */
    [SQ_KEY_INSERT] = "INSERT INTO keys(id, public_key, created_at) VALUES(?1, ?2, ?3)",
    [SQ_KEY_CURRENT] = "SELECT id, public_key FROM keys ORDER BY rowid DESC LIMIT 1",
    [SQ_KEY_LIST] =
        "SELECT id, public_key, created_at FROM keys WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
    [SQ_AUDIT_ROW] = "SELECT at, actor, prev_hash, hash FROM audit WHERE id = ?1",
    [SQ_SIGNATURE_INSERT] =
        "INSERT INTO record_signatures(record_id, key_id, signature) VALUES(?1, ?2, ?3)",
    [SQ_RECORD_EXPORT] = RECORD_EXPORT " WHERE r.job_id = ?1",
    [SQ_VERIFY_SIGNATURES] =
        RECORD_EXPORT " WHERE g.record_id IS NOT NULL"
        " OR r.created_at > (SELECT MIN(created_at) FROM keys) ORDER BY r.id",
    /* --- v5: governance --- */
    [SQ_JOB_READY] =
        "UPDATE jobs SET state = 'ready' WHERE id = ?1 AND state IN ('queued', 'active')",
    [SQ_JOB_SET_OWNER] =
        "UPDATE jobs SET owner_id = ?1 WHERE id = ?2 AND owner_id = ?3"
        " AND state IN ('active', 'ready')",
    [SQ_JOB_RELEASE] =
        "UPDATE jobs SET state = 'queued', owner_id = NULL, claimed_at = NULL"
        " WHERE id = ?1 AND owner_id = ?2 AND state = 'active'",
    [SQ_JOB_CANCEL] = "UPDATE jobs SET state = 'cancelled' WHERE id = ?1 AND state = 'queued'",
    [SQ_HANDOFF_INSERT] =
        "INSERT INTO handoffs(job_id, action, from_id, to_id, reason, actor_id, at)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQ_HANDOFF_LAST] =
        "SELECT h.id, h.action, h.from_id, f.slug, h.to_id, t.slug, h.reason, b.slug, h.at"
        " FROM handoffs h LEFT JOIN actors f ON f.id = h.from_id"
        " LEFT JOIN actors t ON t.id = h.to_id LEFT JOIN actors b ON b.id = h.actor_id"
        " WHERE h.job_id = ?1 ORDER BY h.id DESC LIMIT 1",
    [SQ_HANDOFF_LIST] =
        "SELECT h.action, f.slug, t.slug, h.reason, b.slug, h.at"
        " FROM handoffs h LEFT JOIN actors f ON f.id = h.from_id"
        " LEFT JOIN actors t ON t.id = h.to_id LEFT JOIN actors b ON b.id = h.actor_id"
        " WHERE h.job_id = ?1 ORDER BY h.id",
    /* the job's index on audit: its claims (the claimer is the actor) and
     * its hand-overs and releases (from and to name the operators) */
    [SQ_OWNER_LIST] =
        "SELECT a.action, CASE a.entity WHEN 'job' THEN a.actor ELSE a.to_state END,"
        " CASE a.entity WHEN 'job' THEN NULL ELSE a.from_state END, a.at, h.reason, a.actor"
        " FROM audit a LEFT JOIN handoffs h ON a.entity = 'handoff' AND h.id = a.entity_id"
        " WHERE a.job_id = ?1 AND ((a.entity = 'job' AND a.action = 'claim')"
        " OR (a.entity = 'handoff' AND a.action IN ('handover', 'release'))) ORDER BY a.id",
    [SQ_NOTE_INSERT] = "INSERT INTO notes(job_id, text, actor_id, at) VALUES(?1, ?2, ?3, ?4)",
    [SQ_NOTE_LIST] =
        "SELECT n.text, a.slug, n.at FROM notes n JOIN actors a ON a.id = n.actor_id"
        " WHERE n.job_id = ?1 ORDER BY n.id",
    [SQ_TASK_REASSIGN] =
        "UPDATE tasks SET assignee_id = ?1, updated_at = ?2 WHERE id = ?3 AND assignee_id IS ?4",
    /* --- end v5: governance --- */
    /* --- v5: blobs --- */
    [SQ_BLOB_BY_HASH] = "SELECT id, type, size, actor_id, uploaded_at FROM blobs WHERE hash = ?1",
    [SQ_BLOB_INSERT] =
        "INSERT INTO blobs(hash, type, size, actor_id, uploaded_at) VALUES(?1, ?2, ?3, ?4, ?5)",
    [SQ_BLOB_TOUCH] = "UPDATE blobs SET uploaded_at = ?1 WHERE id = ?2 AND uploaded_at < ?1",
    [SQ_BLOB_CHUNK_INSERT] = "INSERT INTO blob_chunks(blob_id, seq, data) VALUES(?1, ?2, ?3)",
    [SQ_BLOB_CHUNKS] = "SELECT seq, data FROM blob_chunks WHERE blob_id = ?1 ORDER BY seq",
    [SQ_BLOB_THUMB_INSERT] =
        "INSERT INTO blob_thumbs(blob_id, type, data, hash) VALUES(?1, ?2, ?3, ?4)",
    [SQ_BLOB_THUMB] = "SELECT type, data FROM blob_thumbs WHERE blob_id = ?1",
    /* the chunks and the thumbnail go with their blob (ON DELETE CASCADE) */
    [SQ_BLOB_GC] =
        "DELETE FROM blobs WHERE uploaded_at < ?1"
        " AND NOT EXISTS (SELECT 1 FROM request_photos p WHERE p.blob_id = blobs.id)"
        " AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.blob_id = blobs.id)",
    [SQ_BLOB_USES] =
        "SELECT 'request', j.id, r.actor_id FROM request_photos p"
        " JOIN requests r ON r.id = p.request_id LEFT JOIN tasks t ON t.request_id = r.id"
        " LEFT JOIN jobs j ON j.task_id = t.id WHERE p.blob_id = ?1"
        " UNION ALL SELECT 'evidence', e.job_id, NULL FROM evidence e WHERE e.blob_id = ?1"
        " LIMIT 64",
    [SQ_REQUEST_PHOTO_INSERT] = "INSERT INTO request_photos(request_id, blob_id) VALUES(?1, ?2)",
    [SQ_REQUEST_PHOTOS] =
        "SELECT b.hash, b.type, b.size FROM request_photos p JOIN blobs b ON b.id = p.blob_id"
        " WHERE p.request_id = ?1 ORDER BY p.rowid",
    [SQ_VERIFY_BLOBS] =
        "SELECT b.id, b.hash, b.size, c.seq, c.data, b.type FROM blobs b"
        " LEFT JOIN blob_chunks c ON c.blob_id = b.id ORDER BY b.id, c.seq",
    /* a request's photo rows must be the packet's list (intake.photos, which
     * its governed image covers), each evidence file the blob its ref names */
    [SQ_VERIFY_BLOB_REFS] =
        "SELECT 'evidence', e.id, e.job_id FROM evidence e WHERE e.blob_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = e.blob_id"
        "  AND e.ref = 'sha256:' || b.hash)"
        " UNION ALL SELECT 'request', p.request_id, NULL FROM request_photos p"
        " JOIN requests r ON r.id = p.request_id WHERE NOT EXISTS (SELECT 1 FROM blobs b"
        "  JOIN json_each(r.intake, '$.photos') x ON x.value = 'sha256:' || b.hash"
        "  WHERE b.id = p.blob_id)"
        " UNION ALL SELECT 'request', r.id, NULL FROM requests r"
        " WHERE json_type(r.intake, '$.photos') = 'array' AND (r.photos !="
        "  json_array_length(r.intake, '$.photos') OR r.photos != (SELECT COUNT(*)"
        "  FROM request_photos p WHERE p.request_id = r.id))",
    [SQ_BLOB_UPLOADER_ADD] =
        "INSERT OR IGNORE INTO blob_uploaders(blob_id, actor_id) VALUES(?1, ?2)",
    [SQ_BLOB_UPLOADED_BY] =
        "SELECT 1 FROM blob_uploaders WHERE blob_id = ?1 AND ifnull(actor_id, 0) = ?2",
    [SQ_VERIFY_BLOB_THUMBS] =
        "SELECT t.blob_id, b.hash, t.hash, t.data FROM blob_thumbs t"
        " JOIN blobs b ON b.id = t.blob_id ORDER BY t.blob_id",
    [SQ_BLOB_UNREFERENCED_BYTES] =
        "SELECT COALESCE(SUM(size), 0) FROM blobs b"
        " WHERE NOT EXISTS (SELECT 1 FROM request_photos p WHERE p.blob_id = b.id)"
        " AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.blob_id = b.id)",
    /* schema v5: finding work (see JOB_LIST_COLS) */
    [SQ_JOB_LIST] =
        JOB_LIST_COLS " FROM jobs j" JOB_LIST_JOINS " WHERE" JOB_LIST_FILTERS JOB_LIST_Q
        JOB_LIST_TAIL,
    [SQ_JOB_LIST_STATE] =
        JOB_LIST_COLS " FROM jobs j INDEXED BY jobs_state" JOB_LIST_JOINS " WHERE j.state = ?1 AND"
        JOB_LIST_FILTERS JOB_LIST_Q JOB_LIST_TAIL,
    [SQ_JOB_LIST_SURFACE] =
        JOB_LIST_COLS " FROM jobs j INDEXED BY jobs_surface" JOB_LIST_JOINS
        " WHERE j.surface = ?2 AND" JOB_LIST_FILTERS JOB_LIST_Q JOB_LIST_TAIL,
    /* the jobs an operator holds, two streams each cut to one page: the ones
     * they own (jobs_owner, in id order), and the ones assigned to them that
     * nobody owns yet (tasks_assignee: their tasks, each job looked up) */
    [SQ_JOB_LIST_OPERATOR] =
        JOB_LIST_COLS " FROM jobs j" JOB_LIST_JOINS
        " WHERE j.id IN (SELECT id FROM (SELECT j.id AS id FROM jobs j INDEXED BY jobs_owner"
        JOB_LIST_JOINS " WHERE j.owner_id = ?3 AND" JOB_LIST_FILTERS JOB_LIST_Q
        " AND j.id > ?7 ORDER BY j.id LIMIT ?8) UNION ALL SELECT id FROM (SELECT j.id AS id"
        " FROM tasks u CROSS JOIN jobs j ON j.task_id = u.id" JOB_LIST_JOINS
        " WHERE u.assignee_id = ?3 AND j.owner_id IS NULL AND" JOB_LIST_FILTERS JOB_LIST_Q
        " AND j.id > ?7 ORDER BY j.id LIMIT ?8))" JOB_LIST_TAIL,
    /* the FTS5 index gives its matches in rowid (job id) order from after */
    [SQ_JOB_LIST_SEARCH] =
        JOB_LIST_COLS " FROM job_search f JOIN jobs j ON j.id = f.rowid" JOB_LIST_JOINS
        " WHERE job_search MATCH ?6 AND f.rowid > ?7 AND" JOB_LIST_FILTERS
        " ORDER BY f.rowid LIMIT ?8",
    /* schema v5: settlement, visible and correctable; a job with no
     * settlement row is unpaid, in USD, with nothing due */
    [SQ_SETTLEMENT_LIST] =
        "SELECT j.id, j.surface, COALESCE(st.status, 'unpaid'), COALESCE(st.currency, 'USD'),"
        " st.due," LEDGER_TOTAL("j.id") ", (SELECT COUNT(*) FROM payments p WHERE p.job_id = j.id),"
        " st.updated_at FROM jobs j LEFT JOIN settlements st ON st.job_id = j.id"
        " WHERE (?1 IS NULL OR COALESCE(st.status, 'unpaid') = ?1)"
        " AND (st.job_id IS NOT NULL OR j.state <> 'cancelled')"
        " AND (?2 IS NULL OR j.surface = ?2) AND j.id > ?3 ORDER BY j.id LIMIT ?4",
    [SQ_PAYMENT_BY_ID] =
        "SELECT p.id, p.job_id, p.amount, p.currency, p.method, p.reversal_of,"
        " (SELECT r.id FROM payments r WHERE r.reversal_of = p.id) FROM payments p WHERE p.id = ?1",
    [SQ_PAYMENT_REVERSE] =
        "INSERT INTO payments(job_id, amount, currency, method, note, actor_id, at, reversal_of,"
        " reason) VALUES(?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8)",
    [SQ_VERIFY_REVERSALS] =
        "SELECT r.id, r.job_id, r.amount, r.currency, r.reversal_of, o.job_id, o.amount,"
        " o.currency, o.reversal_of,"
        " (SELECT COUNT(*) FROM payments x WHERE x.reversal_of = r.reversal_of)"
        " FROM payments r LEFT JOIN payments o ON o.id = r.reversal_of"
        " WHERE r.reversal_of IS NOT NULL OR r.amount < 0 ORDER BY r.id",
};

/* Schema v1.  Append-only tables are guarded by triggers, not by trust. */
static const char schema_v1[] =
    "CREATE TABLE actors("
    " id INTEGER PRIMARY KEY,"
    " slug TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK (role IN (" QTM_ROLES(QTM_SQL_X, ",") ")),"
    " access TEXT NOT NULL DEFAULT 'active' CHECK (access IN (" QTM_ACCESS_STATES(QTM_SQL_X, ",") ")),"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE requests("
    " id INTEGER PRIMARY KEY,"
    " surface TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " intake TEXT NOT NULL,"
    " photos INTEGER NOT NULL CHECK (photos >= 0),"
    " idem_key TEXT UNIQUE,"
    " actor_id INTEGER REFERENCES actors(id),"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE tasks("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL UNIQUE REFERENCES requests(id),"
    " state TEXT NOT NULL CHECK (state IN (" QTM_TASK_STATES(QTM_SQL_X, ",") ")),"
    " assignee_id INTEGER REFERENCES actors(id),"
    " reason TEXT,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE jobs("
    " id INTEGER PRIMARY KEY,"
    " task_id INTEGER NOT NULL UNIQUE REFERENCES tasks(id),"
    " surface TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    /* the states of v1; v5 rebuilds the table with every state of QTM_JOB_STATES */
    " state TEXT NOT NULL CHECK (state IN ('queued','active','complete')),"
    " owner_id INTEGER REFERENCES actors(id),"
    " created_at TEXT NOT NULL,"
    " claimed_at TEXT,"
    " completed_at TEXT);"
    "CREATE TABLE service_events("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL UNIQUE REFERENCES jobs(id),"
    " phase TEXT NOT NULL,"
    " operator_id INTEGER REFERENCES actors(id),"
    " complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),"
    " started_at TEXT NOT NULL,"
    " completed_at TEXT);"
    "CREATE TABLE evidence("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " category TEXT NOT NULL,"
    " ref TEXT NOT NULL,"
    " note TEXT,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " at TEXT NOT NULL);"
    "CREATE INDEX evidence_job ON evidence(job_id, category);"
    "CREATE TABLE participants("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " contact TEXT,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " at TEXT NOT NULL);"
    "CREATE INDEX participants_job ON participants(job_id);"
    "CREATE TABLE records("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL UNIQUE REFERENCES jobs(id),"
    " se_id INTEGER NOT NULL UNIQUE REFERENCES service_events(id),"
    " surface TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " hash TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE settlements("
    " job_id INTEGER PRIMARY KEY REFERENCES jobs(id),"
    " currency TEXT NOT NULL,"
    " due INTEGER CHECK (due IS NULL OR due >= 0),"
    " status TEXT NOT NULL CHECK (status IN (" QTM_SETTLEMENT_STATES(QTM_SQL_X, ",") ")),"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE payments("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " amount INTEGER NOT NULL CHECK (amount >= 0),"
    " currency TEXT NOT NULL,"
    " method TEXT NOT NULL CHECK (method IN (" QTM_PAY_METHODS(QTM_SQL_X, ",") ")),"
    " note TEXT,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " at TEXT NOT NULL);"
    "CREATE INDEX payments_job ON payments(job_id);"
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL,"
    " actor TEXT,"
    " entity TEXT NOT NULL,"
    " entity_id INTEGER NOT NULL,"
    " action TEXT NOT NULL,"
    " from_state TEXT,"
    " to_state TEXT,"
    " job_id INTEGER,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "CREATE INDEX audit_job ON audit(job_id);"
    "CREATE TRIGGER requests_no_update BEFORE UPDATE ON requests"
    " BEGIN SELECT RAISE(ABORT, 'requests are immutable'); END;"
    "CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests"
    " BEGIN SELECT RAISE(ABORT, 'requests are immutable'); END;"
    "CREATE TRIGGER records_no_update BEFORE UPDATE ON records"
    " BEGIN SELECT RAISE(ABORT, 'records are immutable'); END;"
    "CREATE TRIGGER records_no_delete BEFORE DELETE ON records"
    " BEGIN SELECT RAISE(ABORT, 'records are immutable'); END;"
    "CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments"
    " BEGIN SELECT RAISE(ABORT, 'the payment ledger is append-only'); END;"
    "CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments"
    " BEGIN SELECT RAISE(ABORT, 'the payment ledger is append-only'); END;"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence"
    " BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;"
    "CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence"
    " BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;";

/* Schema v2: credentials.  Only hashes of tokens and session ids are
 * stored; a token is shown once, when issued.  A session lives no longer
 * than its token: revoking the token ends every session it opened. */
static const char schema_v2[] =
    "CREATE TABLE tokens("
    " id INTEGER PRIMARY KEY,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " hash TEXT NOT NULL UNIQUE,"
    " created_at TEXT NOT NULL,"
    " revoked_at TEXT);"
    "CREATE INDEX tokens_actor ON tokens(actor_id);"
    "CREATE TABLE sessions("
    " id INTEGER PRIMARY KEY,"
    " hash TEXT NOT NULL UNIQUE,"
    " token_id INTEGER NOT NULL REFERENCES tokens(id),"
    " csrf TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " expires_at INTEGER NOT NULL);";

/* Schema v3: token expiry and last use (ISO-8601 UTC stamps, NULL: never
 * expires / never used), and the indexes that keep the session cap and the
 * purge of expired sessions from scanning the table. */
static const char schema_v3[] =
    "ALTER TABLE tokens ADD COLUMN expires_at TEXT;"
    "ALTER TABLE tokens ADD COLUMN last_used_at TEXT;"
    "CREATE INDEX sessions_expiry ON sessions(expires_at);"
    "CREATE INDEX sessions_token ON sessions(token_id, id);";

/* Schema v4.  Each block is one part of the v3 -> v4 step; they run in
 * one transaction, in this order. */
static const char schema_v4[] =
    /* --- v4 block: signed records ------------------------------------------
     * keys: the public half of each signing key (the private half never
     * enters the database); id is its fingerprint, the first 16 hex digits
     * of the SHA-256 of the 32-byte public key; the newest key signs.
     * record_signatures: the Ed25519 signature of each record composed
     * while the database had a key, written in the composing transaction.
     * Both are immutable, as records are. */
    "CREATE TABLE keys("
    " id TEXT PRIMARY KEY,"
    " public_key TEXT NOT NULL UNIQUE,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE record_signatures("
    " record_id INTEGER PRIMARY KEY REFERENCES records(id),"
    " key_id TEXT NOT NULL REFERENCES keys(id),"
    " signature TEXT NOT NULL);"
    "CREATE TRIGGER keys_no_update BEFORE UPDATE ON keys"
    " BEGIN SELECT RAISE(ABORT, 'signing keys are immutable'); END;"
    "CREATE TRIGGER keys_no_delete BEFORE DELETE ON keys"
    " BEGIN SELECT RAISE(ABORT, 'signing keys are immutable'); END;"
    "CREATE TRIGGER record_signatures_no_update BEFORE UPDATE ON record_signatures"
    " BEGIN SELECT RAISE(ABORT, 'record signatures are immutable'); END;"
    "CREATE TRIGGER record_signatures_no_delete BEFORE DELETE ON record_signatures"
    " BEGIN SELECT RAISE(ABORT, 'record signatures are immutable'); END;"
    /* --- end of the v4 block: signed records --- */
    /* --- the governed image and the chain head (dur-chain) --- */
    /* audit.image: the digest of the governed row an audit row is about, as
     * the row stood after the change (IMAGE_OF), folded into its hash for
     * rows past chain_head.legacy_seq.  chain_head: the last audit row's seq
     * and hash, updated with every audit row, so dropping the log's tail
     * also takes rewriting it.  A v3 database gets the current image of each
     * governed row on its last audit row (not chained: those rows' hashes
     * were computed before images existed), so it verifies after migrating. */
    "ALTER TABLE audit ADD COLUMN image TEXT;"
    "CREATE TABLE chain_head("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " seq INTEGER NOT NULL,"
    " hash TEXT NOT NULL,"
    " legacy_seq INTEGER NOT NULL);"
    "INSERT INTO chain_head(id, seq, hash, legacy_seq) SELECT 1, COALESCE(MAX(id), 0),"
    " COALESCE((SELECT hash FROM audit ORDER BY id DESC LIMIT 1),"
    " '0000000000000000000000000000000000000000000000000000000000000000'), COALESCE(MAX(id), 0)"
    " FROM audit;"
    "DROP TRIGGER audit_no_update;"
    "UPDATE audit SET image = " IMAGE_OF_V4("audit.entity", "audit.entity_id")
    " WHERE id IN (SELECT MAX(id) FROM audit GROUP BY"
    " CASE entity WHEN 'fingerprint' THEN 'job' ELSE entity END, entity_id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head"
    " BEGIN SELECT RAISE(ABORT, 'the chain head is kept'); END;"
    /* --- end dur-chain --- */
    "";

/* Schema v5.  Each block is one part of the v4 -> v5 step; they run in one
 * transaction, in this order, with foreign keys off (migrate: the jobs
 * table is rebuilt) and checked before the commit. */
static const char schema_v5[] =
    /* --- v5: outcome and reason ---
     * service_events.outcome: the outcome of the transition that ended the
     * ServiceEvent (`outcome NAME` in the spec), NULL until then and for
     * specs from before outcomes; reason: the free-text reason given with
     * the last step (required by a `requires reason` transition), else
     * NULL.  Both are in the governed image once set (IMG_SE), so the
     * audit row of the step that set them lets verify check them. */
    "ALTER TABLE service_events ADD COLUMN outcome TEXT;"
    "ALTER TABLE service_events ADD COLUMN reason TEXT;"
    /* --- end v5: outcome and reason --- */
    /* --- v5: governance ---------------------------------------------------
     * jobs: rebuilt so its CHECK takes every state of QTM_JOB_STATES (ready:
     * the ServiceEvent is final, `job complete` is next; cancelled: `job
     * cancel` before the claim).  Other v5 blocks that index jobs go after
     * this one: the rebuild drops the old table's indexes.
     * handoffs: each governance move of a job's work (reassign, handover,
     * release, cancel): who from, who to, why, by whom; append-only.  The
     * claims are the audit log's own rows (SQ_OWNER_LIST).
     * notes: context text on a job (never a condition); append-only.
     * A v4 job whose ServiceEvent is complete but the job not is made ready,
     * each with an audit row chained in SQL exactly as qtmi_audit_hash
     * chains (fields joined and ended by 0x1F, the image last), so verify
     * holds it like any other. */
    "CREATE TABLE jobs_v5("
    " id INTEGER PRIMARY KEY,"
    " task_id INTEGER NOT NULL UNIQUE REFERENCES tasks(id),"
    " surface TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN (" QTM_JOB_STATES(QTM_SQL_X, ",") ")),"
    " owner_id INTEGER REFERENCES actors(id),"
    " created_at TEXT NOT NULL,"
    " claimed_at TEXT,"
    " completed_at TEXT);"
    "INSERT INTO jobs_v5 SELECT id, task_id, surface, fingerprint, state, owner_id, created_at,"
    " claimed_at, completed_at FROM jobs;"
    "DROP TABLE jobs;"
    "ALTER TABLE jobs_v5 RENAME TO jobs;"
    "CREATE TABLE handoffs("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " action TEXT NOT NULL CHECK (action IN ('reassign','handover','release','cancel')),"
    " from_id INTEGER REFERENCES actors(id),"
    " to_id INTEGER REFERENCES actors(id),"
    " reason TEXT,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " at TEXT NOT NULL);"
    "CREATE INDEX handoffs_job ON handoffs(job_id, id);"
    "CREATE TABLE notes("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " text TEXT NOT NULL,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " at TEXT NOT NULL);"
    "CREATE INDEX notes_job ON notes(job_id, id);"
    "CREATE TRIGGER handoffs_no_update BEFORE UPDATE ON handoffs"
    " BEGIN SELECT RAISE(ABORT, 'hand-offs are append-only'); END;"
    "CREATE TRIGGER handoffs_no_delete BEFORE DELETE ON handoffs"
    " BEGIN SELECT RAISE(ABORT, 'hand-offs are append-only'); END;"
    "CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes"
    " BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;"
    "CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes"
    " BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;"
    "CREATE TABLE qtm_v5_ready(n INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, old TEXT NOT NULL);"
    "INSERT INTO qtm_v5_ready(job_id, old) SELECT j.id, j.state FROM jobs j"
    " JOIN service_events s ON s.job_id = j.id"
    " WHERE s.complete = 1 AND j.state IN ('queued', 'active') ORDER BY j.id;"
    "UPDATE jobs SET state = 'ready' WHERE id IN (SELECT job_id FROM qtm_v5_ready);"
    "INSERT INTO audit(id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"
    " prev_hash, hash, image)"
    " WITH RECURSIVE r(n, job_id, old, image) AS (SELECT n, job_id, old, " IMG_JOB("job_id")
    " FROM qtm_v5_ready),"
    " c(n, id, at, prev, hash, job_id, old, image) AS ("
    "  SELECT 0, h.seq, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, h.hash, NULL, NULL, NULL"
    "  FROM chain_head h"
    "  UNION ALL SELECT r.n, c.id + 1, c.at, c.hash,"
    "  qtm_sha256(c.hash || char(31) || c.at || char(31) || char(31) || 'job' || char(31)"
    "  || r.job_id || char(31) || 'ready' || char(31) || r.old || char(31) || 'ready'"
    "  || char(31) || r.job_id || char(31) || r.image || char(31)),"
    "  r.job_id, r.old, r.image FROM c JOIN r ON r.n = c.n + 1)"
    " SELECT id, at, NULL, 'job', job_id, 'ready', old, 'ready', job_id, prev, hash, image"
    " FROM c WHERE n > 0;"
    "UPDATE chain_head SET seq = (SELECT MAX(id) FROM audit),"
    " hash = (SELECT hash FROM audit ORDER BY id DESC LIMIT 1)"
    " WHERE EXISTS (SELECT 1 FROM qtm_v5_ready);"
    "DROP TABLE qtm_v5_ready;"
    /* --- end v5: governance --- */
    /* --- v5: blobs ---
     * blobs: one row per distinct file, named by the hex SHA-256 of its
     * stored bytes (after location metadata was removed), with the type
     * detected from those bytes, its size and who uploaded it first
     * (NULL: anonymous intake).  uploaded_at is the last upload: the
     * garbage collector spares a blob nobody references until its grace
     * period after that has passed.  The bytes live in blob_chunks (BLOB;
     * bytea on PostgreSQL), one row per QTMI_BLOB_CHUNK bytes, in the same
     * database, so a reference and its file commit or vanish together.
     * request_photos: a request's photos (its packet lists their hashes
     * under "photos"; requests.photos keeps their count, and for requests
     * from before v5 the count the client stated, with no rows here).
     * evidence.blob_id: the file an evidence item is (ref is its
     * "sha256:HEX"); NULL on pre-v5 text references, which no longer count
     * toward a contract.  A referenced blob cannot be deleted (foreign
     * keys); what it holds cannot be changed (triggers). */
    "CREATE TABLE blobs("
    " id INTEGER PRIMARY KEY,"
    " hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),"
    " type TEXT NOT NULL,"
    " size INTEGER NOT NULL CHECK (size > 0),"
    " actor_id INTEGER REFERENCES actors(id),"
    " uploaded_at TEXT NOT NULL);"
    "CREATE INDEX blobs_uploaded ON blobs(uploaded_at);"
    "CREATE TABLE blob_chunks("
    " blob_id INTEGER NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL CHECK (seq >= 0),"
    " data BLOB NOT NULL,"
    " PRIMARY KEY (blob_id, seq));"
    "CREATE TABLE blob_thumbs("
    " blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,"
    " type TEXT NOT NULL,"
    " data BLOB NOT NULL,"
    " hash TEXT NOT NULL CHECK (length(hash) = 64));"
    /* blob_uploaders: every actor who uploaded a blob's bytes (NULL:
     * anonymously), once each: knowing a hash is not having the file, so
     * only an uploader (or a reader of what holds it) may reference it */
    "CREATE TABLE blob_uploaders("
    " blob_id INTEGER NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,"
    " actor_id INTEGER REFERENCES actors(id));"
    "CREATE UNIQUE INDEX blob_uploaders_one ON blob_uploaders(blob_id, ifnull(actor_id, 0));"
    "CREATE TABLE request_photos("
    " request_id INTEGER NOT NULL REFERENCES requests(id),"
    " blob_id INTEGER NOT NULL REFERENCES blobs(id),"
    " PRIMARY KEY (request_id, blob_id));"
    "CREATE INDEX request_photos_blob ON request_photos(blob_id);"
    "ALTER TABLE evidence ADD COLUMN blob_id INTEGER REFERENCES blobs(id);"
    "CREATE INDEX evidence_blob ON evidence(blob_id);"
    "CREATE TRIGGER blobs_no_update BEFORE UPDATE OF hash, type, size, actor_id ON blobs"
    " BEGIN SELECT RAISE(ABORT, 'a blob is immutable'); END;"
    "CREATE TRIGGER blob_chunks_no_update BEFORE UPDATE ON blob_chunks"
    " BEGIN SELECT RAISE(ABORT, 'a blob is immutable'); END;"
    "CREATE TRIGGER blob_thumbs_no_update BEFORE UPDATE ON blob_thumbs"
    " BEGIN SELECT RAISE(ABORT, 'a blob is immutable'); END;"
    "CREATE TRIGGER request_photos_no_update BEFORE UPDATE ON request_photos"
    " BEGIN SELECT RAISE(ABORT, 'requests are immutable'); END;"
    "CREATE TRIGGER request_photos_no_delete BEFORE DELETE ON request_photos"
    " BEGIN SELECT RAISE(ABORT, 'requests are immutable'); END;"
    /* --- end v5: blobs --- */
    /* --- v5: finding --- */
    /* Indexes that let a filtered page of the job list walk only its own
     * rows, in id order (SQ_JOB_LIST_*).  job_search: the text values of
     * each job's intake (venue, contact, notes...), a trigram FTS5 index
     * (case-insensitive substrings of 3 characters or more), written by
     * trigger when the job is created: derived from the immutable request,
     * never governed, so not in any image. */
    "CREATE INDEX jobs_state ON jobs(state);"
    "CREATE INDEX jobs_surface ON jobs(surface);"
    "CREATE INDEX jobs_owner ON jobs(owner_id);"
    "CREATE INDEX tasks_assignee ON tasks(assignee_id);"
    /* covers the probe from an operator's tasks: is the job still unowned? */
    "CREATE INDEX jobs_task_owner ON jobs(task_id, owner_id);"
    "CREATE VIRTUAL TABLE job_search USING fts5(text, tokenize = 'trigram');"
    "INSERT INTO job_search(rowid, text) SELECT j.id, (SELECT group_concat(v.value, ' / ')"
    " FROM tasks t JOIN requests r ON r.id = t.request_id, json_tree(r.intake) v"
    " WHERE t.id = j.task_id AND v.type = 'text') FROM jobs j;"
    "CREATE TRIGGER jobs_search AFTER INSERT ON jobs BEGIN"
    " INSERT INTO job_search(rowid, text) SELECT NEW.id, (SELECT group_concat(v.value, ' / ')"
    " FROM tasks t JOIN requests r ON r.id = t.request_id, json_tree(r.intake) v"
    " WHERE t.id = NEW.task_id AND v.type = 'text'); END;"
    /* --- end v5: finding --- */
    /* --- v5: settlement reversals --- */
    /* A correcting entry is a payment row of its own: a negative amount
     * naming the payment it reverses (reversal_of, unique: once) and why.
     * SQLite cannot change a CHECK in place: the ledger is rebuilt with the
     * same rows and ids (its immutability triggers and index come back). */
    "DROP TRIGGER payments_no_update;"
    "DROP TRIGGER payments_no_delete;"
    "CREATE TABLE payments_v5("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " amount INTEGER NOT NULL,"
    " currency TEXT NOT NULL,"
    " method TEXT NOT NULL CHECK (method IN (" QTM_PAY_METHODS(QTM_SQL_X, ",") ")),"
    " note TEXT,"
    " actor_id INTEGER NOT NULL REFERENCES actors(id),"
    " at TEXT NOT NULL,"
    " reversal_of INTEGER UNIQUE REFERENCES payments(id),"
    " reason TEXT,"
    " CHECK ((reversal_of IS NULL AND amount >= 0 AND reason IS NULL) OR"
    " (reversal_of IS NOT NULL AND amount < 0 AND reason IS NOT NULL)));"
    "INSERT INTO payments_v5(id, job_id, amount, currency, method, note, actor_id, at)"
    " SELECT id, job_id, amount, currency, method, note, actor_id, at FROM payments ORDER BY id;"
    "DROP TABLE payments;"
    "ALTER TABLE payments_v5 RENAME TO payments;"
    "CREATE INDEX payments_job ON payments(job_id);"
    "CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments"
    " BEGIN SELECT RAISE(ABORT, 'the payment ledger is append-only'); END;"
    "CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments"
    " BEGIN SELECT RAISE(ABORT, 'the payment ledger is append-only'); END;"
    /* --- end v5: settlement reversals --- */
    "";

/* migrations[v] takes a database from user_version v to v + 1. */
static const char *const migrations[QTM_SCHEMA_VERSION] = {schema_v1, schema_v2, schema_v3,
                                                           schema_v4, schema_v5};

static sqlite_store *S(store *s)
{
    return (sqlite_store *)s;
}

static store_rc map_code(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    case SQLITE_CONSTRAINT:
        return STORE_CONSTRAINT;
    case SQLITE_FULL:              /* SQLite rolled the statement back: nothing partial */
        return STORE_FULL;
    default:
        return STORE_ERROR;
    }
}

static store_rc map_rc(sqlite_store *s, int rc)
{
    snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
    return map_code(rc);
}

/* qtm_sha256(text): the lowercase hex SHA-256 of its UTF-8 text, NULL for
 * NULL; the digest of the governed image (IMAGE_OF). */
static void sha256_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *text = sqlite3_value_text(argv[0]);
    if (!text) {
        sqlite3_result_null(cx);
        return;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256(digest, text, (unsigned long long)sqlite3_value_bytes(argv[0]));
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    sqlite3_result_text(cx, hex, -1, SQLITE_TRANSIENT);
}

static store_rc exec_sql(sqlite_store *s, const char *text)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, text, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        store_rc r = map_rc(s, rc);
        if (msg)
            snprintf(s->err, sizeof s->err, "%s", msg);
        sqlite3_free(msg);
        return r;
    }
    return STORE_OK;
}

/* Runs one transaction-control statement. */
static store_rc tx_run(sqlite_store *s, int which)
{
    int rc;
    if (!s->tx[which]) {
        rc = sqlite3_prepare_v3(s->db, tx_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                &s->tx[which], NULL);
        if (rc != SQLITE_OK)
            return map_rc(s, rc);
    }
    rc = sqlite3_step(s->tx[which]);
    store_rc out = rc == SQLITE_DONE ? STORE_OK : map_rc(s, rc);
    sqlite3_reset(s->tx[which]);
    return out;
}

static void sq_close(store *base)
{
    sqlite_store *s = S(base);
    for (int i = 0; i < SQ_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    for (int i = 0; i < TX_COUNT; i++)
        sqlite3_finalize(s->tx[i]);
    for (int i = 0; s->copy && i < 2 * qtmi_copy_ntables; i++)
        sqlite3_finalize(s->copy[i]);
    free(s->copy);
    sqlite3_close(s->db);
    free(s);
}

static store_rc refuse_readonly(sqlite_store *s)
{
    snprintf(s->err, sizeof s->err, "the database is read-only here (the file or its "
             "directory is not writable): only read commands work");
    return STORE_ERROR;
}

static store_rc sq_begin(store *base, int immediate)
{
    if (immediate && S(base)->readonly)
        return refuse_readonly(S(base));
    return tx_run(S(base), immediate ? TX_BEGIN_IMMEDIATE : TX_BEGIN);
}

static store_rc sq_begin_nowait(store *base)
{
    sqlite_store *s = S(base);
    if (s->readonly)
        return refuse_readonly(s);
    sqlite3_busy_timeout(s->db, 0);
    store_rc rc = tx_run(s, TX_BEGIN_IMMEDIATE);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    return rc;
}

static store_rc sq_commit(store *base)
{
    sqlite_store *s = S(base);
    store_rc rc = tx_run(s, TX_COMMIT);
    if (rc != STORE_OK && !sqlite3_get_autocommit(s->db))
        tx_run(s, TX_ROLLBACK);
    return rc;
}

static void sq_rollback(store *base)
{
    sqlite_store *s = S(base);
    if (!sqlite3_get_autocommit(s->db)) {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);  /* keep the error that caused it */
        tx_run(s, TX_ROLLBACK);
        memcpy(s->err, keep, sizeof keep);
    }
}

static store_rc sq_savepoint(store *base)
{
    sqlite_store *s = S(base);
    if (sqlite3_get_autocommit(s->db)) {
        snprintf(s->err, sizeof s->err, "the batch transaction is no longer open "
                 "(the database ended it after an error)");
        return STORE_ERROR;
    }
    return tx_run(s, TX_SAVEPOINT);
}

static store_rc sq_release(store *base)
{
    return tx_run(S(base), TX_RELEASE);
}

/* Undoes the innermost savepoint and closes it, keeping the error that
 * caused it; the outer transaction stays open (unless SQLite ended it). */
static void sq_rollback_to(store *base)
{
    sqlite_store *s = S(base);
    if (sqlite3_get_autocommit(s->db))
        return;
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    if (tx_run(s, TX_ROLLBACK_TO) == STORE_OK)
        tx_run(s, TX_RELEASE);
    memcpy(s->err, keep, sizeof keep);
}

/* Binds args to the prepared st, steps it and hands each row to fn. */
static store_rc run_stmt(sqlite_store *s, sqlite3_stmt *st, const store_val *args, int nargs,
                         store_row_fn fn, void *arg)
{
    int rc;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (int i = 0; i < nargs; i++) {
        switch (args[i].type) {
        case SV_NULL: rc = sqlite3_bind_null(st, i + 1); break;
        case SV_INT: rc = sqlite3_bind_int64(st, i + 1, args[i].i); break;
        case SV_TEXT: rc = sqlite3_bind_text(st, i + 1, args[i].s, -1, SQLITE_STATIC); break;
        case SV_BLOB:
            rc = sqlite3_bind_blob64(st, i + 1, args[i].s, (sqlite3_uint64)args[i].i,
                                     SQLITE_STATIC);
            break;
        default: rc = SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK)
            return map_rc(s, rc);
    }
    int stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (stop || !fn)
            continue;
        store_val cols[MAX_COLS];
        int n = sqlite3_column_count(st);
        if (n > MAX_COLS)
            n = MAX_COLS;
        for (int c = 0; c < n; c++) {
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_NULL: cols[c] = SV_N; break;
            case SQLITE_INTEGER: cols[c] = SV_I(sqlite3_column_int64(st, c)); break;
            case SQLITE_BLOB:
                cols[c] = SV_B(sqlite3_column_blob(st, c), sqlite3_column_bytes(st, c));
                break;
            default:
                cols[c].type = SV_TEXT;
                cols[c].s = (const char *)sqlite3_column_text(st, c);
                cols[c].i = 0;
                if (!cols[c].s)
                    cols[c] = SV_N;
            }
        }
        stop = fn(arg, cols, n);
        if (stop < 0)
            break;
    }
    store_rc out = stop < 0            ? STORE_TOOLONG
                   : rc == SQLITE_DONE ? STORE_OK
                                       : map_rc(s, rc);
    if (out == STORE_TOOLONG)
        snprintf(s->err, sizeof s->err, "a stored value is longer than qtm allows for its "
                 "field: the database was written by something else");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

static store_rc sq_run(store *base, store_query q, const store_val *args, int nargs,
                       store_row_fn fn, void *arg)
{
    sqlite_store *s = S(base);
    if ((unsigned)q >= SQ_COUNT || !sql[q]) {
        snprintf(s->err, sizeof s->err, "query %d has no SQL in this backend", (int)q);
        return STORE_ERROR;
    }
    if (!s->stmt[q]) {
        int rc = sqlite3_prepare_v3(s->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[q],
                                    NULL);
        if (rc != SQLITE_OK)
            return map_rc(s, rc);
    }
    return run_stmt(s, s->stmt[q], args, nargs, fn, arg);
}

/* The copy statement k of table (store_copy.h), prepared once; NULL with
 * s->err set on failure. */
static sqlite3_stmt *copy_stmt_of(sqlite_store *s, int table, copy_stmt k)
{
    if (table < 0 || table >= qtmi_copy_ntables) {
        snprintf(s->err, sizeof s->err, "no copy table %d", table);
        return NULL;
    }
    if (!s->copy && !(s->copy = calloc(2 * (size_t)qtmi_copy_ntables, sizeof *s->copy))) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return NULL;
    }
    sqlite3_stmt **st = &s->copy[2 * table + (int)k];
    char text[1024];
    if (!*st) {
        if (qtmi_copy_sql(table, COPY_SQLITE, k, text, sizeof text) != 0) {
            snprintf(s->err, sizeof s->err, "the copy statement of table %d is too long", table);
            return NULL;
        }
        int rc = sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
        if (rc != SQLITE_OK) {
            map_rc(s, rc);
            return NULL;
        }
    }
    return *st;
}

/* STORE_CTL_COPY_OUT and _IN (STORE_CTL_COPY_END has nothing to redo:
 * a rowid table's next id follows its largest). */
static store_rc sq_copy(sqlite_store *s, store_ctl op, void *arg)
{
    if (op == STORE_CTL_COPY_OUT) {
        store_copy_out *o = arg;
        sqlite3_stmt *st = copy_stmt_of(s, o->table, COPY_READ);
        return st ? run_stmt(s, st, NULL, 0, o->fn, o->arg) : STORE_ERROR;
    }
    store_copy_in *in = arg;
    sqlite3_stmt *st = copy_stmt_of(s, in->table, COPY_WRITE);
    if (!st)
        return STORE_ERROR;
    if (in->n != qtmi_copy_ncols(in->table)) {
        snprintf(s->err, sizeof s->err, "a row of %d values for table %s, which has %d columns",
                 in->n, qtmi_copy_tables[in->table].name, qtmi_copy_ncols(in->table));
        return STORE_ERROR;
    }
    store_rc rc = run_stmt(s, st, in->row, in->n, NULL, NULL);
    if (rc == STORE_OK && sqlite3_changes64(s->db) != 1) {
        snprintf(s->err, sizeof s->err, "copying into %s wrote no row",
                 qtmi_copy_tables[in->table].name);
        rc = STORE_ERROR;
    }
    return rc;
}

static int64_t sq_changes(store *base)
{
    return sqlite3_changes64(S(base)->db);
}

static int64_t sq_last_id(store *base)
{
    return sqlite3_last_insert_rowid(S(base)->db);
}

static const char *sq_errmsg(store *base)
{
    return S(base)->err;
}

/* The online backup in one step: step(-1) copies every page under one read
 * transaction of the source, so the copy is one moment's database and is
 * never restarted by a writer (a writer on this same connection would be
 * copied along; the callers back up from a handle that does not write). */
static store_rc sq_backup(sqlite_store *s, const char *path)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK)
        goto cleanup;
    b = sqlite3_backup_init(dst, "main", s->db, "main");
    if (!b) {
        rc = sqlite3_errcode(dst);
        goto cleanup;
    }
    rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    rc = rc == SQLITE_DONE ? fin : rc;
cleanup:
    if (rc != SQLITE_OK)
        snprintf(s->err, sizeof s->err, "%s", dst ? sqlite3_errmsg(dst) : "out of memory");
    if (sqlite3_close(dst) != SQLITE_OK && rc == SQLITE_OK) {
        rc = SQLITE_IOERR;
        snprintf(s->err, sizeof s->err, "closing the copy failed");
    }
    return rc == SQLITE_OK ? STORE_OK : map_code(rc);
}

static store_rc sq_control(store *base, store_ctl op, void *arg)
{
    sqlite_store *s = S(base);
    int rc;
    switch (op) {
    case STORE_CTL_AUTOCHECKPOINT:
        rc = sqlite3_wal_autocheckpoint(s->db, *(int *)arg);
        return rc == SQLITE_OK ? STORE_OK : map_rc(s, rc);
    case STORE_CTL_CHECKPOINT: {
        store_checkpoint *ck = arg;
        int log = -1, done = -1;
        rc = sqlite3_wal_checkpoint_v2(s->db, NULL, ck->restart ? SQLITE_CHECKPOINT_RESTART
                                                                : SQLITE_CHECKPOINT_PASSIVE,
                                       &log, &done);
        ck->log_pages = log;
        return rc == SQLITE_OK ? STORE_OK : map_rc(s, rc);
    }
    case STORE_CTL_BACKUP:
        return sq_backup(s, arg);
    case STORE_CTL_DURABLE:
        return exec_sql(s, *(int *)arg ? "PRAGMA synchronous = FULL"
                                       : "PRAGMA synchronous = NORMAL");
    case STORE_CTL_SINGLE_WRITER:  /* one writer at a time, in the file's lock */
        *(int *)arg = 1;
        return STORE_OK;
    case STORE_CTL_COPY_OUT:
    case STORE_CTL_COPY_IN:
        return sq_copy(s, op, arg);
    case STORE_CTL_COPY_END:
        return STORE_OK;
    case STORE_CTL_PING:           /* qtm_ping reads the chain head itself */
    case STORE_CTL_CONNECTIONS:
        break;
    }
    snprintf(s->err, sizeof s->err, "control %d is not supported by the sqlite backend", (int)op);
    return STORE_UNSUPPORTED;
}

static const store_vt sqlite_vt = {
    .version = STORE_VT_VERSION,
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .begin_nowait = sq_begin_nowait,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .run = sq_run,
    .changes = sq_changes,
    .last_id = sq_last_id,
    .errmsg = sq_errmsg,
    .control = sq_control,
};

static int read_version(sqlite_store *s, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* 1 when PRAGMA foreign_key_check finds no dangling reference. */
static int foreign_keys_hold(sqlite_store *s)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    int ok = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok)
        snprintf(s->err, sizeof s->err, "migrating left a dangling reference: the database "
                 "is damaged (nothing was changed)");
    return ok;
}

/* Brings the schema to QTM_SCHEMA_VERSION in one transaction.  A step that
 * rebuilds a table (v5: jobs) runs with foreign keys off (SQLite can only
 * switch them outside a transaction) and checks them before committing. */
static store_rc migrate(sqlite_store *s, int create, int *version)
{
    store_rc rc = exec_sql(s, "PRAGMA foreign_keys = OFF");
    if (rc != STORE_OK || (rc = exec_sql(s, "BEGIN IMMEDIATE")) != STORE_OK) {
        exec_sql(s, "PRAGMA foreign_keys = ON");
        return rc;
    }
    int v = 0;
    if (read_version(s, &v) != SQLITE_OK) {
        rc = map_rc(s, SQLITE_ERROR);
        goto fail;
    }
    *version = v;
    if (v > QTM_SCHEMA_VERSION) {
        snprintf(s->err, sizeof s->err,
                 "the database has schema version %d; this qtm knows up to %d: upgrade qtm",
                 v, QTM_SCHEMA_VERSION);
        rc = STORE_NEWER;
        goto fail;
    }
    if (v == 0 && !create) {
        snprintf(s->err, sizeof s->err, "not a qtm database (run `qtm init` first)");
        rc = STORE_ERROR;
        goto fail;
    }
    for (; v < QTM_SCHEMA_VERSION; v++) {
        if ((rc = exec_sql(s, migrations[v])) != STORE_OK)
            goto fail;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = exec_sql(s, pragma)) != STORE_OK)
            goto fail;
    }
    if (!foreign_keys_hold(s)) {
        rc = STORE_ERROR;
        goto fail;
    }
    if ((rc = exec_sql(s, "COMMIT")) != STORE_OK)
        goto fail;
    return exec_sql(s, "PRAGMA foreign_keys = ON");
fail:
    {
        char keep[sizeof s->err];
        memcpy(keep, s->err, sizeof keep);
        exec_sql(s, "ROLLBACK");
        exec_sql(s, "PRAGMA foreign_keys = ON");
        memcpy(s->err, keep, sizeof keep);
    }
    return rc;
}

/* How a database file is opened (open_mode). */
enum { OPEN_RW, OPEN_RO, OPEN_IMMUTABLE, OPEN_FAIL };

static int writable(const char *path, const char *suffix)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s%s", path, suffix) >= (int)sizeof p)
        return 0;
    return access(p, W_OK) == 0;
}

static int exists(const char *path, const char *suffix, off_t *size)
{
    char p[4096];
    struct stat st;
    if (snprintf(p, sizeof p, "%s%s", path, suffix) >= (int)sizeof p || stat(p, &st) != 0)
        return 0;
    if (size)
        *size = st.st_size;
    return 1;
}

/*
 * init on an empty file it did not create (`touch qtm.db`): the file holds
 * nothing yet, so it gets the mode init gives a file it creates, before
 * SQLite sees it (the -wal and -shm follow).  A file with data keeps the
 * mode its owner gave it.  One it cannot open for writing is left to the
 * open that follows to refuse.  0, or -1 with msg set.
 */
static int private_if_empty(const char *path, char *msg, size_t msglen)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
        (st.st_mode & 077) && fchmod(fd, 0600) != 0) {
        snprintf(msg, msglen, "cannot make %s private (mode 0600): %s", path, strerror(errno));
        rc = -1;
    }
    close(fd);
    return rc;
}

/*
 * Decides how to open path, creating it (mode 0600, before SQLite sees it:
 * SQLite gives the -wal and -shm the main file's mode) when asked.  WAL
 * needs the -shm: read-only, SQLite uses an existing one; without one, a
 * database whose log is empty is read as immutable (nothing created, no
 * locks), and one with a log only where SQLite may create the -shm.
 */
static int open_mode(const char *path, int create, char *msg, size_t msglen)
{
    if (!exists(path, "", NULL)) {
        if (!create) {
            snprintf(msg, msglen, "no database at %s (run `qtm init` first)", path);
            return OPEN_FAIL;
        }
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) {
            snprintf(msg, msglen, "cannot create %s: %s", path, strerror(errno));
            return OPEN_FAIL;
        }
        if (fd >= 0)
            close(fd);
    } else if (create && private_if_empty(path, msg, msglen) != 0) {
        return OPEN_FAIL;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir] = '\0';   /* "/x.db" -> "/" */
    int dir_w = access(dir, W_OK) == 0;
    if (writable(path, "") && (dir_w || (writable(path, "-wal") && writable(path, "-shm"))))
        return OPEN_RW;
    if (exists(path, "-shm", NULL))
        return OPEN_RO;
    /* no -shm: no connection is open on it (a WAL connection keeps one) */
    off_t wal = 0;
    if (!exists(path, "-wal", &wal) || wal == 0)
        return OPEN_IMMUTABLE;
    if (dir_w)
        return OPEN_RO;        /* SQLite makes the -shm it needs to read the log */
    snprintf(msg, msglen, "cannot read %s here: its write-ahead log %s-wal needs %s-shm, which "
             "this directory does not allow to create (copy the three files together)",
             path, path, path);
    return OPEN_FAIL;
}

/* Opens the connection as open_mode decided; an immutable open goes through
 * a URI this function builds, every byte of the path but letters, digits
 * and "/-._~" percent-encoded, a leading run of slashes made one (no
 * "file://authority"): the caller's name itself is never read as a URI. */
static int sq_connect(sqlite_store *s, const char *path, int mode)
{
    int flags = SQLITE_OPEN_NOMUTEX;
    if (mode == OPEN_RW)
        return sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_READWRITE, NULL);
    flags |= SQLITE_OPEN_READONLY;
    if (mode == OPEN_RO)
        return sqlite3_open_v2(path, &s->db, flags, NULL);
    char uri[3 * PATH_MAX + 32];
    if (strlen(path) >= PATH_MAX)
        return SQLITE_CANTOPEN;
    size_t o = (size_t)snprintf(uri, sizeof uri, "file:");
    const unsigned char *p = (const unsigned char *)path;
    while (p[0] == '/' && p[1] == '/')
        p++;
    for (; *p; p++)
        o += (size_t)snprintf(uri + o, sizeof uri - o, isalnum(*p) || strchr("/-._~", *p) ? "%c"
                                                                                 : "%%%02X", *p);
    snprintf(uri + o, sizeof uri - o, "?immutable=1");
    return sqlite3_open_v2(uri, &s->db, flags | SQLITE_OPEN_URI, NULL);
}

store *qtmi_store_sqlite_open(const char *path, int create, store_rc *rcp, char *msg, size_t msglen)
{
    store_rc rc = STORE_ERROR;
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(msg, msglen, "out of memory");
        *rcp = STORE_ERROR;
        return NULL;
    }
    s->base.vt = &sqlite_vt;
    /* no memory statistics: their mutex costs on every allocation; no URI
     * names, so "file:x?nolock=1" cannot turn locking off (both fail
     * harmlessly when the program already started SQLite; libqtm's open
     * refuses "file:" names anyway) */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_URI, 0);
    int mode = open_mode(path, create, msg, msglen);
    if (mode == OPEN_FAIL)
        goto fail;
    s->readonly = mode != OPEN_RW;
    if (sq_connect(s, path, mode) != SQLITE_OK) {
        snprintf(msg, msglen, "cannot open %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 1);
    if (sqlite3_create_function(s->db, "qtm_sha256", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                sha256_fn, NULL, NULL) != SQLITE_OK) {
        snprintf(msg, msglen, "cannot open %s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    /* one short-lived process per command: keep the WAL file between them
     * and leave checkpoints to the writers' auto-checkpoint, so a read-only
     * command neither creates, checkpoints nor deletes anything */
    int persist = 1;
    sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    /* journal_mode answers with a row; exec ignores it.  A read-only
     * connection reads the file in the mode it was written in. */
    if ((!s->readonly && (rc = exec_sql(s, "PRAGMA journal_mode = WAL")) != STORE_OK) ||
        (rc = exec_sql(s, "PRAGMA synchronous = FULL")) != STORE_OK ||
        (rc = exec_sql(s, "PRAGMA foreign_keys = ON")) != STORE_OK) {
        snprintf(msg, msglen, "cannot open %s: %s", path, s->err);
        goto fail;
    }
    int version = 0;
    /* the common case reads the version without taking the write lock */
    if (read_version(s, &version) != SQLITE_OK) {
        rc = map_rc(s, SQLITE_ERROR);
        snprintf(msg, msglen, "%s: %s", path, s->err);
        goto fail;
    }
    if (version != QTM_SCHEMA_VERSION && s->readonly) {
        /* migrating writes: say why it cannot happen here */
        rc = version > QTM_SCHEMA_VERSION ? STORE_NEWER : STORE_ERROR;
        if (version > QTM_SCHEMA_VERSION)
            snprintf(msg, msglen, "%s: the database has schema version %d; this qtm knows up "
                     "to %d: upgrade qtm", path, version, QTM_SCHEMA_VERSION);
        else if (version == 0)
            snprintf(msg, msglen, "%s: not a qtm database (run `qtm init` first)", path);
        else
            snprintf(msg, msglen, "%s: schema version %d must be upgraded to %d, which needs "
                     "write access: open it once where it is writable", path, version,
                     QTM_SCHEMA_VERSION);
        goto fail;
    }
    if (version != QTM_SCHEMA_VERSION && (rc = migrate(s, create, &version)) != STORE_OK) {
        snprintf(msg, msglen, "%s: %s", path, s->err);
        goto fail;
    }
    *rcp = STORE_OK;
    msg[0] = '\0';
    return &s->base;
fail:
    *rcp = rc == STORE_OK ? STORE_ERROR : rc;
    if (s->db)
        sqlite3_close(s->db);
    free(s);
    return NULL;
}
