/*
 * execution.c - jobs and their ServiceEvent: create, claim, advance,
 * complete, evidence, participants, and the views (job show, desk).
 *
 * Invariants kept here:
 *   - a job exists only through the explicit handoff from an approved,
 *     assigned task, one job per task (UNIQUE(task_id) backs it up);
 *   - a claim is one conditional UPDATE (... WHERE state = 'queued') inside
 *     BEGIN IMMEDIATE: of any number of concurrent claimers exactly one
 *     sees a changed row; the others are told who owns the job;
 *   - the ServiceEvent moves only along a transition the surface's tables
 *     allow from its current phase, fired by whom the table says, with its
 *     conditions met; reaching a final phase composes the record in the
 *     same transaction;
 *   - vendors and clients never change execution; they are participants.
 */
#include "qtm_int.h"
#include "blob.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


qtm_status qtm_job_create(qtm *q, const char *actor_slug, int64_t task_id, int64_t *job_id)
{
    *job_id = 0;
    actor a;
    int64_t request, assignee, existing;
    qtm_task_state state;
    char surface[64];
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, &a, 1, "create jobs")) != QTM_OK ||
        (st = qtmi_actor_require_role(q, &a, QTM_ROLE_ADMIN, "create jobs")) != QTM_OK ||
        (st = qtmi_task_for_job(q, task_id, &request, &state, &assignee, &existing,
                           surface, sizeof surface)) != QTM_OK)
        goto done;
    if (existing) {
        st = qtm_fail(q, QTM_ECONFLICT, "task %lld already has job %lld; one job per task",
                      (long long)task_id, (long long)existing);
        goto done;
    }
    if (state != QTM_TASK_ASSIGNED) {
        st = qtm_fail(q, QTM_EREFUSED, "task %lld is %s; a job is created only from an "
                      "approved task assigned to an operator", (long long)task_id,
                      state == QTM_TASK_APPROVED
                          ? "approved but not assigned"
                          : qtm_vocab_name(qtm_task_state_names, QTM_TASK_UNKNOWN, state));
        goto done;
    }
    const qtm_surface *s = qtm_surface_find(surface);
    if (!s) {
        st = qtm_fail(q, QTM_ENOTFOUND, "surface %s is not in this build", surface);
        goto done;
    }
    store_val args[4] = {SV_I(task_id), SV_S(s->slug), SV_S(s->fingerprint), SV_S(q->now)};
    store_rc rc = store_run(q->st, SQ_JOB_INSERT, args, 4, NULL, NULL);
    if (rc != STORE_OK) {
        st = rc == STORE_CONSTRAINT
                 ? qtm_fail(q, QTM_ECONFLICT, "task %lld already has a job", (long long)task_id)
                 : qtm_store_fail(q, rc, "creating the job");
        goto done;
    }
    *job_id = store_last_id(q->st);
    st = qtmi_audit_append(q, a.slug, "job", *job_id, "create", NULL, "queued", *job_id);
    if (st == QTM_OK && s->claim == QTM_CLAIM_NONE) {
        /* no claim step: execution truth exists from the handoff on */
        store_val se[4] = {SV_I(*job_id), SV_S(s->phases[s->initial].name), SV_N, SV_S(q->now)};
        if ((rc = store_run(q->st, SQ_SE_INSERT, se, 4, NULL, NULL)) != STORE_OK)
            st = qtm_store_fail(q, rc, "opening the service event");
        else
            st = qtmi_audit_append(q, a.slug, "service_event", store_last_id(q->st), "open", NULL,
                              s->phases[s->initial].name, *job_id);
    }
done:
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        *job_id = 0;
    return st;
}

/* Records one phase change of se (already updated): its audit row is the
 * phase history (time, actor, from, to, event). */
static qtm_status log_phase(qtm *q, int64_t se_id, const char *from, const char *to,
                            const char *event, const actor *a, int64_t job_id)
{
    return qtmi_audit_append(q, a->slug, "service_event", se_id, event, from, to, job_id);
}

/* Claims j for a: sets the owner and opens the ServiceEvent (or, after a
 * release left it in the initial phase, moves it on).  Caller holds the
 * write transaction and has checked role and access. */
static qtm_status claim_locked(qtm *q, const actor *a, job *j, const service_event *cur,
                               const qtm_transition *t, const char *event)
{
    const qtm_surface *s = j->s;
    store_val args[3] = {SV_I(a->id), SV_S(q->now), SV_I(j->id)};
    store_rc rc = store_run(q->st, SQ_JOB_CLAIM, args, 3, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "claiming");
    if (store_changes(q->st) != 1)  /* cannot happen under the write lock; never trust it */
        return qtm_fail(q, QTM_ECONFLICT, "job %lld was claimed by someone else",
                        (long long)j->id);
    qtm_status st = qtmi_audit_append(q, a->slug, "job", j->id, "claim", "queued", "active", j->id);
    if (st != QTM_OK)
        return st;
    const char *from = s->phases[s->initial].name, *to = s->phases[t->to].name;
    if (cur->id) {
        store_val step[5] = {SV_S(to), SV_I(0), SV_N, SV_I(cur->id), SV_S(from)};
        if ((rc = store_run(q->st, SQ_SE_SET_PHASE, step, 5, NULL, NULL)) != STORE_OK)
            return qtm_store_fail(q, rc, "claiming");
        if (store_changes(q->st) != 1)
            return qtm_fail(q, QTM_ECONFLICT, "job %lld changed while this command ran",
                            (long long)j->id);
        return log_phase(q, cur->id, from, to, event, a, j->id);
    }
    store_val se[4] = {SV_I(j->id), SV_S(to), SV_I(a->id), SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_SE_INSERT, se, 4, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "opening the service event");
    return log_phase(q, store_last_id(q->st), from, to, event, a, j->id);
}

qtm_status qtm_job_claim(qtm *q, const char *actor_slug, int64_t job_id)
{
    actor a;
    job j;
    service_event se;
    const qtm_transition *t = NULL;
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, &a, 1, "claim jobs")) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, &j)) != QTM_OK || (st = qtmi_se_load(q, job_id, &se)) != QTM_OK ||
        (st = qtmi_handoff_last(q, &j)) != QTM_OK ||  /* a refusal names a reassign */
        (st = qtmi_policy_claim(q, &a, &j, &se, &t)) != QTM_OK || !t)
        goto done;
    st = claim_locked(q, &a, &j, &se, t, "claim");
done:
    return qtmi_tx_end(q, st);
}

static int64_t count_evidence(qtm *q, int64_t job_id, const char *category)
{
    int64_t n = 0;
    store_val args[2] = {SV_I(job_id), SV_S(category)};
    qtmi_fetch_int(q, SQ_EVIDENCE_COUNT, args, 2, &n);
    return n;
}

/* The conditions a transition requires; QTM_EREFUSED naming what is missing
 * (a missing reason is missing input: QTM_EINVALID). */
static qtm_status check_requires(qtm *q, const job *j, const qtm_transition *t,
                                 const char *event, const char *reason)
{
    const qtm_surface *s = j->s;
    if ((t->requires & QTM_REQ_REASON) && !reason)
        return qtm_fail(q, QTM_EINVALID, "`%s` needs a reason (--reason TEXT): say why", event);
    if (t->requires & QTM_REQ_EVIDENCE) {
        char missing[512];
        size_t off = 0;
        missing[0] = '\0';
        for (unsigned i = 0; i < s->nev_required; i++) {
            int64_t have = count_evidence(q, j->id, s->ev_required[i]);
            if (have < (int64_t)s->ev_min_per_category && off < sizeof missing)
                off += (size_t)snprintf(missing + off, sizeof missing - off, "%s%s (%lld of %u)",
                                        off ? ", " : "", s->ev_required[i], (long long)have,
                                        s->ev_min_per_category);
        }
        if (q->err != QTM_OK)      /* a count the store failed to give: not "missing" */
            return q->err;
        if (off)
            return qtm_fail(q, QTM_EREFUSED, "evidence missing: %s", missing);
    }
    if (t->requires & QTM_REQ_PAYMENT) {
        json_t *set = qtmi_settlement_json(q, j->id);
        if (!set)
            return q->err;
        const char *status = set ? json_string_value(json_object_get(set, "status")) : NULL;
        int ok = status && (strcmp(status, "paid") == 0 || strcmp(status, "waived") == 0);
        char copy[16];
        snprintf(copy, sizeof copy, "%s", status ? status : "unpaid");
        json_decref(set);
        if (!ok)
            return qtm_fail(q, QTM_EREFUSED, "job %lld must be paid or waived first (settlement "
                            "is %s; payment timing is before_complete)", (long long)j->id, copy);
    }
    if (t->requires & QTM_REQ_PARTICIPANTS) {
        int64_t n = 0;
        store_val arg = SV_I(j->id);
        if (qtmi_fetch_int(q, SQ_PARTICIPANT_COUNT, &arg, 1, &n) != QTM_OK)
            return q->err;
        if (n == 0)
            return qtm_fail(q, QTM_EREFUSED, "job %lld needs at least one participant recorded "
                            "first", (long long)j->id);
    }
    return QTM_OK;
}

/* Opens j's ServiceEvent unowned at the initial phase (an admin's or any
 * operator's first step) and fills se. */
static qtm_status se_open(qtm *q, const actor *a, const job *j, service_event *se)
{
    const char *initial = j->s->phases[j->s->initial].name;
    store_val open[4] = {SV_I(j->id), SV_S(initial), SV_N, SV_S(q->now)};
    store_rc rc = store_run(q->st, SQ_SE_INSERT, open, 4, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "opening the service event");
    se->id = store_last_id(q->st);
    snprintf(se->phase, sizeof se->phase, "%s", initial);
    snprintf(se->started_at, sizeof se->started_at, "%s", q->now);
    return qtmi_audit_append(q, a->slug, "service_event", se->id, "open", NULL, initial, j->id);
}

/* Moves the open ServiceEvent along t, logs the phase and, at a final
 * phase, composes the record. */
static qtm_status se_step(qtm *q, const actor *a, const job *j, service_event *se,
                          const qtm_transition *t, const char *event, const char *reason)
{
    const qtm_surface *s = j->s;
    const char *to = s->phases[t->to].name;
    int final = s->phases[t->to].final;
    /* a retained spec from before outcomes has none: NULL, as before v5 */
    const char *outcome = final && t->outcome && t->outcome[0] ? t->outcome : NULL;
    store_val args[7] = {SV_S(to), SV_I(final), final ? SV_S(q->now) : SV_N, SV_I(se->id),
                         SV_S(se->phase), outcome ? SV_S(outcome) : SV_N,
                         reason ? SV_S(reason) : SV_N};
    store_rc rc = store_run(q->st, SQ_SE_SET_PHASE, args, 7, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "advancing");
    if (store_changes(q->st) != 1)
        return qtm_fail(q, QTM_ECONFLICT, "job %lld changed while this command ran",
                        (long long)j->id);
    qtm_status st = log_phase(q, se->id, se->phase, to, event, a, j->id);
    if (st != QTM_OK || !final)
        return st;
    snprintf(se->phase, sizeof se->phase, "%s", to);
    snprintf(se->outcome, sizeof se->outcome, "%s", outcome ? outcome : "");
    snprintf(se->reason, sizeof se->reason, "%s", reason ? reason : "");
    se->complete = 1;
    snprintf(se->completed_at, sizeof se->completed_at, "%s", q->now);
    if ((st = qtmi_record_compose(q, j, se, a->slug)) != QTM_OK)
        return st;
    /* execution is over: the job is ready, and `job complete` is next */
    store_val arg = SV_I(j->id);
    if ((rc = store_run(q->st, SQ_JOB_READY, &arg, 1, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "marking the job ready");
    if (store_changes(q->st) != 1)
        return qtm_fail(q, QTM_ECONFLICT, "job %lld changed while this command ran",
                        (long long)j->id);
    return qtmi_audit_append(q, a->slug, "job", j->id, "ready", qtmi_job_word(j->state),
                             qtmi_job_word(QTM_JOB_READY), j->id);
}

qtm_status qtm_job_advance(qtm *q, const char *actor_slug, int64_t job_id, const char *event)
{
    return qtm_job_advance_reason(q, actor_slug, job_id, event, NULL);
}

/* A reason as given: NULL or blank is none; too long or not UTF-8 is refused. */
static qtm_status reason_arg(qtm *q, const char **reason)
{
    const char *r = *reason;
    if (!r)
        return QTM_OK;
    const char *p = r;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (!*p) {
        *reason = NULL;
        return QTM_OK;
    }
    if (strlen(r) > QTM_REASON_MAX)
        return qtm_fail(q, QTM_EINVALID, "the reason is longer than %d bytes", QTM_REASON_MAX);
    return qtmi_text_check(q, "reason", r);
}

/* load -> policy -> write -> audit (the writes audit as they go) */
qtm_status qtm_job_advance_reason(qtm *q, const char *actor_slug, int64_t job_id,
                                  const char *event, const char *reason)
{
    actor a;
    job j;
    service_event se;
    const qtm_transition *t = NULL;
    policy_step how = POLICY_STEP;
    qtm_status st = reason_arg(q, &reason);
    if (st != QTM_OK || (st = qtmi_tx_begin(q, 1)) != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, &a, 1, "change execution")) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, &j)) != QTM_OK || (st = qtmi_se_load(q, job_id, &se)) != QTM_OK ||
        (st = qtmi_handoff_last(q, &j)) != QTM_OK ||  /* a refusal names a hand-off */
        (st = qtmi_policy_fire(q, &a, &j, &se, event, &t, &how)) != QTM_OK)
        goto done;
    /* a claim transition gates on nothing but who claims */
    if (!t->claim && (st = check_requires(q, &j, t, event, reason)) != QTM_OK)
        goto done;
    if (how == POLICY_CLAIM)
        st = claim_locked(q, &a, &j, &se, t, event);
    else if ((how == POLICY_STEP || (st = se_open(q, &a, &j, &se)) == QTM_OK))
        st = se_step(q, &a, &j, &se, t, event, reason);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_job_complete(qtm *q, const char *actor_slug, int64_t job_id)
{
    actor a;
    job j;
    service_event se;
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, &a, 1, "complete jobs")) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, &j)) != QTM_OK || (st = qtmi_se_load(q, job_id, &se)) != QTM_OK ||
        (st = qtmi_policy_complete(q, &a, &j, &se)) != QTM_OK)
        goto done;
    store_val args[2] = {SV_S(q->now), SV_I(job_id)};
    store_rc rc = store_run(q->st, SQ_JOB_COMPLETE, args, 2, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "completing the job");
        goto done;
    }
    if (store_changes(q->st) != 1) {
        st = qtm_fail(q, QTM_ECONFLICT, "job %lld changed while this command ran",
                      (long long)job_id);
        goto done;
    }
    st = qtmi_audit_append(q, a.slug, "job", job_id, "complete", qtmi_job_word(j.state),
                      qtmi_job_word(QTM_JOB_COMPLETE), job_id);
done:
    return qtmi_tx_end(q, st);
}

/* Evidence and participants: recorded by the job's operator (the owner). */
static qtm_status context_begin(qtm *q, const char *actor_slug, int64_t job_id, const char *what,
                                actor *a, job *j)
{
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    service_event se;
    if ((st = qtmi_actor_may_act(q, actor_slug, a, 1, what)) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, j)) != QTM_OK || (st = qtmi_se_load(q, job_id, &se)) != QTM_OK)
        return st;
    return qtmi_policy_context(q, a, j, &se, what);
}

/* Stores one row of execution context (evidence or a participant: job, three
 * texts, actor, time) and its audit row; the caller holds the transaction. */
static qtm_status context_record(qtm *q, store_query sq, const actor *a, int64_t job_id,
                                 const char *t1, const char *t2, const char *t3,
                                 const char *entity, const char *shown)
{
    store_val args[6] = {SV_I(job_id), SV_S(t1), SV_S(t2), SV_S(t3), SV_I(a->id), SV_S(q->now)};
    store_rc rc = store_run(q->st, sq, args, 6, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "recording execution context");
    return qtmi_audit_append(q, a->slug, entity, store_last_id(q->st), "add", NULL, shown, job_id);
}

static int text_ok(const char *s, size_t max)
{
    return s && *s && strlen(s) <= max;
}

/* In the evidence item's transaction: the blob it is (the file prepared
 * from a path, stored now; or the stored file ref names), of a type s
 * accepts for evidence.  *id and hex name it. */
static qtm_status evidence_blob(qtm *q, const qtm_surface *s, const qtmi_blob_file *f,
                                const char *ref, const actor *a, int64_t *id, char hex[65])
{
    qtm_file_type type;
    int64_t size;
    if (f) {
        snprintf(hex, 65, "%s", f->hash);
        return qtmi_blob_store(q, f, a->id, id);
    }
    if (qtmi_blob_ref(ref, hex) != 0)
        return qtm_fail(q, QTM_EINVALID, "evidence is a file: name a stored one as sha256: "
                        "and 64 lowercase hex digits (text goes in the note)");
    qtm_status st = qtmi_blob_find(q, hex, id, &type, &size);
    if (st != QTM_OK)
        return st;
    if (type == QTM_FILE_UNKNOWN || !(qtmi_surface_evidence_types(s) & (1u << type)) ||
        size > qtmi_surface_file_max(s))
        return qtm_fail(q, QTM_EINVALID, "file sha256:%s is not evidence %s accepts", hex,
                        s->slug);
    return QTM_OK;
}

/* qtm_evidence_add with a prepared file f, or qtm_evidence_add_blob with
 * ref (f NULL). */
static qtm_status evidence_add(qtm *q, const char *actor_slug, int64_t job_id,
                               const char *category, const qtmi_blob_file *f, const char *ref,
                               const char *note)
{
    actor a;
    job j;
    int64_t blob_id = 0;
    char hex[65], name[72];
    qtm_status st = context_begin(q, actor_slug, job_id, "add evidence", &a, &j);
    if (st != QTM_OK)
        return qtmi_tx_end(q, st);
    const qtm_surface *s = j.s;
    int known = 0;
    for (unsigned i = 0; i < s->nev_required; i++)
        known |= strcmp(s->ev_required[i], category) == 0;
    for (unsigned i = 0; i < s->nev_optional; i++)
        known |= strcmp(s->ev_optional[i], category) == 0;
    if (!known && s->nev_required + s->nev_optional > 0) {
        st = qtm_fail(q, QTM_EINVALID, "surface %s has no evidence category '%s'", s->slug,
                      category);
        return qtmi_tx_end(q, st);
    }
    if ((st = evidence_blob(q, s, f, ref, &a, &blob_id, hex)) != QTM_OK)
        return qtmi_tx_end(q, st);
    snprintf(name, sizeof name, "sha256:%s", hex);
    store_val args[7] = {SV_I(job_id), SV_S(category), SV_S(name), SV_S(note),
                         SV_I(a.id),   SV_S(q->now),   SV_I(blob_id)};
    store_rc rc = store_run(q->st, SQ_EVIDENCE_INSERT, args, 7, NULL, NULL);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "recording evidence");
    else
        st = qtmi_audit_append(q, a.slug, "evidence", store_last_id(q->st), "add", NULL,
                               category, job_id);
    return qtmi_tx_end(q, st);
}

static qtm_status evidence_texts(qtm *q, const char *category, const char *note)
{
    qtm_status st;
    if (!text_ok(category, 64) || (note && strlen(note) > 2000))
        return qtm_fail(q, QTM_EINVALID, "evidence needs a category (<= 64 bytes); a note is "
                        "at most 2000 bytes");
    if ((st = qtmi_text_check(q, "evidence category", category)) != QTM_OK ||
        (st = qtmi_text_check(q, "evidence note", note)) != QTM_OK)
        return st;
    return QTM_OK;
}

qtm_status qtm_evidence_add(qtm *q, const char *actor_slug, int64_t job_id,
                            const char *category, const char *path, const char *note)
{
    qtmi_blob_file f;
    qtm_status st = evidence_texts(q, category, note);
    if (st != QTM_OK)
        return st;
    if (!path || !*path)
        return qtm_fail(q, QTM_EINVALID, "evidence is a file: give its path");
    /* the job's surface decides what it accepts; read it before the file */
    job j;
    if ((st = qtmi_tx_begin(q, 0)) != QTM_OK)
        return st;
    if ((st = qtmi_job_load(q, job_id, &j)) != QTM_OK)
        return qtmi_tx_end(q, st);
    if ((st = qtmi_tx_end(q, QTM_OK)) != QTM_OK)
        return st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return qtm_fail(q, QTM_EINVALID, "cannot open %s: %s", path, strerror(errno));
    st = qtmi_blob_prepare(q, fd, qtmi_surface_evidence_types(j.s),
                           qtmi_surface_file_max(j.s), "the evidence file", &f);
    close(fd);
    if (st != QTM_OK)
        return st;
    st = evidence_add(q, actor_slug, job_id, category, &f, NULL, note);
    qtmi_blob_file_free(&f);
    return st;
}

qtm_status qtm_evidence_add_blob(qtm *q, const char *actor_slug, int64_t job_id,
                                 const char *category, const char *ref, const char *note)
{
    qtm_status st = evidence_texts(q, category, note);
    return st != QTM_OK ? st : evidence_add(q, actor_slug, job_id, category, NULL, ref, note);
}

qtm_status qtm_participant_add(qtm *q, const char *actor_slug, int64_t job_id,
                               const char *name, const char *role, const char *contact)
{
    if (!text_ok(name, 200) || !text_ok(role, 100) || (contact && strlen(contact) > 200))
        return qtm_fail(q, QTM_EINVALID, "a participant needs a name (<= 200 bytes) and a role "
                        "(<= 100 bytes); contact is at most 200 bytes");
    actor a;
    job j;
    qtm_status st;
    if ((st = qtmi_text_check(q, "participant name", name)) != QTM_OK ||
        (st = qtmi_text_check(q, "participant role", role)) != QTM_OK ||
        (st = qtmi_text_check(q, "participant contact", contact)) != QTM_OK)
        return st;
    st = context_begin(q, actor_slug, job_id, "record participants", &a, &j);
    if (st != QTM_OK)
        return qtmi_tx_end(q, st);
    st = context_record(q, SQ_PARTICIPANT_INSERT, &a, job_id, name, role, contact,
                        "participant", role);
    return qtmi_tx_end(q, st);
}

/* --- views ----------------------------------------------------------------- */

typedef struct named_rows {
    json_t *arr;
    const char *const *keys;       /* NULL-terminated column names */
} named_rows;

static int named_row(void *arg, const store_val *c, int n)
{
    named_rows *r = arg;
    json_t *o = json_object();
    for (int i = 0; r->keys[i] && i < n; i++)
        json_object_set_new(o, r->keys[i], qtmi_json_col(&c[i]));
    json_array_append_new(r->arr, o);
    return 0;
}

json_t *qtmi_list_rows(qtm *q, store_query sq, const store_val *args, int nargs,
                  const char *const *keys, store_rc *rc)
{
    named_rows r = {json_array(), keys};
    *rc = store_run(q->st, sq, args, nargs, named_row, &r);
    if (*rc != STORE_OK) {
        json_decref(r.arr);
        qtm_store_fail(q, *rc, "reading a list");
        return NULL;
    }
    return r.arr;
}

json_t *qtmi_job_list(qtm *q, store_query sq, int64_t id, const char *const *keys)
{
    store_rc rc;
    store_val arg = SV_I(id);
    return qtmi_list_rows(q, sq, &arg, 1, keys, &rc);
}

qtm_status qtmi_list_all(qtm *q, store_query sq, const char *const *keys, const char *doing,
                    json_t **out)
{
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    store_rc rc;
    store_val all[2] = {SV_I(0), SV_I(-1)};  /* after nothing, no limit */
    *out = qtmi_list_rows(q, sq, all, 2, keys, &rc);
    return qtmi_view_end(q, *out ? QTM_OK : qtm_store_fail(q, rc, doing), out);
}

const char *const qtmi_evidence_keys[] = {"category", "ref", "note", "actor", "at",
                                          "type", "size", NULL};
const char *const qtmi_participant_keys[] = {"name", "role", "contact", "actor", "at", NULL};
const char *const qtmi_phase_keys[] = {"from", "to", "event", "actor", "at", NULL};

json_t *qtmi_transition_json(const qtm_surface *s, const qtm_transition *t)
{
    json_t *o = json_object(), *req = json_array();
    json_object_set_new(o, "event", json_string(s->events[t->event]));
    json_object_set_new(o, "to", json_string(s->phases[t->to].name));
    json_object_set_new(o, "label", json_string(s->phases[t->to].label));
    json_object_set_new(o, "by", json_string(t->by & QTM_BY_OWNER      ? "owner"
                                             : t->by & QTM_BY_OPERATOR ? "operator"
                                                                       : "admin"));
    for (unsigned b = 0; b < QTM_COND_COUNT; b++)
        if (t->requires & (1u << b))
            json_array_append_new(req, json_string(qtm_condition_names[b]));
    json_object_set_new(o, "requires", req);
    if (t->outcome && t->outcome[0])
        json_object_set_new(o, "outcome", json_string(t->outcome));
    return o;
}

/* The request's intake packet as submitted (null if unreadable); *request
 * its id (0 if unknown). */
static json_t *job_intake(qtm *q, const job *j, int64_t *request)
{
    int64_t assignee, jid;
    qtm_task_state state;
    char surface[64];
    *request = 0;
    if (qtmi_task_for_job(q, j->task, request, &state, &assignee, &jid, surface,
                     sizeof surface) != QTM_OK)
        return json_null();
    json_t *r = qtmi_request_json(q, *request);
    json_t *in = json_incref(json_object_get(r, "intake"));
    json_decref(r);
    return in ? in : json_null();
}

qtm_status qtmi_job_view(qtm *q, int64_t job_id, json_t **out)
{
    *out = NULL;
    job j;
    service_event se;
    qtm_status st;
    if ((st = qtmi_job_load(q, job_id, &j)) != QTM_OK || (st = qtmi_se_load(q, job_id, &se)) != QTM_OK)
        return st;
    const qtm_surface *s = j.s;
    const char *phase = qtmi_job_phase(&j, &se);
    int p = qtmi_surface_phase(s, phase);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(j.id));
    json_object_set_new(o, "surface", json_string(j.surface));
    json_object_set_new(o, "fingerprint", json_string(j.fingerprint));
    json_object_set_new(o, "state", json_string(qtmi_job_word(j.state)));
    json_object_set_new(o, "phase", json_string(phase));
    json_object_set_new(o, "label", json_string(qtmi_surface_label(s, phase)));
    json_object_set_new(o, "hint", json_string(p >= 0 ? s->phases[p].hint : ""));
    json_object_set_new(o, "owner", qtmi_json_str_or_null(j.owner));
    json_object_set_new(o, "assignee", qtmi_json_str_or_null(j.assignee));
    json_object_set_new(o, "task", json_integer(j.task));
    int64_t request = 0;
    json_t *in = job_intake(q, &j, &request);
    json_object_set_new(o, "summary", qtmi_summary_json(s, in));
    json_object_set_new(o, "intake", in);
    json_object_set_new(o, "created_at", json_string(j.created_at));
    json_object_set_new(o, "claimed_at", qtmi_json_str_or_null(j.claimed_at));
    json_object_set_new(o, "completed_at", qtmi_json_str_or_null(j.completed_at));
    if (se.id) {
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(se.id));
        json_object_set_new(e, "phase", json_string(se.phase));
        /* the operator who holds it now (a hand-over moves the owner; the
         * one who opened it is owners[0]) */
        json_object_set_new(e, "operator",
                            qtmi_json_str_or_null(j.owner[0] ? j.owner : se.operator_slug));
        json_object_set_new(e, "complete", json_boolean(se.complete));
        json_object_set_new(e, "started_at", json_string(se.started_at));
        json_object_set_new(e, "completed_at", qtmi_json_str_or_null(se.completed_at));
        json_object_set_new(e, "outcome", qtmi_json_str_or_null(se.outcome));
        json_object_set_new(e, "reason", qtmi_json_str_or_null(se.reason));
        json_t *ph = qtmi_job_list(q, SQ_PHASE_LIST, j.id, qtmi_phase_keys);
        json_object_set_new(e, "phases", ph ? ph : json_array());
        json_object_set_new(o, "service_event", e);
    } else {
        json_object_set_new(o, "service_event", json_null());
    }
    json_t *next = json_array();
    if (p >= 0 && (j.state == QTM_JOB_QUEUED || j.state == QTM_JOB_ACTIVE))
        for (unsigned e = 0; e < s->nevents; e++) {
            const qtm_transition *t = qtm_surface_next(s, (unsigned)p, e);
            if (t)
                json_array_append_new(next, qtmi_transition_json(s, t));
        }
    json_object_set_new(o, "next", next);
    json_t *ev = qtmi_job_list(q, SQ_EVIDENCE_LIST, j.id, qtmi_evidence_keys);
    json_object_set_new(o, "evidence", ev ? ev : json_array());
    json_t *missing = json_array();
    for (unsigned i = 0; i < s->nev_required; i++) {
        int64_t have = count_evidence(q, j.id, s->ev_required[i]);
        if (have < (int64_t)s->ev_min_per_category) {
            json_t *m = json_object();
            json_object_set_new(m, "category", json_string(s->ev_required[i]));
            json_object_set_new(m, "have", json_integer(have));
            json_object_set_new(m, "need", json_integer(s->ev_min_per_category));
            json_array_append_new(missing, m);
        }
    }
    json_object_set_new(o, "evidence_missing", missing);
    json_t *pa = qtmi_job_list(q, SQ_PARTICIPANT_LIST, j.id, qtmi_participant_keys);
    json_object_set_new(o, "participants", pa ? pa : json_array());
    json_t *set = qtmi_settlement_json(q, j.id);
    json_object_set_new(o, "settlement", set ? set : json_null());
    int64_t rec = 0;
    store_val arg = SV_I(j.id);
    qtmi_fetch_int(q, SQ_RECORD_BY_JOB, &arg, 1, &rec);
    json_object_set_new(o, "record", rec ? json_integer(rec) : json_null());
    qtmi_job_view_governance(q, &j, request, o);
    /* every read above that the store failed set q's error: no partial view */
    if (q->err != QTM_OK) {
        json_decref(o);
        return q->err;
    }
    *out = o;
    return QTM_OK;
}

qtm_status qtm_job_show(qtm *q, int64_t job_id, json_t **out)
{
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    return qtmi_view_end(q, qtmi_job_view(q, job_id, out), out);
}

typedef struct desk_ctx {
    qtm *q;
    actor op;                      /* op.id 0: everyone */
    json_t *queued, *active, *completed;
    /* paging one list: the operator and visibility filters are the
     * tables', not SQL's, so the scan stops at the first matching row past
     * `limit` (0: no limit) instead of an SQL LIMIT */
    unsigned limit, taken;
    int64_t last;                  /* id of the last row taken */
    int more;                      /* a matching row lies past the page */
} desk_ctx;

static int desk_row(void *arg, const store_val *c, int n)
{
    desk_ctx *d = arg;
    (void)n;
    const char *surface = c[1].type == SV_TEXT ? c[1].s : "";
    const char *state = c[2].type == SV_TEXT ? c[2].s : "";
    /* the tables the job runs under (a retained spec for an old job) */
    const qtm_surface *s = n > 8 && c[8].type == SV_TEXT
                               ? qtm_surface_by_fingerprint(surface, c[8].s) : NULL;
    if (!s)
        s = qtm_surface_find(surface);
    if (!s)
        return 0;
    int64_t owner = c[6].type == SV_INT ? c[6].i : 0, assignee = c[7].type == SV_INT ? c[7].i : 0;
    qtm_job_state js = (qtm_job_state)qtm_vocab_find(qtm_job_state_names, QTM_JOB_UNKNOWN,
                                                     state);
    int queued = js == QTM_JOB_QUEUED;
    int active = js == QTM_JOB_ACTIVE || js == QTM_JOB_READY;  /* ready: to close */
    if (js == QTM_JOB_CANCELLED)
        return 0;                  /* no work left on any desk */
    if (d->op.id) {
        /* an operator's desk: their jobs, and the pool jobs they may claim
         * (the read rule, qtmi_access_job: what the desk lists, they may open) */
        job j = {.id = c[0].i, .state = js, .owner_id = owner, .assignee_id = assignee,
                 .s = s};
        int mine = owner == d->op.id || (!owner && assignee == d->op.id);
        if (!mine && qtmi_access_job(&d->op, &j) != QTM_ACCESS_PREVIEW)
            return 0;
    }
    const char *phase = c[3].type == SV_TEXT ? c[3].s : s->phases[s->initial].name;
    json_t *o = json_object();
    json_object_set_new(o, "id", qtmi_json_col(&c[0]));
    json_object_set_new(o, "surface", json_string(surface));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "phase", json_string(phase));
    json_object_set_new(o, "label", json_string(qtmi_surface_label(s, phase)));
    json_object_set_new(o, "owner", qtmi_json_col(&c[4]));
    json_object_set_new(o, "assignee", qtmi_json_col(&c[5]));
    json_t *in = n > 9 && c[9].type == SV_TEXT ? json_loads(c[9].s, 0, NULL) : NULL;
    json_object_set_new(o, "summary", qtmi_summary_json(s, in));
    json_decref(in);
    json_object_set_new(o, "settlement", n > 10 ? qtmi_json_col(&c[10]) : json_null());
    int listed = queued || active || s->completed_jobs == QTM_COMPLETED_VISIBLE;
    if (listed && d->limit && d->taken == d->limit) {
        d->more = 1;
        json_decref(o);
        return 1;
    }
    if (listed) {
        d->taken++;
        d->last = c[0].i;
    }
    if (queued)
        json_array_append_new(d->queued, o);
    else if (active)
        json_array_append_new(d->active, o);
    else if (s->completed_jobs == QTM_COMPLETED_VISIBLE)
        json_array_append_new(d->completed, o);
    else
        json_decref(o);
    return 0;
}

/* The desk's lists and the job state each holds. */
static const char *const desk_lists[][2] = {
    {"queued", "queued"}, {"active", "active"}, {"completed", "complete"}};

/* One list of the desk from `after`, at most limit rows (0: all); sets
 * next[list] to the id to page on from, or null. */
static qtm_status desk_list(qtm *q, desk_ctx *d, int k, int64_t after, json_t *next)
{
    d->taken = 0;
    d->last = 0;
    d->more = 0;
    store_val args[2] = {SV_S(desk_lists[k][1]), SV_I(after)};
    store_rc rc = store_run(q->st, SQ_JOB_DESK, args, 2, desk_row, d);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading the desk");
    json_object_set_new(next, desk_lists[k][0], d->more ? json_integer(d->last) : json_null());
    return QTM_OK;
}

/* list: -1 every job unpaged; 3 the three lists, each one page; 0-2 that list's page. */
static qtm_status desk_read(qtm *q, const char *operator_slug, int list, int64_t after,
                            unsigned limit, json_t **out)
{
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    desk_ctx d = {q, {0}, json_array(), json_array(), json_array(), limit, 0, 0, 0};
    json_t *next = json_object();
    if (operator_slug && (st = qtmi_actor_load(q, operator_slug, &d.op)) != QTM_OK)
        goto done;
    if (list < 0) {
        store_val args[2] = {SV_N, SV_I(0)};
        store_rc rc = store_run(q->st, SQ_JOB_DESK, args, 2, desk_row, &d);
        if (rc != STORE_OK) {
            st = qtm_store_fail(q, rc, "reading the desk");
            goto done;
        }
    }
    for (int k = 0; k < 3 && list >= 0; k++)
        if ((list == 3 || list == k) && (st = desk_list(q, &d, k, after, next)) != QTM_OK)
            goto done;
    json_t *o = json_object();
    json_t *arr[3] = {d.queued, d.active, d.completed};
    for (int k = 0; k < 3; k++)
        if (list < 0 || list == 3 || list == k)
            json_object_set_new(o, desk_lists[k][0], json_incref(arr[k]));
    if (list >= 0)
        json_object_set_new(o, "next_after", json_incref(next));
    *out = o;
done:
    json_decref(d.queued);
    json_decref(d.active);
    json_decref(d.completed);
    json_decref(next);
    return qtmi_view_end(q, st, out);
}

qtm_status qtm_desk(qtm *q, const char *operator_slug, json_t **out)
{
    return desk_read(q, operator_slug, -1, 0, 0, out);
}

qtm_status qtm_desk_page(qtm *q, const char *operator_slug, const char *list,
                         const qtm_page *pg, json_t **out)
{
    *out = NULL;
    unsigned limit;
    qtm_status st = qtmi_page_limit(q, pg, &limit);
    if (st != QTM_OK)
        return st;
    int k = 3;
    if (list) {
        for (k = 0; k < 3 && strcmp(list, desk_lists[k][0]) != 0; k++)
            ;
        if (k == 3)
            return qtm_fail(q, QTM_EUSAGE, "unknown desk list '%s' (queued, active, completed)",
                            list);
    } else if (pg && pg->after)
        return qtm_fail(q, QTM_EUSAGE, "paging the desk with after needs a list (queued, "
                        "active or completed)");
    return desk_read(q, operator_slug, k, pg ? pg->after : 0, limit, out);
}
