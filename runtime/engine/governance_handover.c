/*
 * governance_handover.c - the governance of a job's work once it exists:
 * reassign (queued), hand over (owned), release (the owner gives it back),
 * cancel (before the claim), and notes; and the parts of the job view they
 * add (owners in order, hand-offs, notes, the request laid out).
 *
 * Each command is one transaction: load -> policy (policy.c) -> write ->
 * audit.  Every hand-off is a row of `handoffs` (reason, by whom) with its
 * own audit row naming the old and the new operator (from, to); the job,
 * task and ServiceEvent rows it changes get their audit rows too, so the
 * log holds each layer's history.  There is one owner at a time, always.
 */
#include "qtm_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NOTE_MAX 2000              /* bytes */

static int handoff_row(void *arg, const store_val *c, int n)
{
    handoff *h = arg;
    (void)n;
    int bad = 0;
    h->id = c[0].i;
    bad |= qtmi_col_text(h->action, sizeof h->action, &c[1]);
    h->from_id = c[2].type == SV_INT ? c[2].i : 0;
    bad |= qtmi_col_text(h->from, sizeof h->from, &c[3]);
    h->to_id = c[4].type == SV_INT ? c[4].i : 0;
    bad |= qtmi_col_text(h->to, sizeof h->to, &c[5]);
    bad |= qtmi_col_text(h->reason, sizeof h->reason, &c[6]);
    bad |= qtmi_col_text(h->by, sizeof h->by, &c[7]);
    bad |= qtmi_col_text(h->at, sizeof h->at, &c[8]);
    return bad ? -1 : 1;
}

qtm_status qtmi_handoff_last(qtm *q, job *j)
{
    memset(&j->last, 0, sizeof j->last);
    store_val arg = SV_I(j->id);
    store_rc rc = store_run(q->st, SQ_HANDOFF_LAST, &arg, 1, handoff_row, &j->last);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "reading hand-offs");
}

/* A reason (qtmi_reason_arg: blank is none, stored as NULL); usage: the
 * command requires one, refused as missing (QTM_EUSAGE, as the CLI refuses
 * a missing --reason). */
static qtm_status reason_check(qtm *q, const char **reason, const char *usage)
{
    qtm_status st = qtmi_reason_arg(q, "reason", reason);
    if (st == QTM_OK && usage && !*reason)
        return qtm_fail(q, QTM_EUSAGE, "%s needs a reason (--reason TEXT)", usage);
    return st;
}

/* The shared start: the write transaction, the acting actor, the job (with
 * its newest hand-off) and its ServiceEvent. */
static qtm_status gov_begin(qtm *q, const char *actor_slug, int64_t job_id, const char *what,
                            actor *a, job *j, service_event *se)
{
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, a, 1, what)) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, j)) != QTM_OK ||
        (st = qtmi_se_load(q, job_id, se)) != QTM_OK)
        return st;
    return qtmi_handoff_last(q, j);
}

/* Stores one hand-off and its audit row (from and to: the operators' slugs). */
static qtm_status handoff_write(qtm *q, const actor *a, const job *j, const char *action,
                                int64_t from_id, const char *from, int64_t to_id,
                                const char *to, const char *reason)
{
    store_val args[7] = {SV_I(j->id), SV_S(action), from_id ? SV_I(from_id) : SV_N,
                         to_id ? SV_I(to_id) : SV_N, SV_S(reason && *reason ? reason : NULL),
                         SV_I(a->id), SV_S(q->now)};
    store_rc rc = store_run(q->st, SQ_HANDOFF_INSERT, args, 7, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "recording the hand-off");
    return qtmi_audit_append(q, a->slug, "handoff", store_last_id(q->st), action,
                             from && *from ? from : NULL, to && *to ? to : NULL, j->id);
}

/* Runs a conditional UPDATE that must change exactly one row. */
static qtm_status update_one(qtm *q, store_query sq, const store_val *args, int n,
                             const job *j, const char *doing)
{
    store_rc rc = store_run(q->st, sq, args, n, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, doing);
    if (store_changes(q->st) != 1)
        return qtm_fail(q, QTM_ECONFLICT, "job %lld changed while this command ran",
                        (long long)j->id);
    return QTM_OK;
}

/* Moves the task's assignee from j's to `to` (its audit row: action, old, new). */
static qtm_status task_assignee(qtm *q, const actor *a, const job *j, const actor *to,
                                const char *action)
{
    store_val args[4] = {SV_I(to->id), SV_S(q->now), SV_I(j->task),
                         j->assignee_id ? SV_I(j->assignee_id) : SV_N};
    qtm_status st = update_one(q, SQ_TASK_REASSIGN, args, 4, j, "moving the assignment");
    if (st != QTM_OK)
        return st;
    return qtmi_audit_append(q, a->slug, "task", j->task, action,
                             j->assignee[0] ? j->assignee : NULL, to->slug, j->id);
}

/* Loads the operator who is to receive the work and checks them. */
static qtm_status target_load(qtm *q, const job *j, const char *slug, int64_t current,
                              const char *what, actor *to)
{
    if (!slug || !*slug)
        return qtm_fail(q, QTM_EUSAGE, "name the operator who receives the job (--to OPERATOR)");
    qtm_status st = qtmi_actor_load(q, slug, to);
    if (st != QTM_OK)
        return st;
    return qtmi_policy_target(q, j, to, current, what);
}

qtm_status qtm_job_reassign(qtm *q, const char *actor_slug, int64_t job_id, const char *to_slug,
                            const char *reason)
{
    actor a, to;
    job j;
    service_event se;
    qtm_status st = reason_check(q, &reason, NULL);
    if (st != QTM_OK)
        return st;
    if ((st = gov_begin(q, actor_slug, job_id, "reassign jobs", &a, &j, &se)) != QTM_OK ||
        (st = qtmi_policy_reassign(q, &a, &j)) != QTM_OK ||
        (st = target_load(q, &j, to_slug, j.assignee_id, "be reassigned to", &to)) != QTM_OK ||
        (st = task_assignee(q, &a, &j, &to, "reassign")) != QTM_OK)
        goto done;
    st = handoff_write(q, &a, &j, "reassign", j.assignee_id, j.assignee, to.id, to.slug, reason);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_job_handover(qtm *q, const char *actor_slug, int64_t job_id, const char *to_slug,
                            const char *reason)
{
    actor a, to;
    job j;
    service_event se;
    qtm_status st = reason_check(q, &reason, "a hand-over");
    if (st != QTM_OK)
        return st;
    if ((st = gov_begin(q, actor_slug, job_id, "hand jobs over", &a, &j, &se)) != QTM_OK ||
        (st = qtmi_policy_handover(q, &a, &j)) != QTM_OK ||
        (st = target_load(q, &j, to_slug, j.owner_id, "be handed over to", &to)) != QTM_OK)
        goto done;
    store_val args[3] = {SV_I(to.id), SV_I(j.id), SV_I(j.owner_id)};
    const char *state = qtmi_job_word(j.state);
    /* the single owner moves, and the assignment with it: a later release
     * gives the work back to whoever held it last, not to the one before */
    if ((st = update_one(q, SQ_JOB_SET_OWNER, args, 3, &j, "handing the job over")) != QTM_OK ||
        (st = qtmi_audit_append(q, a.slug, "job", j.id, "handover", state, state, j.id)) !=
            QTM_OK ||
        (j.assignee_id != to.id && (st = task_assignee(q, &a, &j, &to, "handover")) != QTM_OK))
        goto done;
    st = handoff_write(q, &a, &j, "handover", j.owner_id, j.owner, to.id, to.slug, reason);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_job_release(qtm *q, const char *actor_slug, int64_t job_id, const char *reason)
{
    actor a;
    job j;
    service_event se;
    qtm_status st = reason_check(q, &reason, NULL);
    if (st != QTM_OK)
        return st;
    if ((st = gov_begin(q, actor_slug, job_id, "release jobs", &a, &j, &se)) != QTM_OK ||
        (st = qtmi_policy_release(q, &a, &j, &se)) != QTM_OK)
        goto done;
    const char *initial = j.s->phases[j.s->initial].name;
    store_val job_args[2] = {SV_I(j.id), SV_I(a.id)};
    store_val se_args[5] = {SV_S(initial), SV_I(0), SV_N, SV_I(se.id), SV_S(se.phase)};
    /* the job is queued again for its assignee; the ServiceEvent goes back
     * to the initial phase (its history keeps the claim and the release) */
    if ((st = update_one(q, SQ_JOB_RELEASE, job_args, 2, &j, "releasing the job")) != QTM_OK ||
        (st = qtmi_audit_append(q, a.slug, "job", j.id, "release", qtmi_job_word(j.state),
                                qtmi_job_word(QTM_JOB_QUEUED), j.id)) != QTM_OK ||
        (st = update_one(q, SQ_SE_SET_PHASE, se_args, 5, &j, "releasing the job")) != QTM_OK ||
        (st = qtmi_audit_append(q, a.slug, "service_event", se.id, "release", se.phase, initial,
                                j.id)) != QTM_OK)
        goto done;
    st = handoff_write(q, &a, &j, "release", a.id, a.slug, 0, NULL, reason);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_job_cancel(qtm *q, const char *actor_slug, int64_t job_id, const char *reason)
{
    actor a;
    job j;
    service_event se;
    qtm_status st = reason_check(q, &reason, "cancelling a job");
    if (st != QTM_OK)
        return st;
    if ((st = gov_begin(q, actor_slug, job_id, "cancel jobs", &a, &j, &se)) != QTM_OK ||
        (st = qtmi_policy_cancel(q, &a, &j, &se)) != QTM_OK)
        goto done;
    store_val args[1] = {SV_I(j.id)};
    if ((st = update_one(q, SQ_JOB_CANCEL, args, 1, &j, "cancelling the job")) != QTM_OK ||
        (st = qtmi_audit_append(q, a.slug, "job", j.id, "cancel", qtmi_job_word(j.state),
                                qtmi_job_word(QTM_JOB_CANCELLED), j.id)) != QTM_OK)
        goto done;
    st = handoff_write(q, &a, &j, "cancel", j.assignee_id, j.assignee, 0, NULL, reason);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtm_note_add(qtm *q, const char *actor_slug, int64_t job_id, const char *text)
{
    /* blank is none: refused as a missing --text is */
    if (qtmi_text_blank(text))
        return qtm_fail(q, QTM_EUSAGE, "a note needs a text (--text TEXT)");
    if (strlen(text) > NOTE_MAX)
        return qtm_fail(q, QTM_EINVALID, "the note is longer than %d bytes", NOTE_MAX);
    actor a;
    job j;
    service_event se;
    qtm_status st = qtmi_text_check(q, "note", text);
    if (st != QTM_OK)
        return st;
    if ((st = gov_begin(q, actor_slug, job_id, "add notes", &a, &j, &se)) != QTM_OK ||
        (st = qtmi_policy_note(q, &a, &j, &se)) != QTM_OK)
        goto done;
    store_val args[4] = {SV_I(j.id), SV_S(text), SV_I(a.id), SV_S(q->now)};
    store_rc rc = store_run(q->st, SQ_NOTE_INSERT, args, 4, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "adding the note");
        goto done;
    }
    /* context data: the note changes no state of any layer */
    st = qtmi_audit_append(q, a.slug, "note", store_last_id(q->st), "add", NULL, NULL, j.id);
done:
    return qtmi_tx_end(q, st);
}

/* --- views ------------------------------------------------------------------ */

const char *const qtmi_note_keys[] = {"text", "author", "at", NULL};
static const char *const handoff_keys[] = {"action", "from", "to", "reason", "by", "at", NULL};
const char *const qtmi_owner_keys[] = {"how", "operator", "from", "at", "reason", "by", NULL};

json_t *qtmi_owner_list(qtm *q, int64_t job_id)
{
    return qtmi_job_list(q, SQ_OWNER_LIST, job_id, qtmi_owner_keys);
}

/* "service_area" -> "Service area": the field's name, for people. */
static json_t *field_label(const char *name)
{
    char buf[128];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof buf; i++)
        buf[i] = name[i] == '_' ? ' ' : name[i];
    buf[i] = '\0';
    buf[0] = (char)toupper((unsigned char)buf[0]);
    return json_string(buf);
}

json_t *qtmi_request_layout(const qtm_surface *s, int64_t request_id, json_t *intake)
{
    json_t *o = json_object(), *sections = json_array(), *sec = NULL;
    const char *cur = NULL;
    for (unsigned i = 0; s && json_is_object(intake) && i < s->nfields; i++) {
        const qtm_field *f = &s->fields[i];
        json_t *v = json_object_get(json_object_get(intake, f->section), f->name);
        if (!v)
            continue;
        if (!cur || strcmp(cur, f->section) != 0) {  /* the tables list section by section */
            cur = f->section;
            sec = json_object();
            json_object_set_new(sec, "name", json_string(f->section));
            json_object_set_new(sec, "fields", json_array());
            json_array_append_new(sections, sec);
        }
        json_t *fo = json_object();
        json_object_set_new(fo, "name", json_string(f->name));
        json_object_set_new(fo, "label", field_label(f->name));
        json_object_set(fo, "value", v);
        json_array_append_new(json_object_get(sec, "fields"), fo);
    }
    json_object_set_new(o, "id", request_id ? json_integer(request_id) : json_null());
    json_object_set_new(o, "sections", sections);
    json_object_set(o, "intake", intake ? intake : json_null());
    return o;
}

qtm_status qtmi_job_view_governance(qtm *q, const job *j, int64_t request_id, json_t *view)
{
    json_object_set_new(view, "request",
                        qtmi_request_layout(j->s, request_id, json_object_get(view, "intake")));
    json_t *owners = qtmi_owner_list(q, j->id);
    json_object_set_new(view, "owners", owners ? owners : json_array());
    json_t *h = qtmi_job_list(q, SQ_HANDOFF_LIST, j->id, handoff_keys);
    json_object_set_new(view, "handoffs", h ? h : json_array());
    json_t *notes = qtmi_job_list(q, SQ_NOTE_LIST, j->id, qtmi_note_keys);
    json_object_set_new(view, "notes", notes ? notes : json_array());
    return q->err;
}
