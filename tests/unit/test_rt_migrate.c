/*
 * test_rt_migrate.c - versioned specs in the runtime: the registry with
 * history (qtm_surface_find, qtm_surface_by_fingerprint), jobs running
 * under their own fingerprint's tables, and qtm_migrate (runtime/engine/migrate.c).
 *
 * Linked with the test surfaces (Makefile): migrate-demo version 2 is
 * current and version 1 retained.  A job "created under version 1" is a
 * job whose fingerprint is set to version 1's before anything happens to
 * it, exactly what a qtm built with version 1 would have stored.
 */
#include "rt_fixture.h"

#include <stdio.h>

#define MD "migrate-demo"
#define FP1 "sha256:06e9a412bcd65b9d3407f1308d4419bbe7fcfb19c890c337c3acc2658e060bdf"
#define FP_UNKNOWN "sha256:0000000000000000000000000000000000000000000000000000000000000000"

#define CD "chain-demo"
#define CD1 "sha256:3deb7350a68b9231d6c757e1044727f9df45c2ba97592a664969c581690a120a"
#define CD2 "sha256:5149444a3f52e2d099e54340e40bb19b12e4cf4262b65f45e115de34aa0aa4bf"

/* A queued job of surface (migrate-demo, chain-demo) assigned to ana,
 * created under fingerprint fp (NULL: the current one). */
static int64_t new_job(rt_fx *f, const char *surface, const char *fp)
{
    int64_t r = 0, t = 0, j = 0;
    OK(qtm_request_submit(f->q, "cli", surface, "{\"job\": {\"title\": \"Stage\"}}", NULL, 0, NULL,
                          &r, &t));
    OK(qtm_task_approve(f->q, "ada", t));
    OK(qtm_task_assign(f->q, "ada", t, "ana"));
    OK(qtm_job_create(f->q, "ada", t, &j));
    if (fp) {
        char sql[256];
        snprintf(sql, sizeof sql, "UPDATE jobs SET fingerprint = '%s' WHERE id = %lld", fp,
                 (long long)j);
        DB_OK(sql);
    }
    return j;
}

static int64_t md_job(rt_fx *f, const char *fp)
{
    return new_job(f, MD, fp);
}

static void advance(rt_fx *f, int64_t j, const char *const *events)
{
    for (; *events; events++)
        OK(qtm_job_advance(f->q, "ana", j, *events));
}

static void test_rt_migrate_registry_has_one_current_per_slug(void **state)
{
    (void)state;
    const qtm_surface *cur = qtm_surface_find(MD);
    assert_non_null(cur);
    assert_int_equal(cur->retained, 0);
    assert_int_equal(cur->nmigrations, 1);
    assert_string_equal(cur->migrations[0].from, FP1);
    const qtm_surface *old = qtm_surface_by_fingerprint(MD, FP1);
    assert_non_null(old);
    assert_int_equal(old->retained, 1);
    assert_int_equal(old->abi, QTM_SURFACE_ABI);
    assert_ptr_equal(qtm_surface_by_fingerprint(MD, cur->fingerprint), cur);
    assert_null(qtm_surface_by_fingerprint(MD, FP_UNKNOWN));
    assert_null(qtm_surface_by_fingerprint(EC, FP1));
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        unsigned current = 0;
        for (unsigned k = 0; k < qtm_registry_count; k++)
            current += strcmp(qtm_registry[k]->slug, qtm_registry[i]->slug) == 0 &&
                       !qtm_registry[k]->retained;
        assert_int_equal(current, 1);
    }
}

static void test_rt_migrate_surfaces_lists_the_retained(void **state)
{
    rt_fx *f = *state;
    json_t *a = NULL;
    OK(qtm_surfaces(f->q, &a));
    size_t i, n = 0;
    json_t *o;
    json_array_foreach(a, i, o) {
        if (strcmp(rt_js(o, "slug"), MD) != 0)
            continue;
        n++;
        json_t *r = json_object_get(o, "retained");
        assert_int_equal(json_array_size(r), 1);
        assert_string_equal(json_string_value(json_array_get(r, 0)), FP1);
    }
    json_decref(a);
    assert_int_equal(n, 1);
}

static void test_rt_migrate_old_job_runs_under_old_tables(void **state)
{
    rt_fx *f = *state;
    int64_t j = md_job(f, FP1);
    static const char *const ev[] = {"claim", "arrive", "start", NULL};
    advance(f, j, ev);
    rt_assert_job(f, j, "active", "in_progress");  /* a version-1 phase */
    /* version 2's event `run` does not exist for it */
    EXPECT_MSG(QTM_EREFUSED, "has no event 'run'", qtm_job_advance(f->q, "ana", j, "run"));
    OK(qtm_job_advance(f->q, "ana", j, "complete"));
    OK(qtm_job_complete(f->q, "ana", j));
    json_t *r = NULL;
    OK(qtm_verify(f->q, &r));
    json_decref(r);
}

static void test_rt_migrate_unknown_fingerprint_is_never_run(void **state)
{
    rt_fx *f = *state;
    int64_t j = md_job(f, FP_UNKNOWN);
    UNCHANGED(QTM_EREFUSED, qtm_job_claim(f->q, "ana", j));
    EXPECT_MSG(QTM_EREFUSED, "which this qtm was not built with",
               qtm_job_advance(f->q, "ana", j, "claim"));
}

/* One version-1 job in each non-final phase, one at the final phase, one
 * completed; returns them in j[0..5]. */
static void jobs_in_every_phase(rt_fx *f, int64_t j[6])
{
    static const char *const claimed[] = {"claim", NULL};
    static const char *const arrived[] = {"claim", "arrive", NULL};
    static const char *const working[] = {"claim", "arrive", "start", NULL};
    static const char *const done[] = {"claim", "arrive", "start", "complete", NULL};
    for (int k = 0; k < 6; k++)
        j[k] = md_job(f, FP1);
    advance(f, j[1], claimed);
    advance(f, j[2], arrived);
    advance(f, j[3], working);
    advance(f, j[4], done);
    advance(f, j[5], done);
    OK(qtm_job_complete(f->q, "ana", j[5]));
}

static void test_rt_migrate_check_plans_every_job(void **state)
{
    rt_fx *f = *state;
    int64_t j[6];
    jobs_in_every_phase(f, j);
    json_t *r = NULL;
    free(f->dump);
    f->dump = rt_db_dump(f);
    OK(qtm_migrate(f->q, NULL, MD, 0, &r));
    char *after = rt_db_dump(f);
    assert_string_equal(f->dump, after);  /* --check writes nothing */
    free(after);
    assert_int_equal(rt_ji(r, "migrate"), 5);
    assert_int_equal(rt_ji(r, "cannot"), 0);
    assert_string_equal(rt_js(r, "current"), qtm_surface_find(MD)->fingerprint);
    json_t *jobs = json_object_get(r, "jobs");
    assert_int_equal(json_array_size(jobs), 5);  /* the completed job is not in flight */
    static const char *const from[] = {"queued", "claimed", "arrived", "in_progress", "complete"};
    static const char *const to[] = {"queued", "claimed", "on_site", "setup", "complete"};
    for (size_t k = 0; k < 5; k++) {
        json_t *o = json_array_get(jobs, k);
        assert_int_equal(rt_ji(o, "job"), j[k]);
        assert_string_equal(rt_js(o, "fingerprint"), FP1);
        assert_string_equal(rt_js(o, "phase"), from[k]);
        assert_string_equal(rt_js(o, "action"), "migrate");
        assert_string_equal(rt_js(o, "to"), to[k]);
    }
    json_decref(r);
}

static void test_rt_migrate_applies_in_one_transaction(void **state)
{
    rt_fx *f = *state;
    int64_t j[6];
    jobs_in_every_phase(f, j);
    size_t before = rt_log_len(f, 0);
    json_t *r = NULL;
    OK(qtm_migrate(f->q, "ada", MD, 1, &r));
    json_decref(r);
    /* per job its fingerprint row, and for the 4 claimed ones their phase */
    assert_int_equal(rt_log_len(f, 0), before + 5 + 4);
    json_t *last = rt_log_last(f);
    assert_string_equal(rt_js(last, "action"), "migrate");
    assert_string_equal(rt_js(last, "actor"), "ada");
    assert_string_equal(rt_js(last, "from"), "complete");
    json_decref(last);
    const char *cur = qtm_surface_find(MD)->fingerprint;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM jobs WHERE fingerprint = '%s'", cur);
    assert_int_equal(rt_db_int(f, sql), 5);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE entity = 'fingerprint' AND"
             " action = 'migrate' AND from_state = '%s' AND to_state = '%s'", FP1, cur);
    assert_int_equal(rt_db_int(f, sql), 5);
    rt_assert_job(f, j[2], "active", "on_site");
    rt_assert_job(f, j[3], "active", "setup");
    rt_assert_job(f, j[5], "complete", "complete");
    json_t *v = NULL;
    OK(qtm_verify(f->q, &v));
    json_decref(v);
    /* they go on under version 2 */
    static const char *const q2[] = {"claim", "arrive", "start", "run", "complete", NULL};
    static const char *const s2[] = {"run", "complete", NULL};
    advance(f, j[0], q2);
    advance(f, j[3], s2);
    OK(qtm_job_complete(f->q, "ana", j[3]));
    OK(qtm_job_complete(f->q, "ana", j[4]));
    /* and a second run has nothing to move */
    OK(qtm_migrate(f->q, "ada", MD, 1, &r));
    assert_int_equal(rt_ji(r, "migrate"), 0);
    json_decref(r);
    OK(qtm_verify(f->q, &v));
    json_decref(v);
}

static void test_rt_migrate_refusals_change_nothing(void **state)
{
    rt_fx *f = *state;
    int64_t j[6];
    jobs_in_every_phase(f, j);
    json_t *r = NULL;
    UNCHANGED(QTM_EFORBIDDEN, qtm_migrate(f->q, "ana", MD, 1, &r));
    assert_null(r);
    UNCHANGED(QTM_EUSAGE, qtm_migrate(f->q, NULL, MD, 1, &r));
    UNCHANGED(QTM_ENOTFOUND, qtm_migrate(f->q, "nobody", MD, 1, &r));
    UNCHANGED(QTM_ENOTFOUND, qtm_migrate(f->q, "ada", "no-such-surface", 1, &r));
    UNCHANGED(QTM_ENOTFOUND, qtm_migrate(f->q, NULL, "no-such-surface", 0, &r));
    OK(qtm_actor_set_access(f->q, "ada", "suspended"));
    UNCHANGED(QTM_EFORBIDDEN, qtm_migrate(f->q, "ada", MD, 1, &r));
    OK(qtm_actor_set_access(f->q, "ada", "active"));
    /* one job nobody can map: nothing moves, not even the others */
    int64_t odd = md_job(f, FP_UNKNOWN);
    UNCHANGED(QTM_EREFUSED, qtm_migrate(f->q, "ada", MD, 1, &r));
    assert_non_null(r);
    assert_int_equal(rt_ji(r, "cannot"), 1);
    json_t *o = json_array_get(json_object_get(r, "jobs"), 5);
    assert_int_equal(rt_ji(o, "job"), odd);
    assert_string_equal(rt_js(o, "action"), "cannot");
    json_decref(r);
    r = NULL;
    char msgbuf[256];
    EXPECT_MSG(QTM_EREFUSED, MSGF("job %lld cannot migrate", (long long)odd),
               qtm_migrate(f->q, "ada", MD, 1, &r));
    json_decref(r);
}

/* chain-demo version 3 migrates from version 2 only, version 2 from 1: a
 * version-1 job goes through version 2's block, then version 3's. */
static void test_rt_migrate_through_a_chain_of_versions(void **state)
{
    rt_fx *f = *state;
    assert_int_equal(qtm_surface_by_fingerprint(CD, CD1)->retained, 1);
    assert_int_equal(qtm_surface_by_fingerprint(CD, CD2)->retained, 1);
    int64_t q1 = new_job(f, CD, CD1), a1 = new_job(f, CD, CD1), b1 = new_job(f, CD, CD1);
    int64_t b2 = new_job(f, CD, CD2);
    static const char *const to_a[] = {"claim", NULL};
    static const char *const to_b[] = {"claim", "go", NULL};
    advance(f, a1, to_a);
    advance(f, b1, to_b);
    advance(f, b2, to_b);
    rt_assert_job(f, a1, "active", "a");  /* version 1's names */
    json_t *r = NULL;
    OK(qtm_migrate(f->q, NULL, CD, 0, &r));
    static const char *const to[] = {"queued", "a2", "b3", "b3"};
    assert_int_equal(rt_ji(r, "migrate"), 4);
    for (size_t k = 0; k < 4; k++)
        assert_string_equal(rt_js(json_array_get(json_object_get(r, "jobs"), k), "to"), to[k]);
    json_decref(r);
    OK(qtm_migrate(f->q, "ada", CD, 1, &r));
    json_decref(r);
    rt_assert_job(f, a1, "active", "a2");
    rt_assert_job(f, b1, "active", "b3");
    static const char *const rest[] = {"finish", NULL};
    static const char *const all[] = {"claim", "go", "finish", NULL};
    advance(f, b1, rest);
    advance(f, b2, rest);
    advance(f, q1, all);
    json_t *v = NULL;
    OK(qtm_verify(f->q, &v));
    json_decref(v);
}

/* A migrated job's fingerprint is held to its audit row: setting it back
 * by hand is found. */
static void test_rt_migrate_fingerprint_tamper_found(void **state)
{
    rt_fx *f = *state;
    int64_t j[6];
    jobs_in_every_phase(f, j);
    json_t *r = NULL;
    OK(qtm_migrate(f->q, "ada", MD, 1, &r));
    json_decref(r);
    char sql[256], err[256];
    snprintf(sql, sizeof sql, "UPDATE jobs SET fingerprint = '%s' WHERE id = %lld", FP1,
             (long long)j[1]);
    assert_int_equal(rt_db_exec(f, sql, err, sizeof err), 0);
    json_t *v = NULL;
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &v));
    assert_non_null(v);
    char want[96];
    snprintf(want, sizeof want, "job %lld runs under %s", (long long)j[1], FP1);
    json_t *fnd;
    size_t i;
    int seen = 0;
    json_array_foreach(json_object_get(v, "findings"), i, fnd)
        seen |= strstr(json_string_value(fnd), want) != NULL;
    assert_true(seen);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_rt_migrate_registry_has_one_current_per_slug),
        TEST(test_rt_migrate_surfaces_lists_the_retained),
        TEST(test_rt_migrate_old_job_runs_under_old_tables),
        TEST(test_rt_migrate_unknown_fingerprint_is_never_run),
        TEST(test_rt_migrate_check_plans_every_job),
        TEST(test_rt_migrate_applies_in_one_transaction),
        TEST(test_rt_migrate_refusals_change_nothing),
        TEST(test_rt_migrate_through_a_chain_of_versions),
        TEST(test_rt_migrate_fingerprint_tamper_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
