/*
 * test_sema_governance.c - the governance layer
 * (compiler/sema_governance.c): Q401-Q415, each raised by one spec and not
 * by a close one.
 * Shared helpers: sema_fixture.h.
 */
#include "sema_fixture.h"

/*** Q401-Q415 governance ***/

static void test_sema_q401_claim_required_without_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on take by operator "
                                          "claimed -> done on finish by owner outcome delivered }"),
                        "Q401");
    const diag *g = expect_at(f, "Q401", L_EXEC, col_of(f, L_EXEC, "required"));
    assert_string_equal(g->msg,
                        "`claim required` but no `on claim` transition leaves initial phase `queued`");
    note(g, "Add e.g. `queued -> ... on claim by operator`.");
}

static void test_sema_q401_claim_optional_needs_no_claim(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "optional", "assigned", "independent"),
          L_TRANS, "  transitions { queued -> claimed on take by operator "
                   "claimed -> done on finish by owner outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->trans[0].claim, 0);
}

static void test_sema_q402_operator_after_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by operator outcome delivered }"),
                        "Q402");
    const diag *g = expect_at(f, "Q402", L_TRANS, col_nth(f, L_TRANS, "operator", 2));
    assert_string_equal(g->msg,
                        "`claimed -> done` is after the claim and must be `by owner`, not by operator");
    note(g, "With `ownership assigned` only the operator who claimed the job");
}

static void test_sema_q402_pool_lets_operators_advance(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "required", "pool", "independent"),
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by operator outcome delivered }");
    assert_clean(f);
}

static void test_sema_q403_vendor_and_client(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by vendor "
                                          "claimed -> done on finish by client outcome delivered }"),
                        "Q403 Q403");
    const diag *v = find_nth(f, "Q403", 1), *c = find_nth(f, "Q403", 2);
    assert_string_equal(v->msg, "a vendor can never drive a transition");
    assert_int_equal(v->loc.col, col_of(f, L_TRANS, "vendor"));
    note(v, "Vendors and clients are participants recorded as context data");
    assert_string_equal(c->msg, "a client can never drive a transition");
}

static void test_sema_q403_vendors_as_data(void **state)
{
    fixture *f = *state;
    /* vendors belong in intake and the record's participants */
    CHECK(f, L_INTAKE, "  intake { vendors { vendor: text client: text } }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner requires participants outcome delivered }",
          L_REC, "  record { job participants }");
    assert_clean(f);
}

static void test_sema_q404_claim_not_from_initial(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "optional", "pool", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on start by operator "
                                       "claimed -> done on claim by operator outcome delivered }"),
                        "Q404");
    const diag *g = expect_at(f, "Q404", L_TRANS, col_nth(f, L_TRANS, "claimed", 2));
    assert_string_equal(g->msg, "the claim must leave initial phase `queued`, not `claimed`");
}

static void test_sema_q404_claim_not_by_operator(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by admin "
                                          "claimed -> done on finish by owner outcome delivered }"),
                        "Q404");
    const diag *g = expect_at(f, "Q404", L_TRANS, col_of(f, L_TRANS, "admin"));
    assert_string_equal(g->msg, "a claim is made `by operator`, not by admin");
    note(g, "is the assignee");
}

static void test_sema_q404_claim_by_operator_from_initial(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK_BASE(f), "");
    assert_int_equal(f->m->trans[0].claim, 1);
    assert_int_equal(f->m->trans[0].by, QTM_BY_OPERATOR);
    assert_int_equal(f->m->trans[1].claim, 0);
}

static void test_sema_q405_ownership_without_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "none", "assigned", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on start by operator "
                                       "claimed -> done on finish by owner outcome delivered }"),
                        "Q405");
    const diag *g = expect_at(f, "Q405", L_EXEC, col_of(f, L_EXEC, "assigned"));
    assert_string_equal(g->msg, "`ownership assigned` needs a claim, but `claim none` is set");
    note(g, "Ownership is established by the claim.");
}

static void test_sema_q405_claim_without_ownership(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "required", "none", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by admin outcome delivered }"),
                        "Q405");
    const diag *g = expect_at(f, "Q405", L_EXEC, col_of(f, L_EXEC, "required"));
    assert_string_equal(g->msg, "`claim required` with `ownership none`: a claim would own nothing");
}

static void test_sema_q405_no_claim_no_owner(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "none", "none", "independent"),
          L_TRANS, "  transitions { queued -> claimed on start by operator "
                   "claimed -> done on finish by admin outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->claim, QTM_CLAIM_NONE);
    assert_int_equal(f->m->ownership, QTM_OWNERSHIP_NONE);
}

static void test_sema_q406_owner_without_ownership(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "none", "none", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on start by operator "
                                       "claimed -> done on finish by owner outcome delivered }"),
                        "Q406");
    const diag *g = expect_at(f, "Q406", L_TRANS, col_of(f, L_TRANS, "owner"));
    assert_string_equal(g->msg, "`by owner` on a surface with `ownership none`");
}

static void test_sema_q406_owner_before_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "queued -> done on skip by owner outcome delivered "
                                          "claimed -> done on finish by owner outcome delivered }"),
                        "Q406");
    const diag *g = expect_at(f, "Q406", L_TRANS, col_of(f, L_TRANS, "owner"));
    assert_string_equal(g->msg, "`by owner` from initial phase `queued`: no one owns the job "
                                "before it is claimed");
}

static void test_sema_q414_admin_out_of_initial(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "queued -> done on cancel by admin outcome cancelled "
                                          "claimed -> done on finish by owner outcome delivered }"),
                        "Q414");
    const diag *g = expect_at(f, "Q414", L_TRANS, col_of(f, L_TRANS, "admin"));
    assert_string_equal(g->msg, "transition `queued -> done on cancel` by admin leaves initial "
                                "phase `queued`");
    note(g, "qtm job cancel");
}

static void test_sema_q414_admin_later_is_not_q414(void **state)
{
    fixture *f = *state;
    /* a pool surface: an admin may still act after the claim */
    CHECK(f, L_EXEC, exec_line(f, "required", "pool", "independent"),
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on cancel by admin outcome cancelled "
                   "claimed -> done on finish by owner outcome delivered }");
    assert_int_equal(count(f, "Q414"), 0);
}

static void test_sema_q414_claim_by_admin_is_q404_only(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by admin "
                                          "claimed -> done on finish by owner outcome delivered }"),
                        "Q404");
}

static void test_sema_q407_required_evidence_unchecked(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required [photo, receipt] min_per_category 1 }"),
                        "Q407");
    const diag *g = expect_at(f, "Q407", L_EVID, col_of(f, L_EVID, "photo"));
    assert_string_equal(g->msg,
                        "required evidence categories but no transition `requires evidence`");
    note(g, "Add `requires evidence` to the transition that must check them.");
}

static void test_sema_q407_required_evidence_checked(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EVID, "  evidence { required [photo] min_per_category 1 }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner requires evidence outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->trans[1].requires, QTM_REQ_EVIDENCE);
}

static void test_sema_q408_payment_gate_when_independent(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner requires payment outcome delivered }"),
                        "Q408");
    const diag *g = expect_at(f, "Q408", L_TRANS, col_of(f, L_TRANS, "claimed ->"));
    assert_string_equal(g->msg, "`requires payment` with `payment_timing independent`");
    note(g, "Only `payment_timing before_complete` lets payment gate execution");
}

static void test_sema_q408_q409_payment_before_complete(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "required", "assigned", "before_complete"),
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner requires payment outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->payment_timing, QTM_PAY_BEFORE_COMPLETE);
    assert_int_equal(f->m->trans[1].requires, QTM_REQ_PAYMENT);
}

static void test_sema_q409_before_complete_without_gate(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "required", "assigned", "before_complete")),
                        "Q409");
    const diag *g = expect_at(f, "Q409", L_EXEC, col_of(f, L_EXEC, "before_complete"));
    assert_string_equal(g->msg, "`payment_timing before_complete` but no transition into a "
                                "final phase `requires payment`");
}

static void test_sema_q409_gate_must_enter_a_final_phase(void **state)
{
    fixture *f = *state;
    /* a payment gate on the way, but not into the final phase */
    CHECK(f, L_EXEC, exec_line(f, "required", "assigned", "before_complete"),
          L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" paid_up \"Paid\" "
                  "done \"Done\" final }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> paid_up on confirm by owner requires payment "
                   "paid_up -> done on finish by owner outcome delivered }");
    assert_string_equal(qtmc_codes(&f->d), "Q409");
}

static void test_sema_q410_foreign_record_fields(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_REC, "  record { job amount outcom }"), "Q410 Q410");
    const diag *a = find_nth(f, "Q410", 1), *o = find_nth(f, "Q410", 2);
    assert_string_equal(a->msg, "record field `amount` is not a ServiceEvent field");
    assert_int_equal(a->loc.col, col_of(f, L_REC, "amount"));
    note(a, "`amount` is settlement state; the record carries execution truth only.");
    assert_string_equal(o->msg, "record field `outcom` is not a ServiceEvent field");
    note(o, "Did you mean `outcome`?");
}

static void test_sema_q410_governance_field(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_REC, "  record { job assignee }"), "Q410");
    note(find(f, "Q410"), "`assignee` is governance (task) state");
}

static void test_sema_q411_settlement_event(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on pay by owner outcome delivered }"),
                        "Q411");
    const diag *g = expect_at(f, "Q411", L_TRANS, col_of(f, L_TRANS, "pay"));
    assert_string_equal(g->msg, "event `pay` would let settlement drive execution");
    note(g, "`qtm settle`");
}

static void test_sema_q411_similar_event_is_fine(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on pave by owner outcome delivered }");
    assert_clean(f);
    assert_string_equal(f->m->events[1], "pave");
}

static void test_sema_q412_required_with_min_zero(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required [photo] min_per_category 0 }",
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by owner requires evidence outcome delivered }"),
                        "Q412");
    const diag *g = expect_at(f, "Q412", L_EVID, col_of(f, L_EVID, "photo"));
    assert_string_equal(g->msg,
                        "required evidence categories with `min_per_category 0` require nothing");
}

static void test_sema_q412_min_defaults_to_zero(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required [photo] }",
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by owner requires evidence outcome delivered }"),
                        "Q412");
}

static void test_sema_q413_claim_event_with_claim_none(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "none", "none", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by admin outcome delivered }"),
                        "Q413");
    const diag *g = expect_at(f, "Q413", L_TRANS, col_of(f, L_TRANS, "claim by"));
    assert_string_equal(g->msg, "a `claim` transition on a surface with `claim none`");
}

static void test_sema_q413_claim_event_with_claim_optional(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "optional", "assigned", "independent"));
    assert_clean(f);
    assert_int_equal(f->m->trans[0].claim, 1);
}

/*** Q415 intake photos are images ***/

static void test_sema_q415_pdf_photo(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { name: text } photos min 1 "
                                           "types [jpeg, pdf] }"),
                        "Q415");
    const diag *g = expect_at(f, "Q415", L_INTAKE, col_of(f, L_INTAKE, "pdf"));
    assert_string_equal(g->msg, "intake photos are images: `pdf` is not a photo type");
    note(g, "A document belongs in evidence");
}

static void test_sema_q415_pdf_evidence_is_fine(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EVID, "  evidence { required [] optional [] min_per_category 0 types [pdf] }");
    assert_clean(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_q401_claim_required_without_claim),
        T(test_sema_q401_claim_optional_needs_no_claim),
        T(test_sema_q402_operator_after_claim),
        T(test_sema_q402_pool_lets_operators_advance),
        T(test_sema_q403_vendor_and_client),
        T(test_sema_q403_vendors_as_data),
        T(test_sema_q404_claim_not_from_initial),
        T(test_sema_q404_claim_not_by_operator),
        T(test_sema_q404_claim_by_operator_from_initial),
        T(test_sema_q405_ownership_without_claim),
        T(test_sema_q405_claim_without_ownership),
        T(test_sema_q405_no_claim_no_owner),
        T(test_sema_q406_owner_without_ownership),
        T(test_sema_q406_owner_before_claim),
        T(test_sema_q414_admin_out_of_initial),
        T(test_sema_q414_admin_later_is_not_q414),
        T(test_sema_q414_claim_by_admin_is_q404_only),
        T(test_sema_q415_pdf_photo),
        T(test_sema_q415_pdf_evidence_is_fine),
        T(test_sema_q407_required_evidence_unchecked),
        T(test_sema_q407_required_evidence_checked),
        T(test_sema_q408_payment_gate_when_independent),
        T(test_sema_q408_q409_payment_before_complete),
        T(test_sema_q409_before_complete_without_gate),
        T(test_sema_q409_gate_must_enter_a_final_phase),
        T(test_sema_q410_foreign_record_fields),
        T(test_sema_q410_governance_field),
        T(test_sema_q411_settlement_event),
        T(test_sema_q411_similar_event_is_fine),
        T(test_sema_q412_required_with_min_zero),
        T(test_sema_q412_min_defaults_to_zero),
        T(test_sema_q413_claim_event_with_claim_none),
        T(test_sema_q413_claim_event_with_claim_optional),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
