/*
 * test_sema_determinism.c - the determinism layer
 * (compiler/sema_determinism.c): Q301, one event from one phase reaching
 * at most one transition.
 * Shared helpers: sema_fixture.h.
 */
#include "sema_fixture.h"

/*** Q301 determinism ***/

static void test_sema_q301_two_transitions_on_one_event(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner outcome delivered "
                                          "claimed -> queued on finish by owner }"),
                        "Q301");
    const diag *g = expect_at(f, "Q301", L_TRANS, col_nth(f, L_TRANS, "finish", 2));
    assert_string_equal(g->msg, "phase `claimed` already has a transition on `finish`");
    const diag_remark *n = note(g, "the other transition (to `done`) is here");
    assert_int_equal(n->loc.col, col_of(f, L_TRANS, "finish"));
}

static void test_sema_q301_same_event_from_other_phases(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                     "working \"Working\" done \"Done\" final }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> working on start by owner claimed -> done on finish by owner outcome delivered "
                   "working -> done on finish by owner outcome delivered }");
    assert_clean(f);
    const model *m = f->m;
    assert_int_equal(m->nevents, 3);
    /* finish is event 2; from claimed (1) it is transition 2, from working (2) 3 */
    assert_int_equal(m->next[1 * 3 + 2], 2);
    assert_int_equal(m->next[2 * 3 + 2], 3);
    assert_int_equal(m->next[0 * 3 + 2], -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_q301_two_transitions_on_one_event),
        T(test_sema_q301_same_event_from_other_phases),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
