/*
 * test_sema_graph.c - the lifecycle graph layer (compiler/sema_graph.c):
 * Q201-Q207, each raised by one spec and not by a close one.
 * Shared helpers: sema_fixture.h.
 */
#include "sema_fixture.h"

/*** Q201-Q207 the lifecycle graph ***/

static void test_sema_q201_no_initial(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" claimed \"Claimed\" "
                                         "done \"Done\" final }"),
                        "Q201");
    const diag *g = expect_at(f, "Q201", L_LIFE, col_of(f, L_LIFE, "queued"));
    assert_string_equal(g->msg, "the lifecycle has no initial phase");
    note(g, "Mark the phase new jobs start in with `initial`.");
}

static void test_sema_q202_second_initial(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" initial "
                     "done \"Done\" final }");
    const diag *g = expect_at(f, "Q202", L_LIFE, col_of(f, L_LIFE, "claimed"));
    assert_string_equal(g->msg, "phase `claimed` is a second initial phase");
    const diag_remark *n = note(g, "`queued` is already initial");
    assert_int_equal(n->loc.col, col_of(f, L_LIFE, "queued"));
    assert_int_equal(count(f, "Q202"), 1);
}

static void test_sema_q202_one_initial_declared_anywhere(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { claimed \"Claimed\" done \"Done\" final queued \"Queued\" initial }");
    assert_clean(f);
    assert_int_equal(f->m->initial, 2);
    assert_string_equal(f->m->phases[f->m->initial].name, "queued");
}

static void test_sema_q203_no_final(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                                         "done \"Done\" }"),
                        "Q203");
    const diag *g = expect_at(f, "Q203", L_LIFE, col_of(f, L_LIFE, "queued"));
    assert_string_equal(g->msg, "the lifecycle has no final phase");
    note(g, "Mark the phase that completes a job with `final`.");
}

static void test_sema_q203_final_declared_first(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { done \"Done\" final queued \"Queued\" initial claimed \"Claimed\" }");
    assert_clean(f);
    assert_int_equal(f->m->phases[0].final, 1);
    assert_int_equal(f->m->initial, 1);
}

static void test_sema_q201_q203_empty_lifecycle(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { }", L_TRANS, "  transitions { }");
    assert_string_equal(qtmc_codes(&f->d), "Q201 Q203");
    expect_at(f, "Q201", L_HEAD, 9);             /* no phase: the slug */
}

static void test_sema_q204_unreachable_phase(void **state)
{
    fixture *f = *state;
    /* `lost` is also a dead end: said once, as unreachable */
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                                         "lost \"Lost\" done \"Done\" final }"),
                        "Q204");
    const diag *g = expect_at(f, "Q204", L_LIFE, col_of(f, L_LIFE, "lost"));
    assert_string_equal(g->msg, "phase `lost` cannot be reached from initial phase `queued`");
}

static void test_sema_q204_reached_through_a_chain(void **state)
{
    fixture *f = *state;
    /* declared in reverse order of the path; every phase still reachable */
    CHECK(f, L_LIFE, "  lifecycle { d4 \"D4\" final d3 \"D3\" d2 \"D2\" claimed \"Claimed\" "
                     "queued \"Queued\" initial }",
          L_TRANS, "  transitions { d3 -> d4 on e3 by owner outcome delivered d2 -> d3 on e2 by owner "
                   "claimed -> d2 on e1 by owner queued -> claimed on claim by operator }");
    assert_clean(f);
    assert_int_equal(f->m->ntrans, 4);
    /* events are numbered in first-use order */
    assert_string_equal(f->m->events[0], "e3");
    assert_string_equal(f->m->events[3], "claim");
}

static void test_sema_q205_dead_end(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                                         "stuck \"Stuck\" done \"Done\" final }",
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by owner outcome delivered "
                                       "claimed -> stuck on park by owner }"),
                        "Q205");
    const diag *g = expect_at(f, "Q205", L_LIFE, col_of(f, L_LIFE, "stuck"));
    assert_string_equal(g->msg, "no final phase can be reached from phase `stuck`");
}

static void test_sema_q205_cycles_and_several_finals(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                     "done \"Done\" final cancelled \"Cancelled\" final }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner outcome delivered claimed -> claimed on note by owner "
                   "claimed -> cancelled on cancel by owner outcome cancelled }");
    assert_clean(f);
    assert_int_equal(f->m->ntrans, 4);
}

static void test_sema_q206_transition_leaves_final(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner outcome delivered "
                                          "done -> claimed on reopen by owner }"),
                        "Q206");
    const diag *g = expect_at(f, "Q206", L_TRANS, col_nth(f, L_TRANS, "done", 2));
    assert_string_equal(g->msg, "transition leaves final phase `done`");
}

static void test_sema_q206_entering_final_phases(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done \"Done\" final "
                     "void \"Void\" final }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner outcome delivered claimed -> void on drop by owner outcome dropped "
                   "queued -> void on cancel by operator outcome cancelled }");
    assert_clean(f);
    assert_int_equal(f->m->phases[3].final, 1);
}

static void test_sema_q207_initial_and_final(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial final claimed \"Claimed\" "
                     "done \"Done\" final }");
    const diag *g = expect_at(f, "Q207", L_LIFE, col_of(f, L_LIFE, "queued"));
    assert_string_equal(g->msg, "phase `queued` is both initial and final: no work could happen");
    assert_null(f->m);
}

static void test_sema_q207_single_phase_lifecycle(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { only \"Only\" initial final }", L_TRANS, "  transitions { }");
    assert_int_equal(count(f, "Q207"), 1);
    assert_int_equal(count(f, "Q201") + count(f, "Q203"), 0);
}

/* --- outcomes ---------------------------------------------------------------- */

static void test_sema_q208_final_without_outcome(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner }"),
                        "Q208");
    const diag *g = expect_at(f, "Q208", L_TRANS, col_nth(f, L_TRANS, "claimed", 2));
    assert_string_equal(g->msg, "transition `claimed -> done on finish` enters final phase "
                                "`done` without an outcome");
    note(g, "outcome NAME");
}

static void test_sema_q208_each_way_in(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on finish by owner outcome delivered "
                      "claimed -> done on close by owner requires reason }");
    assert_int_equal(count(f, "Q208"), 1);
    expect_at(f, "Q208", L_TRANS, col_nth(f, L_TRANS, "claimed", 3));
}

static void test_sema_outcome_and_reason(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on finish by owner outcome delivered "
                      "claimed -> done on close by owner requires reason outcome closed }");
    assert_clean(f);
    assert_string_equal(f->m->trans[1].outcome, "delivered");
    assert_string_equal(f->m->trans[2].outcome, "closed");
    assert_int_equal(f->m->trans[2].requires, QTM_REQ_REASON);
    assert_string_equal(f->m->trans[0].outcome, "");
}

static void test_sema_q209_outcome_not_final(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "outcome started claimed -> done on finish by owner "
                                          "outcome delivered }"),
                        "Q209");
    const diag *g = expect_at(f, "Q209", L_TRANS, col_of(f, L_TRANS, "started"));
    assert_string_equal(g->msg, "outcome `started` on a transition into `claimed`, which is "
                                "not final");
}

static void test_sema_outcome_is_snake_case(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner outcome Delivered }"),
                        "Q115 Q208");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_q201_no_initial),
        T(test_sema_q202_second_initial),
        T(test_sema_q202_one_initial_declared_anywhere),
        T(test_sema_q203_no_final),
        T(test_sema_q203_final_declared_first),
        T(test_sema_q201_q203_empty_lifecycle),
        T(test_sema_q204_unreachable_phase),
        T(test_sema_q204_reached_through_a_chain),
        T(test_sema_q205_dead_end),
        T(test_sema_q205_cycles_and_several_finals),
        T(test_sema_q206_transition_leaves_final),
        T(test_sema_q206_entering_final_phases),
        T(test_sema_q207_initial_and_final),
        T(test_sema_q207_single_phase_lifecycle),
        T(test_sema_q208_final_without_outcome),
        T(test_sema_q208_each_way_in),
        T(test_sema_outcome_and_reason),
        T(test_sema_q209_outcome_not_final),
        T(test_sema_outcome_is_snake_case),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
