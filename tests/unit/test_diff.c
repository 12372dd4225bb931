/*
 * test_diff.c - `qtmc diff` (compiler/diff.c): the semantic change list.
 *
 * Each case compiles a base spec and a copy with one change, diffs the two
 * models and checks the change list: the exact line, its area and whether
 * it is tagged breaking.  Then: a reformatted spec is no change, the
 * migration a new spec declares is listed, and `qtmc diff`'s exit statuses
 * (0 compatible, 1 breaking, 2 usage or bad input).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "cli.h"
#include "diag.h"
#include "diff.h"
#include "driver.h"
#include "model.h"
#include "qtmc_fixture.h"

typedef struct fixture {
    arena a;
    diag_ctx d;
    model *m[2];
    diff_list l;
} fixture;

static int setup(void **state) { return QTMC_SETUP(state, fixture); }

static int teardown(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 2; i++)
        if (f->m[i])
            model_release(f->m[i]);
    return QTMC_TEARDOWN(state, fixture);
}

/* The base spec, one piece per macro so a case can swap one. */
#define HEAD "surface demo {\n    name \"Demo\" spec \"surface-runtime-spec-v0.01\" status active\n"
#define EXEC_X(claim, done)                                                          \
    "    execution { claim " claim " ownership assigned record service_event\n"     \
    "                payment_timing independent completed_jobs " done " }\n"
#define EXEC EXEC_X("required", "visible")
/* any operator may act after the claim, and an admin too */
#define EXEC_POOL                                                                     \
    "    execution { claim required ownership pool record service_event\n"           \
    "                payment_timing independent completed_jobs visible }\n"
#define INTAKE_X(extra)                                                               \
    "    intake { job { title: text required max 200\n"                               \
    "                   kind: one_of(small, large) " extra " } photos min 0 }\n"
#define INTAKE INTAKE_X("")
#define LIFE_X(claimed)                                                               \
    "    lifecycle { queued \"Queued\" initial\n"                                     \
    "                claimed " claimed "\n"                                            \
    "                complete \"Complete\" final }\n"
#define LIFE LIFE_X("\"Claimed\"")
#define TRANS_X(done)                                                                 \
    "    transitions { queued -> claimed on claim by operator\n"                      \
    "                  " done " }\n"
#define TRANS TRANS_X("claimed -> complete on complete by owner requires evidence outcome delivered")
#define EVID_X(req, min)                                                              \
    "    evidence { required [" req "] optional [] min_per_category " min " }\n"
#define EVID EVID_X("photo", "1")
#define REC "    record { job outcome }\n"
#define SPEC(exec, intake, life, trans, evid, rec) HEAD exec intake life trans evid rec "}\n"
#define BASE SPEC(EXEC, INTAKE, LIFE, TRANS, EVID, REC)

/* Compiles old and new text, diffs them into f->l. */
static void diff_texts(fixture *f, const char *old, const char *new_text)
{
    const char *texts[2] = {old, new_text};
    for (int i = 0; i < 2; i++) {
        source *s = arena_alloc(&f->a, sizeof *s);
        *s = (source){i ? "new.qsm" : "old.qsm", texts[i], strlen(texts[i])};
        size_t n = 0;
        model **ms = driver_compile(s, 1, &f->a, &f->d, &n);
        if (n != 1 || diag_error_count(&f->d))
            fail_msg("%s does not compile: %s", s->path, qtmc_codes(&f->d));
        f->m[i] = ms[0];
    }
    diff_models(f->m[0], f->m[1], &f->a, &f->l);
}

/* The one change of f->l; fails unless there is exactly one and it has
 * this text, area and tag. */
static void assert_one(fixture *f, const char *area, int breaking, const char *text)
{
    if (f->l.n != 1) {
        for (size_t i = 0; i < f->l.n; i++)
            print_message("  %s\n", f->l.v[i].text);
        fail_msg("%zu changes, want 1 (%s)", f->l.n, text);
    }
    assert_string_equal(f->l.v[0].text, text);
    assert_string_equal(f->l.v[0].area, area);
    assert_int_equal(f->l.v[0].breaking, breaking);
    assert_int_equal(f->l.nbreaking, (size_t)breaking);
}

/* Is there a change with this text, tagged so? */
static void assert_has(fixture *f, int breaking, const char *text)
{
    for (size_t i = 0; i < f->l.n; i++)
        if (strcmp(f->l.v[i].text, text) == 0) {
            assert_int_equal(f->l.v[i].breaking, breaking);
            return;
        }
    fail_msg("no change \"%s\" among %zu", text, f->l.n);
}

static void test_diff_same_spec_is_no_change(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, BASE);
    assert_int_equal(f->l.n, 0);
    assert_string_equal(f->m[0]->fingerprint, f->m[1]->fingerprint);
}

static void test_diff_layout_and_comments_are_no_change(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE,
               "# a comment\nsurface demo { name \"Demo\" status active\n"
               "spec \"surface-runtime-spec-v0.01\"\n" EXEC INTAKE LIFE TRANS EVID REC "}\n");
    assert_int_equal(f->l.n, 0);
}

static void test_diff_label_is_compatible(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC, INTAKE, LIFE_X("\"Confirmed\""), TRANS, EVID, REC));
    assert_one(f, "phase", 0, "phase `claimed`: label \"Claimed\" became \"Confirmed\"");
}

static void test_diff_hint_is_compatible(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC, INTAKE, LIFE_X("\"Claimed\" hint \"Call the client\""),
                             TRANS, EVID, REC));
    assert_one(f, "phase", 0, "phase `claimed`: hint changed");
}

static void test_diff_removed_phase_is_breaking(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE,
               SPEC(EXEC, INTAKE,
                    "    lifecycle { queued \"Queued\" initial  confirmed \"Confirmed\"\n"
                    "                complete \"Complete\" final }\n",
                    "    transitions { queued -> confirmed on claim by operator\n"
                    "      confirmed -> complete on complete by owner requires evidence outcome delivered }\n",
                    EVID, REC));
    assert_has(f, 1, "phase `claimed` removed (jobs in flight there must migrate)");
    assert_has(f, 0, "phase `confirmed` added");
    assert_has(f, 1, "transition `queued on claim` now goes to `confirmed` (was `claimed`)");
    assert_has(f, 1, "transition `claimed -> complete on complete` removed");
    assert_has(f, 0, "transition `confirmed -> complete on complete by owner` added");
}

static void test_diff_new_transition_is_compatible(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE,
               SPEC(EXEC, INTAKE, LIFE_X("\"Claimed\"  cancelled \"Cancelled\" final"),
                    TRANS_X("claimed -> complete on complete by owner requires evidence outcome delivered\n"
                            "    claimed -> cancelled on cancel by owner outcome cancelled"),
                    EVID, REC));
    assert_has(f, 0, "phase `cancelled` added (final)");
    assert_has(f, 0, "event `cancel` added");
    assert_has(f, 0, "transition `claimed -> cancelled on cancel by owner` added");
    assert_int_equal(f->l.nbreaking, 0);
}

static void test_diff_new_requirement_is_breaking(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC, INTAKE, LIFE,
                             TRANS_X("claimed -> complete on complete by owner requires "
                                     "evidence, participants outcome delivered"),
                             EVID, REC));
    assert_one(f, "transition", 1, "transition `claimed on complete` now requires participants");
}

static void test_diff_dropped_requirement_is_compatible(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC, INTAKE, LIFE,
                             TRANS_X("claimed -> complete on complete by owner requires "
                                     "evidence, participants outcome delivered"),
                             EVID, REC));
    model *m = f->m[0];
    f->m[0] = f->m[1];
    f->m[1] = m;
    diff_models(f->m[0], f->m[1], &f->a, &f->l);
    assert_one(f, "transition", 0,
               "transition `claimed on complete` no longer requires participants");
}

static void test_diff_by_change_is_breaking(void **state)
{
    fixture *f = *state;
#define LIFE_C LIFE_X("\"Claimed\"  cancelled \"Cancelled\" final")
    diff_texts(f, SPEC(EXEC_POOL, INTAKE, LIFE_C,
                       TRANS_X("claimed -> complete on complete by owner requires evidence outcome delivered\n"
                               "    claimed -> cancelled on cancel by admin outcome cancelled"),
                       EVID, REC),
               SPEC(EXEC_POOL, INTAKE, LIFE_C,
                    TRANS_X("claimed -> complete on complete by owner requires evidence outcome delivered\n"
                            "    claimed -> cancelled on cancel by operator outcome cancelled"),
                    EVID, REC));
    assert_has(f, 1, "transition `claimed on cancel`: by admin became by operator");
}

static void test_diff_new_role_is_compatible(void **state)
{
    fixture *f = *state;
    diff_texts(f, SPEC(EXEC_POOL, INTAKE, LIFE,
                       TRANS_X("claimed -> complete on complete by owner requires evidence outcome delivered"),
                       EVID, REC),
               SPEC(EXEC_POOL, INTAKE,
                    LIFE_X("\"Claimed\"  cancelled \"Cancelled\" final"),
                    TRANS_X("claimed -> complete on complete by owner requires evidence outcome delivered\n"
                            "    claimed -> cancelled on cancel by admin outcome cancelled"),
                    EVID, REC));
    assert_has(f, 0, "admin now fires transitions");
}

static void test_diff_execution_contract(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC_X("required", "hidden"), INTAKE, LIFE, TRANS, EVID, REC));
    assert_one(f, "execution", 0, "completed_jobs visible became hidden");
    model_release(f->m[0]);
    model_release(f->m[1]);
    f->m[0] = f->m[1] = NULL;
    diff_texts(f,
               SPEC(EXEC, INTAKE, LIFE, TRANS_X("claimed -> complete on complete by owner outcome delivered"),
                    EVID_X("", "0"), REC),
               SPEC(EXEC_X("optional", "visible"), INTAKE, LIFE,
                    TRANS_X("claimed -> complete on complete by owner outcome delivered"), EVID_X("", "0"), REC));
    assert_one(f, "execution", 1, "claim required became optional");
}

static void test_diff_evidence(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC, INTAKE, LIFE, TRANS, EVID_X("photo, receipt", "2"), REC));
    assert_has(f, 1, "category `receipt` is now required");
    assert_has(f, 1, "min_per_category 1 became 2");
    assert_int_equal(f->l.n, 2);
}

static void test_diff_intake_fields(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, SPEC(EXEC, INTAKE_X("note: text  phone: phone required"), LIFE, TRANS,
                             EVID, REC));
    assert_has(f, 0, "optional field `job.note` (text) added");
    assert_has(f, 1, "required field `job.phone` (phone) added");
    assert_int_equal(f->l.n, 2);
}

static void test_diff_intake_field_changes(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE,
               SPEC(EXEC,
                    "    intake { job { title: text max 100\n"
                    "                   kind: one_of(small, huge) } photos min 2 }\n",
                    LIFE, TRANS, EVID, REC));
    assert_has(f, 0, "field `job.title` is no longer required");
    assert_has(f, 1, "field `job.title`: max 200 became 100");
    assert_has(f, 1, "field `job.kind`: choice \"large\" removed");
    assert_has(f, 0, "field `job.kind`: choice \"huge\" added");
    assert_has(f, 1, "photos min 0 became 2");
    assert_int_equal(f->l.n, 5);
}

static void test_diff_bounds_summary_and_outcome(void **state)
{
    fixture *f = *state;
#define OLD_IN "    intake { job { title: text required max 200\n"                         \
               "                   n: integer min 1 max 10 } photos min 0 }\n"
#define NEW_IN "    intake { job { title: text required max 200\n"                         \
               "                   n: integer min 2 max 20 } photos min 0\n"               \
               "             summary { job.title } }\n"
    diff_texts(f, SPEC(EXEC, OLD_IN, LIFE, TRANS, EVID, REC),
               SPEC(EXEC, NEW_IN, LIFE,
                    TRANS_X("claimed -> complete on complete by owner requires evidence "
                            "outcome finished"),
                    EVID, REC));
    assert_has(f, 1, "field `job.n`: min 1 became 2");
    assert_has(f, 0, "field `job.n`: maximum 10 became 20");
    assert_has(f, 0, "summary added");
    assert_has(f, 0, "transition `claimed on complete`: outcome delivered became finished");
    assert_int_equal(f->l.n, 4);
}

static void test_diff_record_and_identity_are_compatible(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE,
               "surface demo {\n    name \"Demo Two\" spec \"surface-runtime-spec-v0.01\" "
               "status deprecated\n" EXEC INTAKE LIFE TRANS EVID
               "    record { job outcome completed_at }\n}\n");
    assert_has(f, 0, "name \"Demo\" became \"Demo Two\"");
    assert_has(f, 0, "status active became deprecated");
    assert_has(f, 0, "record field `completed_at` added");
    assert_int_equal(f->l.nbreaking, 0);
}

static void test_diff_lists_the_migration(void **state)
{
    fixture *f = *state;
    diff_texts(f, BASE, BASE);
    char *text = arena_printf(&f->a,
                              HEAD EXEC INTAKE
                              "    lifecycle { queued \"Queued\" initial  confirmed \"C\"\n"
                              "                complete \"Complete\" final }\n"
                              "    transitions { queued -> confirmed on claim by operator\n"
                              "      confirmed -> complete on complete by owner requires "
                              "evidence outcome delivered }\n" EVID REC
                              "    migrate from \"%s\" { claimed -> confirmed }\n}\n",
                              f->m[0]->fingerprint);
    model_release(f->m[1]);
    f->m[1] = NULL;
    source *s = arena_alloc(&f->a, sizeof *s);
    *s = (source){"new.qsm", text, strlen(text)};
    size_t n = 0;
    model **ms = driver_compile(s, 1, &f->a, &f->d, &n);
    assert_int_equal(n, 1);
    f->m[1] = ms[0];
    diff_models(f->m[0], f->m[1], &f->a, &f->l);
    assert_has(f, 0, "jobs in `claimed` migrate to `confirmed`");
    /* the migration does not make the removal less breaking for in-flight jobs */
    assert_has(f, 1, "phase `claimed` removed (jobs in flight there must migrate)");
}

/* Runs the qtmc command line on "qtmc" + args (NULL-terminated), output
 * discarded. */
static int run_main(const char *const *args)
{
    char *argv[9];
    int argc = 1;
    argv[0] = (char *)"qtmc";
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    fflush(stdout);
    FILE *saved = stdout;
    stdout = fopen("/dev/null", "w");
    int rc = qtmc_cli(argc, argv);
    fclose(stdout);
    stdout = saved;
    return rc;
}

static void test_diff_main_exit_statuses(void **state)
{
    (void)state;
    static const char *const same[] = {"diff", QTMC_EC_PATH, QTMC_EC_PATH, NULL};
    static const char *const json[] = {"diff", "--json", QTMC_EC_PATH, QTMC_EC_PATH, NULL};
    static const char *const breaking[] = {"diff", "surfaces/auto-detailing.qsm",
                                           QTMC_EC_PATH, NULL};
    static const char *const one[] = {"diff", QTMC_EC_PATH, NULL};
    static const char *const three[] = {"diff", QTMC_EC_PATH, QTMC_EC_PATH, QTMC_EC_PATH, NULL};
    static const char *const opt[] = {"diff", "--frob", QTMC_EC_PATH, QTMC_EC_PATH, NULL};
    static const char *const missing[] = {"diff", QTMC_EC_PATH, "no/such.qsm", NULL};
    static const char *const bad[] = {"diff", "tests/golden/bad/q101-duplicate-phase.qsm",
                                      QTMC_EC_PATH, NULL};
    assert_int_equal(run_main(same), 0);
    assert_int_equal(run_main(json), 0);
    assert_int_equal(run_main(breaking), 1);
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc[5] = {run_main(one), run_main(three), run_main(opt), run_main(missing),
                 run_main(bad)};
    fclose(stderr);
    stderr = saved;
    for (int i = 0; i < 5; i++)
        assert_int_equal(rc[i], 2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_diff_same_spec_is_no_change),
        T(test_diff_layout_and_comments_are_no_change),
        T(test_diff_label_is_compatible),
        T(test_diff_hint_is_compatible),
        T(test_diff_removed_phase_is_breaking),
        T(test_diff_new_transition_is_compatible),
        T(test_diff_new_requirement_is_breaking),
        T(test_diff_dropped_requirement_is_compatible),
        T(test_diff_by_change_is_breaking),
        T(test_diff_new_role_is_compatible),
        T(test_diff_execution_contract),
        T(test_diff_evidence),
        T(test_diff_intake_fields),
        T(test_diff_intake_field_changes),
        T(test_diff_bounds_summary_and_outcome),
        T(test_diff_record_and_identity_are_compatible),
        T(test_diff_lists_the_migration),
        T(test_diff_main_exit_statuses),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
