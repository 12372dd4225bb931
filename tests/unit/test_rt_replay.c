/*
 * test_rt_replay.c - model-based tests: replays the paths qtmc derives from
 * each surface (`qtmc --emit paths`, SLUG.paths.json) against the real
 * runtime on a temporary database.
 *
 * For every surface in the registry that takes work (status active, plus
 * the planned landscaping surface through an injected task, see
 * rt_fixture.h), each accept sequence runs on a fresh job: every step must
 * succeed and leave the job in the expected phase, and the transitions the
 * runtime fired must cover every transition of the surface's tables.  Each
 * refusal case replays its prefix on a fresh job, then the attempt must
 * fail with the expected category (refused: QTM_EREFUSED, forbidden:
 * QTM_EFORBIDDEN) and leave the phase unchanged.  The paths come from
 * $BUILD/bin/qtmc (BUILD defaults to build), else from the golden copy in
 * tests/golden/surfaces/SLUG/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_fixture.h"
#include "qtm/qtm_surface.h"

/* The cast member playing a role of the paths file. */
static const char *actor_slug(const char *role)
{
    if (strcmp(role, "operator") == 0 || strcmp(role, "owner") == 0)
        return "ana";
    if (strcmp(role, "other") == 0)
        return "bo";
    if (strcmp(role, "admin") == 0)
        return "ada";
    if (strcmp(role, "vendor") == 0)
        return "vic";
    fail_msg("unknown actor '%s' in the paths file", role);
    return NULL;
}

/* The paths file of surface slug (caller decrefs). */
static json_t *load_paths(rt_fx *f, const char *slug)
{
    const char *build = getenv("BUILD");
    char cmd[1024], file[512];
    snprintf(cmd, sizeof cmd, "'%s/bin/qtmc' --emit paths -o '%s/paths' 'surfaces/%s.qsm'",
             build && *build ? build : "build", f->dir, slug);
    snprintf(file, sizeof file, "%s/paths/%s.paths.json", f->dir, slug);
    if (system(cmd) != 0) {
        print_message("replay %s: qtmc did not run; using the golden paths\n", slug);
        snprintf(file, sizeof file, "tests/golden/surfaces/%s/%s.paths.json", slug, slug);
    }
    json_error_t err;
    json_t *p = json_load_file(file, 0, &err);
    if (!p)
        fail_msg("cannot load %s: %s", file, err.text);
    assert_string_equal(rt_js(p, "surface"), slug);
    return p;
}

static int64_t job_for(rt_fx *f, const qtm_surface *s)
{
    if (s->status != QTM_STATUS_ACTIVE)
        return rt_ls_job_new(f, "ana");   /* only landscaping gets here */
    return rt_job_new(f, s->slug, "ana");
}

static int event_index(const qtm_surface *s, const char *event)
{
    for (unsigned e = 0; e < s->nevents; e++)
        if (strcmp(s->events[e], event) == 0)
            return (int)e;
    fail_msg("surface %s has no event '%s'", s->slug, event);
    return -1;
}

static int phase_index(const qtm_surface *s, const char *phase)
{
    for (unsigned p = 0; p < s->nphases; p++)
        if (strcmp(s->phases[p].name, phase) == 0)
            return (int)p;
    fail_msg("surface %s has no phase '%s'", s->slug, phase);
    return -1;
}

static void assert_phase(rt_fx *f, int64_t j, const char *phase)
{
    json_t *o = rt_job_show(f, j);
    assert_string_equal(rt_js(o, "phase"), phase);
    json_decref(o);
}

/* Provides what a step needs (its "requires"), before it is taken. */
static void provide(rt_fx *f, const json_t *paths, int64_t j, const json_t *requires)
{
    size_t i, k;
    json_t *r;
    json_array_foreach(requires, i, r) {
        const char *what = json_string_value(r);
        if (strcmp(what, "evidence") == 0) {
            const json_t *ev = json_object_get(paths, "evidence");
            json_int_t min = rt_ji(ev, "min_per_category");
            json_t *cat;
            json_array_foreach(json_object_get(ev, "required"), k, cat)
                for (json_int_t n = 0; n < min; n++)
                    OK(qtm_evidence_add(f->q, "ana", j, json_string_value(cat),
                                        RT_PHOTO[0], NULL));
        } else if (strcmp(what, "payment") == 0) {
            qtm_payment p = {NULL, NULL, NULL, NULL, NULL, 1};
            OK(qtm_settle(f->q, "ada", j, &p));
        } else if (strcmp(what, "participants") == 0) {
            OK(qtm_participant_add(f->q, "ana", j, "Replay Guest", "guest", NULL));
        } else if (strcmp(what, "reason") == 0) {
            /* given with the event (reason_for) */
        } else {
            fail_msg("unknown condition '%s'", what);
        }
    }
}

/* The reason to give with a step whose "requires" lists one, else NULL. */
static const char *reason_for(const json_t *requires)
{
    size_t k;
    json_t *c;
    json_array_foreach(requires, k, c)
        if (strcmp(json_string_value(c), "reason") == 0)
            return "replayed: the event was called off";
    return NULL;
}

/* Takes one accept step from phase *p; marks the transition fired in cov. */
static void take_step(rt_fx *f, const qtm_surface *s, const json_t *paths, int64_t j,
                      const json_t *st, int *p, char *cov)
{
    const char *event = rt_js(st, "event"), *actor = actor_slug(rt_js(st, "actor"));
    const char *expect = rt_js(st, "expect_phase");
    const qtm_transition *t = qtm_surface_next(s, (unsigned)*p, (unsigned)event_index(s, event));
    if (!t)
        fail_msg("%s: the tables allow no '%s' from %s", s->slug, event, s->phases[*p].name);
    assert_string_equal(s->phases[t->to].name, expect);
    provide(f, paths, j, json_object_get(st, "requires"));
    if (t->claim)
        OK(qtm_job_claim(f->q, actor, j));
    else
        OK(qtm_job_advance_reason(f->q, actor, j, event,
                                  reason_for(json_object_get(st, "requires"))));
    assert_phase(f, j, expect);
    if (cov)
        cov[t - s->transitions] = 1;
    *p = phase_index(s, expect);
}

static void replay(rt_fx *f, const qtm_surface *s)
{
    json_t *paths = load_paths(f, s->slug);
    char *cov = calloc(s->ntransitions + 1, 1);
    assert_non_null(cov);
    assert_int_equal(rt_ji(paths, "transitions"), s->ntransitions);

    size_t i, k;
    json_t *seq, *st;
    json_array_foreach(json_object_get(paths, "accept"), i, seq) {
        int64_t j = job_for(f, s);
        int p = s->initial;
        json_array_foreach(seq, k, st)
            take_step(f, s, paths, j, st, &p, cov);
    }
    unsigned covered = 0;
    for (unsigned t = 0; t < s->ntransitions; t++)
        covered += cov[t];

    size_t nrefuse = 0, nrefused = 0, nforbidden = 0;
    json_t *c;
    json_array_foreach(json_object_get(paths, "refuse"), i, c) {
        int64_t j = job_for(f, s);
        int p = s->initial;
        json_array_foreach(json_object_get(c, "prefix"), k, st)
            take_step(f, s, paths, j, st, &p, NULL);
        const json_t *at = json_object_get(c, "attempt");
        const char *event = rt_js(at, "event"), *role = rt_js(at, "actor");
        const char *expect = rt_js(c, "expect");
        qtm_status want = QTM_OK;
        if (strcmp(expect, "refused") == 0) {
            want = QTM_EREFUSED;
            nrefused++;
        } else if (strcmp(expect, "forbidden") == 0) {
            want = QTM_EFORBIDDEN;
            nforbidden++;
        } else if (strcmp(expect, "invalid") == 0) {
            want = QTM_EINVALID;   /* a reason withheld */
            nrefused++;
        } else {
            fail_msg("unknown expectation '%s'", expect);
        }
        provide(f, paths, j, json_object_get(at, "requires"));
        char what[256];
        snprintf(what, sizeof what, "%s: %s by %s in %s%s%s", s->slug, event, role,
                 s->phases[p].name, json_object_get(at, "without") ? " without " : "",
                 json_object_get(at, "without") ? rt_js(at, "without") : "");
        rt_expect(f->q,
                  qtm_job_advance_reason(f->q, actor_slug(role), j, event,
                                         reason_for(json_object_get(at, "requires"))),
                  want, NULL, 0, what, __FILE__, __LINE__);
        assert_phase(f, j, s->phases[p].name);
        nrefuse++;
    }

    print_message("replay %s: transitions covered %u/%u (%u%%); %zu refusal cases "
                  "(%zu refused, %zu forbidden)\n", s->slug, covered, s->ntransitions,
                  s->ntransitions ? 100 * covered / s->ntransitions : 100, nrefuse, nrefused,
                  nforbidden);
    assert_int_equal(covered, s->ntransitions);
    assert_int_equal(rt_ji(paths, "covered"), s->ntransitions);
    assert_true(nrefuse > 0);
    free(cov);
    json_decref(paths);
}

/* Replays surface slug, which must be in the registry. */
static void replay_slug(rt_fx *f, const char *slug)
{
    const qtm_surface *s = qtm_surface_find(slug);
    assert_non_null(s);
    replay(f, s);
}

static void test_replay_event_coordination(void **state)
{
    replay_slug(*state, EC);
}

static void test_replay_auto_detailing(void **state)
{
    replay_slug(*state, AD);
}

static void test_replay_landscaping(void **state)
{
    replay_slug(*state, LS);
}

/* Every surface that takes work is replayed above: a new active surface
 * needs its own test (and a packet in rt_fixture). */
static void test_replay_every_active_surface(void **state)
{
    (void)state;
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        const qtm_surface *s = qtm_registry[i];
        if (s->status != QTM_STATUS_ACTIVE)
            continue;
        if (strcmp(s->slug, EC) != 0 && strcmp(s->slug, AD) != 0)
            fail_msg("active surface %s has no replay test", s->slug);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_replay_event_coordination),
        TEST(test_replay_auto_detailing),
        TEST(test_replay_landscaping),
        cmocka_unit_test(test_replay_every_active_surface),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
