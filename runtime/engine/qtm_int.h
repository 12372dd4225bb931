/*
 * qtm_int.h - libqtm internals shared by the engine files (not installed).
 *
 * Every public call that changes state follows one shape:
 *     qtmi_tx_begin -> load and check -> write -> qtmi_audit_append... -> qtmi_tx_end
 * and any check that fails calls qtm_fail() before the first write, so a
 * refused call leaves the database exactly as it was (qtmi_tx_end rolls back on
 * any non-OK status anyway).
 */
#ifndef QTM_INT_H
#define QTM_INT_H

#include <stdint.h>

#include "qtm/qtm.h"
#include "../store/store.h"

struct qtm {
    store *st;
    qtm_status err;                /* last call's status */
    char msg[2048];                /* last call's message (an intake refusal:
                                      one line per problem) */
    int disk_full;                 /* last call failed for a full disk (qtm_disk_full) */
    int busy;                      /* last call lost to a concurrent transaction and
                                      was rolled back whole (qtm_busy) */
    qtm_clock_fn clock;            /* NULL: the system clock */
    void *clock_arg;
    char now[48];                  /* the time stamped on this call's changes (UTC) */
    char *path;                    /* the database path (NULL: none); DB.key sits beside it */
    char *label;                   /* the database name to print: path with any password
                                      masked (qtmi_store_redact); NULL: none */
    /* the signing key (sign.c): loaded at the first signed compose, or by
     * qtm_set_signing_key (sign_file); wiped at close */
    char *sign_file;
    int sign_loaded;
    char sign_id[QTM_KEY_ID_LEN];
    unsigned char sign_sk[64];     /* crypto_sign_SECRETKEYBYTES */
    int batch;                     /* qtm_batch_begin's transaction is open: each call's
                                      transaction is a savepoint inside it */
    void *magic;                   /* libmagic's handle (blob_check.c), loaded on first use */
    int replayed;                  /* the last qtm_request_submit returned an earlier request */
    char local_actor[72];          /* who local administration is audited as ("": nobody) */
};

typedef struct actor {
    int64_t id;                    /* 0 when not loaded */
    char slug[64];
    char name[128];
    qtm_role role;                 /* never UNKNOWN once loaded (qtmi_actor_load refuses) */
    qtm_access_state access;
} actor;

/* A job's newest hand-off (handoffs: reassign, handover, release, cancel),
 * loaded where a refusal names it (qtmi_handoff_last); id 0: none loaded. */
typedef struct handoff {
    int64_t id;
    char action[16];               /* reassign, handover, release, cancel */
    int64_t from_id, to_id;        /* 0: nobody */
    char from[64], to[64];         /* their slugs ("" for nobody) */
    char reason[512];              /* "" when none was given */
    char by[64];                   /* the actor who made it */
    char at[48];
} handoff;

typedef struct job {
    int64_t id, task;
    char surface[64];
    char fingerprint[72];
    qtm_job_state state;           /* never UNKNOWN once loaded (qtmi_job_load refuses) */
    int64_t owner_id;
    char owner[64];
    int64_t assignee_id;
    char assignee[64];
    char created_at[48], claimed_at[48], completed_at[48];
    const qtm_surface *s;          /* the tables it runs under */
    handoff last;                  /* filled by qtmi_handoff_last only */
} job;

typedef struct service_event {
    int64_t id;                    /* 0: none yet (job not claimed) */
    char phase[130];
    char operator_slug[64];
    int complete;
    char started_at[48], completed_at[48];
    char outcome[130];             /* "" until the final step (or before outcomes) */
    char reason[QTM_REASON_MAX + 1]; /* given with the last step, "" if none */
} service_event;

/* The request summary (summary.c): into buf, its length; and as a JSON
 * string ("" when the surface declares none). */
size_t qtmi_summary(const qtm_surface *s, json_t *intake, char *buf, size_t cap);
json_t *qtmi_summary_json(const qtm_surface *s, json_t *intake);

/* Sets the handle's status and message; returns the status. */
qtm_status qtm_fail(qtm *q, qtm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps a store failure to QTM_ESTORAGE (or conflict) with the store's message. */
qtm_status qtm_store_fail(qtm *q, store_rc rc, const char *doing);
qtm_status qtm_ok(qtm *q);

/* Transactions: qtmi_tx_end commits when st is QTM_OK, else rolls back. */
qtm_status qtmi_tx_begin(qtm *q, int write);
qtm_status qtmi_tx_end(qtm *q, qtm_status st);

/* Ends a read transaction; on any failure drops *out (NULL). */
qtm_status qtmi_view_end(qtm *q, qtm_status st, json_t **out);

/* Loads an actor by slug; QTM_ENOTFOUND if there is none. */
qtm_status qtmi_actor_load(qtm *q, const char *slug, actor *a);
/* The actor may change things: exists, not suspended; if `execution`,
 * not limited either.  `what` completes "X cannot <what>". */
qtm_status qtmi_actor_may_act(qtm *q, const char *slug, actor *a, int execution, const char *what);
qtm_status qtmi_actor_require_role(qtm *q, const actor *a, qtm_role role, const char *what);

qtm_status qtmi_job_load(qtm *q, int64_t id, job *j);
qtm_status qtmi_se_load(qtm *q, int64_t job_id, service_event *se);
int qtmi_surface_phase(const qtm_surface *s, const char *name);   /* -1 if absent */
int qtmi_surface_event(const qtm_surface *s, const char *name);   /* -1 if absent */
const char *qtmi_surface_label(const qtm_surface *s, const char *phase);

/* Appends one hash-chained audit row in the current transaction, with the
 * image digest of the governed row it is about (SQ_IMAGE), so the caller
 * writes the row first; moves the chain head to it. */
qtm_status qtmi_audit_append(qtm *q, const char *actor, const char *entity, int64_t entity_id,
                        const char *action, const char *from, const char *to, int64_t job);
/* hex SHA-256 of the audit row fields and the image digest (NULL: none,
 * rows from before schema v4), chained to prev (64 hex + NUL). */
void qtmi_audit_hash(const char *prev, const char *at, const char *actor, const char *entity,
                int64_t entity_id, const char *action, const char *from, const char *to,
                int64_t job, const char *image, char out[65]);

/* The views of one job, run in the caller's read transaction (the
 * qtm_*_show functions wrap them in their own; access.c in its own, after
 * deciding what the reader may see). */
qtm_status qtmi_job_view(qtm *q, int64_t job_id, json_t **out);
qtm_status qtmi_record_view(qtm *q, int64_t job_id, json_t **out);
qtm_status qtmi_settlement_view(qtm *q, int64_t job_id, json_t **out);
qtm_status qtmi_settlement_payments_view(qtm *q, int64_t job_id, const qtm_page *pg, json_t **out,
                                    int64_t *next_after);

/* --- who may change a job (policy.c): pure, no database ------------------------
 *
 * Each check takes the rows as loaded (the actor passed qtmi_actor_may_act) and
 * the job's tables; a refusal is set on q and returned.  The fetched
 * conditions of a transition (evidence, payment, participants) are the
 * engine's to check after these (check_requires in execution.c).
 */

/* The phase a job shows: its ServiceEvent's, or the initial one before claim. */
const char *qtmi_job_phase(const job *j, const service_event *se);

/* What firing a transition writes. */
typedef enum policy_step {
    POLICY_CLAIM,                  /* sets the owner and opens the ServiceEvent at t->to */
    POLICY_OPEN,                   /* opens the ServiceEvent unowned, then steps */
    POLICY_STEP                    /* moves the open ServiceEvent */
} policy_step;

/* An operator, and the assignee where ownership is `assigned`. */
qtm_status qtmi_policy_may_claim(qtm *q, const actor *a, const job *j);
/* `job claim`: QTM_OK with *t the claim transition, or with *t NULL when a
 * already owns j (nothing to do). */
qtm_status qtmi_policy_claim(qtm *q, const actor *a, const job *j, const service_event *se,
                        const qtm_transition **t);
/* `job advance`: the transition event names from j's phase and how it is
 * written, or the refusal (unknown event, a complete job, not allowed
 * from this phase, role or ownership). */
qtm_status qtmi_policy_fire(qtm *q, const actor *a, const job *j, const service_event *se,
                       const char *event, const qtm_transition **t, policy_step *how);
/* qtmi_policy_fire for one transition t out of j's current phase. */
qtm_status qtmi_policy_transition(qtm *q, const actor *a, const job *j, const service_event *se,
                             const qtm_transition *t, policy_step *how);
/* `job complete`: the owner (or, without ownership, any operator; for a
 * job nobody owns, an admin) once the ServiceEvent is complete. */
qtm_status qtmi_policy_complete(qtm *q, const actor *a, const job *j, const service_event *se);
/* Evidence and participants (`what`): the job's operator while it runs. */
qtm_status qtmi_policy_context(qtm *q, const actor *a, const job *j, const service_event *se,
                          const char *what);
/* {actions: [transition + "claim"], can_claim, can_complete}: what a may
 * do to j now by the checks above (requires not fetched); leaves q OK. */
json_t *qtmi_policy_actions(qtm *q, const actor *a, const job *j, const service_event *se);
/* --- governance of a job's work (policy.c): pure, no database ---------------
 *
 * `a` passed qtmi_actor_may_act; the target (`to`) was loaded.  The checks
 * with no target are also what qtmi_policy_actions offers.
 */

/* `job reassign`: an admin, while the job is queued. */
qtm_status qtmi_policy_reassign(qtm *q, const actor *a, const job *j);
/* `job handover`: an admin, while the job is owned and not complete. */
qtm_status qtmi_policy_handover(qtm *q, const actor *a, const job *j);
/* `job release`: the owner, while the ServiceEvent is in the phase a claim
 * enters (qtmi_policy_claim_phase). */
qtm_status qtmi_policy_release(qtm *q, const actor *a, const job *j, const service_event *se);
/* `job cancel`: an admin, before the claim (no ServiceEvent, or one still
 * in the initial phase after a release). */
qtm_status qtmi_policy_cancel(qtm *q, const actor *a, const job *j, const service_event *se);
/* `note add`: the owner or an admin, until the ServiceEvent is complete. */
qtm_status qtmi_policy_note(qtm *q, const actor *a, const job *j, const service_event *se);
qtm_status qtmi_policy_settle(qtm *q, const actor *a, const job *j, const service_event *se);
/* Who may receive j's work (reassign, handover: `what`): an active
 * operator other than the one who has it now (current: assignee or owner id). */
qtm_status qtmi_policy_target(qtm *q, const job *j, const actor *to, int64_t current,
                              const char *what);
/* Is phase p one a claim enters: the claim transition's `to` (claim
 * required), or any transition's out of the initial phase (optional)? */
int qtmi_policy_claim_phase(const qtm_surface *s, int p);

/* Loads j's newest hand-off into j->last (id 0 when it has none). */
qtm_status qtmi_handoff_last(qtm *q, job *j);
/* The job view's governance parts (governance_handover.c), in the caller's
 * read transaction: "owners" (who held it, in order), "handoffs", "notes",
 * and "request" (the intake laid out by the surface's sections). */
qtm_status qtmi_job_view_governance(qtm *q, const job *j, int64_t request_id, json_t *view);
/* The request object of the job view for intake (borrowed): {id, sections:
 * [{name, fields: [{name, label, value}]}], intake}; fields the surface
 * does not declare, and absent ones, are left out of sections. */
json_t *qtmi_request_layout(const qtm_surface *s, int64_t request_id, json_t *intake);
/* The operators who held j, in order, for the record: [{operator, since,
 * how, by, reason}] (NULL with q's error set on a storage failure). */
json_t *qtmi_owner_list(qtm *q, int64_t job_id);
extern const char *const qtmi_note_keys[], *const qtmi_owner_keys[];

/* One transition as the job view lists it under "next" (execution.c). */
json_t *qtmi_transition_json(const qtm_surface *s, const qtm_transition *t);

/* --- read access (access.c): pure, no database ------------------------------ */

/* What actor a may read of job j (j->s may be NULL: a spec not built in):
 * admins everything; an operator the jobs they own, or, while nobody owns
 * it, the job assigned to them; an active operator a queued, unowned job
 * under `ownership pool` as a preview; suspended actors, vendors and
 * clients nothing. */
qtm_access qtmi_access_job(const actor *a, const job *j);
/* Is intake field f a contact detail (its section is `contact`, or it is
 * an email or phone)? */
int qtmi_access_field_is_contact(const qtm_field *f);
/* A new object holding only the fields of intake that s declares and that
 * are not contact details (sections left empty are dropped). */
json_t *qtmi_access_intake_preview(const qtm_surface *s, const json_t *intake);
/* Redacts views in place for a preview: participants' contacts become
 * null; the ledger (payments) is dropped; a record body's intake
 * (scope, request) loses its contact details. */
void qtmi_access_redact_participants(json_t *participants);
void qtmi_access_redact_settlement(json_t *settlement);
void qtmi_access_redact_record_body(const qtm_surface *s, json_t *body);

/* Composes and stores the record of a completed ServiceEvent. */
qtm_status qtmi_record_compose(qtm *q, const job *j, const service_event *se, const char *actor);

/* Signs the record just composed (record_id, with hash, composed by
 * audit row audit_id) in the caller's transaction, when the database has
 * a signing key; refuses (QTM_EREFUSED) when it has one that q cannot
 * load: no record is stored unsigned once a key exists (sign.c). */
qtm_status qtmi_record_sign(qtm *q, int64_t record_id, const job *j, const char *hash,
                            int64_t audit_id);
/* The export document of job_id's record, in the caller's read transaction. */
qtm_status qtmi_record_export_view(qtm *q, int64_t job_id, json_t **out);
/* Appends to findings one line per stored signature that does not verify
 * under its key, and per record composed after the first key unsigned. */
qtm_status qtmi_verify_signatures(qtm *q, json_t *findings);

/* The audit actor of local administration (qtm_set_local_actor), or NULL. */
const char *qtmi_local_actor(const qtm *q);

/* Shared between engine files. */
qtm_status qtmi_task_for_job(qtm *q, int64_t id, int64_t *request, qtm_task_state *state,
                        int64_t *assignee, int64_t *job_id, char *surface, size_t sn);
json_t *qtmi_request_json(qtm *q, int64_t id);              /* NULL (q's error set) on storage failure */
json_t *qtmi_settlement_json(qtm *q, int64_t job_id);       /* NULL (q's error set) on storage failure */
/* Runs a list query into an array of objects named by keys; NULL with *rc
 * and q's error set on a storage failure. */
json_t *qtmi_list_rows(qtm *q, store_query sq, const store_val *args, int nargs,
                  const char *const *keys, store_rc *rc);
/* Runs a per-job list query into an array of objects named by keys. */
json_t *qtmi_job_list(qtm *q, store_query sq, int64_t id, const char *const *keys);
/* Runs an argument-less list query in a read transaction into *out, an
 * array of objects named by keys; `doing` names it in a storage error. */
qtm_status qtmi_list_all(qtm *q, store_query sq, const char *const *keys, const char *doing,
                    json_t **out);
/* Paging (page.c).  qtmi_page_limit checks a page (NULL: the default) and gives
 * its row count.  qtmi_list_page runs a keyset query in a read transaction: the
 * query takes args..., then after and a limit, and its rows carry "id";
 * *out gets at most the page's rows, *next_after the last one's id when a
 * row lies past them (the query is asked for one more), else 0. */
qtm_status qtmi_page_limit(qtm *q, const qtm_page *pg, unsigned *limit);
qtm_status qtmi_list_page(qtm *q, store_query sq, const store_val *args, int nargs,
                     const char *const *keys, const char *doing, const qtm_page *pg,
                     json_t **out, int64_t *next_after);
/* qtmi_list_page's query in the caller's transaction (after its own checks). */
qtm_status qtmi_page_rows(qtm *q, store_query sq, const store_val *args, int nargs,
                     const char *const *keys, const char *doing, const qtm_page *pg,
                     json_t **out, int64_t *next_after);
/* A fetched page of limit+1 rows at most: drops the extra row and names the
 * last kept row's "id" in *next_after (0 when nothing was dropped). */
void qtmi_page_trim(json_t *rows, unsigned limit, int64_t *next_after);
extern const char *const qtmi_evidence_keys[], *const qtmi_participant_keys[], *const qtmi_phase_keys[];
extern const char *const qtmi_token_keys[];    /* token.c: the columns of SQ_TOKEN_LIST */
void qtmi_record_hash(const char *body, char out[65]);
/* A settlement's status from what is due and paid (settlement.c). */
const char *qtmi_settlement_status(int has_due, int64_t due, int64_t paid, int waived);
const char *qtm_audit_genesis(void);

/* Row helpers for store_run: copy a text column (NULL -> "") into dst[n];
 * -1 when it does not fit (dst then holds a cut copy): the row callback
 * returns negative, so the query fails with STORE_TOOLONG instead of a
 * silently shortened value reaching a decision or a view. */
int qtmi_col_text(char *dst, size_t n, const store_val *v);
/* A stored word of a closed list (role, access, state) read in a row
 * callback: its value, or n when names[0..n) lacks it; the first such word
 * is kept in *b, and the loader refuses the row with it (QTM_ESTORAGE): a
 * word the schema's CHECK should have kept out is damage, not a default. */
typedef struct stored_bad {
    const char *kind;              /* NULL: every word known */
    char word[32];
} stored_bad;
unsigned qtmi_col_word(stored_bad *b, const char *kind, const char *const *names, unsigned n,
                  const store_val *v);
/* The words of the enums (qtm_vocab_name over their tables). */
const char *qtmi_role_word(qtm_role r);
const char *qtmi_access_word(qtm_access_state s);
const char *qtmi_job_word(qtm_job_state s);
/* Generic single-int fetch; *out untouched when there is no row. */
qtm_status qtmi_fetch_int(qtm *q, store_query sq, const store_val *args, int nargs, int64_t *out);

/* Text a caller gives (intake.c, over the decoder intake packets use):
 * qtmi_text_valid is 1 when s is NULL or valid UTF-8 (no overlong form,
 * surrogate or truncated sequence); qtmi_text_check sets QTM_EINVALID on q,
 * "the WHAT is not valid UTF-8", otherwise QTM_OK.  Entry points check
 * every stored text before their transaction, so a refusal changes nothing
 * (the views could not show such text: jansson drops it). */
int qtmi_text_valid(const char *s);
qtm_status qtmi_text_check(qtm *q, const char *what, const char *s);
/* The one rule for free text an actor must give (a reason, a note): blank
 * is none.  qtmi_text_blank is 1 for NULL, "" or only whitespace (ASCII,
 * Unicode Zs, BOM: as a required intake field).  qtmi_reason_arg takes a
 * reason as given: none becomes NULL; longer than QTM_REASON_MAX bytes or
 * not UTF-8 is QTM_EINVALID naming `what`.  Where a reason is required,
 * the caller refuses NULL with the status a missing one has (QTM_EUSAGE
 * where the command takes --reason TEXT as required, QTM_EINVALID for a
 * transition's `requires reason`). */
int qtmi_text_blank(const char *s);
qtm_status qtmi_reason_arg(qtm *q, const char *what, const char **reason);

/* JSON helpers: a string or null. */
json_t *qtmi_json_str_or_null(const char *s);
json_t *qtmi_json_col(const store_val *v);

#endif
