/*
 * test_rt_execution.c - libqtm's execution layer against a real SQLite
 * file: the explicit job handoff, claims (assignee only, roles, access
 * states, conflicts, idempotent re-claim), ServiceEvent advance (owner
 * only, no skipping, every phase stored with actor and time), the
 * auto-detailing evidence gate and its absence on event coordination,
 * record composition and hashing, job completion and the desk.
 */
#include <pthread.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "rt_fixture.h"

/* --- job create ------------------------------------------------------------ */

static void test_job_create_from_assigned_task(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_task_assigned(f, EC, "ana"), j = 0;
    size_t n = rt_log_len(f, 0);
    OK(qtm_job_create(f->q, "ada", t, &j));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_true(j > 0);
    assert_int_equal(rt_log_len(f, 0), n + 1);
    json_t *o = rt_job_show(f, j);
    assert_int_equal(rt_ji(o, "id"), j);
    assert_int_equal(rt_ji(o, "task"), t);
    assert_string_equal(rt_js(o, "surface"), EC);
    assert_string_equal(rt_js(o, "state"), "queued");
    assert_string_equal(rt_js(o, "phase"), "queued");
    assert_string_equal(rt_js(o, "label"), "Queued");
    assert_true(strstr(rt_js(o, "hint"), "waiting for its operator") != NULL);
    assert_true(json_is_null(json_object_get(o, "owner")));
    assert_string_equal(rt_js(o, "assignee"), "ana");
    assert_string_equal(rt_js(o, "created_at"), stamp);
    assert_true(json_is_null(json_object_get(o, "claimed_at")));
    assert_true(json_is_null(json_object_get(o, "service_event")));
    assert_true(json_is_null(json_object_get(o, "record")));
    json_t *next = json_object_get(o, "next");
    assert_int_equal(json_array_size(next), 1);
    assert_string_equal(rt_js(json_array_get(next, 0), "event"), "claim");
    assert_string_equal(rt_js(json_array_get(next, 0), "by"), "operator");
    json_decref(o);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "job");
    assert_string_equal(rt_js(row, "action"), "create");
    assert_string_equal(rt_js(row, "to"), "queued");
    assert_string_equal(rt_js(row, "actor"), "ada");
    assert_int_equal(rt_ji(row, "job"), j);
    json_decref(row);
    OK(qtm_task_show(f->q, t, &o));
    assert_int_equal(rt_ji(o, "job"), j);
    json_decref(o);
}

static void test_job_create_only_from_assigned(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t t = rt_submit(f, EC), j = 9;
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", t, &j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("task %lld is review; a job is created only from an approved task "
                            "assigned to an operator", (long long)t));
    assert_int_equal(j, 0);
    OK(qtm_task_approve(f->q, "ada", t));
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", t, &j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("task %lld is approved but not assigned; a job is created only from "
                            "an approved task assigned to an operator", (long long)t));
    int64_t r = rt_submit(f, EC);
    OK(qtm_task_reject(f->q, "ada", r, "no"));
    UNCHANGED(QTM_EREFUSED, qtm_job_create(f->q, "ada", r, &j));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM jobs"), 0);
}

static void test_job_create_one_per_task(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t t = rt_task_assigned(f, EC, "ana"), j = 0, j2 = 5;
    OK(qtm_job_create(f->q, "ada", t, &j));
    UNCHANGED(QTM_ECONFLICT, qtm_job_create(f->q, "ada", t, &j2));
    assert_string_equal(qtm_errmsg(f->q), MSGF("task %lld already has job %lld; one job per task",
                                               (long long)t,
                                               (long long)j));
    assert_int_equal(j2, 0);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM jobs"), 1);
}

static void test_job_create_admin_only(void **state)
{
    rt_fx *f = *state;
    int64_t t = rt_task_assigned(f, EC, "ana"), j = 0;
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_create(f->q, "ana", t, &j));
    assert_string_equal(qtm_errmsg(f->q), "ana is an operator; only an admin can create jobs");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_create(f->q, "vic", t, &j));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_create(f->q, "ada", t, &j));
    EXPECT(QTM_ENOTFOUND, qtm_job_create(f->q, "zed", t, &j));
}

static void test_job_carries_surface_fingerprint(void **state)
{
    rt_fx *f = *state;
    const char *surfaces[] = {EC, AD};
    for (int i = 0; i < 2; i++) {
        int64_t j = rt_job_new(f, surfaces[i], "ana");
        json_t *o = rt_job_show(f, j);
        const qtm_surface *s = qtm_surface_find(surfaces[i]);
        assert_non_null(s);
        assert_string_equal(rt_js(o, "fingerprint"), s->fingerprint);
        assert_int_equal(strncmp(s->fingerprint, "sha256:", 7), 0);
        assert_int_equal(strlen(s->fingerprint), 7 + 64);
        json_decref(o);
    }
}

static void test_job_under_other_tables_refused(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE jobs SET fingerprint = 'sha256:0000' WHERE id = %lld",
             (long long)j);
    DB_OK(sql);
    json_t *o = (json_t *)1;
    EXPECT_MSG(QTM_EREFUSED, "cannot run under other tables", qtm_job_show(f->q, j, &o));
    assert_null(o);
    UNCHANGED(QTM_EREFUSED, qtm_job_claim(f->q, "ana", j));
}

/* --- claim --------------------------------------------------------------- */

static void test_claim_by_assignee(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    size_t n = rt_log_len(f, j);
    OK(qtm_job_claim(f->q, "ana", j));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_int_equal(rt_log_len(f, j), n + 2);
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "state"), "active");
    assert_string_equal(rt_js(o, "owner"), "ana");
    assert_string_equal(rt_js(o, "phase"), "claimed");
    assert_string_equal(rt_js(o, "label"), "Confirmed");
    assert_string_equal(rt_js(o, "claimed_at"), stamp);
    json_t *se = json_object_get(o, "service_event");
    assert_true(json_is_object(se));
    assert_string_equal(rt_js(se, "operator"), "ana");
    assert_string_equal(rt_js(se, "phase"), "claimed");
    assert_true(json_is_false(json_object_get(se, "complete")));
    assert_string_equal(rt_js(se, "started_at"), stamp);
    json_t *ph = json_object_get(se, "phases");
    assert_int_equal(json_array_size(ph), 1);
    json_t *p0 = json_array_get(ph, 0);
    assert_string_equal(rt_js(p0, "from"), "queued");
    assert_string_equal(rt_js(p0, "to"), "claimed");
    assert_string_equal(rt_js(p0, "event"), "claim");
    assert_string_equal(rt_js(p0, "actor"), "ana");
    assert_string_equal(rt_js(p0, "at"), stamp);
    json_decref(o);
}

static void test_claim_by_other_operator_forbidden(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "bo", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is assigned to ana; bo cannot claim it",
                                               (long long)j));
    /* the claim event through advance is the same claim */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "claim"));
    rt_assert_job(f, j, "queued", "queued");
}

static void test_claim_by_non_operators_forbidden(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", j));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor and cannot claim jobs; only operators "
                                          "claim (vendors and clients can be recorded as "
                                          "participants)");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "cli", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ada", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "vic", j, "claim"));
    /* still refused once the job is claimed (no "conflict" leak for non-operators) */
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ada", j));
}

static void test_claim_by_inactive_operator_forbidden(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), "ana has limited access (may view, not change "
                                          "execution) and cannot claim jobs");
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), "ana is suspended and cannot claim jobs");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "claim"));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_claim(f->q, "ana", j));
}

static void test_second_claim_conflict_names_owner(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_ECONFLICT, qtm_job_claim(f->q, "bo", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is already claimed by ana", (long long)j));
    /* through advance, `claim` is simply not a step out of `claimed` */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "bo", j, "claim"));
    /* a second handle on the same file sees the same owner */
    qtm *h2 = NULL;
    assert_int_equal(qtm_open(f->path, 0, &h2), QTM_OK);
    assert_int_equal(qtm_job_claim(h2, "bo", j), QTM_ECONFLICT);
    assert_non_null(strstr(qtm_errmsg(h2), "already claimed by ana"));
    qtm_close(h2);
    rt_assert_job(f, j, "active", "claimed");
}

static void test_repeated_claim_by_owner_is_noop(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    size_t n = rt_log_len(f, 0);
    UNCHANGED(QTM_OK, qtm_job_claim(f->q, "ana", j));
    assert_int_equal(rt_log_len(f, 0), n);
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    n = rt_log_len(f, 0);
    UNCHANGED(QTM_OK, qtm_job_claim(f->q, "ana", j));
    assert_int_equal(rt_log_len(f, 0), n);
    rt_assert_job(f, j, "active", "arrived");
}

static void test_claim_through_advance(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "claim"));
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "owner"), "ana");
    assert_string_equal(rt_js(o, "phase"), "claimed");
    assert_int_equal(json_array_size(json_object_get(json_object_get(o, "service_event"),
                                                     "phases")), 1);
    json_decref(o);
}

static void test_claim_unknown_job(void **state)
{
    rt_fx *f = *state;
    UNCHANGED(QTM_ENOTFOUND, qtm_job_claim(f->q, "ana", 42));
    assert_string_equal(qtm_errmsg(f->q), "no job 42");
    EXPECT(QTM_ENOTFOUND, qtm_job_advance(f->q, "ana", 42, "arrive"));
    EXPECT(QTM_ENOTFOUND, qtm_job_complete(f->q, "ana", 42));
    json_t *o = (json_t *)1;
    EXPECT(QTM_ENOTFOUND, qtm_job_show(f->q, 42, &o));
    assert_null(o);
    int64_t j = rt_job_new(f, EC, "ana");
    EXPECT(QTM_ENOTFOUND, qtm_job_claim(f->q, "zed", j));
    EXPECT(QTM_EUSAGE, qtm_job_claim(f->q, NULL, j));
}

/* --- advance --------------------------------------------------------------- */

static void test_advance_by_owner_stores_every_phase(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    static const char *const ev[] = {"arrive", "start"};
    static const char *const to[] = {"arrived", "in_progress"};
    static const char *const label[] = {"On Site", "Active"};
    char at[2][32];
    for (int i = 0; i < 2; i++) {
        size_t n = rt_log_len(f, j);
        OK(qtm_job_advance(f->q, "ana", j, ev[i]));
        memcpy(at[i], f->now, 32);
        assert_int_equal(rt_log_len(f, j), n + 1);
        json_t *row = rt_log_last(f);
        assert_string_equal(rt_js(row, "entity"), "service_event");
        assert_string_equal(rt_js(row, "action"), ev[i]);
        assert_string_equal(rt_js(row, "to"), to[i]);
        assert_string_equal(rt_js(row, "actor"), "ana");
        json_decref(row);
        json_t *o = rt_job_show(f, j);
        assert_string_equal(rt_js(o, "phase"), to[i]);
        assert_string_equal(rt_js(o, "label"), label[i]);
        assert_string_equal(rt_js(o, "state"), "active");
        json_decref(o);
    }
    json_t *o = rt_job_show(f, j);
    json_t *ph = json_object_get(json_object_get(o, "service_event"), "phases");
    assert_int_equal(json_array_size(ph), 3);
    for (int i = 0; i < 2; i++) {
        json_t *p = json_array_get(ph, (size_t)i + 1);
        assert_string_equal(rt_js(p, "from"), i ? "arrived" : "claimed");
        assert_string_equal(rt_js(p, "to"), to[i]);
        assert_string_equal(rt_js(p, "event"), ev[i]);
        assert_string_equal(rt_js(p, "actor"), "ana");
        assert_string_equal(rt_js(p, "at"), at[i]);
    }
    /* in progress: the next step is complete, by the owner, requiring
     * evidence, outcome delivered; or close, with a reason */
    json_t *next = json_object_get(o, "next");
    assert_int_equal(json_array_size(next), 2);
    assert_string_equal(rt_js(json_array_get(next, 1), "event"), "close");
    assert_string_equal(rt_js(json_array_get(next, 0), "outcome"), "delivered");
    json_t *n0 = json_array_get(next, 0);
    assert_string_equal(rt_js(n0, "event"), "complete");
    assert_string_equal(rt_js(n0, "by"), "owner");
    assert_string_equal(json_string_value(json_array_get(json_object_get(n0, "requires"), 0)),
                        "evidence");
    json_decref(o);
}

static void test_advance_by_other_operator_forbidden(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is claimed by ana; bo cannot advance it (arrive)",
                             (long long)j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "bo", j, "start"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is claimed by ana; bo cannot advance it (start)",
                             (long long)j));
    rt_assert_job(f, j, "active", "arrived");
}

static void test_advance_by_non_operators_forbidden(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "vic", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor and cannot change execution; only the "
                                          "job's operator can");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "cli", j, "arrive"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ada", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q), "ada is an admin and cannot change execution; only the "
                                          "job's operator can");
    /* vendors are refused whatever the event */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "vic", j, "dance"));
}

static void test_advance_by_inactive_owner_forbidden(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q), "ana has limited access (may view, not change "
                                          "execution) and cannot change execution");
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
}

static void test_advance_cannot_skip_a_phase(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "start"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is in phase claimed (Confirmed); 'start' is not allowed "
                            "there (allowed: arrive, close)", (long long)j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "claim"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    rt_assert_job(f, j, "active", "arrived");
    /* auto-detailing has a phase more: start then finish, never start then complete */
    int64_t d = rt_job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", d, "arrive"));
    OK(qtm_job_advance(f->q, "ana", d, "start"));
    rt_add_ad_evidence(f, d, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", d, "complete"));
    rt_assert_job(f, d, "active", "in_progress");
}

static void test_advance_unknown_event(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "dance"));
    assert_string_equal(qtm_errmsg(f->q), "surface event-coordination has no event 'dance'");
    /* an event of another surface is unknown here */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "finish"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, ""));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, NULL));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "ARRIVE"));
}

static void test_advance_before_claim_refused(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is in phase queued (Queued); 'arrive' is not allowed there "
                            "(allowed: claim)", (long long)j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "bo", j, "start"));
    rt_assert_job(f, j, "queued", "queued");
}

static void test_advance_after_final_refused(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    rt_run_to_final(f, j, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is ready: its ServiceEvent is complete; next: job complete",
                             (long long)j));
    OK(qtm_job_complete(f->q, "ana", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "arrive"));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is complete; nothing more can happen to it", (long long)j));
    json_t *o = rt_job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "next")), 0);
    json_decref(o);
}

/* --- evidence ------------------------------------------------------------- */

/* An auto-detailing job claimed by ana and walked to its `evidence` phase. */
static int64_t ad_at_evidence(rt_fx *f)
{
    int64_t j = rt_job_claimed(f, AD, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    return j;
}

static void test_ad_complete_without_evidence_refused(void **state)
{
    rt_fx *f = *state;
    int64_t j = ad_at_evidence(f);
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_string_equal(qtm_errmsg(f->q),
                        "evidence missing: arrival (0 of 1), before (0 of 1), after (0 of 1)");
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "phase"), "evidence");
    assert_true(json_is_null(json_object_get(o, "record")));
    json_t *missing = json_object_get(o, "evidence_missing");
    assert_int_equal(json_array_size(missing), 3);
    assert_string_equal(rt_js(json_array_get(missing, 0), "category"), "arrival");
    assert_int_equal(rt_ji(json_array_get(missing, 0), "have"), 0);
    assert_int_equal(rt_ji(json_array_get(missing, 0), "need"), 1);
    json_decref(o);
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
}

static void test_ad_partial_evidence_names_what_is_missing(void **state)
{
    rt_fx *f = *state;
    int64_t j = ad_at_evidence(f);
    OK(qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], NULL));
    OK(qtm_evidence_add(f->q, "ana", j, "damage", RT_PHOTO[0], "scratch on the door"));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "complete"));
    assert_string_equal(qtm_errmsg(f->q), "evidence missing: before (0 of 1), after (0 of 1)");
    OK(qtm_evidence_add(f->q, "ana", j, "before", RT_PHOTO[0], NULL));
    EXPECT_EXACT(QTM_EREFUSED, "evidence missing: after (0 of 1)",
                 qtm_job_advance(f->q, "ana", j, "complete"));
}

static void test_ad_complete_with_evidence(void **state)
{
    rt_fx *f = *state;
    int64_t j = ad_at_evidence(f);
    rt_add_ad_evidence(f, j, "ana");
    json_t *o = rt_job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "evidence_missing")), 0);
    json_t *ev = json_object_get(o, "evidence");
    assert_int_equal(json_array_size(ev), 3);
    assert_string_equal(rt_js(json_array_get(ev, 1), "category"), "before");
    /* a file: named by its hash, with the type read from its bytes */
    assert_non_null(rt_js(json_array_get(ev, 1), "ref"));
    assert_int_equal(strncmp(rt_js(json_array_get(ev, 1), "ref"), "sha256:", 7), 0);
    assert_string_equal(rt_js(json_array_get(ev, 1), "type"), "image/png");
    assert_string_equal(rt_js(json_array_get(ev, 1), "note"), "seats");
    assert_string_equal(rt_js(json_array_get(ev, 1), "actor"), "ana");
    assert_true(json_is_null(json_object_get(json_array_get(ev, 0), "note")));
    json_decref(o);
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    rt_assert_job(f, j, "ready", "complete");
    OK(qtm_record_show(f->q, j, &o));
    json_t *body = json_object_get(o, "body");
    assert_int_equal(json_array_size(json_object_get(body, "evidence")), 3);
    json_decref(o);
}

static void test_evidence_unknown_category_invalid(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana");
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "selfie", RT_PHOTO[0], NULL));
    assert_string_equal(qtm_errmsg(f->q),
                        "surface auto-detailing has no evidence category 'selfie'");
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "Arrival", RT_PHOTO[0], NULL));
    OK(qtm_evidence_add(f->q, "ana", j, "damage", RT_PHOTO[0], NULL));
}

static void test_evidence_input_checked(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana");
    char big[2002];
    memset(big, 'x', 2001);
    big[2001] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, NULL, RT_PHOTO[0], NULL));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", "", NULL));
    /* a text reference is no evidence: a note goes beside a file */
    UNCHANGED(QTM_EINVALID, qtm_evidence_add_blob(f->q, "ana", j, "arrival", "photo://a.jpg", NULL));
    /* a hash not stored: refused as bad input, as an intake photo is */
    UNCHANGED(QTM_EINVALID, qtm_evidence_add_blob(f->q, "ana", j, "arrival",
                                                 "sha256:00000000000000000000000000000000"
                                                 "00000000000000000000000000000000", NULL));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", NULL, NULL));
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], big));
    big[1001] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", big, NULL));
}

static void test_evidence_only_by_owner_while_running(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, AD, "ana");
    char msgbuf[256];
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], NULL));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is not claimed yet; claim it first",
                                               (long long)j));
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "bo", j, "arrival", RT_PHOTO[0], NULL));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is claimed by ana; bo cannot add evidence on it",
                             (long long)j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "vic", j, "arrival", RT_PHOTO[0], NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "ada", j, "arrival", RT_PHOTO[0], NULL));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], NULL));
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_evidence_add(f->q, "ana", j, "arrival", RT_PHOTO[0], NULL));
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "evidence");
    assert_string_equal(rt_js(row, "to"), "arrival");
    assert_int_equal(rt_ji(row, "job"), j);
    json_decref(row);
}

static void test_ec_completes_without_evidence(void **state)
{
    rt_fx *f = *state;
    const qtm_surface *s = qtm_surface_find(EC);
    assert_int_equal(s->nev_required, 0);
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    json_t *o = rt_job_show(f, j);
    assert_int_equal(json_array_size(json_object_get(o, "evidence_missing")), 0);
    json_decref(o);
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM evidence"), 0);
    OK(qtm_job_complete(f->q, "ana", j));
    rt_assert_job(f, j, "complete", "complete");
}

static void test_ec_evidence_is_context(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    /* no declared categories: milestone photos are accepted as context */
    OK(qtm_evidence_add(f->q, "ana", j, "setup", RT_PHOTO[0], "tent up at 14:00"));
    rt_run_to_final(f, j, EC, "ana");
    json_t *o = NULL;
    OK(qtm_record_show(f->q, j, &o));
    json_t *ctx = json_object_get(json_object_get(o, "body"), "context");
    assert_int_equal(json_array_size(json_object_get(ctx, "evidence")), 1);
    assert_string_equal(rt_js(json_array_get(json_object_get(ctx, "evidence"), 0), "category"),
                        "setup");
    json_decref(o);
}

/* Once the ServiceEvent is complete its record is composed; execution
 * context may no longer grow, or the job would show evidence and
 * participants its immutable record does not carry. */
static void test_context_closed_once_service_event_complete(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana");
    rt_run_to_final(f, j, AD, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", j, "after", RT_PHOTO[0], NULL));
    UNCHANGED(QTM_EREFUSED, qtm_participant_add(f->q, "ana", j, "Late Helper", "crew", NULL));
}

/* --- participants --------------------------------------------------------- */

static void test_participants_are_data(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_participant_add(f->q, "ana", j, "Vic Florist", "florist", "vic@example.com"));
    OK(qtm_participant_add(f->q, "ana", j, "DJ Sol", "dj", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_participant_add(f->q, "vic", j, "Vic", "florist", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_participant_add(f->q, "bo", j, "Bo", "helper", NULL));
    UNCHANGED(QTM_EINVALID, qtm_participant_add(f->q, "ana", j, "", "florist", NULL));
    UNCHANGED(QTM_EINVALID, qtm_participant_add(f->q, "ana", j, "X", NULL, NULL));
    json_t *o = rt_job_show(f, j);
    json_t *pa = json_object_get(o, "participants");
    assert_int_equal(json_array_size(pa), 2);
    assert_string_equal(rt_js(json_array_get(pa, 0), "name"), "Vic Florist");
    assert_string_equal(rt_js(json_array_get(pa, 0), "role"), "florist");
    assert_string_equal(rt_js(json_array_get(pa, 0), "contact"), "vic@example.com");
    assert_string_equal(rt_js(json_array_get(pa, 0), "actor"), "ana");
    /* participants are not phases */
    assert_string_equal(rt_js(o, "phase"), "claimed");
    json_decref(o);
    rt_run_to_final(f, j, EC, "ana");
    OK(qtm_record_show(f->q, j, &o));
    assert_int_equal(json_array_size(json_object_get(json_object_get(o, "body"), "participants")),
                     2);
    json_decref(o);
}

/* --- record -------------------------------------------------------------- */

static void test_record_composed_by_final_advance(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    json_t *o = (json_t *)1;
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld has no record yet (its ServiceEvent is "
                                              "not complete)", (long long)j));
    assert_null(o);
    OK(qtm_record_list(f->q, &o));
    assert_int_equal(json_array_size(o), 0);
    json_decref(o);
    size_t n = rt_log_len(f, j);
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    /* one call: the ServiceEvent's completion and the record, same stamp */
    json_t *a = NULL;
    OK(qtm_log(f->q, j, &a));
    assert_int_equal(json_array_size(a), n + 3);  /* the phase, the record, the job ready */
    json_t *r1 = json_array_get(a, n), *r2 = json_array_get(a, n + 1);
    json_t *r3 = json_array_get(a, n + 2);
    assert_string_equal(rt_js(r3, "entity"), "job");
    assert_string_equal(rt_js(r3, "action"), "ready");
    assert_string_equal(rt_js(r3, "from"), "active");
    assert_string_equal(rt_js(r3, "to"), "ready");
    assert_string_equal(rt_js(r3, "at"), stamp);
    assert_string_equal(rt_js(r1, "entity"), "service_event");
    assert_string_equal(rt_js(r1, "to"), "complete");
    assert_string_equal(rt_js(r2, "entity"), "record");
    assert_string_equal(rt_js(r2, "action"), "compose");
    assert_string_equal(rt_js(r1, "at"), stamp);
    assert_string_equal(rt_js(r2, "at"), stamp);
    OK(qtm_record_show(f->q, j, &o));
    assert_string_equal(rt_js(r2, "to"), rt_js(o, "hash"));
    json_decref(a);
    assert_int_equal(rt_ji(o, "job"), j);
    assert_string_equal(rt_js(o, "surface"), EC);
    assert_string_equal(rt_js(o, "created_at"), stamp);
    json_decref(o);
    /* the job itself is not complete until job complete: it is ready */
    o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "state"), "ready");
    assert_true(json_is_integer(json_object_get(o, "record")));
    json_t *se = json_object_get(o, "service_event");
    assert_true(json_is_true(json_object_get(se, "complete")));
    assert_string_equal(rt_js(se, "completed_at"), stamp);
    json_decref(o);
    OK(qtm_record_list(f->q, &o));
    assert_int_equal(json_array_size(o), 1);
    assert_int_equal(rt_ji(json_array_get(o, 0), "job"), j);
    json_decref(o);
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, 999, &o));
}

static void test_record_body_has_declared_fields(void **state)
{
    rt_fx *f = *state;
    const char *surfaces[] = {EC, AD};
    for (int k = 0; k < 2; k++) {
        const qtm_surface *s = qtm_surface_find(surfaces[k]);
        int64_t j = rt_job_claimed(f, surfaces[k], "ana");
        rt_run_to_final(f, j, surfaces[k], "ana");
        json_t *o = NULL, *jo = rt_job_show(f, j);
        OK(qtm_record_show(f->q, j, &o));
        json_t *body = json_object_get(o, "body");
        /* with `operator` comes "operators": who held the job, in order */
        assert_int_equal(json_object_size(body), s->nrecord + 1);
        for (unsigned i = 0; i < s->nrecord; i++)
            assert_non_null(json_object_get(body, s->record[i]));
        assert_string_equal(rt_js(body, "operator"), "ana");
        json_t *ops = json_object_get(body, "operators");
        assert_int_equal(json_array_size(ops), 1);
        assert_string_equal(json_string_value(json_array_get(ops, 0)), "ana");
        assert_int_equal(rt_ji(body, "job"), j);
        assert_string_equal(rt_js(body, "surface"), surfaces[k]);
        json_t *packet = json_loads(rt_packet_for(surfaces[k]), 0, NULL);
        json_t *scope = json_deep_copy(json_object_get(body, "scope"));
        json_object_del(scope, "photos");  /* the packet's photos are files, named there */
        assert_true(json_equal(scope, packet));
        json_decref(scope);
        json_decref(packet);
        json_t *out = json_object_get(body, "outcome");
        assert_string_equal(rt_js(out, "phase"), "complete");
        assert_true(json_is_true(json_object_get(out, "complete")));
        assert_string_equal(rt_js(body, "completed_at"),
                            rt_js(json_object_get(jo, "service_event"), "completed_at"));
        /* no task, job or settlement state leaks into the record */
        assert_null(json_object_get(body, "state"));
        assert_null(json_object_get(body, "settlement"));
        assert_null(json_object_get(body, "task"));
        json_decref(jo);
        json_decref(o);
    }
}

static void test_record_hash_is_sha256_of_canonical_body(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana");
    OK(qtm_participant_add(f->q, "ana", j, "Marcus Lee", "owner of the car", "(415) 555-0172"));
    rt_run_to_final(f, j, AD, "ana");
    json_t *o = NULL;
    OK(qtm_record_show(f->q, j, &o));
    char *text = json_dumps(json_object_get(o, "body"), JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    assert_int_equal(sodium_init() >= 0, 1);
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(rt_js(o, "hash"), hex);
    /* and the stored body is exactly that canonical text (on either backend) */
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT body FROM records WHERE job_id = %lld", (long long)j);
    char *stored = rt_db_text(f, sql);
    assert_non_null(stored);
    assert_string_equal(stored, text);
    free(stored);
    snprintf(sql, sizeof sql, "SELECT hash FROM records WHERE job_id = %lld", (long long)j);
    stored = rt_db_text(f, sql);
    assert_non_null(stored);
    assert_string_equal(stored, hex);
    free(stored);
    free(text);
    json_decref(o);
}

/* --- job complete --------------------------------------------------------- */

static void test_job_complete_refused_before_service_event(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is not claimed yet; claim it first",
                                               (long long)j));
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld cannot complete: its ServiceEvent is in phase claimed "
                            "(Confirmed), not complete", (long long)j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld cannot complete: its ServiceEvent is in phase in_progress "
                            "(Active), not complete", (long long)j));
    rt_assert_job(f, j, "active", "in_progress");
}

static void test_job_complete_by_non_owner_forbidden(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    rt_run_to_final(f, j, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "bo", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is claimed by ana; bo cannot complete "
                                              "it", (long long)j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "vic", j));
    assert_string_equal(qtm_errmsg(f->q), "vic is a vendor and cannot complete jobs; only the "
                                          "job's operator can");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "ada", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "cli", j));
    OK(qtm_actor_set_access(f->q, "ana", "limited"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "ana", j));
}

static void test_job_complete_after_service_event(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_claimed(f, EC, "ana");
    rt_run_to_final(f, j, EC, "ana");
    size_t n = rt_log_len(f, j);
    OK(qtm_job_complete(f->q, "ana", j));
    char stamp[32];
    memcpy(stamp, f->now, sizeof stamp);
    assert_int_equal(rt_log_len(f, j), n + 1);
    json_t *row = rt_log_last(f);
    assert_string_equal(rt_js(row, "entity"), "job");
    assert_string_equal(rt_js(row, "action"), "complete");
    assert_string_equal(rt_js(row, "from"), "ready");
    assert_string_equal(rt_js(row, "to"), "complete");
    json_decref(row);
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "state"), "complete");
    assert_string_equal(rt_js(o, "completed_at"), stamp);
    json_decref(o);
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is already complete", (long long)j));
    /* execution is closed */
    UNCHANGED(QTM_EREFUSED, qtm_participant_add(f->q, "ana", j, "X", "y", NULL));
    UNCHANGED(QTM_EREFUSED, qtm_evidence_add(f->q, "ana", j, "x", RT_PHOTO[0], NULL));
    /* re-claiming a finished job by its owner changes nothing */
    UNCHANGED(QTM_OK, qtm_job_claim(f->q, "ana", j));
}

/* --- desk ----------------------------------------------------------------- */

static size_t desk_count(rt_fx *f, const char *op, const char *column)
{
    json_t *d = NULL;
    OK(qtm_desk(f->q, op, &d));
    size_t n = json_array_size(json_object_get(d, column));
    json_decref(d);
    return n;
}

static void test_desk_columns(void **state)
{
    rt_fx *f = *state;
    int64_t a = rt_job_new(f, EC, "ana");
    int64_t b = rt_job_new(f, AD, "bo");
    assert_int_equal(desk_count(f, NULL, "queued"), 2);
    assert_int_equal(desk_count(f, "ana", "queued"), 1);
    assert_int_equal(desk_count(f, "bo", "queued"), 1);
    OK(qtm_job_claim(f->q, "ana", a));
    assert_int_equal(desk_count(f, "ana", "active"), 1);
    assert_int_equal(desk_count(f, "ana", "queued"), 0);
    assert_int_equal(desk_count(f, "bo", "active"), 0);
    rt_run_to_final(f, a, EC, "ana");
    OK(qtm_job_complete(f->q, "ana", a));
    assert_int_equal(desk_count(f, "ana", "completed"), 1);  /* completed_jobs visible */
    assert_int_equal(desk_count(f, NULL, "completed"), 1);
    assert_int_equal(desk_count(f, NULL, "queued"), 1);
    json_t *d = NULL;
    OK(qtm_desk(f->q, "ana", &d));
    json_t *row = json_array_get(json_object_get(d, "completed"), 0);
    assert_int_equal(rt_ji(row, "id"), a);
    assert_string_equal(rt_js(row, "phase"), "complete");
    assert_string_equal(rt_js(row, "label"), "Complete");
    assert_string_equal(rt_js(row, "owner"), "ana");
    json_decref(d);
    OK(qtm_desk(f->q, "bo", &d));
    row = json_array_get(json_object_get(d, "queued"), 0);
    assert_int_equal(rt_ji(row, "id"), b);
    assert_string_equal(rt_js(row, "phase"), "queued");
    assert_string_equal(rt_js(row, "assignee"), "bo");
    json_decref(d);
    EXPECT(QTM_ENOTFOUND, qtm_desk(f->q, "zed", &d));
    assert_null(d);
}


/* --- landscaping: pool ownership, back transitions, admin cancel ---------- */

static void test_ls_pool_any_operator_claims(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_ls_job_new(f, "ana");
    /* a queued pool visit is on every operator's desk */
    assert_int_equal(desk_count(f, "bo", "queued"), 1);
    assert_int_equal(desk_count(f, "ana", "queued"), 1);
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "vic", j));
    OK(qtm_job_claim(f->q, "bo", j));
    rt_assert_job(f, j, "active", "claimed");
    UNCHANGED(QTM_ECONFLICT, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q), MSGF("job %lld is already claimed by bo", (long long)j));
    /* once claimed, the owner runs it */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "bo", j, "arrive"));
    assert_int_equal(desk_count(f, "ana", "active"), 0);
    assert_int_equal(desk_count(f, "bo", "active"), 1);
}

static void test_ls_rain_out_goes_back(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_ls_job_new(f, "ana");
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "rain_out"));
    rt_assert_job(f, j, "active", "claimed");
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    OK(qtm_job_advance(f->q, "ana", j, "start"));
    OK(qtm_job_advance(f->q, "ana", j, "finish"));
    OK(qtm_job_advance(f->q, "ana", j, "redo"));
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "phase"), "working");
    json_t *ph = json_object_get(json_object_get(o, "service_event"), "phases");
    assert_int_equal(json_array_size(ph), 7);
    assert_string_equal(rt_js(json_array_get(ph, 2), "event"), "rain_out");
    assert_string_equal(rt_js(json_array_get(ph, 2), "to"), "claimed");
    json_decref(o);
}

/* landscaping used to declare `queued -> cancelled on cancel by admin`;
 * an admin transition out of the initial phase is now refused by qtmc
 * (Q414: the pre-claim cancel is governance, `job cancel`), so the
 * runtime has no such event and an admin cannot open the ServiceEvent. */
static void test_ls_admin_cancels_unclaimed_visit(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_ls_job_new(f, "ana");
    /* no longer in the lifecycle (qtmc refuses it, Q414): nothing changes */
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ada", j, "cancel"));
    rt_assert_job(f, j, "queued", "queued");
    OK(qtm_job_advance(f->q, "ana", j, "claim"));
}

/* --- concurrent claims ------------------------------------------------------ */

#define RACERS 6

typedef struct racer {
    const char *path;
    char slug[16];
    int64_t job;
    pthread_barrier_t *go;
    qtm_status st;
    char msg[256];
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    qtm *q = NULL;
    if (qtm_open(r->path, 0, &q) != QTM_OK) {
        r->st = QTM_ESTORAGE;
        snprintf(r->msg, sizeof r->msg, "%s", q ? qtm_errmsg(q) : "oom");
        pthread_barrier_wait(r->go);
        qtm_close(q);
        return NULL;
    }
    pthread_barrier_wait(r->go);
    r->st = qtm_job_claim(q, r->slug, r->job);
    snprintf(r->msg, sizeof r->msg, "%s", qtm_errmsg(q));
    qtm_close(q);
    return NULL;
}

/* Operators on their own handles claim the same pool visit at once: exactly
 * one wins, every other one is told who owns it. */
static void test_concurrent_claims_one_winner(void **state)
{
    rt_fx *f = *state;
    racer r[RACERS];
    pthread_t th[RACERS];
    pthread_barrier_t go;
    for (int i = 0; i < RACERS; i++) {
        snprintf(r[i].slug, sizeof r[i].slug, "crew%d", i);
        OK(qtm_actor_add(f->q, r[i].slug, "operator", NULL));
    }
    for (int round = 0; round < 3; round++) {
        int64_t j = rt_ls_job_new(f, "crew0");
        size_t n = rt_log_len(f, j);
        assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
        for (int i = 0; i < RACERS; i++) {
            r[i].path = f->path;
            r[i].job = j;
            r[i].go = &go;
            assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
        }
        for (int i = 0; i < RACERS; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&go);
        int won = -1;
        for (int i = 0; i < RACERS; i++) {
            if (r[i].st == QTM_OK) {
                assert_int_equal(won, -1);
                won = i;
            } else if (r[i].st != QTM_ECONFLICT) {
                print_error("%s: %d %s\n", r[i].slug, r[i].st, r[i].msg);
                fail();
            }
        }
        assert_int_not_equal(won, -1);
        for (int i = 0; i < RACERS; i++)
            if (i != won)
                assert_non_null(strstr(r[i].msg, r[won].slug));
        json_t *o = rt_job_show(f, j);
        assert_string_equal(rt_js(o, "owner"), r[won].slug);
        json_decref(o);
        assert_int_equal(rt_log_len(f, j), n + 2);
    }
    json_t *rep = NULL;
    OK(qtm_verify(f->q, &rep));
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_job_create_from_assigned_task),
        TEST(test_job_create_only_from_assigned),
        TEST(test_job_create_one_per_task),
        TEST(test_job_create_admin_only),
        TEST(test_job_carries_surface_fingerprint),
        TEST(test_job_under_other_tables_refused),
        TEST(test_claim_by_assignee),
        TEST(test_claim_by_other_operator_forbidden),
        TEST(test_claim_by_non_operators_forbidden),
        TEST(test_claim_by_inactive_operator_forbidden),
        TEST(test_second_claim_conflict_names_owner),
        TEST(test_repeated_claim_by_owner_is_noop),
        TEST(test_claim_through_advance),
        TEST(test_claim_unknown_job),
        TEST(test_advance_by_owner_stores_every_phase),
        TEST(test_advance_by_other_operator_forbidden),
        TEST(test_advance_by_non_operators_forbidden),
        TEST(test_advance_by_inactive_owner_forbidden),
        TEST(test_advance_cannot_skip_a_phase),
        TEST(test_advance_unknown_event),
        TEST(test_advance_before_claim_refused),
        TEST(test_advance_after_final_refused),
        TEST(test_ad_complete_without_evidence_refused),
        TEST(test_ad_partial_evidence_names_what_is_missing),
        TEST(test_ad_complete_with_evidence),
        TEST(test_evidence_unknown_category_invalid),
        TEST(test_evidence_input_checked),
        TEST(test_evidence_only_by_owner_while_running),
        TEST(test_ec_completes_without_evidence),
        TEST(test_ec_evidence_is_context),
        TEST(test_context_closed_once_service_event_complete),
        TEST(test_participants_are_data),
        TEST(test_record_composed_by_final_advance),
        TEST(test_record_body_has_declared_fields),
        TEST(test_record_hash_is_sha256_of_canonical_body),
        TEST(test_job_complete_refused_before_service_event),
        TEST(test_job_complete_by_non_owner_forbidden),
        TEST(test_job_complete_after_service_event),
        TEST(test_desk_columns),
        TEST(test_ls_pool_any_operator_claims),
        TEST(test_ls_rain_out_goes_back),
        TEST(test_ls_admin_cancels_unclaimed_visit),
        TEST(test_concurrent_claims_one_winner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
