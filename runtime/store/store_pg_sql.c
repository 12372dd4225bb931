/*
 * store_pg_sql.c - the PostgreSQL text of every named query and the schema.
 *
 * One text per store_query (store_pg.h is the contract): SQLite's arguments
 * ($n for ?n, each occurrence cast) and columns, in PostgreSQL's dialect.
 * The governed images are built as text, byte for byte what SQLite's
 * json_array writes for the same row (qtm_json_value, qtm_json_array,
 * groups embedded raw, [] when empty), so a database copied between the
 * backends verifies.  The schema is v5 at once: one step from an empty
 * database, with append-only tables refused by trigger (SQLSTATE 23001).
 * ORDER: the images follow store_sqlite.c's IMG_* column for column.
 */
#include "store_pg.h"

#include "qtm/qtm.h"
#include "qtm/qtm_vocab.h"   /* the CHECK lists, countof */

/* The schema the first (only) step creates: PostgreSQL support starts there. */
#define PG_BASE_VERSION 5
#define PG_STR_(x) #x
#define PG_STR(x) PG_STR_(x)

/* The previous hash of the first audit row (qtm_audit_genesis). */
#define GENESIS "'0000000000000000000000000000000000000000000000000000000000000000'"

/* SQLite's LIMIT -1 is no limit; PostgreSQL's is LIMIT NULL. */
#define LIMIT(n) " LIMIT CASE WHEN $" #n "::bigint < 0 THEN NULL ELSE $" #n "::bigint END"

/*
 * A job's ledger total, or NULL when the magnitudes of its payments reach
 * 9e18 (SQLite's rule, LEDGER_TOTAL there): SUM(bigint) is numeric here and
 * never fails, the cast back to bigint is then always in range.
 */
#define LEDGER_TOTAL(job)                                                                  \
    " (SELECT CASE WHEN COALESCE(SUM(ABS(p.amount::numeric)), 0) < 9.0e18 THEN"             \
    " COALESCE(SUM(p.amount), 0)::bigint END FROM payments p WHERE p.job_id = " job ")"

/* A record with its signature, its key and the audit row that composed it. */
#define RECORD_EXPORT                                                                      \
    "SELECT r.id, r.job_id, r.surface, r.body, r.hash, r.created_at, g.key_id, g.signature,"  \
    " k.public_key, a.id, a.at, a.actor, a.prev_hash, a.hash FROM records r"                \
    " LEFT JOIN record_signatures g ON g.record_id = r.id"                                  \
    " LEFT JOIN keys k ON k.id = g.key_id"                                                  \
    " LEFT JOIN audit a ON a.job_id = r.job_id AND a.entity = 'record'"                     \
    "  AND a.entity_id = r.id AND a.action = 'compose'"

/*
 * The governed images (store_sqlite.c's IMG_*): the JSON array text of a
 * row, hashed by qtm_sha256.  JV is one value as SQLite writes it (null,
 * decimal, or a quoted string escaped as to_json does), JARR the array of
 * the kind and its values, JGROUP a nested array of rows in order ([]:
 * none).  Each image is named once and reused by SQ_IMAGE and
 * SQ_VERIFY_IMAGES.
 */
#define JV(c) "qtm_json_value(" c ")"
#define JARR(kind, cols) "qtm_json_array('\"" kind "\"', " cols ")"
#define JROW(cols) "qtm_json_array(" cols ")"
#define JGROUP(item, order)                                                                \
    "'[' || COALESCE(string_agg(" item ", ',' ORDER BY " order "), '') || ']'"
#define IMAGE_ROW(table, key, id, json)                                                    \
    "(SELECT qtm_sha256(" json ") FROM " table " x WHERE x." key " = " id ")"

#define IMG_ACTOR(id)                                                                      \
    IMAGE_ROW("actors", "id", id,                                                          \
              JARR("actor", JV("x.id") ", " JV("x.slug") ", " JV("x.name") ", " JV("x.role") \
                   ", " JV("x.access") ", " JV("x.created_at") ", (SELECT "                \
                   JGROUP(JROW(JV("k.id") ", " JV("k.revoked_at")), "k.id")                  \
                   " FROM tokens k WHERE k.actor_id = x.id AND k.revoked_at IS NOT NULL)"))
#define IMG_REQUEST(id)                                                                    \
    IMAGE_ROW("requests", "id", id,                                                        \
              JARR("request", JV("x.id") ", " JV("x.surface") ", " JV("x.fingerprint") ", "  \
                   JV("x.intake") ", " JV("x.photos") ", " JV("x.idem_key") ", "            \
                   JV("x.actor_id") ", " JV("x.created_at")))
#define IMG_TASK(id)                                                                       \
    IMAGE_ROW("tasks", "id", id,                                                           \
              JARR("task", JV("x.id") ", " JV("x.request_id") ", " JV("x.state") ", "        \
                   JV("x.assignee_id") ", " JV("x.reason") ", " JV("x.created_at") ", "     \
                   JV("x.updated_at")))
#define IMG_JOB(id)                                                                        \
    IMAGE_ROW("jobs", "id", id,                                                            \
              JARR("job", JV("x.id") ", " JV("x.task_id") ", " JV("x.surface") ", "          \
                   JV("x.fingerprint") ", " JV("x.state") ", " JV("x.owner_id") ", "        \
                   JV("x.created_at") ", " JV("x.claimed_at") ", " JV("x.completed_at")))
/* a ServiceEvent's outcome and reason join its image once set (v5) */
#define SE_COLS                                                                            \
    JV("x.id") ", " JV("x.job_id") ", " JV("x.phase") ", " JV("x.operator_id") ", "          \
    JV("x.complete") ", " JV("x.started_at") ", " JV("x.completed_at")
#define IMG_SE(id)                                                                         \
    IMAGE_ROW("service_events", "id", id,                                                  \
              "CASE WHEN x.outcome IS NULL AND x.reason IS NULL THEN "                     \
              JARR("service_event", SE_COLS) " ELSE "                                      \
              JARR("service_event", SE_COLS ", " JV("x.outcome") ", " JV("x.reason")) " END")
#define IMG_EVIDENCE(id)                                                                   \
    IMAGE_ROW("evidence", "id", id,                                                        \
              JARR("evidence", JV("x.id") ", " JV("x.job_id") ", " JV("x.category") ", "     \
                   JV("x.ref") ", " JV("x.note") ", " JV("x.actor_id") ", " JV("x.at")))
#define IMG_PARTICIPANT(id)                                                                \
    IMAGE_ROW("participants", "id", id,                                                    \
              JARR("participant", JV("x.id") ", " JV("x.job_id") ", " JV("x.name") ", "      \
                   JV("x.role") ", " JV("x.contact") ", " JV("x.actor_id") ", " JV("x.at")))
#define IMG_RECORD(id)                                                                     \
    IMAGE_ROW("records", "id", id,                                                         \
              JARR("record", JV("x.id") ", " JV("x.job_id") ", " JV("x.se_id") ", "          \
                   JV("x.surface") ", " JV("x.body") ", " JV("x.hash") ", "                 \
                   JV("x.created_at")))
/* the ledger in a settlement's image: a reversal's row adds what it
 * reverses and why (v5), every other row keeps the v4 form */
#define PAY_COLS                                                                           \
    JV("p.id") ", " JV("p.amount") ", " JV("p.currency") ", " JV("p.method") ", "            \
    JV("p.note") ", " JV("p.actor_id") ", " JV("p.at")
#define PAY_ROW                                                                            \
    "CASE WHEN p.reversal_of IS NULL THEN " JROW(PAY_COLS) " ELSE "                        \
    JROW(PAY_COLS ", " JV("p.reversal_of") ", " JV("p.reason")) " END"
#define IMG_SETTLEMENT(id)                                                                 \
    IMAGE_ROW("settlements", "job_id", id,                                                 \
              JARR("settlement", JV("x.job_id") ", " JV("x.currency") ", " JV("x.due") ", "  \
                   JV("x.status") ", " JV("x.updated_at") ", (SELECT " JGROUP(PAY_ROW, "p.id") \
                   " FROM payments p WHERE p.job_id = x.job_id)"))
#define IMG_TOKEN(id)                                                                      \
    IMAGE_ROW("tokens", "id", id,                                                          \
              JARR("token", JV("x.id") ", " JV("x.actor_id") ", " JV("x.hash") ", "          \
                   JV("x.created_at") ", " JV("x.expires_at")))
#define IMG_HANDOFF(id)                                                                    \
    IMAGE_ROW("handoffs", "id", id,                                                        \
              JARR("handoff", JV("x.id") ", " JV("x.job_id") ", " JV("x.action") ", "        \
                   JV("x.from_id") ", " JV("x.to_id") ", " JV("x.reason") ", "              \
                   JV("x.actor_id") ", " JV("x.at")))
#define IMG_NOTE(id)                                                                       \
    IMAGE_ROW("notes", "id", id,                                                           \
              JARR("note", JV("x.id") ", " JV("x.job_id") ", " JV("x.text") ", "             \
                   JV("x.actor_id") ", " JV("x.at")))
/* a signing key: n (SQLite's rowid) is the audit row's entity id */
#define IMG_KEY(id)                                                                        \
    IMAGE_ROW("keys", "n", id,                                                             \
              JARR("key", JV("x.id") ", " JV("x.public_key") ", " JV("x.created_at")))
/* The image of the row an audit row of entity ent (a "fingerprint" row is
 * about its job) and entity id id is about; NULL for a row that is gone. */
#define IMAGE_OF(ent, id)                                                                  \
    "CASE " ent " WHEN 'actor' THEN " IMG_ACTOR(id) " WHEN 'request' THEN " IMG_REQUEST(id) \
    " WHEN 'task' THEN " IMG_TASK(id) " WHEN 'job' THEN " IMG_JOB(id)                      \
    " WHEN 'fingerprint' THEN " IMG_JOB(id) " WHEN 'service_event' THEN " IMG_SE(id)       \
    " WHEN 'evidence' THEN " IMG_EVIDENCE(id) " WHEN 'participant' THEN " IMG_PARTICIPANT(id) \
    " WHEN 'record' THEN " IMG_RECORD(id) " WHEN 'settlement' THEN " IMG_SETTLEMENT(id)    \
    " WHEN 'token' THEN " IMG_TOKEN(id) " WHEN 'key' THEN " IMG_KEY(id)                    \
    " WHEN 'handoff' THEN " IMG_HANDOFF(id) " WHEN 'note' THEN " IMG_NOTE(id) " END"
/* One verify row per governed row: kind, id, job (or NULL), current image,
 * the id of its last audit row (NULL: none; from the `last` CTE). */
#define IMG_ROWS(kind, table, key, job, ent, img)                                          \
    "SELECT '" kind "'::text AS kind, t." key " AS id, " job " AS job, " img("t." key)     \
    " AS image, l.id AS last FROM " table " t LEFT JOIN last l"                             \
    " ON l.k = '" ent "' AND l.eid = t." key

/* A job's settlement status (store_sqlite.c: SETTLEMENT_OF_JOB). */
#define SETTLEMENT_OF_JOB                                                                  \
    "CASE WHEN st.status IS NULL AND j.state = 'cancelled' THEN NULL"                      \
    " ELSE COALESCE(st.status, 'unpaid') END"

/*
 * The job list (store_sqlite.c: JOB_LIST_COLS): $1 state, $2 surface, $3
 * operator id, $4 phase, $5 ",slug,..." of the surfaces whose initial phase
 * $4 is, $6 an FTS5 phrase (quoted, inner quotes doubled: joblist.c's
 * phrase), $7 after, $8 limit, each NULL for none.  The phrase is matched
 * as a case-insensitive substring of job_search.text (qtm_phrase_pattern),
 * which the trigram index serves.
 */
#define JOB_LIST_COLS                                                                      \
    "SELECT j.id, j.surface, j.state, s.phase, o.slug, a.slug," SETTLEMENT_OF_JOB ","      \
    " j.created_at, j.fingerprint, (SELECT r.intake FROM requests r WHERE r.id = t.request_id)"
#define JOB_LIST_JOINS                                                                     \
    " JOIN tasks t ON t.id = j.task_id LEFT JOIN service_events s ON s.job_id = j.id"      \
    " LEFT JOIN actors o ON o.id = j.owner_id LEFT JOIN actors a ON a.id = t.assignee_id"  \
    " LEFT JOIN settlements st ON st.job_id = j.id"
#define JOB_LIST_FILTERS                                                                   \
    " ($1::text IS NULL OR j.state = $1::text) AND ($2::text IS NULL OR j.surface = $2::text)" \
    " AND ($3::bigint IS NULL OR j.owner_id = $3::bigint OR (j.owner_id IS NULL"            \
    " AND t.assignee_id = $3::bigint)) AND ($4::text IS NULL OR s.phase = $4::text"         \
    " OR (s.id IS NULL AND strpos($5::text, ',' || j.surface || ',') > 0))"
#define SEARCH_MATCH(col) " " col " ILIKE qtm_phrase_pattern($6::text) ESCAPE E'\\\\'"
#define JOB_LIST_Q                                                                         \
    " AND ($6::text IS NULL OR j.id IN (SELECT q.job_id FROM job_search q WHERE"           \
    SEARCH_MATCH("q.text") "))"
#define JOB_LIST_TAIL " AND j.id > $7::bigint ORDER BY j.id" LIMIT(8)

/* A payment as SQ_PAYMENT_LIST gives it. */
#define PAYMENT_COLS                                                                       \
    "SELECT p.id, p.amount, p.currency, p.method, p.note, a.slug, p.at, p.reversal_of,"    \
    " p.reason, (SELECT r.id FROM payments r WHERE r.reversal_of = p.id) AS reversed_by"   \
    " FROM payments p JOIN actors a ON a.id = p.actor_id"

#define AUDIT_COLS                                                                         \
    "SELECT id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"        \
    " prev_hash, hash, image FROM audit"

const char *const qtmi_pg_sql[SQ_COUNT] = {
    [SQ_ACTOR_INSERT] =
        "INSERT INTO actors(slug, name, role, created_at)"
        " VALUES($1::text, $2::text, $3::text, $4::text) RETURNING id",
    [SQ_ACTOR_BY_SLUG] = "SELECT id, slug, name, role, access FROM actors WHERE slug = $1::text",
    [SQ_ACTOR_BY_ID] = "SELECT id, slug, name, role, access FROM actors WHERE id = $1::bigint",
    [SQ_ACTOR_SET_ACCESS] = "UPDATE actors SET access = $1::text WHERE slug = $2::text",
    [SQ_ACTOR_LIST] =
        "SELECT id, slug, name, role, access, created_at FROM actors WHERE id > $1::bigint"
        " ORDER BY id" LIMIT(2),
    [SQ_REQUEST_INSERT] =
        "INSERT INTO requests(surface, fingerprint, intake, photos, idem_key, actor_id, created_at)"
        " VALUES($1::text, $2::text, $3::text, $4::bigint, $5::text, $6::bigint, $7::text)"
        " RETURNING id",
    [SQ_REQUEST_BY_KEY] =
        "SELECT r.id, r.intake, r.surface, t.id FROM requests r JOIN tasks t ON t.request_id = r.id"
        " WHERE r.idem_key = $1::text",
    [SQ_REQUEST_BY_ID] =
        "SELECT r.id, r.surface, r.fingerprint, r.intake, r.photos, a.slug, r.created_at"
        " FROM requests r LEFT JOIN actors a ON a.id = r.actor_id WHERE r.id = $1::bigint",
    [SQ_TASK_INSERT] =
        "INSERT INTO tasks(request_id, state, created_at, updated_at)"
        " VALUES($1::bigint, 'review', $2::text, $2::text) RETURNING id",
    [SQ_TASK_BY_ID] =
        "SELECT t.id, t.request_id, t.state, t.assignee_id, a.slug, t.reason, r.surface,"
        " t.created_at, t.updated_at, j.id"
        " FROM tasks t JOIN requests r ON r.id = t.request_id"
        " LEFT JOIN actors a ON a.id = t.assignee_id LEFT JOIN jobs j ON j.task_id = t.id"
        " WHERE t.id = $1::bigint",
    [SQ_TASK_SET_STATE] =
        "UPDATE tasks SET state = $1::text, reason = COALESCE($2::text, reason),"
        " updated_at = $3::text WHERE id = $4::bigint AND state = $5::text",
    [SQ_TASK_SET_ASSIGNEE] =
        "UPDATE tasks SET assignee_id = $1::bigint, state = 'assigned', updated_at = $2::text"
        " WHERE id = $3::bigint",
    [SQ_TASK_LIST] =
        "SELECT t.id, t.request_id, t.state, a.slug, r.surface, t.updated_at, j.id, r.intake,"
        " r.fingerprint, CASE WHEN j.id IS NULL THEN NULL ELSE " SETTLEMENT_OF_JOB " END"
        " FROM tasks t JOIN requests r ON r.id = t.request_id"
        " LEFT JOIN actors a ON a.id = t.assignee_id LEFT JOIN jobs j ON j.task_id = t.id"
        " LEFT JOIN settlements st ON st.job_id = j.id"
        " WHERE ($1::text IS NULL OR t.state = $1::text) AND t.id > $2::bigint ORDER BY t.id"
        LIMIT(3),
    [SQ_JOB_INSERT] =
        "INSERT INTO jobs(task_id, surface, fingerprint, state, created_at)"
        " VALUES($1::bigint, $2::text, $3::text, 'queued', $4::text) RETURNING id",
    [SQ_JOB_BY_ID] =
        "SELECT j.id, j.task_id, j.surface, j.fingerprint, j.state, j.owner_id, o.slug,"
        " t.assignee_id, a.slug, j.created_at, j.claimed_at, j.completed_at"
        " FROM jobs j JOIN tasks t ON t.id = j.task_id"
        " LEFT JOIN actors o ON o.id = j.owner_id LEFT JOIN actors a ON a.id = t.assignee_id"
        " WHERE j.id = $1::bigint",
    [SQ_JOB_CLAIM] =
        "UPDATE jobs SET state = 'active', owner_id = $1::bigint, claimed_at = $2::text"
        " WHERE id = $3::bigint AND state = 'queued'",
    [SQ_JOB_COMPLETE] =
        "UPDATE jobs SET state = 'complete', completed_at = $1::text"
        " WHERE id = $2::bigint AND state = 'ready'",
    [SQ_JOB_DESK] =
        "SELECT j.id, j.surface, j.state, s.phase, o.slug, a.slug, j.owner_id, t.assignee_id,"
        " j.fingerprint, r.intake, COALESCE(st.status, 'unpaid')"
        " FROM jobs j JOIN tasks t ON t.id = j.task_id JOIN requests r ON r.id = t.request_id"
        " LEFT JOIN service_events s ON s.job_id = j.id"
        " LEFT JOIN actors o ON o.id = j.owner_id LEFT JOIN actors a ON a.id = t.assignee_id"
        " LEFT JOIN settlements st ON st.job_id = j.id"
        " WHERE ($1::text IS NULL OR j.state = $1::text)"
        " AND j.id > $2::bigint ORDER BY j.id",
    [SQ_SE_INSERT] =
        "INSERT INTO service_events(job_id, phase, operator_id, started_at)"
        " VALUES($1::bigint, $2::text, $3::bigint, $4::text) RETURNING id",
    [SQ_SE_BY_JOB] =
        "SELECT s.id, s.phase, a.slug, s.complete, s.started_at, s.completed_at, s.outcome,"
        " s.reason FROM service_events s LEFT JOIN actors a ON a.id = s.operator_id"
        " WHERE s.job_id = $1::bigint",
    [SQ_SE_SET_PHASE] =
        "UPDATE service_events SET phase = $1::text, complete = $2::bigint,"
        " completed_at = $3::text, outcome = $6::text, reason = $7::text"
        " WHERE id = $4::bigint AND phase = $5::text",
    [SQ_PHASE_LIST] =
        "SELECT from_state, to_state, action, actor, at FROM audit"
        " WHERE job_id = $1::bigint AND entity = 'service_event' ORDER BY id",
    [SQ_EVIDENCE_INSERT] =
        "INSERT INTO evidence(job_id, category, ref, note, actor_id, at, blob_id)"
        " VALUES($1::bigint, $2::text, $3::text, $4::text, $5::bigint, $6::text, $7::bigint)"
        " RETURNING id",
    [SQ_EVIDENCE_COUNT] =
        "SELECT COUNT(*) FROM evidence WHERE job_id = $1::bigint AND category = $2::text"
        " AND blob_id IS NOT NULL",
    [SQ_EVIDENCE_LIST] =
        "SELECT e.category, e.ref, e.note, a.slug, e.at, b.type, b.size FROM evidence e"
        " JOIN actors a ON a.id = e.actor_id LEFT JOIN blobs b ON b.id = e.blob_id"
        " WHERE e.job_id = $1::bigint ORDER BY e.id",
    [SQ_PARTICIPANT_INSERT] =
        "INSERT INTO participants(job_id, name, role, contact, actor_id, at)"
        " VALUES($1::bigint, $2::text, $3::text, $4::text, $5::bigint, $6::text) RETURNING id",
    [SQ_PARTICIPANT_LIST] =
        "SELECT p.name, p.role, p.contact, a.slug, p.at FROM participants p"
        " JOIN actors a ON a.id = p.actor_id WHERE p.job_id = $1::bigint ORDER BY p.id",
    [SQ_PARTICIPANT_COUNT] = "SELECT COUNT(*) FROM participants WHERE job_id = $1::bigint",
    [SQ_RECORD_INSERT] =
        "INSERT INTO records(job_id, se_id, surface, body, hash, created_at)"
        " VALUES($1::bigint, $2::bigint, $3::text, $4::text, $5::text, $6::text) RETURNING id",
    [SQ_RECORD_BY_JOB] =
        "SELECT id, job_id, surface, body, hash, created_at FROM records WHERE job_id = $1::bigint",
    [SQ_RECORD_LIST] =
        "SELECT r.id, r.job_id, r.surface, r.hash, r.created_at, COALESCE(st.status, 'unpaid')"
        " FROM records r LEFT JOIN settlements st ON st.job_id = r.job_id WHERE r.id > $1::bigint"
        " ORDER BY r.id" LIMIT(2),
    [SQ_SETTLE_GET] =
        "SELECT s.currency, s.due, s.status," LEDGER_TOTAL("$1::bigint") ","
        " (SELECT COUNT(*) FROM payments p WHERE p.job_id = $1::bigint)"
        " FROM settlements s WHERE s.job_id = $1::bigint",
    [SQ_SETTLE_UPSERT] =
        "INSERT INTO settlements(job_id, currency, due, status, updated_at)"
        " VALUES($1::bigint, $2::text, $3::bigint, $4::text, $5::text) ON CONFLICT (job_id)"
        " DO UPDATE SET currency = EXCLUDED.currency, due = EXCLUDED.due,"
        " status = EXCLUDED.status, updated_at = EXCLUDED.updated_at",
    [SQ_PAYMENT_INSERT] =
        "INSERT INTO payments(job_id, amount, currency, method, note, actor_id, at)"
        " VALUES($1::bigint, $2::bigint, $3::text, $4::text, $5::text, $6::bigint, $7::text)"
        " RETURNING id",
    [SQ_PAYMENT_LIST] =
        PAYMENT_COLS " WHERE p.job_id = $1::bigint AND p.id > $2::bigint ORDER BY p.id" LIMIT(3),
    [SQ_PAYMENT_RECENT] =
        "SELECT * FROM (" PAYMENT_COLS " WHERE p.job_id = $1::bigint ORDER BY p.id DESC" LIMIT(2)
        ") z ORDER BY 1",
    /* the driver has locked the head row: it is the log's last hash */
    [SQ_AUDIT_LAST_HASH] = "SELECT hash FROM chain_head WHERE id = 1",
    /* the id is the next chain position (gap-free: the head is locked by
     * this transaction; the engine then sets the head to it) */
    /* the row and the head it moves, in one statement (the driver then
     * answers SQ_CHAIN_HEAD_SET itself); the head moves only from the
     * row's prev_hash: a head that moved meanwhile inserts nothing (an
     * error, never a fork) */
    [SQ_AUDIT_INSERT] =
        "WITH h AS (UPDATE chain_head SET seq = seq + 1, hash = $10::text"
        " WHERE id = 1 AND hash = $9::text RETURNING seq)"
        " INSERT INTO audit(id, at, actor, entity, entity_id, action, from_state, to_state, job_id,"
        " prev_hash, hash, image) SELECT h.seq, $1::text, $2::text, $3::text, $4::bigint,"
        " $5::text, $6::text, $7::text, $8::bigint, $9::text, $10::text, $11::text"
        " FROM h RETURNING id",
    [SQ_AUDIT_JOB_PAGE] =
        AUDIT_COLS " WHERE job_id = $1::bigint AND id > $2::bigint ORDER BY id" LIMIT(3),
    [SQ_AUDIT_LIST] =
        AUDIT_COLS " WHERE ($1::bigint IS NULL OR job_id = $1::bigint) AND id > $2::bigint"
        " ORDER BY id" LIMIT(3),
    [SQ_VERIFY_JOBS] =
        "SELECT j.id, j.state, s.complete,"
        " (SELECT COUNT(*) FROM records r WHERE r.job_id = j.id),"
        " (SELECT a.to_state FROM audit a WHERE a.job_id = j.id AND a.entity = 'job'"
        "  ORDER BY a.id DESC LIMIT 1)"
        " FROM jobs j LEFT JOIN service_events s ON s.job_id = j.id ORDER BY j.id",
    [SQ_VERIFY_ORPHAN_RECORDS] =
        "SELECT r.id, r.job_id FROM records r LEFT JOIN service_events s ON s.id = r.se_id"
        " WHERE s.id IS NULL OR s.complete = 0 OR s.job_id <> r.job_id ORDER BY r.id",
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
        "SELECT s.job_id, s.due, s.status," LEDGER_TOTAL("s.job_id") ","
        " (SELECT a.to_state FROM audit a WHERE a.job_id = s.job_id AND a.entity = 'settlement'"
        "  ORDER BY a.id DESC LIMIT 1)"
        " FROM settlements s ORDER BY s.job_id",
    /* one row: "ok" when the chain head is where the log ends (seq 0 and
     * the genesis hash for an empty log), else what disagrees */
    [SQ_INTEGRITY] =
        "SELECT COALESCE((SELECT CASE WHEN h.seq = COALESCE(l.id, 0)"
        " AND h.hash = COALESCE(l.hash, " GENESIS ") THEN 'ok'"
        " ELSE 'the chain head (seq ' || h.seq || ', hash ' || h.hash || ') disagrees with the"
        " end of the audit log (' || COALESCE('id ' || l.id || ', hash ' || l.hash, 'no rows')"
        " || ')' END FROM chain_head h LEFT JOIN (SELECT id, hash FROM audit ORDER BY id DESC"
        " LIMIT 1) l ON true WHERE h.id = 1), 'the chain head row is missing')",
    [SQ_TOKEN_INSERT] =
        "INSERT INTO tokens(actor_id, hash, created_at, expires_at)"
        " VALUES($1::bigint, $2::text, $3::text, $4::text) RETURNING id",
    [SQ_TOKEN_AUTH] =
        "SELECT t.id, a.slug, a.name, a.role, a.access, t.last_used_at FROM tokens t"
        " JOIN actors a ON a.id = t.actor_id WHERE t.hash = $1::text AND t.revoked_at IS NULL"
        " AND (t.expires_at IS NULL OR t.expires_at > $2::text)",
    [SQ_TOKEN_REVOKE] =
        "UPDATE tokens SET revoked_at = $1::text WHERE actor_id = $2::bigint"
        " AND revoked_at IS NULL",
    [SQ_TOKEN_LIST] =
        "SELECT t.id, a.slug, t.created_at, t.revoked_at, t.expires_at, t.last_used_at"
        " FROM tokens t JOIN actors a ON a.id = t.actor_id WHERE t.id > $1::bigint"
        " ORDER BY t.id" LIMIT(2),
    [SQ_TOKEN_TOUCH] =
        "UPDATE tokens SET last_used_at = $1::text"
        " WHERE id = $2::bigint AND (last_used_at IS NULL OR last_used_at <= $3::text)",
    [SQ_SESSION_INSERT] =
        "INSERT INTO sessions(hash, token_id, csrf, created_at, expires_at)"
        " VALUES($1::text, $2::bigint, $3::text, $4::text, $5::bigint) RETURNING id",
    [SQ_SESSION_AUTH] =
        "SELECT a.slug, a.name, a.role, a.access, s.csrf FROM sessions s"
        " JOIN tokens t ON t.id = s.token_id JOIN actors a ON a.id = t.actor_id"
        " WHERE s.hash = $1::text AND s.expires_at > $2::bigint AND t.revoked_at IS NULL"
        " AND (t.expires_at IS NULL OR t.expires_at > $3::text)",
    [SQ_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = $1::text",
    /* both walk an index (sessions_expiry, sessions_token): bounded work */
    [SQ_SESSION_PURGE] =
        "DELETE FROM sessions WHERE id IN"
        " (SELECT id FROM sessions WHERE expires_at <= $1::bigint" LIMIT(2) ")",
    [SQ_SESSION_EVICT] =
        "DELETE FROM sessions WHERE token_id = $1::bigint AND id NOT IN"
        " (SELECT id FROM sessions WHERE token_id = $1::bigint ORDER BY id DESC" LIMIT(2) ")",

    /* migration */
    [SQ_MIGRATE_JOBS] =
        "SELECT j.id, j.fingerprint, j.state, s.id, s.phase, s.complete"
        " FROM jobs j LEFT JOIN service_events s ON s.job_id = j.id"
        " WHERE j.surface = $1::text AND j.state NOT IN ('complete', 'cancelled') ORDER BY j.id",
    [SQ_MIGRATE_JOB] =
        "UPDATE jobs SET fingerprint = $1::text WHERE id = $2::bigint AND fingerprint = $3::text",
    [SQ_MIGRATE_SE] =
        "UPDATE service_events SET phase = $1::text WHERE id = $2::bigint AND phase = $3::text",
    /* schema v4: the governed image and the chain head */
    [SQ_IMAGE] = "SELECT " IMAGE_OF("$1::text", "$2::bigint"),
    [SQ_CHAIN_HEAD_SET] = "UPDATE chain_head SET seq = $1::bigint, hash = $2::text WHERE id = 1",
    /* no lock: verify reads it in its read-only transaction */
    [SQ_CHAIN_HEAD_GET] = "SELECT seq, hash, legacy_seq FROM chain_head WHERE id = 1",
    [SQ_VERIFY_CHAIN] = AUDIT_COLS " ORDER BY id",
    [SQ_VERIFY_IMAGES] =
        "WITH last(k, eid, id) AS (SELECT CASE entity WHEN 'fingerprint' THEN 'job'"
        " ELSE entity END, entity_id, MAX(id) FROM audit GROUP BY 1, 2)"
        " SELECT v.*, (SELECT a.image FROM audit a WHERE a.id = v.last) FROM ("
        IMG_ROWS("actor", "actors", "id", "NULL::bigint", "actor", IMG_ACTOR) " UNION ALL "
        IMG_ROWS("request", "requests", "id", "NULL::bigint", "request", IMG_REQUEST)
        " UNION ALL "
        IMG_ROWS("task", "tasks", "id", "NULL::bigint", "task", IMG_TASK) " UNION ALL "
        IMG_ROWS("job", "jobs", "id", "NULL::bigint", "job", IMG_JOB) " UNION ALL "
        IMG_ROWS("service_event", "service_events", "id", "t.job_id", "service_event", IMG_SE)
        " UNION ALL "
        IMG_ROWS("evidence", "evidence", "id", "t.job_id", "evidence", IMG_EVIDENCE)
        " UNION ALL "
        IMG_ROWS("participant", "participants", "id", "t.job_id", "participant", IMG_PARTICIPANT)
        " UNION ALL "
        IMG_ROWS("record", "records", "id", "t.job_id", "record", IMG_RECORD) " UNION ALL "
        IMG_ROWS("settlement of job", "settlements", "job_id", "NULL::bigint", "settlement",
                 IMG_SETTLEMENT)
        " UNION ALL "
        IMG_ROWS("token", "tokens", "id", "NULL::bigint", "token", IMG_TOKEN) " UNION ALL "
        IMG_ROWS("key", "keys", "n", "NULL::bigint", "key", IMG_KEY) " UNION ALL "
        IMG_ROWS("handoff", "handoffs", "id", "t.job_id", "handoff", IMG_HANDOFF) " UNION ALL "
        IMG_ROWS("note", "notes", "id", "t.job_id", "note", IMG_NOTE) ") v",
    /* payments have no audit rows of their own: the settlement's image holds
     * them; the job is the newest audit row's (SQLite's bare column) */
    [SQ_VERIFY_GONE] =
        "SELECT a.entity, a.entity_id, (array_agg(a.job_id ORDER BY a.id DESC))[1], MAX(a.id)"
        " FROM audit a WHERE NOT EXISTS (SELECT 1"
        " FROM (SELECT 'actor'::text AS k, id FROM actors UNION ALL SELECT 'request', id"
        " FROM requests UNION ALL SELECT 'task', id FROM tasks UNION ALL SELECT 'job', id FROM jobs"
        " UNION ALL SELECT 'fingerprint', id FROM jobs"
        " UNION ALL SELECT 'service_event', id FROM service_events"
        " UNION ALL SELECT 'evidence', id FROM evidence"
        " UNION ALL SELECT 'participant', id FROM participants"
        " UNION ALL SELECT 'record', id FROM records"
        " UNION ALL SELECT 'settlement', job_id FROM settlements"
        " UNION ALL SELECT 'token', id FROM tokens UNION ALL SELECT 'key', n FROM keys"
        " UNION ALL SELECT 'handoff', id FROM handoffs UNION ALL SELECT 'note', id FROM notes)"
        " g WHERE g.k = a.entity AND g.id = a.entity_id)"
        " GROUP BY a.entity, a.entity_id ORDER BY MAX(a.id)",
    [SQ_VERIFY_FINGERPRINTS] =
        "SELECT j.id, j.fingerprint, a.to_state FROM audit a JOIN jobs j ON j.id = a.job_id"
        " WHERE a.entity = 'fingerprint' AND a.id = (SELECT MAX(b.id) FROM audit b"
        "  WHERE b.job_id = a.job_id AND b.entity = 'fingerprint') ORDER BY j.id",
    /* signed records (schema v4); a key's n is SQLite's rowid: its audit
     * rows' entity id, which the driver keeps as the last id */
    [SQ_KEY_INSERT] =
        "INSERT INTO keys(id, public_key, created_at) VALUES($1::text, $2::text, $3::text)"
        " RETURNING n",
    [SQ_KEY_CURRENT] = "SELECT id, public_key FROM keys ORDER BY n DESC LIMIT 1",
    [SQ_KEY_LIST] =
        "SELECT id, public_key, created_at FROM keys WHERE n > $1::bigint ORDER BY n" LIMIT(2),
    [SQ_AUDIT_ROW] = "SELECT at, actor, prev_hash, hash FROM audit WHERE id = $1::bigint",
    [SQ_SIGNATURE_INSERT] =
        "INSERT INTO record_signatures(record_id, key_id, signature)"
        " VALUES($1::bigint, $2::text, $3::text)",
    [SQ_RECORD_EXPORT] = RECORD_EXPORT " WHERE r.job_id = $1::bigint",
    [SQ_VERIFY_SIGNATURES] =
        RECORD_EXPORT " WHERE g.record_id IS NOT NULL"
        " OR r.created_at > (SELECT MIN(created_at) FROM keys) ORDER BY r.id",
    /* --- v5: governance --- */
    [SQ_JOB_READY] =
        "UPDATE jobs SET state = 'ready' WHERE id = $1::bigint AND state IN ('queued', 'active')",
    [SQ_JOB_SET_OWNER] =
        "UPDATE jobs SET owner_id = $1::bigint WHERE id = $2::bigint AND owner_id = $3::bigint"
        " AND state IN ('active', 'ready')",
    [SQ_JOB_RELEASE] =
        "UPDATE jobs SET state = 'queued', owner_id = NULL, claimed_at = NULL"
        " WHERE id = $1::bigint AND owner_id = $2::bigint AND state = 'active'",
    [SQ_JOB_CANCEL] =
        "UPDATE jobs SET state = 'cancelled' WHERE id = $1::bigint AND state = 'queued'",
    [SQ_HANDOFF_INSERT] =
        "INSERT INTO handoffs(job_id, action, from_id, to_id, reason, actor_id, at)"
        " VALUES($1::bigint, $2::text, $3::bigint, $4::bigint, $5::text, $6::bigint, $7::text)"
        " RETURNING id",
    [SQ_HANDOFF_LAST] =
        "SELECT h.id, h.action, h.from_id, f.slug, h.to_id, t.slug, h.reason, b.slug, h.at"
        " FROM handoffs h LEFT JOIN actors f ON f.id = h.from_id"
        " LEFT JOIN actors t ON t.id = h.to_id LEFT JOIN actors b ON b.id = h.actor_id"
        " WHERE h.job_id = $1::bigint ORDER BY h.id DESC LIMIT 1",
    [SQ_HANDOFF_LIST] =
        "SELECT h.action, f.slug, t.slug, h.reason, b.slug, h.at"
        " FROM handoffs h LEFT JOIN actors f ON f.id = h.from_id"
        " LEFT JOIN actors t ON t.id = h.to_id LEFT JOIN actors b ON b.id = h.actor_id"
        " WHERE h.job_id = $1::bigint ORDER BY h.id",
    /* the job's index on audit: its claims (the claimer is the actor) and
     * its hand-overs and releases (from and to name the operators) */
    [SQ_OWNER_LIST] =
        "SELECT a.action, CASE a.entity WHEN 'job' THEN a.actor ELSE a.to_state END,"
        " CASE a.entity WHEN 'job' THEN NULL ELSE a.from_state END, a.at, h.reason, a.actor"
        " FROM audit a LEFT JOIN handoffs h ON a.entity = 'handoff' AND h.id = a.entity_id"
        " WHERE a.job_id = $1::bigint AND ((a.entity = 'job' AND a.action = 'claim')"
        " OR (a.entity = 'handoff' AND a.action IN ('handover', 'release'))) ORDER BY a.id",
    [SQ_NOTE_INSERT] =
        "INSERT INTO notes(job_id, text, actor_id, at)"
        " VALUES($1::bigint, $2::text, $3::bigint, $4::text) RETURNING id",
    [SQ_NOTE_LIST] =
        "SELECT n.text, a.slug, n.at FROM notes n JOIN actors a ON a.id = n.actor_id"
        " WHERE n.job_id = $1::bigint ORDER BY n.id",
    [SQ_TASK_REASSIGN] =
        "UPDATE tasks SET assignee_id = $1::bigint, updated_at = $2::text WHERE id = $3::bigint"
        " AND assignee_id IS NOT DISTINCT FROM $4::bigint",
    /* --- end v5: governance --- */
    /* --- v5: blobs --- */
    [SQ_BLOB_BY_HASH] =
        "SELECT id, type, size, actor_id, uploaded_at FROM blobs WHERE hash = $1::text",
    [SQ_BLOB_INSERT] =
        "INSERT INTO blobs(hash, type, size, actor_id, uploaded_at)"
        " VALUES($1::text, $2::text, $3::bigint, $4::bigint, $5::text) RETURNING id",
    [SQ_BLOB_TOUCH] =
        "UPDATE blobs SET uploaded_at = $1::text WHERE id = $2::bigint AND uploaded_at < $1::text",
    [SQ_BLOB_CHUNK_INSERT] =
        "INSERT INTO blob_chunks(blob_id, seq, data) VALUES($1::bigint, $2::bigint, $3::bytea)",
    [SQ_BLOB_CHUNKS] = "SELECT seq, data FROM blob_chunks WHERE blob_id = $1::bigint ORDER BY seq",
    [SQ_BLOB_THUMB_INSERT] =
        "INSERT INTO blob_thumbs(blob_id, type, data, hash)"
        " VALUES($1::bigint, $2::text, $3::bytea, $4::text)",
    [SQ_BLOB_THUMB] = "SELECT type, data FROM blob_thumbs WHERE blob_id = $1::bigint",
    /* the chunks, the thumbnail and the uploaders go with their blob
     * (ON DELETE CASCADE) */
    [SQ_BLOB_GC] =
        "DELETE FROM blobs WHERE uploaded_at < $1::text"
        " AND NOT EXISTS (SELECT 1 FROM request_photos p WHERE p.blob_id = blobs.id)"
        " AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.blob_id = blobs.id)",
    [SQ_BLOB_USES] =
        "SELECT 'request'::text, j.id, r.actor_id FROM request_photos p"
        " JOIN requests r ON r.id = p.request_id LEFT JOIN tasks t ON t.request_id = r.id"
        " LEFT JOIN jobs j ON j.task_id = t.id WHERE p.blob_id = $1::bigint"
        " UNION ALL SELECT 'evidence', e.job_id, NULL FROM evidence e WHERE e.blob_id = $1::bigint"
        " LIMIT 64",
    [SQ_REQUEST_PHOTO_INSERT] =
        "INSERT INTO request_photos(request_id, blob_id) VALUES($1::bigint, $2::bigint)",
    [SQ_REQUEST_PHOTOS] =
        "SELECT b.hash, b.type, b.size FROM request_photos p JOIN blobs b ON b.id = p.blob_id"
        " WHERE p.request_id = $1::bigint ORDER BY p.n",
    [SQ_VERIFY_BLOBS] =
        "SELECT b.id, b.hash, b.size, c.seq, c.data, b.type FROM blobs b"
        " LEFT JOIN blob_chunks c ON c.blob_id = b.id ORDER BY b.id, c.seq",
    /* a request's photo rows must be the packet's list (intake.photos, which
     * its governed image covers), each evidence file the blob its ref names;
     * qtm_json_each_text is SQLite's json_each values of intake.photos */
    [SQ_VERIFY_BLOB_REFS] =
        "SELECT 'evidence'::text, e.id, e.job_id FROM evidence e WHERE e.blob_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.id = e.blob_id"
        "  AND e.ref = 'sha256:' || b.hash)"
        " UNION ALL SELECT 'request', p.request_id, NULL FROM request_photos p"
        " JOIN requests r ON r.id = p.request_id WHERE NOT EXISTS (SELECT 1 FROM blobs b"
        "  JOIN qtm_json_each_text(r.intake::json -> 'photos') x(value)"
        "  ON x.value = 'sha256:' || b.hash WHERE b.id = p.blob_id)"
        " UNION ALL SELECT 'request', r.id, NULL FROM requests r"
        " WHERE CASE WHEN json_typeof(r.intake::json -> 'photos') = 'array' THEN"
        "  r.photos <> json_array_length(r.intake::json -> 'photos') OR r.photos <> (SELECT"
        "  COUNT(*) FROM request_photos p WHERE p.request_id = r.id) ELSE false END",
    [SQ_BLOB_UPLOADER_ADD] =
        "INSERT INTO blob_uploaders(blob_id, actor_id) VALUES($1::bigint, $2::bigint)"
        " ON CONFLICT DO NOTHING",
    [SQ_BLOB_UPLOADED_BY] =
        "SELECT 1 FROM blob_uploaders WHERE blob_id = $1::bigint"
        " AND COALESCE(actor_id, 0) = $2::bigint",
    [SQ_VERIFY_BLOB_THUMBS] =
        "SELECT t.blob_id, b.hash, t.hash, t.data FROM blob_thumbs t"
        " JOIN blobs b ON b.id = t.blob_id ORDER BY t.blob_id",
    [SQ_BLOB_UNREFERENCED_BYTES] =
        "SELECT COALESCE(SUM(size), 0)::bigint FROM blobs b"
        " WHERE NOT EXISTS (SELECT 1 FROM request_photos p WHERE p.blob_id = b.id)"
        " AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.blob_id = b.id)",
    /* schema v5: finding work (see JOB_LIST_COLS); PostgreSQL's planner
     * picks the index each filter has (SQLite names it with INDEXED BY) */
    [SQ_JOB_LIST] =
        JOB_LIST_COLS " FROM jobs j" JOB_LIST_JOINS " WHERE" JOB_LIST_FILTERS JOB_LIST_Q
        JOB_LIST_TAIL,
    [SQ_JOB_LIST_STATE] =
        JOB_LIST_COLS " FROM jobs j" JOB_LIST_JOINS " WHERE j.state = $1::text AND"
        JOB_LIST_FILTERS JOB_LIST_Q JOB_LIST_TAIL,
    [SQ_JOB_LIST_SURFACE] =
        JOB_LIST_COLS " FROM jobs j" JOB_LIST_JOINS " WHERE j.surface = $2::text AND"
        JOB_LIST_FILTERS JOB_LIST_Q JOB_LIST_TAIL,
    /* the jobs an operator holds, two streams each cut to one page: the ones
     * they own (jobs_owner), and the ones assigned to them that nobody owns
     * yet (tasks_assignee: their tasks, each job looked up) */
    [SQ_JOB_LIST_OPERATOR] =
        JOB_LIST_COLS " FROM jobs j" JOB_LIST_JOINS
        " WHERE j.id IN (SELECT id FROM (SELECT j.id AS id FROM jobs j" JOB_LIST_JOINS
        " WHERE j.owner_id = $3::bigint AND" JOB_LIST_FILTERS JOB_LIST_Q
        " AND j.id > $7::bigint ORDER BY j.id" LIMIT(8) ") mine UNION ALL SELECT id FROM"
        " (SELECT j.id AS id FROM tasks u JOIN jobs j ON j.task_id = u.id" JOB_LIST_JOINS
        " WHERE u.assignee_id = $3::bigint AND j.owner_id IS NULL AND" JOB_LIST_FILTERS
        JOB_LIST_Q " AND j.id > $7::bigint ORDER BY j.id" LIMIT(8) ") assigned)" JOB_LIST_TAIL,
    /* the trigram index gives the matches; a page is in job id order */
    [SQ_JOB_LIST_SEARCH] =
        JOB_LIST_COLS " FROM job_search f JOIN jobs j ON j.id = f.job_id" JOB_LIST_JOINS
        " WHERE" SEARCH_MATCH("f.text") " AND f.job_id > $7::bigint AND" JOB_LIST_FILTERS
        " ORDER BY f.job_id" LIMIT(8),
    /* schema v5: settlement, visible and correctable; a job with no
     * settlement row is unpaid, in USD, with nothing due */
    [SQ_SETTLEMENT_LIST] =
        "SELECT j.id, j.surface, COALESCE(st.status, 'unpaid'), COALESCE(st.currency, 'USD'),"
        " st.due," LEDGER_TOTAL("j.id") ", (SELECT COUNT(*) FROM payments p WHERE p.job_id = j.id),"
        " st.updated_at FROM jobs j LEFT JOIN settlements st ON st.job_id = j.id"
        " WHERE ($1::text IS NULL OR COALESCE(st.status, 'unpaid') = $1::text)"
        " AND (st.job_id IS NOT NULL OR j.state <> 'cancelled')"
        " AND ($2::text IS NULL OR j.surface = $2::text) AND j.id > $3::bigint ORDER BY j.id"
        LIMIT(4),
    [SQ_PAYMENT_BY_ID] =
        "SELECT p.id, p.job_id, p.amount, p.currency, p.method, p.reversal_of,"
        " (SELECT r.id FROM payments r WHERE r.reversal_of = p.id) FROM payments p"
        " WHERE p.id = $1::bigint",
    [SQ_PAYMENT_REVERSE] =
        "INSERT INTO payments(job_id, amount, currency, method, note, actor_id, at, reversal_of,"
        " reason) VALUES($1::bigint, $2::bigint, $3::text, $4::text, NULL, $5::bigint, $6::text,"
        " $7::bigint, $8::text) RETURNING id",
    [SQ_VERIFY_REVERSALS] =
        "SELECT r.id, r.job_id, r.amount, r.currency, r.reversal_of, o.job_id, o.amount,"
        " o.currency, o.reversal_of,"
        " (SELECT COUNT(*) FROM payments x WHERE x.reversal_of = r.reversal_of)"
        " FROM payments r LEFT JOIN payments o ON o.id = r.reversal_of"
        " WHERE r.reversal_of IS NOT NULL OR r.amount < 0 ORDER BY r.id",
};

/* --- the schema ------------------------------------------------------------ */

/* Times are ISO-8601 UTC stamps compared as text: byte order whatever the
 * database's collation. */
#define STAMP "TEXT COLLATE \"C\""
#define ID "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

/* What the append-only triggers say (store_sqlite.c's RAISE texts). */
#define MSG_REQUESTS "requests are immutable"
#define MSG_BLOB "a blob is immutable"

/* No UPDATE, DELETE or TRUNCATE of table: SQLSTATE 23001 with msg. */
#define APPEND_ONLY(table, msg)                                                            \
    "CREATE TRIGGER " table "_no_change BEFORE UPDATE OR DELETE ON " table                 \
    " FOR EACH ROW EXECUTE FUNCTION qtm_refuse('" msg "');"                                \
    "CREATE TRIGGER " table "_no_truncate BEFORE TRUNCATE ON " table                       \
    " FOR EACH STATEMENT EXECUTE FUNCTION qtm_refuse('" msg "');"

/*
 * The helper functions.  qtm_sha256: the lowercase hex SHA-256 of its UTF-8
 * text (SQLite registers the same on each connection).  qtm_json_value: one
 * value as SQLite's json_array writes it (to_json escapes strings as SQLite
 * does); qtm_json_array: its comma-joined values, bracketed, no spaces.
 * qtm_json_each_text: the values json_each gives for a JSON value (an
 * array's elements, an object's values, a scalar itself), as text.
 * qtm_json_strings: every string leaf of a JSON text in document order
 * (json_tree's), joined by " / ".  qtm_phrase_pattern: an FTS5 phrase as an
 * ILIKE substring pattern (escape character backslash).  All but the
 * trigger functions are plain SQL, so the planner inlines them.
 */
#define SCHEMA_FUNCTIONS                                                                   \
    "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;"                                \
    "CREATE FUNCTION qtm_sha256(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE"  \
    " AS $$ SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex') $$;"                       \
    "CREATE FUNCTION qtm_json_value(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE" \
    " AS $$ SELECT COALESCE(to_json(v)::text, 'null') $$;"                                 \
    "CREATE FUNCTION qtm_json_value(v bigint) RETURNS text LANGUAGE sql IMMUTABLE"          \
    " PARALLEL SAFE AS $$ SELECT COALESCE(v::text, 'null') $$;"                            \
    "CREATE FUNCTION qtm_json_array(VARIADIC parts text[]) RETURNS text LANGUAGE sql"       \
    " IMMUTABLE PARALLEL SAFE AS $$ SELECT '[' || array_to_string(parts, ',') || ']' $$;"  \
    "CREATE FUNCTION qtm_json_each_text(j json) RETURNS SETOF text LANGUAGE sql IMMUTABLE"  \
    " PARALLEL SAFE AS $$"                                                                 \
    " SELECT e FROM json_array_elements_text(CASE WHEN json_typeof(j) = 'array' THEN j END) e" \
    " UNION ALL SELECT o.value FROM json_each_text(CASE WHEN json_typeof(j) = 'object'"     \
    " THEN j END) o UNION ALL SELECT j #>> '{}' WHERE json_typeof(j) NOT IN ('array',"      \
    " 'object') $$;"                                                                       \
    "CREATE FUNCTION qtm_json_strings(doc text) RETURNS text LANGUAGE sql IMMUTABLE"        \
    " PARALLEL SAFE AS $$"                                                                 \
    " WITH RECURSIVE t(path, v) AS (SELECT ARRAY[]::bigint[], doc::json"                   \
    " UNION ALL SELECT t.path || e.n, e.v FROM t, LATERAL ("                               \
    "  SELECT o.n, o.value FROM json_each(CASE WHEN json_typeof(t.v) = 'object' THEN t.v END)" \
    "  WITH ORDINALITY AS o(key, value, n) UNION ALL SELECT a.n, a.value"                  \
    "  FROM json_array_elements(CASE WHEN json_typeof(t.v) = 'array' THEN t.v END)"        \
    "  WITH ORDINALITY AS a(value, n)) e(n, v))"                                           \
    " SELECT string_agg(v #>> '{}', ' / ' ORDER BY path) FROM t"                           \
    " WHERE json_typeof(v) = 'string' $$;"                                                 \
    "CREATE FUNCTION qtm_phrase_pattern(phrase text) RETURNS text LANGUAGE sql IMMUTABLE"   \
    " PARALLEL SAFE AS $$ SELECT '%' || replace(replace(replace(replace(substr(phrase, 2,"  \
    " length(phrase) - 2), '\"\"', '\"'), E'\\\\', E'\\\\\\\\'), '%', E'\\\\%'), '_',"      \
    " E'\\\\_') || '%' $$;"                                                                \
    "CREATE FUNCTION qtm_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"                  \
    " BEGIN RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = TG_ARGV[0];"   \
    " END $$;"

/* The tables of schema v1..v4 (store_sqlite.c's schema_v1..v4, with the
 * columns v5 added). */
#define SCHEMA_CORE                                                                        \
    "CREATE TABLE actors("                                                                 \
    " id " ID ","                                                                          \
    " slug TEXT NOT NULL UNIQUE,"                                                          \
    " name TEXT NOT NULL,"                                                                 \
    " role TEXT NOT NULL CHECK (role IN (" QTM_ROLES(QTM_SQL_X, ",") ")),"                 \
    " access TEXT NOT NULL DEFAULT 'active' CHECK (access IN ("                            \
    QTM_ACCESS_STATES(QTM_SQL_X, ",") ")),"                                                \
    " created_at " STAMP " NOT NULL);"                                                     \
    "CREATE TABLE requests("                                                               \
    " id " ID ","                                                                          \
    " surface TEXT NOT NULL,"                                                              \
    " fingerprint TEXT NOT NULL,"                                                          \
    " intake TEXT NOT NULL,"                                                               \
    " photos BIGINT NOT NULL CHECK (photos >= 0),"                                         \
    " idem_key TEXT UNIQUE,"                                                               \
    " actor_id BIGINT REFERENCES actors(id),"                                              \
    " created_at " STAMP " NOT NULL);"                                                     \
    "CREATE TABLE tasks("                                                                  \
    " id " ID ","                                                                          \
    " request_id BIGINT NOT NULL UNIQUE REFERENCES requests(id),"                          \
    " state TEXT NOT NULL CHECK (state IN (" QTM_TASK_STATES(QTM_SQL_X, ",") ")),"         \
    " assignee_id BIGINT REFERENCES actors(id),"                                           \
    " reason TEXT,"                                                                        \
    " created_at " STAMP " NOT NULL,"                                                      \
    " updated_at " STAMP " NOT NULL);"                                                     \
    "CREATE TABLE jobs("                                                                   \
    " id " ID ","                                                                          \
    " task_id BIGINT NOT NULL UNIQUE REFERENCES tasks(id),"                                \
    " surface TEXT NOT NULL,"                                                              \
    " fingerprint TEXT NOT NULL,"                                                          \
    " state TEXT NOT NULL CHECK (state IN (" QTM_JOB_STATES(QTM_SQL_X, ",") ")),"          \
    " owner_id BIGINT REFERENCES actors(id),"                                              \
    " created_at " STAMP " NOT NULL,"                                                      \
    " claimed_at " STAMP ","                                                               \
    " completed_at " STAMP ");"                                                            \
    "CREATE TABLE service_events("                                                         \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL UNIQUE REFERENCES jobs(id),"                                  \
    " phase TEXT NOT NULL,"                                                                \
    " operator_id BIGINT REFERENCES actors(id),"                                           \
    " complete BIGINT NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),"                      \
    " started_at " STAMP " NOT NULL,"                                                      \
    " completed_at " STAMP ","                                                             \
    " outcome TEXT,"                                                                       \
    " reason TEXT);"                                                                       \
    "CREATE TABLE blobs("                                                                  \
    " id " ID ","                                                                          \
    " hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),"                                \
    " type TEXT NOT NULL,"                                                                 \
    " size BIGINT NOT NULL CHECK (size > 0),"                                              \
    " actor_id BIGINT REFERENCES actors(id),"                                              \
    " uploaded_at " STAMP " NOT NULL);"                                                    \
    "CREATE INDEX blobs_uploaded ON blobs(uploaded_at);"                                   \
    "CREATE TABLE evidence("                                                               \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL REFERENCES jobs(id),"                                         \
    " category TEXT NOT NULL,"                                                             \
    " ref TEXT NOT NULL,"                                                                  \
    " note TEXT,"                                                                          \
    " actor_id BIGINT NOT NULL REFERENCES actors(id),"                                     \
    " at " STAMP " NOT NULL,"                                                              \
    " blob_id BIGINT REFERENCES blobs(id));"                                               \
    "CREATE INDEX evidence_job ON evidence(job_id, category);"                             \
    "CREATE INDEX evidence_blob ON evidence(blob_id);"                                     \
    "CREATE TABLE participants("                                                           \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL REFERENCES jobs(id),"                                         \
    " name TEXT NOT NULL,"                                                                 \
    " role TEXT NOT NULL,"                                                                 \
    " contact TEXT,"                                                                       \
    " actor_id BIGINT NOT NULL REFERENCES actors(id),"                                     \
    " at " STAMP " NOT NULL);"                                                             \
    "CREATE INDEX participants_job ON participants(job_id);"                               \
    "CREATE TABLE records("                                                                \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL UNIQUE REFERENCES jobs(id),"                                  \
    " se_id BIGINT NOT NULL UNIQUE REFERENCES service_events(id),"                         \
    " surface TEXT NOT NULL,"                                                              \
    " body TEXT NOT NULL,"                                                                 \
    " hash TEXT NOT NULL,"                                                                 \
    " created_at " STAMP " NOT NULL);"                                                     \
    "CREATE TABLE settlements("                                                            \
    " job_id BIGINT PRIMARY KEY REFERENCES jobs(id),"                                      \
    " currency TEXT NOT NULL,"                                                             \
    " due BIGINT CHECK (due IS NULL OR due >= 0),"                                         \
    " status TEXT NOT NULL CHECK (status IN (" QTM_SETTLEMENT_STATES(QTM_SQL_X, ",") ")),"  \
    " updated_at " STAMP " NOT NULL);"                                                     \
    /* a correcting entry is a payment row of its own (v5): a negative      \
     * amount naming the payment it reverses (once) and why */              \
    "CREATE TABLE payments("                                                               \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL REFERENCES jobs(id),"                                         \
    " amount BIGINT NOT NULL,"                                                             \
    " currency TEXT NOT NULL,"                                                             \
    " method TEXT NOT NULL CHECK (method IN (" QTM_PAY_METHODS(QTM_SQL_X, ",") ")),"       \
    " note TEXT,"                                                                          \
    " actor_id BIGINT NOT NULL REFERENCES actors(id),"                                     \
    " at " STAMP " NOT NULL,"                                                              \
    " reversal_of BIGINT UNIQUE REFERENCES payments(id),"                                  \
    " reason TEXT,"                                                                        \
    " CHECK ((reversal_of IS NULL AND amount >= 0 AND reason IS NULL) OR"                  \
    " (reversal_of IS NOT NULL AND amount < 0 AND reason IS NOT NULL)));"                  \
    "CREATE INDEX payments_job ON payments(job_id);"                                       \
    /* the id is the chain position SQ_AUDIT_INSERT gives: no identity */   \
    "CREATE TABLE audit("                                                                  \
    " id BIGINT PRIMARY KEY,"                                                              \
    " at " STAMP " NOT NULL,"                                                              \
    " actor TEXT,"                                                                         \
    " entity TEXT NOT NULL,"                                                               \
    " entity_id BIGINT NOT NULL,"                                                          \
    " action TEXT NOT NULL,"                                                               \
    " from_state TEXT,"                                                                    \
    " to_state TEXT,"                                                                      \
    " job_id BIGINT,"                                                                      \
    " prev_hash TEXT NOT NULL,"                                                            \
    " hash TEXT NOT NULL,"                                                                 \
    " image TEXT);"                                                                        \
    "CREATE INDEX audit_job ON audit(job_id);"                                             \
    "CREATE TABLE tokens("                                                                 \
    " id " ID ","                                                                          \
    " actor_id BIGINT NOT NULL REFERENCES actors(id),"                                     \
    " hash TEXT NOT NULL UNIQUE,"                                                          \
    " created_at " STAMP " NOT NULL,"                                                      \
    " revoked_at " STAMP ","                                                               \
    " expires_at " STAMP ","                                                               \
    " last_used_at " STAMP ");"                                                            \
    "CREATE INDEX tokens_actor ON tokens(actor_id);"                                       \
    "CREATE TABLE sessions("                                                               \
    " id " ID ","                                                                          \
    " hash TEXT NOT NULL UNIQUE,"                                                          \
    " token_id BIGINT NOT NULL REFERENCES tokens(id),"                                     \
    " csrf TEXT NOT NULL,"                                                                 \
    " created_at " STAMP " NOT NULL,"                                                      \
    " expires_at BIGINT NOT NULL);"                                                        \
    "CREATE INDEX sessions_expiry ON sessions(expires_at);"                                \
    "CREATE INDEX sessions_token ON sessions(token_id, id);"                               \
    /* n: SQLite's rowid, the key's audit entity id and its creation order */ \
    "CREATE TABLE keys("                                                                   \
    " id TEXT PRIMARY KEY,"                                                                \
    " public_key TEXT NOT NULL UNIQUE,"                                                    \
    " created_at " STAMP " NOT NULL,"                                                      \
    " n BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE);"                                  \
    "CREATE TABLE record_signatures("                                                      \
    " record_id BIGINT PRIMARY KEY REFERENCES records(id),"                                \
    " key_id TEXT NOT NULL REFERENCES keys(id),"                                           \
    " signature TEXT NOT NULL);"                                                           \
    /* the last audit row's seq and hash, and the schema version: the fence  \
     * the driver checks; one row, rewritten by every audited write */        \
    "CREATE TABLE chain_head("                                                             \
    " id INTEGER PRIMARY KEY CHECK (id = 1),"                                              \
    " seq BIGINT NOT NULL,"                                                                \
    " hash TEXT NOT NULL,"                                                                 \
    " legacy_seq BIGINT NOT NULL,"                                                         \
    " schema INTEGER NOT NULL) WITH (fillfactor = 10);"                                    \
    "INSERT INTO chain_head(id, seq, hash, legacy_seq, schema)"                            \
    " VALUES(1, 0, " GENESIS ", 0, " PG_STR(PG_BASE_VERSION) ");"

/* Schema v5's own tables: governance, blobs, finding. */
#define SCHEMA_V5                                                                          \
    "CREATE TABLE handoffs("                                                               \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL REFERENCES jobs(id),"                                         \
    " action TEXT NOT NULL CHECK (action IN ('reassign','handover','release','cancel')),"  \
    " from_id BIGINT REFERENCES actors(id),"                                               \
    " to_id BIGINT REFERENCES actors(id),"                                                 \
    " reason TEXT,"                                                                        \
    " actor_id BIGINT NOT NULL REFERENCES actors(id),"                                     \
    " at " STAMP " NOT NULL);"                                                             \
    "CREATE INDEX handoffs_job ON handoffs(job_id, id);"                                   \
    "CREATE TABLE notes("                                                                  \
    " id " ID ","                                                                          \
    " job_id BIGINT NOT NULL REFERENCES jobs(id),"                                         \
    " text TEXT NOT NULL,"                                                                 \
    " actor_id BIGINT NOT NULL REFERENCES actors(id),"                                     \
    " at " STAMP " NOT NULL);"                                                             \
    "CREATE INDEX notes_job ON notes(job_id, id);"                                         \
    /* chunks hold already-compressed files: stored out of line, never       \
     * compressed again */                                                  \
    "CREATE TABLE blob_chunks("                                                            \
    " blob_id BIGINT NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,"                     \
    " seq BIGINT NOT NULL CHECK (seq >= 0),"                                               \
    " data BYTEA NOT NULL,"                                                                \
    " PRIMARY KEY (blob_id, seq));"                                                        \
    "ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;"                      \
    "CREATE TABLE blob_thumbs("                                                            \
    " blob_id BIGINT PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,"                  \
    " type TEXT NOT NULL,"                                                                 \
    " data BYTEA NOT NULL,"                                                                \
    " hash TEXT NOT NULL CHECK (length(hash) = 64));"                                      \
    "CREATE TABLE blob_uploaders("                                                         \
    " blob_id BIGINT NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,"                     \
    " actor_id BIGINT REFERENCES actors(id));"                                             \
    "CREATE UNIQUE INDEX blob_uploaders_one ON blob_uploaders(blob_id, COALESCE(actor_id, 0));" \
    /* n: SQLite's rowid, the packet's order of a request's photos */       \
    "CREATE TABLE request_photos("                                                         \
    " request_id BIGINT NOT NULL REFERENCES requests(id),"                                 \
    " blob_id BIGINT NOT NULL REFERENCES blobs(id),"                                       \
    " n BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,"                                   \
    " PRIMARY KEY (request_id, blob_id));"                                                 \
    "CREATE INDEX request_photos_blob ON request_photos(blob_id);"                         \
    "CREATE INDEX jobs_state ON jobs(state);"                                              \
    "CREATE INDEX jobs_surface ON jobs(surface);"                                          \
    "CREATE INDEX jobs_owner ON jobs(owner_id);"                                           \
    "CREATE INDEX tasks_assignee ON tasks(assignee_id);"                                   \
    "CREATE INDEX jobs_task_owner ON jobs(task_id, owner_id);"                             \
    /* job_search: the text values of each job's intake, written when the    \
     * job is created (derived from the immutable request, never governed);  \
     * the trigram index serves case-insensitive substring matches */        \
    "CREATE TABLE job_search("                                                             \
    " job_id BIGINT PRIMARY KEY REFERENCES jobs(id),"                                      \
    " text TEXT);"                                                                         \
    "CREATE INDEX job_search_text ON job_search USING gin (text public.gin_trgm_ops);"     \
    "CREATE FUNCTION qtm_jobs_search() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"       \
    " INSERT INTO job_search(job_id, text) SELECT NEW.id, (SELECT qtm_json_strings(r.intake)" \
    " FROM tasks t JOIN requests r ON r.id = t.request_id WHERE t.id = NEW.task_id);"      \
    " RETURN NULL; END $$;"                                                                \
    "CREATE TRIGGER jobs_search AFTER INSERT ON jobs"                                      \
    " FOR EACH ROW EXECUTE FUNCTION qtm_jobs_search();"

/* Append-only, whatever the caller does (store_sqlite.c's triggers, and
 * TRUNCATE, which PostgreSQL has and SQLite has not). */
#define SCHEMA_GUARDS                                                                      \
    APPEND_ONLY("requests", MSG_REQUESTS)                                                  \
    APPEND_ONLY("records", "records are immutable")                                        \
    APPEND_ONLY("payments", "the payment ledger is append-only")                           \
    APPEND_ONLY("audit", "the audit log is append-only")                                   \
    APPEND_ONLY("evidence", "evidence is append-only")                                     \
    APPEND_ONLY("keys", "signing keys are immutable")                                      \
    APPEND_ONLY("record_signatures", "record signatures are immutable")                    \
    APPEND_ONLY("handoffs", "hand-offs are append-only")                                   \
    APPEND_ONLY("notes", "notes are append-only")                                          \
    APPEND_ONLY("request_photos", MSG_REQUESTS)                                            \
    "CREATE TRIGGER blobs_no_update BEFORE UPDATE OF hash, type, size, actor_id ON blobs"  \
    " FOR EACH ROW EXECUTE FUNCTION qtm_refuse('" MSG_BLOB "');"                           \
    "CREATE TRIGGER blob_chunks_no_update BEFORE UPDATE ON blob_chunks"                    \
    " FOR EACH ROW EXECUTE FUNCTION qtm_refuse('" MSG_BLOB "');"                           \
    "CREATE TRIGGER blob_thumbs_no_update BEFORE UPDATE ON blob_thumbs"                    \
    " FOR EACH ROW EXECUTE FUNCTION qtm_refuse('" MSG_BLOB "');"                           \
    "CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head"                      \
    " FOR EACH ROW EXECUTE FUNCTION qtm_refuse('the chain head is kept');"                 \
    "CREATE TRIGGER chain_head_no_truncate BEFORE TRUNCATE ON chain_head"                  \
    " FOR EACH STATEMENT EXECUTE FUNCTION qtm_refuse('the chain head is kept');"

const pg_step qtmi_pg_steps[] = {
    {0, PG_BASE_VERSION, SCHEMA_FUNCTIONS SCHEMA_CORE SCHEMA_V5 SCHEMA_GUARDS},
};
const int qtmi_pg_nsteps = (int)countof(qtmi_pg_steps);

/* The last step's `to` (a later version appends a step from it). */
#define PG_LAST_VERSION PG_BASE_VERSION
_Static_assert(PG_LAST_VERSION == QTM_SCHEMA_VERSION,
               "the PostgreSQL schema steps must end at QTM_SCHEMA_VERSION");
