/*
 * test_sema_names.c - the names-and-values layer (compiler/sema_names.c)
 * and the driver's one-slug rule: for every code Q101-Q122 at least one
 * spec that must raise it (code, line, the key words of the message) and
 * one close to it that must not; the base spec itself is clean.
 * Shared helpers: sema_fixture.h.
 */
#include "sema_fixture.h"

/*** the base spec ***/

static void test_sema_base_spec_is_clean(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK_BASE(f), "");
    assert_non_null(f->m);
    assert_int_equal(f->d.warnings, 0);
    assert_string_equal(f->m->slug, "demo");
    assert_string_equal(f->m->name, "Demo");
    assert_int_equal(f->m->nphases, 3);
    assert_int_equal(f->m->nevents, 2);
}

/*** Q101 duplicate phase ***/

static void test_sema_q101_duplicate_phase(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" "
                                         "done \"Done\" final claimed \"Again\" }"),
                        "Q101");
    assert_null(f->m);
    const diag *g = expect_at(f, "Q101", L_LIFE, col_nth(f, L_LIFE, "claimed", 2));
    assert_string_equal(g->msg, "duplicate phase `claimed`");
    const diag_remark *n = note(g, "first declared here");
    assert_int_equal(n->loc.line, L_LIFE);
    assert_int_equal(n->loc.col, col_of(f, L_LIFE, "claimed"));
}

static void test_sema_q101_phase_may_share_an_event_name(void **state)
{
    fixture *f = *state;
    /* phases and events are separate namespaces */
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claim \"Claimed\" done \"Done\" final }",
          L_TRANS, "  transitions { queued -> claim on claim by operator claim -> done on done by owner outcome delivered }");
    assert_clean(f);
}

/*** Q102 undefined phase ***/

static void test_sema_q102_undefined_target(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> dnoe on finish by owner }"),
                        "Q102");
    const diag *g = expect_at(f, "Q102", L_TRANS, col_of(f, L_TRANS, "dnoe"));
    assert_string_equal(g->msg, "undefined phase `dnoe` as target of a transition");
    note(g, "Did you mean `done`?");
}

static void test_sema_q102_undefined_source_no_suggestion(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "zzzzzzzz -> done on finish by owner outcome delivered }");
    const diag *g = expect_at(f, "Q102", L_TRANS, col_of(f, L_TRANS, "zzzzzzzz"));
    assert_contains(g->msg, "as source of a transition");
    assert_false(has_note(g, "Did you mean"));
}

static void test_sema_q102_phases_may_be_declared_after_transitions(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, base_lines[L_TRANS], L_TRANS, base_lines[L_LIFE]);
    assert_clean(f);
}

static void test_sema_q102_without_lifecycle_only_q106(void **state)
{
    fixture *f = *state;
    /* no lifecycle: said once, not once per transition endpoint */
    assert_string_equal(CHECK(f, L_LIFE, ""), "Q106");
    assert_contains(find(f, "Q106")->msg, "has no `lifecycle` block");
}

/*** Q103 duplicates ***/

static void test_sema_q103_duplicate_setting(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, "  name \"Demo\" spec \"surface-runtime-spec-v0.01\" "
                                        "status active name \"Other\""),
                        "Q103");
    const diag *g = expect_at(f, "Q103", L_SET, col_nth(f, L_SET, "name", 2));
    assert_string_equal(g->msg, "duplicate setting `name`");
    assert_int_equal(note(g, "first given here")->loc.col, 3);
}

static void test_sema_q103_duplicate_block(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_REC, "  record { job operator outcome } record { job }"), "Q103");
    const diag *g = expect_at(f, "Q103", L_REC, col_nth(f, L_REC, "record", 2));
    assert_string_equal(g->msg, "duplicate block `record`");
}

static void test_sema_q103_duplicate_execution_key(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, "  execution { claim required ownership assigned record service_event "
                     "payment_timing independent completed_jobs visible claim optional }");
    const diag *g = expect_at(f, "Q103", L_EXEC, col_nth(f, L_EXEC, "claim", 2));
    assert_string_equal(g->msg, "duplicate execution setting `claim`");
    assert_int_equal(count(f, "Q103"), 1);
}

static void test_sema_q103_duplicate_evidence_key_and_photos(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { min_per_category 0 min_per_category 1 }",
                              L_INTAKE, "  intake { contact { name: text } photos min 0 photos min 1 }"),
                        "Q103 Q103");
    const diag *p = find_nth(f, "Q103", 1), *e = find_nth(f, "Q103", 2);
    assert_string_equal(p->msg, "duplicate setting `photos`");
    assert_int_equal(p->loc.line, L_INTAKE);
    assert_string_equal(e->msg, "duplicate evidence setting `min_per_category`");
    assert_int_equal(e->loc.line, L_EVID);
}

static void test_sema_q103_same_name_in_different_places(void **state)
{
    fixture *f = *state;
    /* a field `name`, a field `status` and the settings of those names */
    CHECK(f, L_INTAKE, "  intake { contact { name: text status: text record: text } "
                       "other { name: text } }");
    assert_clean(f);
}

/*** Q104 unknown keys ***/

static void test_sema_q104_unknown_setting_suggests(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, "  nmae \"Demo\" spec \"surface-runtime-spec-v0.01\" status active"),
                        "Q104 Q106");
    const diag *g = expect_at(f, "Q104", L_SET, 3);
    assert_string_equal(g->msg, "unknown setting `nmae`");
    note(g, "Did you mean `name`?");
    /* the missing name is reported on its own */
    assert_contains(find(f, "Q106")->msg, "has no `name \"...\"`");
}

static void test_sema_q104_unknown_execution_key(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, "  execution { claimm required ownership assigned record service_event "
                     "payment_timing independent completed_jobs visible }");
    const diag *g = expect_at(f, "Q104", L_EXEC, col_of(f, L_EXEC, "claimm"));
    assert_string_equal(g->msg, "unknown execution setting `claimm`");
    note(g, "Did you mean `claim`?");
    /* the author meant `claim`: it is not also reported missing */
    assert_string_equal(qtmc_codes(&f->d), "Q104");
}

/*
 * A misspelt key that suggests `claim`, then the real `claim`: only the
 * Q104.  (At 5cee88f the real key was a false Q103 duplicate whose "first
 * given here" note read an uninitialised location.)
 */
static void test_sema_q104_misspelt_then_real_key(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, "  execution { claimm required claim required "
                                         "ownership assigned record service_event "
                                         "payment_timing independent completed_jobs visible }"),
                        "Q104");
}

static void test_sema_q104_clipped_key_suggests_full_name(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, "  execution { claim required ownership assigned "
                                         "record service_event payment independent "
                                         "completed_jobs visible }"),
                        "Q104");
    const diag *g = expect_at(f, "Q104", L_EXEC, col_of(f, L_EXEC, "payment"));
    assert_string_equal(g->msg, "unknown execution setting `payment`");
    note(g, "Did you mean `payment_timing`?");
}

static void test_sema_q104_far_key_is_also_missing(void **state)
{
    fixture *f = *state;
    /* nothing close to `zzzzz`: claim is then missing as well */
    assert_string_equal(CHECK(f, L_EXEC, "  execution { zzzzz required ownership assigned "
                                         "record service_event payment_timing independent "
                                         "completed_jobs visible }"),
                        "Q104 Q106");
    assert_false(has_note(find(f, "Q104"), "Did you mean"));
    assert_string_equal(find(f, "Q106")->msg, "execution contract has no `claim`");
}

static void test_sema_q104_unknown_evidence_key(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { min_per_categry 0 }"), "Q104");
    const diag *g = expect_at(f, "Q104", L_EVID, 14);
    assert_string_equal(g->msg, "unknown evidence setting `min_per_categry`");
    note(g, "Did you mean `min_per_category`?");
}

static void test_sema_q104_evidence_keys_are_optional(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EVID, "  evidence { }");
    assert_clean(f);
    assert_int_equal(f->m->ev_min, 0);
    assert_int_equal(f->m->nev_required, 0);
}

/*** Q105 bad values ***/

static void test_sema_q105_name_must_be_string(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, "  name Demo spec \"surface-runtime-spec-v0.01\" status active"),
                        "Q105");
    const diag *g = expect_at(f, "Q105", L_SET, 8);
    assert_string_equal(g->msg, "`name` takes a string, not a word");
}

static void test_sema_q105_name_must_not_be_empty(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, "  name \"\" spec \"surface-runtime-spec-v0.01\" status active"),
                        "Q105");
    assert_string_equal(expect_at(f, "Q105", L_SET, 8)->msg, "`name` must not be empty");
}

static void test_sema_q105_unknown_status_lists_choices(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, "  name \"Demo\" spec \"surface-runtime-spec-v0.01\" status live"),
                        "Q105");
    const diag *g = expect_at(f, "Q105", L_SET, col_of(f, L_SET, "live"));
    assert_string_equal(g->msg, "unknown status value `live`");
    note(g, "Use one of: active, planned, deprecated.");
}

static void test_sema_q105_unknown_execution_value(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "required", "assigned", "later")), "Q105");
    const diag *g = expect_at(f, "Q105", L_EXEC, col_of(f, L_EXEC, "later"));
    assert_string_equal(g->msg, "unknown payment_timing value `later`");
    note(g, "Use one of: independent, before_complete, after_complete.");
}

static void test_sema_q105_evidence_value_kinds(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required photo min_per_category \"1\" }"),
                        "Q105 Q105");
    assert_string_equal(find_nth(f, "Q105", 1)->msg,
                        "`required` takes a list like [a, b], not a word");
    assert_string_equal(find_nth(f, "Q105", 2)->msg,
                        "`min_per_category` takes a number, not a string");
    assert_int_equal(find_nth(f, "Q105", 2)->loc.col, col_of(f, L_EVID, "\"1\""));
}

static void test_sema_q105_every_listed_value_accepted(void **state)
{
    fixture *f = *state;
    static const char *const statuses[] = {"active", "planned", "deprecated"};
    for (unsigned i = 0; i < 3; i++) {
        CHECK(f, L_SET, arena_printf(&f->a, "  name \"Demo\" spec \"surface-runtime-spec-v0.01\" "
                                            "status %s", statuses[i]),
              L_EXEC, "  execution { claim optional ownership pool record service_event "
                      "payment_timing after_complete completed_jobs hidden }");
        assert_clean(f);
        assert_int_equal(f->m->status, i);
        assert_int_equal(f->m->claim, QTM_CLAIM_OPTIONAL);
        assert_int_equal(f->m->ownership, QTM_OWNERSHIP_POOL);
        assert_int_equal(f->m->payment_timing, QTM_PAY_AFTER_COMPLETE);
        assert_int_equal(f->m->completed_jobs, QTM_COMPLETED_HIDDEN);
        model_release(f->m);
        f->m = NULL;
    }
}

/*** Q106 missing ***/

static void test_sema_q106_missing_settings(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, ""), "Q106 Q106 Q106");
    for (int i = 1; i <= 3; i++) {
        const diag *g = find_nth(f, "Q106", i);
        assert_int_equal(g->loc.line, L_HEAD);
        assert_int_equal(g->loc.col, 9);             /* the slug */
    }
    assert_string_equal(find_nth(f, "Q106", 1)->msg, "surface `demo` has no `name \"...\"`");
    assert_string_equal(find_nth(f, "Q106", 2)->msg, "surface `demo` has no `spec \"...\"`");
    assert_string_equal(find_nth(f, "Q106", 3)->msg, "surface `demo` has no `status ...`");
}

static void test_sema_q106_missing_blocks(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_REC, "", L_EXEC, ""), "Q106 Q106");
    assert_string_equal(find_nth(f, "Q106", 1)->msg, "surface `demo` has no `execution` block");
    assert_string_equal(find_nth(f, "Q106", 2)->msg, "surface `demo` has no `record` block");
}

static void test_sema_q106_missing_transitions_block(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "");
    assert_string_equal(find(f, "Q106")->msg, "surface `demo` has no `transitions` block");
    assert_int_equal(count(f, "Q106"), 1);
}

static void test_sema_q106_missing_execution_key(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, "  execution { claim required ownership assigned "
                                         "record service_event payment_timing independent }"),
                        "Q106");
    const diag *g = expect_at(f, "Q106", L_EXEC, 3);
    assert_string_equal(g->msg, "execution contract has no `completed_jobs`");
}

static void test_sema_q106_bad_value_is_not_also_missing(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "always", "assigned", "independent")),
                        "Q105");
}

static void test_sema_q106_intake_and_evidence_are_optional(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "", L_EVID, "");
    assert_clean(f);
    assert_int_equal(f->m->nsections, 0);
    assert_int_equal(f->m->photo_min, 0);
}

/*** Q107 runtime spec ***/

static void test_sema_q107_unknown_spec(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_SET, "  name \"Demo\" spec \"surface-runtime-spec-v0.02\" status active"),
                        "Q107");
    const diag *g = expect_at(f, "Q107", L_SET, col_of(f, L_SET, "\"surface"));
    assert_string_equal(g->msg, "unknown runtime spec \"surface-runtime-spec-v0.02\"");
    note(g, "This qtmc knows \"surface-runtime-spec-v0.01\".");
}

static void test_sema_q107_settings_in_any_order(void **state)
{
    fixture *f = *state;
    CHECK(f, L_SET, "  status active spec \"surface-runtime-spec-v0.01\" name \"Demo\"");
    assert_clean(f);
    assert_string_equal(f->m->spec, QTM_SPEC_V0_01);
}

/*** Q108 intake duplicates ***/

static void test_sema_q108_duplicate_section(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: text } contact { b: text } }"),
                        "Q108");
    const diag *g = expect_at(f, "Q108", L_INTAKE, col_nth(f, L_INTAKE, "contact", 2));
    assert_string_equal(g->msg, "duplicate intake section `contact`");
    assert_int_equal(note(g, "first declared here")->loc.col, col_of(f, L_INTAKE, "contact"));
}

static void test_sema_q108_duplicate_field(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: text b: text a: email } }"),
                        "Q108");
    const diag *g = expect_at(f, "Q108", L_INTAKE, col_nth(f, L_INTAKE, "a:", 2));
    assert_string_equal(g->msg, "duplicate field `a` in intake section `contact`");
}

static void test_sema_q108_same_field_in_two_sections(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { contact { a: text } venue { a: text } }");
    assert_clean(f);
    assert_int_equal(f->m->nsections, 2);
    assert_int_equal(f->m->nfields, 2);
    assert_string_equal(f->m->fields[1].section, "venue");
}

/*** Q109 field types ***/

static void test_sema_q109_unknown_type_suggests(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: txt } }"), "Q109");
    const diag *g = expect_at(f, "Q109", L_INTAKE, col_of(f, L_INTAKE, "txt"));
    assert_string_equal(g->msg, "unknown field type `txt`");
    note(g, "Did you mean `text`?");
}

static void test_sema_q109_unknown_type_lists_types(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: zzzzzz } }"), "Q109");
    const diag *g = find(f, "Q109");
    note(g, "Use one of: text, email, phone, integer, number, boolean, date, time, one_of.");
    assert_false(has_note(g, "Did you mean"));
}

static void test_sema_q109_every_type_accepted(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { s { a: text b: email c: phone d: integer e: number "
                       "f: boolean g: date h: time i: one_of(x, yy) } }");
    assert_clean(f);
    assert_int_equal(f->m->nfields, 9);
    for (unsigned i = 0; i < 9; i++)
        assert_int_equal(f->m->fields[i].type, i);
    assert_int_equal(f->m->fields[0].max_len, MODEL_TEXT_MAX_DEFAULT);
    assert_int_equal(f->m->fields[1].max_len, 254);
    assert_int_equal(f->m->fields[2].max_len, 32);
    assert_int_equal(f->m->fields[6].max_len, 64);
    assert_int_equal(f->m->fields[8].max_len, 2);     /* longest choice */
    assert_int_equal(f->m->fields[8].nchoices, 2);
}

/*** Q110 choices ***/

static void test_sema_q110_empty_choice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { m: one_of(\"\", a) } }"), "Q110");
    const diag *g = expect_at(f, "Q110", L_INTAKE, col_of(f, L_INTAKE, "\"\""));
    assert_string_equal(g->msg, "empty choice in `one_of`");
}

static void test_sema_q110_duplicate_choice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { m: one_of(a, b, \"a\") } }"),
                        "Q110");
    const diag *g = expect_at(f, "Q110", L_INTAKE, col_of(f, L_INTAKE, "\"a\""));
    assert_string_equal(g->msg, "duplicate choice \"a\" in field `m`");
}

static void test_sema_q110_choices_are_case_sensitive(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { contact { m: one_of(a, A, \"a b\") } }");
    assert_clean(f);
    assert_int_equal(f->m->fields[0].nchoices, 3);
    assert_string_equal(f->m->fields[0].choices[2], "a b");
    assert_int_equal(f->m->fields[0].max_len, 3);
}

/*** Q111 evidence categories ***/

static void test_sema_q111_duplicate_category(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required [photo, photo] min_per_category 1 }",
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by owner requires evidence outcome delivered }"),
                        "Q111");
    const diag *g = expect_at(f, "Q111", L_EVID, col_nth(f, L_EVID, "photo", 2));
    assert_string_equal(g->msg, "duplicate evidence category `photo`");
}

static void test_sema_q111_required_and_optional(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required [photo] optional [photo] "
                                         "min_per_category 1 }",
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by owner requires evidence outcome delivered }"),
                        "Q111");
    const diag *g = expect_at(f, "Q111", L_EVID, col_nth(f, L_EVID, "photo", 2));
    assert_string_equal(g->msg, "evidence category `photo` is both required and optional");
}

static void test_sema_q111_distinct_categories(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EVID, "  evidence { required [before, after] optional [receipt] min_per_category 2 }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner requires evidence outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->nev_required, 2);
    assert_string_equal(f->m->ev_required[1], "after");
    assert_int_equal(f->m->nev_optional, 1);
    assert_int_equal(f->m->ev_min, 2);
}

/*** Q112 record duplicates ***/

static void test_sema_q112_duplicate_record_field(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_REC, "  record { job operator job }"), "Q112");
    const diag *g = expect_at(f, "Q112", L_REC, col_nth(f, L_REC, "job", 2));
    assert_string_equal(g->msg, "duplicate record field `job`");
    assert_int_equal(note(g, "first listed here")->loc.col, col_of(f, L_REC, "job"));
}

static void test_sema_q112_every_service_event_field(void **state)
{
    fixture *f = *state;
    CHECK(f, L_REC, "  record { job surface fingerprint request operator scope context "
                    "participants evidence phases outcome claimed_at started_at completed_at }");
    assert_clean(f);
    assert_int_equal(f->m->nrecord, 14);
}

/*** Q113 actors ***/

static void test_sema_q113_unknown_actor_suggests(void **state)
{
    fixture *f = *state;
    /* the dropped transition causes nothing else (no Q204/Q205/Q401) */
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by ownr outcome delivered }"),
                        "Q113");
    const diag *g = expect_at(f, "Q113", L_TRANS, col_of(f, L_TRANS, "ownr"));
    assert_string_equal(g->msg, "unknown actor `ownr` after `by`");
    note(g, "Did you mean `owner`?");
}

static void test_sema_q113_unknown_actor_lists_roles(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by nobody outcome delivered }"),
                        "Q113");
    note(find(f, "Q113"), "Use one of: admin, operator, owner.");
}

static void test_sema_q113_admin_is_an_actor(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "required", "pool", "independent"),
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by admin outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->trans[1].by, QTM_BY_ADMIN);
}

/*** Q114 conditions ***/

static void test_sema_q114_unknown_condition_suggests(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner requires evidense outcome delivered }"),
                        "Q114");
    const diag *g = expect_at(f, "Q114", L_TRANS, col_of(f, L_TRANS, "evidense"));
    assert_string_equal(g->msg, "unknown condition `evidense`");
    note(g, "Did you mean `evidence`?");
}

static void test_sema_q114_unknown_condition_lists_conditions(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on finish by owner requires weather outcome delivered }");
    note(find(f, "Q114"), "Use one of: evidence, payment, participants, reason.");
}

static void test_sema_q114_condition_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner "
                                          "requires participants, participants outcome delivered }"),
                        "Q114");
    const diag *g = expect_at(f, "Q114", L_TRANS, col_nth(f, L_TRANS, "participants", 2));
    assert_string_equal(g->msg, "condition `participants` listed twice");
}

static void test_sema_q114_known_conditions(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on finish by owner requires participants, evidence outcome delivered }");
    assert_clean(f);
    assert_int_equal(f->m->trans[1].requires, QTM_REQ_PARTICIPANTS | QTM_REQ_EVIDENCE);
}

/*** Q115 naming ***/

static void test_sema_q115_slug(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_HEAD, "surface Demo_x {"), "Q115");
    const diag *g = expect_at(f, "Q115", L_HEAD, 9);
    assert_string_equal(g->msg, "surface slug `Demo_x` must be lowercase words joined by hyphens");
}

static void test_sema_q115_phase_name(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial Claimed \"Claimed\" "
                                         "done \"Done\" final }",
                              L_TRANS, "  transitions { queued -> Claimed on claim by operator "
                                       "Claimed -> done on finish by owner outcome delivered }"),
                        "Q115");
    const diag *g = expect_at(f, "Q115", L_LIFE, col_of(f, L_LIFE, "Claimed"));
    assert_string_equal(g->msg, "phase `Claimed` must be lowercase snake_case");
    note(g, "Names start with a letter");
}

static void test_sema_q115_event_section_field_category(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on Finish by owner outcome delivered }",
          L_INTAKE, "  intake { Contact { phone-no: phone } }",
          L_EVID, "  evidence { optional [Photo] }");
    assert_int_equal(count(f, "Q115"), 4);
    assert_string_equal(expect_at(f, "Q115", L_INTAKE, 12)->msg,
                        "intake section `Contact` must be lowercase snake_case");
    assert_string_equal(find_nth(f, "Q115", 2)->msg,
                        "intake field `phone-no` must be lowercase snake_case");
    assert_string_equal(find_nth(f, "Q115", 3)->msg,
                        "evidence category `Photo` must be lowercase snake_case");
    assert_string_equal(find_nth(f, "Q115", 4)->msg,
                        "event `Finish` must be lowercase snake_case");
    assert_int_equal(find_nth(f, "Q115", 4)->loc.line, L_TRANS);
    /* the transition with the bad event is dropped: no reachability errors */
    assert_int_equal(count(f, "Q204") + count(f, "Q205"), 0);
}

static void test_sema_q115_good_names(void **state)
{
    fixture *f = *state;
    CHECK(f, L_HEAD, "surface demo-2-x9 {",
          L_LIFE, "  lifecycle { queued \"Queued\" initial in_progress2 \"Claimed\" done \"Done\" final }",
          L_TRANS, "  transitions { queued -> in_progress2 on claim by operator "
                   "in_progress2 -> done on finish_2 by owner outcome delivered }");
    assert_clean(f);
    assert_string_equal(f->m->slug, "demo-2-x9");
    assert_string_equal(f->m->cname, "demo_2_x9");
}

/*** Q116 twice ***/

static void test_sema_q116_field_required_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: text required required } }"),
                        "Q116");
    const diag *g = expect_at(f, "Q116", L_INTAKE, col_of(f, L_INTAKE, "a:"));
    assert_string_equal(g->msg, "field `a` is marked `required` twice");
}

static void test_sema_q116_field_max_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: text max 5 max 6 } }"), "Q116");
    /* reported at the second `max`, the one to delete */
    const diag *g = expect_at(f, "Q116", L_INTAKE, col_nth(f, L_INTAKE, "max", 2));
    assert_string_equal(g->msg, "field `a` has `max` twice");
}

static void test_sema_q116_phase_attributes_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial \"Q\" initial "
                                         "claimed \"Claimed\" hint \"a\" hint \"b\" "
                                         "done \"Done\" final final }"),
                        "Q116 Q116 Q116 Q116");
    assert_string_equal(find_nth(f, "Q116", 1)->msg, "phase `queued` has a label twice");
    assert_int_equal(find_nth(f, "Q116", 1)->loc.col, col_of(f, L_LIFE, "\"Q\""));
    assert_int_equal(note(find_nth(f, "Q116", 1), "first given here")->loc.col,
                     col_of(f, L_LIFE, "\"Queued\""));
    assert_string_equal(find_nth(f, "Q116", 2)->msg, "phase `queued` has `initial` twice");
    assert_string_equal(find_nth(f, "Q116", 3)->msg, "phase `claimed` has a hint twice");
    assert_string_equal(find_nth(f, "Q116", 4)->msg, "phase `done` has `final` twice");
}

static void test_sema_q116_label_and_hint_once_each(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued hint \"Wait\" \"Queued\" initial claimed \"Claimed\" "
                     "done final \"Done\" hint \"Over\" }");
    assert_clean(f);
    assert_string_equal(f->m->phases[0].label, "Queued");
    assert_string_equal(f->m->phases[0].hint, "Wait");
    assert_string_equal(f->m->phases[2].hint, "Over");
    assert_string_equal(f->m->phases[1].hint, "");
}

/*** Q117 max ***/

static void test_sema_q117_max_on_non_text(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { e: email max 5 } }"), "Q117");
    const diag *g = expect_at(f, "Q117", L_INTAKE, col_of(f, L_INTAKE, "max"));
    assert_string_equal(g->msg, "`max` applies only to text and integer fields, not email");
}

static void test_sema_q117_max_zero(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { a: text max 0 } }"), "Q117");
    assert_string_equal(find(f, "Q117")->msg, "`max` must be at least 1");
}

static void test_sema_q117_max_on_text(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { contact { a: text max 1 b: text max 1000000 } }");
    assert_clean(f);
    assert_int_equal(f->m->fields[0].max_len, 1);
    assert_int_equal(f->m->fields[1].max_len, 1000000);
}

/*** Q118 the same slug twice (driver) ***/

static void test_sema_q118_same_slug_in_two_files(void **state)
{
    fixture *f = *state;
    const char *text = spec(f, 0);
    source srcs[2] = {{"one.qsm", text, strlen(text)}, {"two.qsm", text, strlen(text)}};
    size_t n = 99;
    model **ms = driver_compile(srcs, 2, &f->a, &f->d, &n);
    assert_string_equal(qtmc_codes(&f->d), "Q118");
    const diag *g = find(f, "Q118");
    assert_ptr_equal(g->src, &srcs[1]);
    assert_int_equal(g->loc.line, 1);
    assert_int_equal(g->loc.col, 9);
    assert_string_equal(g->msg, "surface `demo` is already defined by one.qsm");
    assert_int_equal(n, 1);
    assert_ptr_equal(ms[0]->src, &srcs[0]);
    f->m = ms[0];
}

static void test_sema_q118_distinct_slugs(void **state)
{
    fixture *f = *state;
    const char *a = spec(f, 0);
    const char *b = spec(f, L_HEAD, "surface other {", 0);
    source srcs[2] = {{"a.qsm", a, strlen(a)}, {"b.qsm", b, strlen(b)}};
    size_t n = 0;
    model **ms = driver_compile(srcs, 2, &f->a, &f->d, &n);
    assert_int_equal(n, 2);
    f->m = ms[0];
    f->m2 = ms[1];
    assert_string_equal(qtmc_codes(&f->d), "");
    assert_string_equal(ms[0]->slug, "demo");
    assert_string_equal(ms[1]->slug, "other");
    /* different slugs, otherwise equal: different fingerprints */
    assert_string_not_equal(ms[0]->fingerprint, ms[1]->fingerprint);
}

/* --- integer bounds, the summary ----------------------------------------- */

static void test_sema_integer_min_max(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { contact { name: text required max 200 "
                       "guests: integer min 1 max 5000 } photos min 0 }");
    assert_clean(f);
    const m_field *g = &f->m->fields[1];
    assert_true(g->has_min && g->has_max);
    assert_int_equal(g->min, 1);
    assert_int_equal(g->max, 5000);
}

static void test_sema_q117_min_on_text(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { name: text required min 2 } "
                                           "photos min 0 }"),
                        "Q117");
    const diag *g = expect_at(f, "Q117", L_INTAKE, col_of(f, L_INTAKE, "min 2"));
    assert_string_equal(g->msg, "`min` applies only to integer fields, not text");
}

static void test_sema_q120_min_above_max(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { name: text required "
                                           "guests: integer min 50 max 5 } photos min 0 }"),
                        "Q120");
    const diag *g = expect_at(f, "Q120", L_INTAKE, col_of(f, L_INTAKE, "min 50"));
    assert_string_equal(g->msg, "field `guests` has `min 50` above its `max 5`: no value fits");
}

static void test_sema_q120_equal_bounds_fit(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { contact { name: text required "
                       "guests: integer min 5 max 5 } photos min 0 }");
    assert_clean(f);
}

/*** Q121 file types, Q122 file sizes (photos and evidence) ***/

#define PHOTOS_LINE(opts) "  intake { contact { name: text } photos min 1 " opts " }"
#define EVID_LINE(opts) "  evidence { required [] optional [] min_per_category 0 " opts " }"

static void test_sema_files_default_when_absent(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK_BASE(f), "");
    assert_int_equal(f->m->photo_types, QTM_FILE_PHOTO_TYPES);
    assert_int_equal(f->m->ev_types, QTM_FILE_PHOTO_TYPES);
    assert_true(f->m->photo_max == QTM_FILE_MAX_DEFAULT && f->m->ev_max == QTM_FILE_MAX_DEFAULT);
    assert_null(strstr(f->m->json, "photo_types"));
    assert_null(strstr(f->m->json, "max_bytes"));
}

static void test_sema_files_declared(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, PHOTOS_LINE("max 512 KiB types [png, jpeg]"),
          L_EVID, EVID_LINE("types [pdf] max 2 MiB"));
    assert_clean(f);
    assert_int_equal(f->m->photo_types, (1u << QTM_FILE_PNG) | (1u << QTM_FILE_JPEG));
    assert_true(f->m->photo_max == 512 * 1024);
    assert_int_equal(f->m->ev_types, 1u << QTM_FILE_PDF);
    assert_true(f->m->ev_max == 2 * 1024 * 1024);
    assert_non_null(strstr(f->m->json, "\"photo_types\": [\n      \"jpeg\",\n      \"png\""));
    assert_non_null(strstr(f->m->json, "\"photo_max_bytes\": 524288"));
    assert_non_null(strstr(f->m->json, "\"max_bytes\": 2097152"));
}

/* Declaring the defaults means what leaving them out means: same model,
 * same fingerprint (older specs keep theirs). */
static void test_sema_files_defaults_keep_the_fingerprint(void **state)
{
    fixture *f = *state;
    char fp[72];
    CHECK(f, L_INTAKE, PHOTOS_LINE(""));
    assert_clean(f);
    snprintf(fp, sizeof fp, "%s", f->m->fingerprint);
    model_release(f->m);
    f->m = NULL;
    CHECK(f, L_INTAKE, PHOTOS_LINE("types [heic, webp, png, jpeg] max 20 MiB"),
          L_EVID, EVID_LINE("types [jpeg, png, webp, heic] max 20480 KiB"));
    assert_clean(f);
    assert_string_equal(f->m->fingerprint, fp);
    model_release(f->m);
    f->m = NULL;
    CHECK(f, L_INTAKE, PHOTOS_LINE("types [jpeg, png, webp, heic] max 19 MiB"));
    assert_clean(f);
    assert_string_not_equal(f->m->fingerprint, fp);
}

static void test_sema_q121_unknown_file_type(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, PHOTOS_LINE("types [jpeg, jpg]")), "Q121");
    const diag *g = expect_at(f, "Q121", L_INTAKE, col_of(f, L_INTAKE, "jpg]"));
    assert_string_equal(g->msg, "unknown file type `jpg`");
    note(g, "Did you mean `jpeg`?");
    assert_null(f->m);
}

static void test_sema_q121_repeated_in_evidence(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, EVID_LINE("types [pdf, pdf]")), "Q121");
    const diag *g = expect_at(f, "Q121", L_EVID, col_nth(f, L_EVID, "pdf", 2));
    assert_string_equal(g->msg, "file type `pdf` is listed twice");
}

static void test_sema_q121_empty_list(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, EVID_LINE("types []")), "Q121");
    const diag *g = expect_at(f, "Q121", L_EVID, col_nth(f, L_EVID, "[]", 3));
    assert_string_equal(g->msg, "`types` lists no file type");
}

static void test_sema_q122_zero(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, PHOTOS_LINE("max 0 MiB")), "Q122");
    const diag *g = expect_at(f, "Q122", L_INTAKE, col_of(f, L_INTAKE, "0 MiB"));
    assert_string_equal(g->msg, "a file size limit of 0 accepts no file");
}

static void test_sema_q122_too_large(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, EVID_LINE("max 2 GiB")), "Q122");
    const diag *g = expect_at(f, "Q122", L_EVID, col_of(f, L_EVID, "2 GiB"));
    assert_contains(g->msg, "above the 1024 MiB one file may take");
}

static void test_sema_q122_unknown_unit(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, EVID_LINE("max 10 MB")), "Q122");
    const diag *g = expect_at(f, "Q122", L_EVID, col_of(f, L_EVID, "MB"));
    assert_string_equal(g->msg, "unknown size unit `MB`");
    note(g, "Use KiB, MiB or GiB: max 20 MiB.");
}

static void test_sema_q122_the_limit_itself_fits(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, PHOTOS_LINE("max 1 GiB"), L_EVID, EVID_LINE("max 1024 MiB"));
    assert_clean(f);
    assert_true(f->m->photo_max == QTM_FILE_MAX_LIMIT && f->m->ev_max == QTM_FILE_MAX_LIMIT);
}

static void test_sema_files_max_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, PHOTOS_LINE("max 1 MiB max 2 MiB")), "Q103");
    expect_at(f, "Q103", L_INTAKE, col_nth(f, L_INTAKE, "max", 2));
}

static void test_sema_files_types_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, EVID_LINE("types [pdf] types [png]")), "Q103");
    expect_at(f, "Q103", L_EVID, col_nth(f, L_EVID, "types", 2));
}

static void test_sema_files_types_not_a_list(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, EVID_LINE("types 3")), "Q105");
    expect_at(f, "Q105", L_EVID, col_of(f, L_EVID, "3 }"));
}

static void test_sema_summary(void **state)
{
    fixture *f = *state;
    CHECK(f, L_INTAKE, "  intake { contact { name: text required method: one_of(email, call) } "
                       "photos min 0 summary { contact.name \" by \" contact.method } }");
    assert_clean(f);
    assert_int_equal(f->m->nsummary, 3);
    assert_int_equal(f->m->summary[0].field, 0);
    assert_int_equal(f->m->summary[1].field, -1);
    assert_string_equal(f->m->summary[1].text, " by ");
    assert_int_equal(f->m->summary[2].field, 1);
}

static void test_sema_q119_unknown_summary_field(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { name: text required } "
                                           "photos min 0 summary { contact.nmae } }"),
                        "Q119");
    const diag *g = expect_at(f, "Q119", L_INTAKE, col_of(f, L_INTAKE, "contact.nmae"));
    assert_int_equal(g->loc.len, strlen("contact.nmae"));
    assert_string_equal(g->msg, "unknown intake field `contact.nmae` in the summary");
    note(g, "Did you mean `contact.name`?");
}

static void test_sema_q119_summary_of_text_only(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { name: text required } "
                                           "photos min 0 summary { \"work\" } }"),
                        "Q119");
    expect_at(f, "Q119", L_INTAKE, col_of(f, L_INTAKE, "summary"));
}

static void test_sema_summary_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_INTAKE, "  intake { contact { name: text required } "
                                           "summary { contact.name } summary { contact.name } }"),
                        "Q103");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_base_spec_is_clean),
        T(test_sema_q101_duplicate_phase),
        T(test_sema_q101_phase_may_share_an_event_name),
        T(test_sema_q102_undefined_target),
        T(test_sema_q102_undefined_source_no_suggestion),
        T(test_sema_q102_phases_may_be_declared_after_transitions),
        T(test_sema_q102_without_lifecycle_only_q106),
        T(test_sema_q103_duplicate_setting),
        T(test_sema_q103_duplicate_block),
        T(test_sema_q103_duplicate_execution_key),
        T(test_sema_q103_duplicate_evidence_key_and_photos),
        T(test_sema_q103_same_name_in_different_places),
        T(test_sema_q104_unknown_setting_suggests),
        T(test_sema_q104_unknown_execution_key),
        T(test_sema_q104_misspelt_then_real_key),
        T(test_sema_q104_clipped_key_suggests_full_name),
        T(test_sema_q104_far_key_is_also_missing),
        T(test_sema_q104_unknown_evidence_key),
        T(test_sema_q104_evidence_keys_are_optional),
        T(test_sema_q105_name_must_be_string),
        T(test_sema_q105_name_must_not_be_empty),
        T(test_sema_q105_unknown_status_lists_choices),
        T(test_sema_q105_unknown_execution_value),
        T(test_sema_q105_evidence_value_kinds),
        T(test_sema_q105_every_listed_value_accepted),
        T(test_sema_q106_missing_settings),
        T(test_sema_q106_missing_blocks),
        T(test_sema_q106_missing_transitions_block),
        T(test_sema_q106_missing_execution_key),
        T(test_sema_q106_bad_value_is_not_also_missing),
        T(test_sema_q106_intake_and_evidence_are_optional),
        T(test_sema_q107_unknown_spec),
        T(test_sema_q107_settings_in_any_order),
        T(test_sema_q108_duplicate_section),
        T(test_sema_q108_duplicate_field),
        T(test_sema_q108_same_field_in_two_sections),
        T(test_sema_q109_unknown_type_suggests),
        T(test_sema_q109_unknown_type_lists_types),
        T(test_sema_q109_every_type_accepted),
        T(test_sema_q110_empty_choice),
        T(test_sema_q110_duplicate_choice),
        T(test_sema_q110_choices_are_case_sensitive),
        T(test_sema_q111_duplicate_category),
        T(test_sema_q111_required_and_optional),
        T(test_sema_q111_distinct_categories),
        T(test_sema_q112_duplicate_record_field),
        T(test_sema_q112_every_service_event_field),
        T(test_sema_q113_unknown_actor_suggests),
        T(test_sema_q113_unknown_actor_lists_roles),
        T(test_sema_q113_admin_is_an_actor),
        T(test_sema_q114_unknown_condition_suggests),
        T(test_sema_q114_unknown_condition_lists_conditions),
        T(test_sema_q114_condition_twice),
        T(test_sema_q114_known_conditions),
        T(test_sema_q115_slug),
        T(test_sema_q115_phase_name),
        T(test_sema_q115_event_section_field_category),
        T(test_sema_q115_good_names),
        T(test_sema_q116_field_required_twice),
        T(test_sema_q116_field_max_twice),
        T(test_sema_q116_phase_attributes_twice),
        T(test_sema_q116_label_and_hint_once_each),
        T(test_sema_q117_max_on_non_text),
        T(test_sema_integer_min_max),
        T(test_sema_q117_min_on_text),
        T(test_sema_q120_min_above_max),
        T(test_sema_q120_equal_bounds_fit),
        T(test_sema_files_default_when_absent),
        T(test_sema_files_declared),
        T(test_sema_files_defaults_keep_the_fingerprint),
        T(test_sema_q121_unknown_file_type),
        T(test_sema_q121_repeated_in_evidence),
        T(test_sema_q121_empty_list),
        T(test_sema_q122_zero),
        T(test_sema_q122_too_large),
        T(test_sema_q122_unknown_unit),
        T(test_sema_q122_the_limit_itself_fits),
        T(test_sema_files_max_twice),
        T(test_sema_files_types_twice),
        T(test_sema_files_types_not_a_list),
        T(test_sema_summary),
        T(test_sema_q119_unknown_summary_field),
        T(test_sema_q119_summary_of_text_only),
        T(test_sema_summary_twice),
        T(test_sema_q117_max_zero),
        T(test_sema_q117_max_on_text),
        T(test_sema_q118_same_slug_in_two_files),
        T(test_sema_q118_distinct_slugs),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
