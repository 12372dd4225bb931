/*
 * test_sema_completeness.c - the completeness layer
 * (compiler/sema_completeness.c): the warnings Q501-Q503 and their -W,
 * -Wno- and -Werror options.
 * Shared helpers: sema_fixture.h.
 */
#include "sema_fixture.h"

/*** Q501-Q503 warnings ***/

static void test_sema_q501_missing_label_warns(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, missing_label_life), "Q501");
    const diag *g = expect_at(f, "Q501", L_LIFE, col_of(f, L_LIFE, "done"));
    assert_int_equal(g->sev, DIAG_WARNING);
    assert_int_equal(g->warning, W_MISSING_LABEL);
    assert_string_equal(g->msg, "phase `done` has no label");
    note(g, "Operators see the label on the desk");
    /* a warning alone still gives a model */
    assert_non_null(f->m);
    assert_int_equal(f->d.warnings, 1);
    assert_int_equal(diag_error_count(&f->d), 0);
    assert_string_equal(f->m->phases[2].label, "");
}

static void test_sema_q501_werror(void **state)
{
    fixture *f = *state;
    assert_int_equal(diag_set_option(&f->d, "error"), 0);
    assert_string_equal(CHECK(f, L_LIFE, missing_label_life), "Q501");
    const diag *g = find(f, "Q501");
    assert_int_equal(g->sev, DIAG_ERROR);
    assert_null(f->m);
    assert_int_equal(diag_error_count(&f->d), 1);
    assert_int_equal(f->d.warnings, 0);
}

static void test_sema_q501_werror_for_one_warning(void **state)
{
    fixture *f = *state;
    assert_int_equal(diag_set_option(&f->d, "error=missing-label"), 0);
    CHECK(f, L_LIFE, missing_label_life,
          L_INTAKE, "  intake { contact { } }");
    assert_int_equal(find(f, "Q501")->sev, DIAG_ERROR);
    assert_int_equal(find(f, "Q502")->sev, DIAG_WARNING);
    assert_null(f->m);
}

static void test_sema_q501_wno_missing_label(void **state)
{
    fixture *f = *state;
    assert_int_equal(diag_set_option(&f->d, "no-missing-label"), 0);
    assert_int_equal(diag_set_option(&f->d, "error"), 0);
    CHECK(f, L_LIFE, missing_label_life);
    assert_clean(f);
    assert_int_equal(f->d.warnings, 0);
}

static void test_sema_q501_unknown_warning_option(void **state)
{
    fixture *f = *state;
    assert_int_equal(diag_set_option(&f->d, "missing-lable"), -1);
    assert_int_equal(diag_set_option(&f->d, "no-such"), -1);
    assert_int_equal(diag_set_option(&f->d, "all"), 0);
    assert_string_equal(diag_warning_name(W_MISSING_LABEL), "missing-label");
    assert_string_equal(diag_warning_code(W_UNUSED_CATEGORY), "Q503");
}

static void test_sema_q502_empty_section(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { } venue { a: text } }"), "Q502");
    const diag *g = expect_at(f, "Q502", L_INTAKE, col_of(f, L_INTAKE, "contact"));
    assert_int_equal(g->sev, DIAG_WARNING);
    assert_string_equal(g->msg, "intake section `contact` has no fields");
    assert_non_null(f->m);
}

static void test_sema_q502_wno_empty_section(void **state)
{
    fixture *f = *state;
    assert_int_equal(diag_set_option(&f->d, "no-empty-section"), 0);
    CHECK(f, L_INTAKE, "  intake { contact { } }");
    assert_clean(f);
}

static void test_sema_q503_unused_category(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { optional [receipt, photo] }"), "Q503");
    const diag *g = expect_at(f, "Q503", L_EVID, col_of(f, L_EVID, "receipt"));
    assert_int_equal(g->sev, DIAG_WARNING);
    assert_string_equal(g->msg, "optional evidence categories are declared but no transition "
                                "`requires evidence`");
}

static void test_sema_q503_category_used(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EVID, "  evidence { optional [receipt] }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner requires evidence outcome delivered }");
    assert_clean(f);
}

/* --- -Wguardrail ------------------------------------------------------------- */

static void test_sema_q504_guardrail_phase_and_event(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial scheduled \"Scheduled\" "
                     "done \"Done\" final }",
          L_TRANS, "  transitions { queued -> scheduled on claim by operator "
                   "scheduled -> done on notify_client by owner outcome delivered }");
    assert_int_equal(count(f, "Q504"), 2);
    const diag *g = expect_at(f, "Q504", L_LIFE, col_of(f, L_LIFE, "scheduled"));
    assert_int_equal(g->sev, DIAG_WARNING);
    assert_string_equal(g->msg, "phase `scheduled` reads as scheduling, which is not execution");
    g = find_nth(f, "Q504", 2);
    assert_int_equal(g->loc.line, L_TRANS);
    assert_int_equal(g->loc.col, col_of(f, L_TRANS, "notify_client"));
    assert_string_equal(g->msg, "event `notify_client` reads as messaging, which is not "
                                "execution");
    assert_non_null(f->m);  /* a warning: the model is built */
}

static void test_sema_q504_payment_words(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                     "invoiced \"Invoiced\" final }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> invoiced on finish by owner outcome delivered }");
    assert_int_equal(count(f, "Q504"), 1);
    note(find(f, "Q504"), "qtm settle");
}

static void test_sema_q504_not_for_q411(void **state)
{
    fixture *f = *state;
    /* `paid` as an event is already an error (Q411): no warning on top */
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on paid by owner outcome delivered }");
    assert_int_equal(count(f, "Q411"), 1);
    assert_int_equal(count(f, "Q504"), 0);
}

static void test_sema_q504_plain_names(void **state)
{
    fixture *f = *state;
    /* `booked_venue`, `rescheduling` aside: ordinary work words pass */
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial setup \"Setup\" "
                     "done \"Done\" final }",
          L_TRANS, "  transitions { queued -> setup on claim by operator "
                   "setup -> done on finish by owner outcome delivered }");
    assert_int_equal(count(f, "Q504"), 0);
}

static void test_sema_q504_off(void **state)
{
    fixture *f = *state;
    assert_int_equal(diag_set_option(&f->d, "no-guardrail"), 0);
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial scheduled \"Scheduled\" "
                     "done \"Done\" final }",
          L_TRANS, "  transitions { queued -> scheduled on claim by operator "
                   "scheduled -> done on finish by owner outcome delivered }");
    assert_int_equal(count(f, "Q504"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_q501_missing_label_warns),
        T(test_sema_q501_werror),
        T(test_sema_q501_werror_for_one_warning),
        T(test_sema_q501_wno_missing_label),
        T(test_sema_q501_unknown_warning_option),
        T(test_sema_q502_empty_section),
        T(test_sema_q502_wno_empty_section),
        T(test_sema_q503_unused_category),
        T(test_sema_q503_category_used),
        T(test_sema_q504_guardrail_phase_and_event),
        T(test_sema_q504_payment_words),
        T(test_sema_q504_not_for_q411),
        T(test_sema_q504_plain_names),
        T(test_sema_q504_off),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
