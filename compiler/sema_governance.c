/*
 * sema_governance.c - layer 4: the rules of the governed envelope.
 *
 * Q401 `claim required` needs a claim transition out of the initial phase
 * Q402 `ownership assigned`: after the claim only the owner advances
 * Q403 vendors and clients never drive a transition (reported by names)
 * Q404 the claim transition leaves the initial phase and is `by operator`
 * Q405 claim and ownership contradict each other
 * Q406 `by owner` where no owner can exist yet
 * Q407 required evidence categories need a `requires evidence` transition
 * Q408 `requires payment` only under a payment timing that gates
 * Q409 `payment_timing before_complete` needs a gated way into a final phase
 * Q410 record fields are ServiceEvent fields (not settlement, not governance)
 * Q411 no transition is driven by settlement
 * Q412 required evidence with `min_per_category 0` binds nothing
 * Q413 a claim event on a surface with `claim none`
 * Q414 no admin transition out of the initial phase (it would open a
 *      ServiceEvent no operator owns; an admin cancels with `job cancel`;
 *      not checked for a retained spec, see sema.h)
 */
#include "sema_int.h"

#include <string.h>

#include "qtm/qtm_surface.h"

static const src_loc nowhere = {0, 0, 0};

/* Events that would make settlement drive execution (sema_int.h). */
const char *const sema_settlement_events[] = {
    "pay", "paid", "payment", "settle", "settled", "settlement", "collect",
    "collected", "invoice", "invoiced", "charge", "charged", "refund", "capture", NULL};

/* Record names that are some other layer's state, with where they belong. */
static const struct {
    const char *name;
    const char *layer;
} foreign_fields[] = {
    {"payment", "settlement"}, {"payments", "settlement"}, {"amount", "settlement"},
    {"paid", "settlement"}, {"payment_status", "settlement"}, {"settlement", "settlement"},
    {"balance", "settlement"}, {"currency", "settlement"}, {"task", "governance (task)"},
    {"assignee", "governance (task)"}, {"approval", "governance (task)"},
    {"schedule", "request data"}, {"messages", "request data"}, {NULL, NULL}};

static int in_list(const char *const *v, const char *w)
{
    for (; *v; v++)
        if (strcmp(*v, w) == 0)
            return 1;
    return 0;
}

static void contract(sema *s)
{
    const model *m = s->m;
    if (s->have_exec[EX_CLAIM] != 1 || s->have_exec[EX_OWNERSHIP] != 1)
        return;
    if (m->claim == QTM_CLAIM_NONE && m->ownership != QTM_OWNERSHIP_NONE) {
        diag_error(s->d, s->src, s->ownership_loc, "Q405",
                   "`ownership %s` needs a claim, but `claim none` is set",
                   model_ownership_names[m->ownership]);
        diag_note(s->d, NULL, nowhere, "Ownership is established by the claim.");
    }
    if (m->claim != QTM_CLAIM_NONE && m->ownership == QTM_OWNERSHIP_NONE) {
        diag_error(s->d, s->src, s->claim_loc, "Q405",
                   "`claim %s` with `ownership none`: a claim would own nothing",
                   model_claim_names[m->claim]);
    }
}

static void claims(sema *s)
{
    const model *m = s->m;
    int contract_known = s->have_exec[EX_CLAIM] == 1 && s->have_exec[EX_OWNERSHIP] == 1;
    int has_claim_from_initial = 0;
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        int from_initial = s->graph_ok && t->from == m->initial;
        if (t->claim) {
            if (contract_known && m->claim == QTM_CLAIM_NONE) {
                diag_error(s->d, s->src, t->event_loc, "Q413",
                           "a `claim` transition on a surface with `claim none`");
                continue;
            }
            if (s->graph_ok && !from_initial)
                diag_error(s->d, s->src, t->loc, "Q404",
                           "the claim must leave initial phase `%s`, not `%s`",
                           m->phases[m->initial].name, m->phases[t->from].name);
            if (t->by != QTM_BY_OPERATOR) {
                diag_error(s->d, s->src, t->by_loc, "Q404",
                           "a claim is made `by operator`, not by %s", t->by_name);
                diag_note(s->d, NULL, nowhere,
                          "The runtime checks that the claiming operator is the assignee "
                          "(or any active operator under `ownership pool`).");
            }
            if (from_initial)
                has_claim_from_initial = 1;
        }
        if (t->by == QTM_BY_OWNER) {
            if (contract_known && m->ownership == QTM_OWNERSHIP_NONE)
                diag_error(s->d, s->src, t->by_loc, "Q406",
                           "`by owner` on a surface with `ownership none`");
            else if (from_initial && !t->claim)
                diag_error(s->d, s->src, t->by_loc, "Q406",
                           "`by owner` from initial phase `%s`: no one owns the job "
                           "before it is claimed", m->phases[t->from].name);
        }
        /* after the claim, execution belongs to the owner alone */
        if (contract_known && m->ownership == QTM_OWNERSHIP_ASSIGNED &&
            m->claim != QTM_CLAIM_NONE && s->graph_ok && !from_initial &&
            t->by != QTM_BY_OWNER) {
            diag_error(s->d, s->src, t->by_loc, "Q402",
                       "`%s -> %s` is after the claim and must be `by owner`, not by %s",
                       m->phases[t->from].name, m->phases[t->to].name, t->by_name);
            diag_note(s->d, NULL, nowhere,
                      "With `ownership assigned` only the operator who claimed the job "
                      "advances it.");
        }
    }
    if (contract_known && m->claim == QTM_CLAIM_REQUIRED && s->graph_ok &&
        !has_claim_from_initial && !s->dropped_transitions) {
        diag_error(s->d, s->src, s->claim_loc, "Q401",
                   "`claim required` but no `on claim` transition leaves initial phase `%s`",
                   m->phases[m->initial].name);
        diag_note(s->d, NULL, nowhere, "Add e.g. `%s -> ... on claim by operator`.",
                  m->phases[m->initial].name);
    }
}

static void evidence_and_payment(sema *s)
{
    const model *m = s->m;
    int any_evidence = 0, final_payment = 0;
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        if (t->requires & QTM_REQ_EVIDENCE)
            any_evidence = 1;
        if ((t->requires & QTM_REQ_PAYMENT) && m->phases[t->to].final)
            final_payment = 1;
        if ((t->requires & QTM_REQ_PAYMENT) && s->have_exec[EX_PAYMENT] == 1 &&
            m->payment_timing != QTM_PAY_BEFORE_COMPLETE) {
            diag_error(s->d, s->src, t->loc, "Q408",
                       "`requires payment` with `payment_timing %s`",
                       model_payment_names[m->payment_timing]);
            diag_note(s->d, NULL, nowhere,
                      "Only `payment_timing before_complete` lets payment gate execution; "
                      "otherwise settlement stays separate.");
        }
        if (in_list(sema_settlement_events, m->events[t->event])) {
            diag_error(s->d, s->src, t->event_loc, "Q411",
                       "event `%s` would let settlement drive execution",
                       m->events[t->event]);
            diag_note(s->d, NULL, nowhere,
                      "Payments are recorded with `qtm settle`; they never move a job.");
        }
    }
    if (m->nev_required && !any_evidence && !s->dropped_transitions) {
        diag_error(s->d, s->src, s->ev_required_ids[0]->loc, "Q407",
                   "required evidence categories but no transition `requires evidence`");
        diag_note(s->d, NULL, nowhere,
                  "Add `requires evidence` to the transition that must check them.");
    }
    if (m->nev_required && m->ev_min == 0)
        diag_error(s->d, s->src, s->ev_required_ids[0]->loc, "Q412",
                   "required evidence categories with `min_per_category 0` require nothing");
    if (s->have_exec[EX_PAYMENT] == 1 && m->payment_timing == QTM_PAY_BEFORE_COMPLETE &&
        !final_payment && s->lifecycle_ok && !s->dropped_transitions)
        diag_error(s->d, s->src, s->payment_loc, "Q409",
                   "`payment_timing before_complete` but no transition into a final phase "
                   "`requires payment`");
}

static void record_fields(sema *s)
{
    const model *m = s->m;
    for (uint32_t i = 0; i < m->nrecord; i++) {
        const char *f = m->record[i];
        if (in_list(model_record_fields, f))
            continue;
        diag_error(s->d, s->src, s->record_ids[i]->loc, "Q410",
                   "record field `%s` is not a ServiceEvent field", f);
        const char *layer = NULL;
        for (int k = 0; foreign_fields[k].name; k++)
            if (strcmp(foreign_fields[k].name, f) == 0)
                layer = foreign_fields[k].layer;
        if (layer) {
            diag_note(s->d, NULL, nowhere,
                      "`%s` is %s state; the record carries execution truth only.", f, layer);
        } else {
            uint32_t n = 0;
            while (model_record_fields[n])
                n++;
            const char *c = suggest_closest(f, model_record_fields, n);
            if (c)
                diag_note(s->d, NULL, nowhere, "Did you mean `%s`?", c);
        }
    }
}

/* Leaving the initial phase opens the ServiceEvent: execution, which an
 * admin never owns (its record could name no operator). */
static void admin_opens(sema *s)
{
    const model *m = s->m;
    if (!s->graph_ok || s->retained)
        return;  /* a retained spec predates Q414 (sema.h); its jobs keep its rules */
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        if (t->from != m->initial || !(t->by & QTM_BY_ADMIN) || t->claim)
            continue;  /* a claim by admin is Q404's */
        diag_error(s->d, s->src, t->by_loc, "Q414",
                   "transition `%s -> %s on %s` by admin leaves initial phase `%s`",
                   m->phases[t->from].name, m->phases[t->to].name, m->events[t->event],
                   m->phases[t->from].name);
        diag_note(s->d, NULL, nowhere,
                  "That would open a ServiceEvent with no operator.  An admin cancels "
                  "work before its claim with `qtm job cancel` (governance).");
    }
}

void sema_governance(sema *s)
{
    admin_opens(s);
    contract(s);
    claims(s);
    evidence_and_payment(s);
    record_fields(s);
}
