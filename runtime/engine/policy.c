/*
 * policy.c - who may change a job: claim it, fire an event, complete it,
 * record evidence or participants, settle it, and the governance of its work
 * (reassign, hand over, release, cancel, notes).  The write half of the one authority
 * (access.c is the read half): pure functions over a loaded actor, job,
 * ServiceEvent and the surface's tables, no storage.  A refusal is set on
 * the handle (qtm_fail) and returned; execution.c writes only after QTM_OK,
 * and the desk's actions (qtmi_policy_actions) are the same calls.
 */
#include "qtm_int.h"

#include <stdio.h>
#include <string.h>

/* The article of a role's word: "an admin", "a vendor". */
static const char *an(qtm_role r)
{
    return strchr("aeiou", qtmi_role_word(r)[0]) ? "an" : "a";
}

const char *qtmi_job_phase(const job *j, const service_event *se)
{
    return se->id ? se->phase : j->s->phases[j->s->initial].name;
}

/* When j's newest hand-off took the work away from a: " (reassigned from ana
 * to bo by dana: sick)" into buf, for the refusal a then gets; else "". */
static const char *moved_from(const job *j, const actor *a, char *buf, size_t n)
{
    const handoff *h = &j->last;
    buf[0] = '\0';
    if (h->id && h->from_id == a->id && h->to_id && h->to_id != a->id)
        snprintf(buf, n, " (%s from %s to %s by %s%s%s)",
                 strcmp(h->action, "handover") == 0 ? "handed over" : "reassigned", h->from,
                 h->to, h->by, h->reason[0] ? ": " : "", h->reason);
    return buf;
}

qtm_status qtmi_policy_may_claim(qtm *q, const actor *a, const job *j)
{
    char moved[1024];
    if (a->role != QTM_ROLE_OPERATOR)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s and cannot claim jobs; only operators "
                        "claim (vendors and clients can be recorded as participants)",
                        a->slug, an(a->role), qtmi_role_word(a->role));
    if (j->s->ownership == QTM_OWNERSHIP_ASSIGNED && j->assignee_id != a->id)
        return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is assigned to %s%s; %s cannot claim it",
                        (long long)j->id, j->assignee[0] ? j->assignee : "nobody",
                        moved_from(j, a, moved, sizeof moved), a->slug);
    return QTM_OK;
}

/* The refusal for a job whose state leaves nothing to do (ready, complete,
 * cancelled), or QTM_OK. */
static qtm_status settled_state(qtm *q, const job *j)
{
    if (j->state == QTM_JOB_COMPLETE)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is complete; nothing more can happen to it",
                        (long long)j->id);
    if (j->state == QTM_JOB_CANCELLED)
        return qtm_fail(q, QTM_EREFUSED, "job %lld was cancelled; nothing more can happen to "
                        "it", (long long)j->id);
    if (j->state == QTM_JOB_READY)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is ready: its ServiceEvent is complete; "
                        "next: job complete", (long long)j->id);
    return QTM_OK;
}

qtm_status qtmi_policy_claim(qtm *q, const actor *a, const job *j, const service_event *se,
                        const qtm_transition **t)
{
    const qtm_surface *s = j->s;
    *t = NULL;
    if (j->state == QTM_JOB_CANCELLED)
        return settled_state(q, j);
    if (a->role == QTM_ROLE_OPERATOR && j->state != QTM_JOB_QUEUED) {
        if (j->owner_id == a->id)
            return QTM_OK;         /* the owner claiming again: nothing to do */
        return qtm_fail(q, QTM_ECONFLICT, "job %lld is already claimed by %s", (long long)j->id,
                        j->owner[0] ? j->owner : "another operator");
    }
    qtm_status st = qtmi_policy_may_claim(q, a, j);
    if (st != QTM_OK)
        return st;
    /* an unowned step (an admin's) already moved it; a ServiceEvent a
     * release put back in the initial phase is claimed again */
    if (se->id && strcmp(se->phase, s->phases[s->initial].name) != 0)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is in phase %s (%s); it can no longer be "
                        "claimed", (long long)j->id, se->phase, qtmi_surface_label(s, se->phase));
    int ev = qtmi_surface_event(s, "claim");
    *t = ev < 0 ? NULL : qtm_surface_next(s, s->initial, (unsigned)ev);
    if (!*t || !(*t)->claim) {
        *t = NULL;
        return qtm_fail(q, QTM_EREFUSED, "surface %s has no claim step", s->slug);
    }
    return QTM_OK;
}

/* May a fire t at all?  The `by` of the transition. */
static qtm_status may_fire(qtm *q, const actor *a, const job *j, const qtm_transition *t,
                           const char *event)
{
    qtm_role r = a->role;
    if (t->by & QTM_BY_OWNER) {
        if (j->owner_id == a->id)
            return QTM_OK;
        if (r != QTM_ROLE_OPERATOR)
            return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s and cannot change execution; only "
                            "the job's operator can", a->slug, an(a->role), qtmi_role_word(a->role));
        char moved[1024];
        return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is claimed by %s%s; %s cannot advance it "
                        "(%s)", (long long)j->id, j->owner[0] ? j->owner : "nobody",
                        moved_from(j, a, moved, sizeof moved), a->slug, event);
    }
    if ((t->by & QTM_BY_OPERATOR) && r == QTM_ROLE_OPERATOR)
        return QTM_OK;
    if ((t->by & QTM_BY_ADMIN) && r == QTM_ROLE_ADMIN)
        return QTM_OK;
    return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; `%s` on job %lld is for %s", a->slug,
                    an(a->role), qtmi_role_word(a->role), event, (long long)j->id,
                    t->by & QTM_BY_OPERATOR ? "operators" : "admins");
}

qtm_status qtmi_policy_transition(qtm *q, const actor *a, const job *j, const service_event *se,
                             const qtm_transition *t, policy_step *how)
{
    const qtm_surface *s = j->s;
    const char *event = s->events[t->event];
    int unowned = j->state == QTM_JOB_QUEUED;
    qtm_status st;
    if (t->claim) {
        /* `job advance ID claim` is the claim itself */
        if (!unowned)
            return qtm_fail(q, QTM_ECONFLICT, "job %lld is already claimed by %s",
                            (long long)j->id, j->owner);
        *how = POLICY_CLAIM;
        return qtmi_policy_may_claim(q, a, j);
    }
    /* before the claim only transitions that need no owner can fire (an
     * admin cancelling an unclaimed job, say) */
    if (unowned && s->claim == QTM_CLAIM_REQUIRED && (t->by & QTM_BY_OWNER))
        return qtm_fail(q, QTM_EREFUSED, "job %lld is not claimed yet; claim it first",
                        (long long)j->id);
    if ((st = may_fire(q, a, j, t, event)) != QTM_OK)
        return st;
    int opened = se->id && strcmp(se->phase, s->phases[s->initial].name) != 0;
    if (!opened && unowned && s->claim == QTM_CLAIM_OPTIONAL && a->role == QTM_ROLE_OPERATOR) {
        /* claim optional: the assignee's first step claims and opens execution */
        *how = POLICY_CLAIM;
        return qtmi_policy_may_claim(q, a, j);
    }
    /* an unowned step (admin, or any operator) opens execution truth */
    *how = se->id ? POLICY_STEP : POLICY_OPEN;
    return QTM_OK;
}

/* Lists the events allowed from phase p, for refusal messages. */
static void allowed_events(const qtm_surface *s, unsigned p, char *buf, size_t n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (unsigned e = 0; e < s->nevents && off < n; e++)
        if (qtm_surface_next(s, p, e))
            off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "", s->events[e]);
    if (!off)
        snprintf(buf, n, "none");
}

qtm_status qtmi_policy_fire(qtm *q, const actor *a, const job *j, const service_event *se,
                       const char *event, const qtm_transition **t, policy_step *how)
{
    const qtm_surface *s = j->s;
    qtm_role r = a->role;
    qtm_status st0;
    *t = NULL;
    if (r != QTM_ROLE_ADMIN && r != QTM_ROLE_OPERATOR)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s and cannot change execution; only the "
                        "job's operator can", a->slug, an(a->role), qtmi_role_word(a->role));
    int ev = qtmi_surface_event(s, event ? event : "");
    if (ev < 0)
        return qtm_fail(q, QTM_EREFUSED, "surface %s has no event '%s'", s->slug,
                        event ? event : "");
    if ((st0 = settled_state(q, j)) != QTM_OK)
        return st0;
    const char *phase = qtmi_job_phase(j, se);
    int p = qtmi_surface_phase(s, phase);
    if (p < 0)
        return qtm_fail(q, QTM_ESTORAGE, "job %lld is in phase '%s', unknown to surface %s",
                        (long long)j->id, phase, s->slug);
    const qtm_transition *next = qtm_surface_next(s, (unsigned)p, (unsigned)ev);
    if (!next) {
        char allowed[256];
        allowed_events(s, (unsigned)p, allowed, sizeof allowed);
        return qtm_fail(q, QTM_EREFUSED, "job %lld is in phase %s (%s); '%s' is not allowed "
                        "there (allowed: %s)", (long long)j->id, phase, s->phases[p].label,
                        event, allowed);
    }
    qtm_status st = qtmi_policy_transition(q, a, j, se, next, how);
    if (st == QTM_OK)
        *t = next;
    return st;
}

qtm_status qtmi_policy_complete(qtm *q, const actor *a, const job *j, const service_event *se)
{
    qtm_role r = a->role;
    if (j->state == QTM_JOB_COMPLETE)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is already complete", (long long)j->id);
    if (j->state == QTM_JOB_CANCELLED)
        return settled_state(q, j);
    /* its owner; anyone operating where there is no ownership; an admin
     * for a job nobody owns once its ServiceEvent is complete */
    int anyone = (j->s->ownership == QTM_OWNERSHIP_NONE && r == QTM_ROLE_OPERATOR) ||
                 (!j->owner_id && se->complete && r == QTM_ROLE_ADMIN);
    if (j->owner_id != a->id && !anyone) {
        if (r != QTM_ROLE_OPERATOR)
            return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s and cannot complete jobs; only the "
                            "job's operator can", a->slug, an(a->role), qtmi_role_word(a->role));
        if (j->owner[0])
            return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is claimed by %s; %s cannot complete "
                            "it", (long long)j->id, j->owner, a->slug);
        return qtm_fail(q, QTM_EREFUSED, "job %lld is not claimed yet; claim it first",
                        (long long)j->id);
    }
    if (!se->complete) {
        const char *phase = qtmi_job_phase(j, se);
        return qtm_fail(q, QTM_EREFUSED, "job %lld cannot complete: its ServiceEvent is in "
                        "phase %s (%s), not complete", (long long)j->id, phase,
                        qtmi_surface_label(j->s, phase));
    }
    return QTM_OK;
}

qtm_status qtmi_policy_context(qtm *q, const actor *a, const job *j, const service_event *se,
                          const char *what)
{
    if (a->role != QTM_ROLE_OPERATOR)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s and cannot %s; only the job's operator "
                        "can", a->slug, an(a->role), qtmi_role_word(a->role), what);
    if (j->state == QTM_JOB_QUEUED && j->s->claim != QTM_CLAIM_NONE)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is not claimed yet; claim it first",
                        (long long)j->id);
    if (j->owner_id && j->owner_id != a->id)
        return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is claimed by %s; %s cannot %s on it",
                        (long long)j->id, j->owner, a->slug, what);
    /* the record was composed from what was there: execution context is closed */
    if (j->state == QTM_JOB_CANCELLED)
        return settled_state(q, j);
    if (j->state == QTM_JOB_COMPLETE || se->complete)
        return qtm_fail(q, QTM_EREFUSED, "job %lld's ServiceEvent is complete; its execution "
                        "context is closed", (long long)j->id);
    return QTM_OK;
}

json_t *qtmi_policy_actions(qtm *q, const actor *a, const job *j, const service_event *se)
{
    json_t *out = json_object(), *actions = json_array();
    int can_claim = 0, can_complete = 0;
    int p = qtmi_surface_phase(j->s, qtmi_job_phase(j, se));
    /* qtmi_actor_may_act's rule for execution: an active actor only */
    int active = a->access == QTM_ACCESS_ACTIVE;
    int open = j->state == QTM_JOB_QUEUED || j->state == QTM_JOB_ACTIVE;
    for (unsigned e = 0; active && open && p >= 0 && e < j->s->nevents; e++) {
        const qtm_transition *t = qtm_surface_next(j->s, (unsigned)p, e);
        policy_step how;
        if (!t || qtmi_policy_transition(q, a, j, se, t, &how) != QTM_OK)
            continue;
        json_t *o = qtmi_transition_json(j->s, t);
        json_object_set_new(o, "claim", json_boolean(t->claim));
        json_array_append_new(actions, o);
        can_claim |= t->claim;
    }
    can_complete = active && qtmi_policy_complete(q, a, j, se) == QTM_OK;
    json_object_set_new(out, "actions", actions);
    json_object_set_new(out, "can_claim", json_boolean(can_claim));
    json_object_set_new(out, "can_complete", json_boolean(can_complete));
    /* governance: the job-side checks (a target is the command's to name) */
    json_object_set_new(out, "can_reassign",
                        json_boolean(active && qtmi_policy_reassign(q, a, j) == QTM_OK));
    json_object_set_new(out, "can_handover",
                        json_boolean(active && qtmi_policy_handover(q, a, j) == QTM_OK));
    json_object_set_new(out, "can_release",
                        json_boolean(active && qtmi_policy_release(q, a, j, se) == QTM_OK));
    json_object_set_new(out, "can_cancel",
                        json_boolean(active && qtmi_policy_cancel(q, a, j, se) == QTM_OK));
    json_object_set_new(out, "can_note",
                        json_boolean(active && qtmi_policy_note(q, a, j, se) == QTM_OK));
    qtm_ok(q);                     /* the refusals asked about are no call's result */
    return out;
}

/* --- governance of a job's work ------------------------------------------------ */

static qtm_status admin_only(qtm *q, const actor *a, const job *j, const char *what,
                             const char *instead)
{
    if (a->role == QTM_ROLE_ADMIN)
        return QTM_OK;
    return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; only an admin can %s job %lld%s", a->slug,
                    an(a->role), qtmi_role_word(a->role), what, (long long)j->id, instead);
}

qtm_status qtmi_policy_reassign(qtm *q, const actor *a, const job *j)
{
    qtm_status st = admin_only(q, a, j, "reassign", "");
    if (st != QTM_OK)
        return st;
    if (j->state == QTM_JOB_ACTIVE || j->state == QTM_JOB_READY)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is claimed by %s; only a queued job is "
                        "reassigned (hand a claimed one over: job handover)", (long long)j->id,
                        j->owner[0] ? j->owner : "an operator");
    if (j->state != QTM_JOB_QUEUED)
        return settled_state(q, j);
    return QTM_OK;
}

qtm_status qtmi_policy_handover(qtm *q, const actor *a, const job *j)
{
    qtm_status st = admin_only(q, a, j, "hand over", "");
    if (st != QTM_OK)
        return st;
    if (j->state == QTM_JOB_QUEUED)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is not claimed yet: nobody owns it to hand "
                        "over (reassign a queued job: job reassign)", (long long)j->id);
    /* ready: the record is composed naming who held the job; a new owner
     * would be in neither it nor the work, and the one who did the work
     * would lose the job (and its record) from what they may read */
    if (j->state == QTM_JOB_READY)
        return qtm_fail(q, QTM_EREFUSED, "job %lld cannot be handed over: the ServiceEvent is "
                        "over: job complete is next", (long long)j->id);
    if (j->state != QTM_JOB_ACTIVE)
        return settled_state(q, j);
    if (j->s->ownership == QTM_OWNERSHIP_NONE || !j->owner_id)
        return qtm_fail(q, QTM_EREFUSED, "job %lld has no owner to hand over (surface %s "
                        "records none)", (long long)j->id, j->s->slug);
    return QTM_OK;
}

int qtmi_policy_claim_phase(const qtm_surface *s, int p)
{
    for (unsigned e = 0; p >= 0 && e < s->nevents; e++) {
        const qtm_transition *t = qtm_surface_next(s, s->initial, e);
        /* claim required: its claim step; optional: any first step claims */
        if (t && t->to == (unsigned)p && (int)s->initial != p &&
            (t->claim || s->claim != QTM_CLAIM_REQUIRED))
            return 1;
    }
    return 0;
}

qtm_status qtmi_policy_release(qtm *q, const actor *a, const job *j, const service_event *se)
{
    if (a->role != QTM_ROLE_OPERATOR || j->owner_id != a->id) {
        if (a->role == QTM_ROLE_ADMIN)
            return qtm_fail(q, QTM_EFORBIDDEN, "%s is an admin; a release is the owner's "
                            "(an admin hands the job over: job handover)", a->slug);
        if (j->owner_id)
            return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is claimed by %s; only its owner can "
                            "release it, not %s", (long long)j->id, j->owner, a->slug);
        if (j->state == QTM_JOB_QUEUED)
            return qtm_fail(q, QTM_EREFUSED, "job %lld is not claimed; there is nothing to "
                            "release", (long long)j->id);
        return qtm_fail(q, QTM_EFORBIDDEN, "%s does not own job %lld", a->slug,
                        (long long)j->id);
    }
    if (j->state != QTM_JOB_ACTIVE)
        return settled_state(q, j);
    int p = se->id ? qtmi_surface_phase(j->s, se->phase) : -1;
    if (!qtmi_policy_claim_phase(j->s, p))
        return qtm_fail(q, QTM_EREFUSED, "job %lld's ServiceEvent is in phase %s (%s); it is "
                        "released only in the phase its claim entered (ask an admin to hand it "
                        "over: job handover)", (long long)j->id, se->id ? se->phase : "?",
                        qtmi_surface_label(j->s, se->phase));
    return QTM_OK;
}

qtm_status qtmi_policy_cancel(qtm *q, const actor *a, const job *j, const service_event *se)
{
    qtm_status st = admin_only(q, a, j, "cancel", " (its owner closes a claimed one)");
    if (st != QTM_OK)
        return st;
    if (j->state == QTM_JOB_ACTIVE || j->state == QTM_JOB_READY)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is claimed by %s; only a job nobody claimed "
                        "can be cancelled", (long long)j->id,
                        j->owner[0] ? j->owner : "an operator");
    if (j->state != QTM_JOB_QUEUED)
        return settled_state(q, j);
    if (se->id && strcmp(se->phase, j->s->phases[j->s->initial].name) != 0)
        return qtm_fail(q, QTM_EREFUSED, "job %lld's ServiceEvent is in phase %s (%s); only a "
                        "job whose execution has not begun can be cancelled", (long long)j->id,
                        se->phase, qtmi_surface_label(j->s, se->phase));
    return QTM_OK;
}

/* --- settlement --------------------------------------------------------------- */

/* Recording a payment, a due or a waiver: the owner or an admin; never on
 * a cancelled job (it had no work, so nothing to settle; a correcting entry
 * for money recorded before the cancel stays possible: qtm_settle_reverse);
 * not before the ServiceEvent is complete where the surface pays after it.
 * Settlement never moves the job either way. */
qtm_status qtmi_policy_settle(qtm *q, const actor *a, const job *j, const service_event *se)
{
    if (a->role != QTM_ROLE_ADMIN && j->owner_id != a->id)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s cannot record payments for job %lld; only its "
                        "owner%s%s or an admin can", a->slug, (long long)j->id,
                        j->owner[0] ? " " : "", j->owner);
    if (j->state == QTM_JOB_CANCELLED)
        return qtm_fail(q, QTM_EREFUSED, "job %lld was cancelled; a cancelled job has no work "
                        "to settle", (long long)j->id);
    if (j->s->payment_timing == QTM_PAY_AFTER_COMPLETE && !se->complete)
        return qtm_fail(q, QTM_EREFUSED, "surface %s records payment after completion; job "
                        "%lld's ServiceEvent is not complete", j->s->slug, (long long)j->id);
    return QTM_OK;
}

/* Notes are context while the work runs: once the ServiceEvent is complete
 * the record holds what there was (a later note would not be in it). */
static qtm_status note_open(qtm *q, const job *j, const service_event *se)
{
    if (j->state == QTM_JOB_CANCELLED || j->state == QTM_JOB_COMPLETE)
        return settled_state(q, j);
    if (se->complete)
        return qtm_fail(q, QTM_EREFUSED, "job %lld's ServiceEvent is complete; its record holds "
                        "the notes it had", (long long)j->id);
    return QTM_OK;
}

qtm_status qtmi_policy_note(qtm *q, const actor *a, const job *j, const service_event *se)
{
    if (a->role == QTM_ROLE_ADMIN || (j->owner_id && j->owner_id == a->id))
        return note_open(q, j, se);
    if (a->role != QTM_ROLE_OPERATOR)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; notes are added by the job's owner "
                        "or an admin", a->slug, an(a->role), qtmi_role_word(a->role));
    if (!j->owner_id)
        return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is not claimed; until it is, only an "
                        "admin adds notes (%s is not its owner)", (long long)j->id, a->slug);
    return qtm_fail(q, QTM_EFORBIDDEN, "job %lld is claimed by %s; %s cannot add notes to it",
                    (long long)j->id, j->owner, a->slug);
}

qtm_status qtmi_policy_target(qtm *q, const job *j, const actor *to, int64_t current,
                              const char *what)
{
    if (to->role != QTM_ROLE_OPERATOR)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s %s; job %lld can only %s an operator",
                        to->slug, an(to->role), qtmi_role_word(to->role), (long long)j->id,
                        what);
    if (to->access != QTM_ACCESS_ACTIVE)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is %s and cannot receive work", to->slug,
                        qtmi_access_word(to->access));
    if (to->id == current)
        return qtm_fail(q, QTM_EREFUSED, "job %lld is already %s's; nothing to change",
                        (long long)j->id, to->slug);
    return QTM_OK;
}
