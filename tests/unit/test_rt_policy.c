/*
 * test_rt_policy.c - who may change a job (runtime/engine/policy.c): the pure
 * checks over a table of actor x job x transition cases on hand-built
 * tables (claim required, optional and none; assigned, pool and no
 * ownership), the actions list against those same checks, then
 * qtm_job_actions on a real database: what the desk offers is what the
 * changing calls accept; the governance checks (reassign, hand over,
 * release, cancel, notes) likewise.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"
#include "qtm_int.h"

/* --- hand-built tables --------------------------------------------------------
 *
 * queued -claim(operator)-> claimed -arrive(owner)-> arrived
 *        -finish(owner, requires evidence)-> done (final)
 * queued/claimed -cancel(admin)-> cancelled (final)
 * queued -start(operator)-> arrived   (the first step without a claim)
 */
enum { P_QUEUED, P_CLAIMED, P_ARRIVED, P_DONE, P_CANCELLED, NP };
enum { E_CLAIM, E_ARRIVE, E_FINISH, E_CANCEL, E_START, NE };

static const qtm_phase phases[NP] = {
    {.name = "queued", .label = "Queued", .hint = "", .initial = 1},
    {.name = "claimed", .label = "Claimed", .hint = ""},
    {.name = "arrived", .label = "Arrived", .hint = ""},
    {.name = "done", .label = "Done", .hint = "", .final = 1},
    {.name = "cancelled", .label = "Cancelled", .hint = "", .final = 1},
};
static const char *const events[NE] = {"claim", "arrive", "finish", "cancel", "start"};
static const qtm_transition transitions[] = {
    {P_QUEUED, P_CLAIMED, E_CLAIM, QTM_BY_OPERATOR, 0, 1, ""},
    {P_CLAIMED, P_ARRIVED, E_ARRIVE, QTM_BY_OWNER, 0, 0, ""},
    {P_ARRIVED, P_DONE, E_FINISH, QTM_BY_OWNER, QTM_REQ_EVIDENCE, 0, ""},
    {P_QUEUED, P_CANCELLED, E_CANCEL, QTM_BY_ADMIN, 0, 0, ""},
    {P_CLAIMED, P_CANCELLED, E_CANCEL, QTM_BY_ADMIN, 0, 0, ""},
    {P_QUEUED, P_ARRIVED, E_START, QTM_BY_OPERATOR, 0, 0, ""},
};
#define N QTM_NO_TRANSITION
static const int32_t next[NP * NE] = {
    /* queued */ 0, N, N, 3, 5,
    /* claimed */ N, 1, N, 4, N,
    /* arrived */ N, N, 2, N, N,
    /* done */ N, N, N, N, N,
    /* cancelled */ N, N, N, N, N,
};
#undef N
_Static_assert(countof(next) == NP * NE, "one cell per phase and event");

#define TABLES                                                                        \
    .nphases = NP, .initial = P_QUEUED, .phases = phases, .nevents = NE, .events = events, \
    .ntransitions = countof(transitions), .transitions = transitions, .next = next

static const qtm_surface assigned = {.slug = "as", .claim = QTM_CLAIM_REQUIRED,
                                     .ownership = QTM_OWNERSHIP_ASSIGNED, TABLES};
static const qtm_surface pool = {.slug = "po", .claim = QTM_CLAIM_REQUIRED,
                                 .ownership = QTM_OWNERSHIP_POOL, TABLES};
static const qtm_surface optional = {.slug = "op", .claim = QTM_CLAIM_OPTIONAL,
                                     .ownership = QTM_OWNERSHIP_ASSIGNED, TABLES};
static const qtm_surface unowned = {.slug = "no", .claim = QTM_CLAIM_NONE,
                                    .ownership = QTM_OWNERSHIP_NONE, TABLES};

/* actor 2 (ana) is the assignee; 4 (bo) another operator; 1 ada the admin */
static actor mk_actor(int64_t id, const char *role, const char *access)
{
    actor a;
    memset(&a, 0, sizeof a);
    a.id = id;
    snprintf(a.slug, sizeof a.slug, "%s", id == 1 ? "ada" : id == 2 ? "ana" : id == 4 ? "bo"
                                                                                     : "vic");
    a.role = (qtm_role)qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, role);
    a.access = (qtm_access_state)qtm_vocab_find(qtm_access_state_names, QTM_ACCESS_UNKNOWN,
                                                access);
    return a;
}

/* A job of s in state with its ServiceEvent in phase (NULL: none yet). */
static void mk_job(const qtm_surface *s, const char *state, int64_t owner, const char *phase,
                   int se_complete, job *j, service_event *se)
{
    memset(j, 0, sizeof *j);
    memset(se, 0, sizeof *se);
    j->id = 7;
    j->s = s;
    j->state = (qtm_job_state)qtm_vocab_find(qtm_job_state_names, QTM_JOB_UNKNOWN, state);
    j->owner_id = owner;
    snprintf(j->owner, sizeof j->owner, "%s", owner == 2 ? "ana" : owner == 4 ? "bo" : "");
    j->assignee_id = 2;
    snprintf(j->assignee, sizeof j->assignee, "ana");
    if (phase) {
        se->id = 9;
        snprintf(se->phase, sizeof se->phase, "%s", phase);
        se->complete = se_complete;
    }
}

typedef struct fire_case {
    const char *what;
    int64_t id;
    const char *role;
    const qtm_surface *s;
    const char *state;
    int64_t owner;
    const char *phase;             /* the ServiceEvent's, NULL: not opened */
    const char *event;
    qtm_status want;
    policy_step how;               /* when want is QTM_OK */
    const char *frag;              /* in the refusal */
} fire_case;

static const fire_case fire_cases[] = {
    {"assignee claims", 2, "operator", &assigned, "queued", 0, NULL, "claim", QTM_OK,
     POLICY_CLAIM, NULL},
    {"another operator claims an assigned job", 4, "operator", &assigned, "queued", 0, NULL,
     "claim", QTM_EFORBIDDEN, 0, "job 7 is assigned to ana; bo cannot claim it"},
    {"another operator claims a pool job", 4, "operator", &pool, "queued", 0, NULL, "claim",
     QTM_OK, POLICY_CLAIM, NULL},
    {"an admin claims", 1, "admin", &pool, "queued", 0, NULL, "claim", QTM_EFORBIDDEN, 0,
     "only operators claim"},
    {"a vendor fires anything", 5, "vendor", &pool, "queued", 0, NULL, "claim",
     QTM_EFORBIDDEN, 0, "vic is a vendor and cannot change execution"},
    {"a client fires anything", 5, "client", &pool, "active", 2, "claimed", "arrive",
     QTM_EFORBIDDEN, 0, "is a client and cannot change execution"},
    {"claim twice", 4, "operator", &pool, "active", 2, "claimed", "claim", QTM_EREFUSED, 0,
     "'claim' is not allowed there (allowed: arrive, cancel)"},
    {"owner steps", 2, "operator", &assigned, "active", 2, "claimed", "arrive", QTM_OK,
     POLICY_STEP, NULL},
    {"not the owner steps", 4, "operator", &pool, "active", 2, "claimed", "arrive",
     QTM_EFORBIDDEN, 0, "job 7 is claimed by ana; bo cannot advance it (arrive)"},
    {"admin fires an owner step", 1, "admin", &assigned, "active", 2, "claimed", "arrive",
     QTM_EFORBIDDEN, 0, "ada is an admin and cannot change execution"},
    {"owner step before the claim", 2, "operator", &assigned, "queued", 0, NULL, "arrive",
     QTM_EREFUSED, 0, "'arrive' is not allowed there"},
    {"admin cancels an unclaimed job", 1, "admin", &assigned, "queued", 0, NULL, "cancel",
     QTM_OK, POLICY_OPEN, NULL},
    {"admin cancels a claimed job", 1, "admin", &assigned, "active", 2, "claimed", "cancel",
     QTM_OK, POLICY_STEP, NULL},
    {"operator cancels", 2, "operator", &assigned, "active", 2, "claimed", "cancel",
     QTM_EFORBIDDEN, 0, "ana is an operator; `cancel` on job 7 is for admins"},
    {"unknown event", 2, "operator", &assigned, "active", 2, "claimed", "dance", QTM_EREFUSED,
     0, "surface as has no event 'dance'"},
    {"a complete job", 2, "operator", &assigned, "complete", 2, "done", "arrive", QTM_EREFUSED,
     0, "job 7 is complete; nothing more can happen to it"},
    {"a phase the tables lack", 2, "operator", &assigned, "active", 2, "gone", "arrive",
     QTM_ESTORAGE, 0, "unknown to surface as"},
    {"claim optional: the assignee's first step claims", 2, "operator", &optional, "queued", 0,
     NULL, "start", QTM_OK, POLICY_CLAIM, NULL},
    {"claim optional: another operator's first step", 4, "operator", &optional, "queued", 0,
     NULL, "start", QTM_EFORBIDDEN, 0, "job 7 is assigned to ana; bo cannot claim it"},
    {"no claim: any operator's first step opens", 4, "operator", &unowned, "queued", 0, NULL,
     "start", QTM_OK, POLICY_OPEN, NULL},
    {"no claim: an open event steps", 4, "operator", &unowned, "queued", 0, "queued", "start",
     QTM_OK, POLICY_STEP, NULL},
};

static void test_fire_table(void **state)
{
    (void)state;
    qtm q = {0};
    for (size_t i = 0; i < countof(fire_cases); i++) {
        const fire_case *c = &fire_cases[i];
        actor a = mk_actor(c->id, c->role, "active");
        job j;
        service_event se;
        mk_job(c->s, c->state, c->owner, c->phase, 0, &j, &se);
        const qtm_transition *t = NULL;
        policy_step how = (policy_step)-1;
        qtm_status got = qtmi_policy_fire(&q, &a, &j, &se, c->event, &t, &how);
        if (got != c->want || (got == QTM_OK && (how != c->how || !t)) ||
            (got != QTM_OK && t) || (c->frag && !strstr(q.msg, c->frag)))
            fail_msg("%s: got %d (how %d, \"%s\"), want %d (how %d, \"%s\")", c->what, got,
                     (int)how, q.msg, c->want, (int)c->how, c->frag ? c->frag : "");
        qtm_ok(&q);
    }
}

typedef struct claim_case {
    const char *what;
    int64_t id;
    const char *role;
    const qtm_surface *s;
    const char *state;
    int64_t owner;
    const char *phase;
    qtm_status want;
    int has_t;                     /* QTM_OK with the claim transition (0: nothing to do) */
} claim_case;

static const claim_case claim_cases[] = {
    {"assignee", 2, "operator", &assigned, "queued", 0, NULL, QTM_OK, 1},
    {"owner again", 2, "operator", &assigned, "active", 2, "claimed", QTM_OK, 0},
    {"after another's claim", 4, "operator", &pool, "active", 2, "claimed", QTM_ECONFLICT, 0},
    {"not the assignee", 4, "operator", &assigned, "queued", 0, NULL, QTM_EFORBIDDEN, 0},
    {"pool", 4, "operator", &pool, "queued", 0, NULL, QTM_OK, 1},
    {"admin", 1, "admin", &pool, "queued", 0, NULL, QTM_EFORBIDDEN, 0},
    {"an admin moved it first", 2, "operator", &assigned, "queued", 0, "cancelled",
     QTM_EREFUSED, 0},
};

static void test_claim_table(void **state)
{
    (void)state;
    qtm q = {0};
    for (size_t i = 0; i < countof(claim_cases); i++) {
        const claim_case *c = &claim_cases[i];
        actor a = mk_actor(c->id, c->role, "active");
        job j;
        service_event se;
        mk_job(c->s, c->state, c->owner, c->phase, 0, &j, &se);
        const qtm_transition *t = NULL;
        qtm_status got = qtmi_policy_claim(&q, &a, &j, &se, &t);
        if (got != c->want || (t != NULL) != c->has_t || (t && !t->claim))
            fail_msg("%s: got %d (transition %s), want %d: %s", c->what, got, t ? "yes" : "no",
                     c->want, q.msg);
        qtm_ok(&q);
    }
}

typedef struct complete_case {
    const char *what;
    int64_t id;
    const char *role;
    const qtm_surface *s;
    const char *state;
    int64_t owner;
    int se_complete;
    qtm_status want;
} complete_case;

static const complete_case complete_cases[] = {
    {"owner, done", 2, "operator", &assigned, "active", 2, 1, QTM_OK},
    {"owner, still running", 2, "operator", &assigned, "active", 2, 0, QTM_EREFUSED},
    {"another operator", 4, "operator", &pool, "active", 2, 1, QTM_EFORBIDDEN},
    {"admin, owned", 1, "admin", &assigned, "active", 2, 1, QTM_EFORBIDDEN},
    {"admin, nobody owns it, done", 1, "admin", &assigned, "queued", 0, 1, QTM_OK},
    {"admin, nobody owns it, running", 1, "admin", &assigned, "queued", 0, 0, QTM_EFORBIDDEN},
    {"no ownership: any operator", 4, "operator", &unowned, "queued", 0, 1, QTM_OK},
    {"vendor", 5, "vendor", &unowned, "queued", 0, 1, QTM_EFORBIDDEN},
    {"unclaimed, operator", 2, "operator", &assigned, "queued", 0, 1, QTM_EREFUSED},
    {"already complete", 2, "operator", &assigned, "complete", 2, 1, QTM_EREFUSED},
};

static void test_complete_table(void **state)
{
    (void)state;
    qtm q = {0};
    for (size_t i = 0; i < countof(complete_cases); i++) {
        const complete_case *c = &complete_cases[i];
        actor a = mk_actor(c->id, c->role, "active");
        job j;
        service_event se;
        mk_job(c->s, c->state, c->owner, c->se_complete ? "done" : "claimed", c->se_complete,
               &j, &se);
        qtm_status got = qtmi_policy_complete(&q, &a, &j, &se);
        if (got != c->want)
            fail_msg("%s: got %d, want %d: %s", c->what, got, c->want, q.msg);
        qtm_ok(&q);
    }
}

/* --- the governance of a job's work (issue 11) ----------------------------------- */

typedef enum { G_REASSIGN, G_HANDOVER, G_RELEASE, G_CANCEL, G_NOTE } gov_verb;

typedef struct gov_case {
    const char *what;
    gov_verb verb;
    int64_t id;
    const char *role;
    const qtm_surface *s;
    const char *state;
    int64_t owner;
    const char *phase;             /* the ServiceEvent's, NULL: not opened */
    qtm_status want;
    const char *frag;              /* in the refusal */
} gov_case;

static const gov_case gov_cases[] = {
    {"admin reassigns a queued job", G_REASSIGN, 1, "admin", &assigned, "queued", 0, NULL,
     QTM_OK, NULL},
    {"reassign after the claim", G_REASSIGN, 1, "admin", &assigned, "active", 2, "claimed",
     QTM_EREFUSED, "job 7 is claimed by ana; only a queued job is reassigned"},
    {"reassign a complete job", G_REASSIGN, 1, "admin", &assigned, "complete", 2, "done",
     QTM_EREFUSED, "job 7 is complete"},
    {"reassign a cancelled job", G_REASSIGN, 1, "admin", &assigned, "cancelled", 0, NULL,
     QTM_EREFUSED, "job 7 was cancelled"},
    {"an operator reassigns", G_REASSIGN, 2, "operator", &assigned, "queued", 0, NULL,
     QTM_EFORBIDDEN, "ana is an operator; only an admin can reassign job 7"},
    {"admin hands over a claimed job", G_HANDOVER, 1, "admin", &assigned, "active", 2,
     "arrived", QTM_OK, NULL},
    {"no hand-over of a ready job", G_HANDOVER, 1, "admin", &assigned, "ready", 2, "done",
     QTM_EREFUSED, "the ServiceEvent is over: job complete is next"},
    {"handover before the claim", G_HANDOVER, 1, "admin", &assigned, "queued", 0, NULL,
     QTM_EREFUSED, "job 7 is not claimed yet"},
    {"handover of a complete job", G_HANDOVER, 1, "admin", &assigned, "complete", 2, "done",
     QTM_EREFUSED, "job 7 is complete"},
    {"the owner hands over", G_HANDOVER, 2, "operator", &assigned, "active", 2, "claimed",
     QTM_EFORBIDDEN, "only an admin can hand over job 7"},
    {"handover where nobody owns", G_HANDOVER, 1, "admin", &unowned, "active", 0, "arrived",
     QTM_EREFUSED, "has no owner to hand over"},
    {"the owner releases in the claim's phase", G_RELEASE, 2, "operator", &assigned, "active",
     2, "claimed", QTM_OK, NULL},
    {"release after a later phase", G_RELEASE, 2, "operator", &assigned, "active", 2,
     "arrived", QTM_EREFUSED, "released only in the phase its claim entered"},
    {"release of a ready job", G_RELEASE, 2, "operator", &assigned, "ready", 2, "done",
     QTM_EREFUSED, "job 7 is ready"},
    {"another operator releases", G_RELEASE, 4, "operator", &pool, "active", 2, "claimed",
     QTM_EFORBIDDEN, "only its owner can release it, not bo"},
    {"an admin releases", G_RELEASE, 1, "admin", &assigned, "active", 2, "claimed",
     QTM_EFORBIDDEN, "a release is the owner's"},
    {"release of a queued job", G_RELEASE, 2, "operator", &assigned, "queued", 0, NULL,
     QTM_EREFUSED, "there is nothing to release"},
    {"admin cancels before the claim", G_CANCEL, 1, "admin", &assigned, "queued", 0, NULL,
     QTM_OK, NULL},
    {"admin cancels a released job", G_CANCEL, 1, "admin", &assigned, "queued", 0, "queued",
     QTM_OK, NULL},
    {"cancel after the claim", G_CANCEL, 1, "admin", &assigned, "active", 2, "claimed",
     QTM_EREFUSED, "only a job nobody claimed can be cancelled"},
    {"cancel once an unowned step began", G_CANCEL, 1, "admin", &unowned, "queued", 0,
     "arrived", QTM_EREFUSED, "whose execution has not begun"},
    {"cancel twice", G_CANCEL, 1, "admin", &assigned, "cancelled", 0, NULL, QTM_EREFUSED,
     "was cancelled"},
    {"an operator cancels", G_CANCEL, 2, "operator", &assigned, "queued", 0, NULL,
     QTM_EFORBIDDEN, "only an admin can cancel job 7"},
    {"the owner notes", G_NOTE, 2, "operator", &assigned, "active", 2, "arrived", QTM_OK, NULL},
    {"an admin notes a queued job", G_NOTE, 1, "admin", &assigned, "queued", 0, NULL, QTM_OK,
     NULL},
    {"the assignee notes before claiming", G_NOTE, 2, "operator", &assigned, "queued", 0,
     NULL, QTM_EFORBIDDEN, "only an admin adds notes"},
    {"another operator notes", G_NOTE, 4, "operator", &pool, "active", 2, "claimed",
     QTM_EFORBIDDEN, "bo cannot add notes"},
    {"the owner notes a ready job", G_NOTE, 2, "operator", &assigned, "ready", 2, "done",
     QTM_EREFUSED, "its record holds the notes it had"},
    {"an admin notes a cancelled job", G_NOTE, 1, "admin", &assigned, "cancelled", 0, NULL,
     QTM_EREFUSED, "was cancelled"},
    {"a vendor notes", G_NOTE, 5, "vendor", &assigned, "active", 2, "claimed", QTM_EFORBIDDEN,
     "notes are added by the job's owner or an admin"},
};

static qtm_status gov_check(qtm *q, gov_verb v, const actor *a, const job *j,
                            const service_event *se)
{
    switch (v) {
    case G_REASSIGN: return qtmi_policy_reassign(q, a, j);
    case G_HANDOVER: return qtmi_policy_handover(q, a, j);
    case G_RELEASE: return qtmi_policy_release(q, a, j, se);
    case G_CANCEL: return qtmi_policy_cancel(q, a, j, se);
    case G_NOTE: return qtmi_policy_note(q, a, j, se);
    }
    return QTM_EUSAGE;
}

static void test_governance_table(void **state)
{
    (void)state;
    static const char *const can[] = {"can_reassign", "can_handover", "can_release",
                                      "can_cancel", "can_note"};
    qtm q = {0};
    for (size_t i = 0; i < countof(gov_cases); i++) {
        const gov_case *c = &gov_cases[i];
        actor a = mk_actor(c->id, c->role, "active");
        job j;
        service_event se;
        mk_job(c->s, c->state, c->owner, c->phase, c->phase && strcmp(c->phase, "done") == 0,
               &j, &se);
        qtm_status got = gov_check(&q, c->verb, &a, &j, &se);
        if (got != c->want || (c->frag && !strstr(q.msg, c->frag)))
            fail_msg("%s: got %d (\"%s\"), want %d (\"%s\")", c->what, got, q.msg, c->want,
                     c->frag ? c->frag : "");
        qtm_ok(&q);
        /* the desk offers exactly what is accepted, and nothing to a limited actor */
        json_t *acts = qtmi_policy_actions(&q, &a, &j, &se);
        if (json_is_true(json_object_get(acts, can[c->verb])) != (c->want == QTM_OK))
            fail_msg("%s: %s is %s", c->what, can[c->verb],
                     json_is_true(json_object_get(acts, can[c->verb])) ? "true" : "false");
        json_decref(acts);
        a.access = QTM_ACCESS_LIMITED;
        acts = qtmi_policy_actions(&q, &a, &j, &se);
        assert_false(json_is_true(json_object_get(acts, can[c->verb])));
        json_decref(acts);
    }
}

/* Who may receive the work, and what the one it was taken from is told. */
static void test_governance_target_and_reason(void **state)
{
    (void)state;
    qtm q = {0};
    job j;
    service_event se;
    mk_job(&assigned, "queued", 0, NULL, 0, &j, &se);
    actor bo = mk_actor(4, "operator", "active"), vic = mk_actor(5, "vendor", "active");
    actor ana = mk_actor(2, "operator", "active");
    assert_int_equal(qtmi_policy_target(&q, &j, &bo, j.assignee_id, "be reassigned to"), QTM_OK);
    assert_int_equal(qtmi_policy_target(&q, &j, &vic, j.assignee_id, "be reassigned to"),
                     QTM_EFORBIDDEN);
    assert_non_null(strstr(q.msg, "vic is a vendor; job 7 can only be reassigned to an operator"));
    assert_int_equal(qtmi_policy_target(&q, &j, &ana, j.assignee_id, "be reassigned to"),
                     QTM_EREFUSED);
    assert_non_null(strstr(q.msg, "job 7 is already ana's"));
    bo.access = QTM_ACCESS_SUSPENDED;
    assert_int_equal(qtmi_policy_target(&q, &j, &bo, j.assignee_id, "be reassigned to"),
                     QTM_EFORBIDDEN);
    assert_string_equal(q.msg, "bo is suspended and cannot receive work");
    bo.access = QTM_ACCESS_LIMITED;
    assert_int_equal(qtmi_policy_target(&q, &j, &bo, j.assignee_id, "be reassigned to"),
                     QTM_EFORBIDDEN);
    /* reassigned from ana to bo: ana's claim names the reason */
    bo.access = QTM_ACCESS_ACTIVE;
    j.assignee_id = 4;
    snprintf(j.assignee, sizeof j.assignee, "bo");
    j.last = (handoff){.id = 1, .action = "reassign", .from_id = 2, .from = "ana", .to_id = 4,
                       .to = "bo", .reason = "ana is sick", .by = "ada"};
    const qtm_transition *t = NULL;
    assert_int_equal(qtmi_policy_claim(&q, &ana, &j, &se, &t), QTM_EFORBIDDEN);
    assert_string_equal(q.msg, "job 7 is assigned to bo (reassigned from ana to bo by ada: ana "
                               "is sick); ana cannot claim it");
    assert_int_equal(qtmi_policy_claim(&q, &bo, &j, &se, &t), QTM_OK);
    assert_non_null(t);
    /* released: the ServiceEvent back in the initial phase is claimed again */
    mk_job(&assigned, "queued", 0, "queued", 0, &j, &se);
    assert_int_equal(qtmi_policy_claim(&q, &ana, &j, &se, &t), QTM_OK);
    assert_non_null(t);
    assert_true(qtmi_policy_claim_phase(&assigned, P_CLAIMED));
    assert_false(qtmi_policy_claim_phase(&assigned, P_ARRIVED));  /* start is no claim */
    assert_true(qtmi_policy_claim_phase(&optional, P_ARRIVED));   /* there it claims */
    assert_false(qtmi_policy_claim_phase(&assigned, P_QUEUED));
    assert_false(qtmi_policy_claim_phase(&assigned, P_DONE));
    qtm_ok(&q);
}

/* Every case again, through the actions list: an event is offered exactly
 * when qtmi_policy_fire accepts it (limited and suspended actors: nothing). */
static void test_actions_match_fire(void **state)
{
    (void)state;
    qtm q = {0};
    static const char *const accesses[] = {"active", "limited", "suspended"};
    for (size_t i = 0; i < countof(fire_cases); i++)
        for (size_t k = 0; k < countof(accesses); k++) {
            const fire_case *c = &fire_cases[i];
            actor a = mk_actor(c->id, c->role, accesses[k]);
            job j;
            service_event se;
            mk_job(c->s, c->state, c->owner, c->phase, 0, &j, &se);
            const qtm_transition *t;
            policy_step how;
            int ok = k == 0 && qtmi_policy_fire(&q, &a, &j, &se, c->event, &t, &how) == QTM_OK;
            json_t *acts = qtmi_policy_actions(&q, &a, &j, &se);
            assert_int_equal(q.err, QTM_OK);
            int offered = 0, claim = 0;
            size_t n;
            json_t *o;
            json_array_foreach(json_object_get(acts, "actions"), n, o) {
                offered |= strcmp(rt_js(o, "event"), c->event) == 0;
                claim |= json_is_true(json_object_get(o, "claim"));
            }
            if (offered != ok)
                fail_msg("%s (%s): offered %d, qtmi_policy_fire %d", c->what, accesses[k], offered,
                         ok);
            assert_int_equal(claim, json_is_true(json_object_get(acts, "can_claim")));
            json_decref(acts);
        }
}

/* --- on a real database -------------------------------------------------------- */

static int has_action(const json_t *acts, const char *event)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(acts, "actions"), i, o)
        if (strcmp(rt_js(o, "event"), event) == 0)
            return 1;
    return 0;
}

static void test_job_actions(void **state)
{
    rt_fx *f = *state;
    json_t *a = NULL;
    int64_t j = rt_job_new(f, EC, "ana");
    OK(qtm_job_actions(f->q, "ana", j, &a));
    assert_true(has_action(a, "claim"));
    assert_true(json_is_true(json_object_get(a, "can_claim")));
    assert_false(json_is_true(json_object_get(a, "can_complete")));
    json_decref(a);
    /* not ana's: the one answer for a job bo may not read */
    char msgbuf[256];
    EXPECT_EXACT(QTM_EFORBIDDEN, MSGF("no job %lld visible to bo", (long long)j),
                 qtm_job_actions(f->q, "bo", j, &a));
    assert_null(a);
    EXPECT(QTM_ENOTFOUND, qtm_job_actions(f->q, "nobody", j, &a));
    /* what is offered is accepted */
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_actions(f->q, "ana", j, &a));
    assert_int_equal(json_array_size(json_object_get(a, "actions")), 2);
    assert_true(has_action(a, "arrive"));
    assert_true(has_action(a, "close"));
    assert_false(json_is_true(json_object_get(a, "can_claim")));
    json_decref(a);
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    /* an admin reads every job and may fire none of EC's owner steps */
    OK(qtm_job_actions(f->q, "ada", j, &a));
    assert_int_equal(json_array_size(json_object_get(a, "actions")), 0);
    json_decref(a);
    EXPECT(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ada", j, "start"));
    /* limited: may view, is offered nothing */
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    OK(qtm_job_actions(f->q, "ana", j, &a));
    assert_int_equal(json_array_size(json_object_get(a, "actions")), 0);
    json_decref(a);
    EXPECT(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    OK(qtm_job_actions(f->q, "ana", j, &a));
    assert_true(json_is_true(json_object_get(a, "can_complete")));
    json_decref(a);
    OK(qtm_job_complete(f->q, "ana", j));
    OK(qtm_job_actions(f->q, "ana", j, &a));
    assert_int_equal(json_array_size(json_object_get(a, "actions")), 0);
    assert_false(json_is_true(json_object_get(a, "can_complete")));
    json_decref(a);
}

/* The name tables and the enums come from one list each. */
static void test_vocab(void **state)
{
    (void)state;
    assert_string_equal(qtm_role_names[QTM_ROLE_CLIENT], "client");
    assert_int_equal(qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, "operator"),
                     QTM_ROLE_OPERATOR);
    assert_int_equal(qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, "boss"), QTM_ROLE_UNKNOWN);
    assert_int_equal(qtm_vocab_find(qtm_role_names, QTM_ROLE_UNKNOWN, NULL), QTM_ROLE_UNKNOWN);
    assert_string_equal(qtm_field_type_names[QTM_FIELD_CHOICE], "one_of");
    assert_string_equal(qtm_condition_names[QTM_COND_PARTICIPANTS], "participants");
    assert_int_equal(QTM_REQ_PAYMENT, 1u << QTM_COND_PAYMENT);
    actor a = mk_actor(2, "operator", "limited");
    assert_int_equal(a.role, QTM_ROLE_OPERATOR);
    assert_int_equal(a.access, QTM_ACCESS_LIMITED);
    assert_string_equal(qtmi_role_word(a.role), "operator");
    assert_string_equal(qtmi_access_word(a.access), "limited");
    assert_string_equal(qtmi_job_word(QTM_JOB_UNKNOWN), "unknown");
    assert_string_equal(QTM_ROLES(QTM_SQL_X, ","), "'admin','operator','vendor','client'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fire_table),
        cmocka_unit_test(test_claim_table),
        cmocka_unit_test(test_complete_table),
        cmocka_unit_test(test_actions_match_fire),
        cmocka_unit_test(test_governance_table),
        cmocka_unit_test(test_governance_target_and_reason),
        cmocka_unit_test(test_vocab),
        TEST(test_job_actions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
