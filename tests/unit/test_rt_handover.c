/*
 * test_rt_handover.c - the governance of a job's work on a real database
 * (runtime/engine/governance_handover.c): reassign, hand over, release,
 * cancel and notes with their hand-off and audit rows, every refusal
 * leaving the database unchanged, owners in order in the view and the
 * record, the states ready and cancelled under verify (and a forged one
 * found), and the v4 -> v5 migration of a job left ready.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_fixture.h"
#include "rt_v4_ready.h"

#define EC "event-coordination"

/* The job's last audit row of entity (NULL: any), as JSON (caller decrefs). */
static json_t *last_row(rt_fx *f, int64_t j, const char *entity)
{
    json_t *a = NULL, *row = NULL;
    OK(qtm_log(f->q, j, &a));
    for (size_t i = json_array_size(a); i-- > 0 && !row;) {
        json_t *r = json_array_get(a, i);
        if (!entity || strcmp(rt_js(r, "entity"), entity) == 0)
            row = json_incref(r);
    }
    json_decref(a);
    assert_non_null(row);
    return row;
}

static void assert_row(json_t *row, const char *action, const char *from, const char *to,
                       const char *actor)
{
    assert_string_equal(rt_js(row, "action"), action);
    if (from)
        assert_string_equal(rt_js(row, "from"), from);
    else
        assert_true(json_is_null(json_object_get(row, "from")));
    if (to)
        assert_string_equal(rt_js(row, "to"), to);
    else
        assert_true(json_is_null(json_object_get(row, "to")));
    assert_string_equal(rt_js(row, "actor"), actor);
    json_decref(row);
}

static void verify_ok(rt_fx *f)
{
    json_t *rep = NULL;
    qtm_status st = qtm_verify(f->q, &rep);
    if (st != QTM_OK) {
        char *all = json_dumps(json_object_get(rep, "findings"), JSON_INDENT(2));
        print_error("verify: %s\n", all);
        free(all);
    }
    assert_int_equal(st, QTM_OK);
    json_decref(rep);
}

static void test_reassign_moves_the_assignee(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_reassign(f->q, "ana", j, "bo", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_reassign(f->q, "vic", j, "bo", NULL));
    UNCHANGED(QTM_ENOTFOUND, qtm_job_reassign(f->q, "ada", j, "zed", NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_reassign(f->q, "ada", j, "vic", NULL));
    UNCHANGED(QTM_EREFUSED, qtm_job_reassign(f->q, "ada", j, "ana", NULL));
    OK(qtm_actor_set_access(f->q, "bo", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_reassign(f->q, "ada", j, "bo", NULL));
    OK(qtm_actor_set_access(f->q, "bo", "active"));
    OK(qtm_job_reassign(f->q, "ada", j, "bo", "ana is sick"));
    assert_row(last_row(f, j, "handoff"), "reassign", "ana", "bo", "ada");
    assert_row(last_row(f, j, "task"), "reassign", "ana", "bo", "ada");
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "assignee"), "bo");
    json_t *h = json_array_get(json_object_get(o, "handoffs"), 0);
    assert_string_equal(rt_js(h, "reason"), "ana is sick");
    assert_string_equal(rt_js(h, "by"), "ada");
    json_decref(o);
    /* the old assignee is refused, told why; the new one claims */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_claim(f->q, "ana", j));
    assert_string_equal(qtm_errmsg(f->q),
                        MSGF("job %lld is assigned to bo (reassigned from ana to bo by ada: ana "
                             "is sick); ana cannot claim it", (long long)j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_show_as(f->q, "ana", j, &o));
    assert_string_equal(qtm_errmsg(f->q), MSGF("no job %lld visible to ana: reassigned to bo "
                                               "by ada (ana is sick)", (long long)j));
    OK(qtm_job_claim(f->q, "bo", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_reassign(f->q, "ada", j, "ana", NULL));
    verify_ok(f);
}

static void test_handover_moves_the_owner(void **state)
{
    rt_fx *f = *state;
    char msgbuf[256];
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EREFUSED, qtm_job_handover(f->q, "ada", j, "bo", "before the claim"));
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EUSAGE, qtm_job_handover(f->q, "ada", j, "bo", NULL));
    UNCHANGED(QTM_EUSAGE, qtm_job_handover(f->q, "ada", j, "bo", ""));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_handover(f->q, "ana", j, "bo", "tired"));
    UNCHANGED(QTM_EREFUSED, qtm_job_handover(f->q, "ada", j, "ana", "same"));
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    UNCHANGED(QTM_EINVALID, qtm_job_handover(f->q, "ada", j, "bo", big));
    /* a suspended owner's job is the admin's to hand over */
    OK(qtm_actor_set_access(f->q, "ana", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "start"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_release(f->q, "ana", j, NULL));
    OK(qtm_job_handover(f->q, "ada", j, "bo", "ana is suspended"));
    assert_row(last_row(f, j, "handoff"), "handover", "ana", "bo", "ada");
    assert_row(last_row(f, j, "job"), "handover", "active", "active", "ada");
    rt_assert_job(f, j, "active", "arrived");
    OK(qtm_actor_set_access(f->q, "ana", "active"));
    /* the old owner is out; the new one goes on from the phase it was in */
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_advance(f->q, "ana", j, "start"));
    assert_non_null(strstr(qtm_errmsg(f->q), "handed over from ana to bo by ada"));
    OK(qtm_job_advance(f->q, "bo", j, "start"));
    OK(qtm_note_add(f->q, "bo", j, "Rain plan: tent"));
    OK(qtm_job_advance(f->q, "bo", j, "complete"));
    rt_assert_job(f, j, "ready", "complete");
    json_t *o = rt_job_show(f, j), *owners = json_object_get(o, "owners");
    assert_int_equal(json_array_size(owners), 2);
    assert_string_equal(rt_js(json_array_get(owners, 0), "operator"), "ana");
    assert_string_equal(rt_js(json_array_get(owners, 0), "how"), "claim");
    assert_string_equal(rt_js(json_array_get(owners, 1), "operator"), "bo");
    assert_string_equal(rt_js(json_array_get(owners, 1), "reason"), "ana is suspended");
    assert_string_equal(rt_js(json_object_get(o, "service_event"), "operator"), "bo");
    json_decref(o);
    OK(qtm_record_show(f->q, j, &o));
    json_t *body = json_object_get(o, "body"), *ops = json_object_get(body, "operators");
    assert_string_equal(rt_js(body, "operator"), "bo");
    assert_int_equal(json_array_size(ops), 2);
    assert_string_equal(json_string_value(json_array_get(ops, 0)), "ana");
    assert_string_equal(json_string_value(json_array_get(ops, 1)), "bo");
    json_t *note = json_array_get(json_object_get(body, "notes"), 0);
    assert_string_equal(rt_js(note, "text"), "Rain plan: tent");
    assert_string_equal(rt_js(note, "author"), "bo");
    json_decref(o);
    /* ready: the record is composed naming bo; no hand-over moves it now
     * (it would name the wrong operators, and bo would lose the job) */
    UNCHANGED(QTM_EREFUSED, qtm_job_handover(f->q, "ada", j, "ana", "bo left"));
    EXPECT_EXACT(QTM_EREFUSED, MSGF("job %lld cannot be handed over: the ServiceEvent is over: "
                                    "job complete is next", (long long)j),
                 qtm_job_handover(f->q, "ada", j, "ana", "bo left"));
    OK(qtm_job_actions(f->q, "ada", j, &o));
    assert_false(json_is_true(json_object_get(o, "can_handover")));
    json_decref(o);
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_complete(f->q, "ana", j));
    OK(qtm_record_show_as(f->q, "bo", j, &o));
    assert_string_equal(rt_js(json_object_get(o, "body"), "operator"), "bo");
    json_decref(o);
    OK(qtm_job_complete(f->q, "bo", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_handover(f->q, "ada", j, "ana", "too late"));
    verify_ok(f);
}

static void test_release_queues_it_again(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_release(f->q, "bo", j, NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_release(f->q, "ada", j, NULL));
    OK(qtm_job_release(f->q, "ana", j, "double booked"));
    assert_row(last_row(f, j, "handoff"), "release", "ana", NULL, "ana");
    assert_row(last_row(f, j, "service_event"), "release", "claimed", "queued", "ana");
    assert_row(last_row(f, j, "job"), "release", "active", "queued", "ana");
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "state"), "queued");
    assert_string_equal(rt_js(o, "assignee"), "ana");
    assert_true(json_is_null(json_object_get(o, "owner")));
    json_decref(o);
    UNCHANGED(QTM_EREFUSED, qtm_job_release(f->q, "ana", j, NULL));
    /* claimed again by its assignee, then past the claim's phase: no release */
    OK(qtm_job_claim(f->q, "ana", j));
    OK(qtm_job_advance(f->q, "ana", j, "arrive"));
    UNCHANGED(QTM_EREFUSED, qtm_job_release(f->q, "ana", j, NULL));
    o = rt_job_show(f, j);
    json_t *ph = json_object_get(json_object_get(o, "service_event"), "phases");
    assert_int_equal(json_array_size(ph), 4);  /* claim, release, claim, arrive */
    assert_string_equal(rt_js(json_array_get(ph, 1), "event"), "release");
    json_decref(o);
    verify_ok(f);
}

static void test_cancel_before_the_claim(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana"), k = rt_job_claimed(f, EC, "ana");
    UNCHANGED(QTM_EUSAGE, qtm_job_cancel(f->q, "ada", j, NULL));
    UNCHANGED(QTM_EFORBIDDEN, qtm_job_cancel(f->q, "ana", j, "no"));
    UNCHANGED(QTM_EREFUSED, qtm_job_cancel(f->q, "ada", k, "claimed"));
    OK(qtm_job_cancel(f->q, "ada", j, "the client called it off"));
    assert_row(last_row(f, j, "job"), "cancel", "queued", "cancelled", "ada");
    assert_row(last_row(f, j, "handoff"), "cancel", "ana", NULL, "ada");
    rt_assert_job(f, j, "cancelled", "queued");
    UNCHANGED(QTM_EREFUSED, qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_advance(f->q, "ana", j, "claim"));
    UNCHANGED(QTM_EREFUSED, qtm_job_complete(f->q, "ada", j));
    UNCHANGED(QTM_EREFUSED, qtm_job_cancel(f->q, "ada", j, "again"));
    json_t *o = NULL;
    EXPECT(QTM_ENOTFOUND, qtm_record_show(f->q, j, &o));
    OK(qtm_desk(f->q, NULL, &o));                  /* no desk lists it */
    assert_int_equal(json_array_size(json_object_get(o, "queued")), 0);
    json_decref(o);
    /* no work, nothing to settle: no payment, due or waiver */
    qtm_payment pay = {"10.00", NULL, "cash", NULL, NULL, 0};
    qtm_payment due = {NULL, NULL, NULL, NULL, "50.00", 0}, waive = {NULL, NULL, NULL, NULL, NULL, 1};
    UNCHANGED(QTM_EREFUSED, qtm_settle(f->q, "ada", j, &pay));
    assert_non_null(strstr(qtm_errmsg(f->q), "a cancelled job has no work to settle"));
    UNCHANGED(QTM_EREFUSED, qtm_settle(f->q, "ada", j, &due));
    UNCHANGED(QTM_EREFUSED, qtm_settle(f->q, "ada", j, &waive));
    verify_ok(f);
    /* a released job can be cancelled: its ServiceEvent never went on; a
     * payment recorded before the cancel stays listed and correctable */
    OK(qtm_job_release(f->q, "ana", k, NULL));
    OK(qtm_settle(f->q, "ada", k, &pay));
    OK(qtm_job_cancel(f->q, "ada", k, "nobody free"));
    int64_t next = 0;
    OK(qtm_settlement_list_page(f->q, NULL, NULL, NULL, &o, &next));
    assert_int_equal(json_array_size(o), 1);   /* k; j had nothing recorded */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(o, 0), "job")), k);
    json_decref(o);
    OK(qtm_settle_reverse(f->q, "ada", k, 1, "refunded: the event was called off"));
    verify_ok(f);
}

static void test_notes(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    UNCHANGED(QTM_EFORBIDDEN, qtm_note_add(f->q, "ana", j, "before claiming"));
    UNCHANGED(QTM_EUSAGE, qtm_note_add(f->q, "ada", j, ""));
    UNCHANGED(QTM_EINVALID, qtm_note_add(f->q, "ada", j, "\xff"));
    OK(qtm_note_add(f->q, "ada", j, "Gate code 4411"));
    assert_row(last_row(f, j, "note"), "add", NULL, NULL, "ada");
    OK(qtm_job_claim(f->q, "ana", j));
    UNCHANGED(QTM_EFORBIDDEN, qtm_note_add(f->q, "bo", j, "not mine"));
    OK(qtm_note_add(f->q, "ana", j, "Called the venue"));
    json_t *o = rt_job_show(f, j), *notes = json_object_get(o, "notes");
    assert_int_equal(json_array_size(notes), 2);
    assert_string_equal(rt_js(json_array_get(notes, 1), "author"), "ana");
    assert_string_equal(rt_js(o, "phase"), "claimed");   /* a note moves nothing */
    json_decref(o);
    char err[256];
    assert_int_not_equal(rt_db_exec(f, "UPDATE notes SET text = 'x'", err, sizeof err), 0);
    assert_non_null(strstr(err, "append-only"));
    OK(qtm_job_release(f->q, "ana", j, NULL));
    assert_int_not_equal(rt_db_exec(f, "DELETE FROM handoffs", err, sizeof err), 0);
    assert_non_null(strstr(err, "append-only"));
    verify_ok(f);
}

/* The request laid out by the surface's sections; the view as stored. */
static void test_request_layout(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_new(f, EC, "ana");
    json_t *o = rt_job_show(f, j), *req = json_object_get(o, "request");
    assert_true(rt_ji(req, "id") > 0);
    json_t *secs = json_object_get(req, "sections");
    assert_string_equal(rt_js(json_array_get(secs, 0), "name"), "contact");
    int found = 0;
    size_t i, k;
    json_t *sec, *fl;
    json_array_foreach(secs, i, sec) json_array_foreach(json_object_get(sec, "fields"), k, fl)
        if (strcmp(rt_js(fl, "name"), "service_area") == 0) {
            assert_string_equal(rt_js(sec, "name"), "request");
            assert_string_equal(rt_js(fl, "label"), "Service area");
            found = 1;
        }
    assert_true(found);
    assert_true(json_equal(json_object_get(req, "intake"), json_object_get(o, "intake")));
    json_decref(o);
}

/* verify holds the new states: a forged one is found. */
static void test_verify_finds_forged_states(void **state)
{
    rt_fx *f = *state;
    char sql[160];
    int64_t j = rt_job_claimed(f, EC, "ana");
    rt_run_to_final(f, j, EC, "ana");
    verify_ok(f);
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'active' WHERE id = %lld", (long long)j);
    DB_OK(sql);
    json_t *rep = NULL;
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &rep));
    char *all = json_dumps(json_object_get(rep, "findings"), 0);
    assert_non_null(strstr(all, "has a complete ServiceEvent but is active, not ready"));
    free(all);
    json_decref(rep);
    int64_t k = rt_job_claimed(f, EC, "ana");
    snprintf(sql, sizeof sql, "UPDATE jobs SET state = 'cancelled' WHERE id = %lld",
             (long long)k);
    DB_OK(sql);
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &rep));
    all = json_dumps(json_object_get(rep, "findings"), 0);
    assert_non_null(strstr(all, "is cancelled but its last audit row says active"));
    free(all);
    json_decref(rep);
    /* a state the schema does not know is refused by its CHECK */
    assert_int_not_equal(rt_db_exec(f, "UPDATE jobs SET state = 'paused'", NULL, 0), 0);
}

/* A v4 database: its job with a complete ServiceEvent becomes ready, with
 * an audit row chained like any other; verify passes. */
static void test_schema_v4_migrates(void **state)
{
    SQLITE_ONLY("replaces the SQLite file with a v4 one");
    rt_fx *f = *state;
    char side[224];
    qtm_close(f->q);
    f->q = NULL;
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, V4_READY_SQL, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), 4);
    int64_t rows = rt_db_int(f, "SELECT COUNT(*) FROM audit");
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "PRAGMA user_version"), QTM_SCHEMA_VERSION);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit"), rows + 1);
    char *states = rt_db_text(f, "SELECT group_concat(state, ',') FROM (SELECT state FROM jobs"
                                 " ORDER BY id)");
    assert_string_equal(states, "queued,active,ready,complete");
    free(states);
    char *last = rt_db_text(f, "SELECT entity || ' ' || entity_id || ' ' || action || ' ' ||"
                               " from_state || ' ' || to_state FROM audit ORDER BY id DESC LIMIT 1");
    assert_string_equal(last, "job 3 ready active ready");
    free(last);
    assert_int_equal(rt_db_int(f, "SELECT seq = (SELECT MAX(id) FROM audit) FROM chain_head"), 1);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM sqlite_master WHERE name IN"
                                  " ('handoffs', 'notes', 'qtm_v5_ready')"), 2);
    verify_ok(f);
    /* the rebuilt table takes the new states and still refuses others */
    assert_int_equal(rt_db_exec(f, "UPDATE jobs SET state = 'cancelled' WHERE id = 0", NULL, 0),
                     SQLITE_OK);
    assert_int_not_equal(rt_db_exec(f, "UPDATE jobs SET state = 'paused'", NULL, 0), 0);
    /* opening again migrates nothing */
    qtm_close(f->q);
    assert_int_equal(qtm_open(f->path, 0, &f->q), QTM_OK);
    qtm_set_clock(f->q, rt_fake_clock, f);
    assert_int_equal(rt_db_int(f, "SELECT COUNT(*) FROM audit"), rows + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_reassign_moves_the_assignee),
        TEST(test_handover_moves_the_owner),
        TEST(test_release_queues_it_again),
        TEST(test_cancel_before_the_claim),
        TEST(test_notes),
        TEST(test_request_layout),
        TEST(test_verify_finds_forged_states),
        TEST(test_schema_v4_migrates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
