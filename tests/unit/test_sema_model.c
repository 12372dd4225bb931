/*
 * test_sema_model.c - all layers together and what they build: independent
 * errors in one run, the error cap, printed diagnostics, and the model of
 * event-coordination (phases, tables, contract, fingerprint, JSON).
 * Shared helpers: sema_fixture.h.
 */
#include <jansson.h>

#include "sema_fixture.h"

/*** several errors, the cap, printing ***/

static void test_sema_independent_errors_all_reported(void **state)
{
    fixture *f = *state;
    CHECK(f, L_SET, "  name \"Demo\" spec \"v9\" status active",
          L_INTAKE, "  intake { contact { a: txt } }",
          L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done \"Done\" final "
                  "done \"Again\" }",
          L_REC, "  record { job job }");
    static const char *const want[] = {"Q107", "Q109", "Q101", "Q112"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(count(f, want[i]), 1);
    assert_int_equal(f->d.list.n, 4);
    assert_int_equal(diag_error_count(&f->d), 4);
    assert_null(f->m);
}

static void test_sema_errors_in_every_layer(void **state)
{
    fixture *f = *state;
    /* names (Q112), graph (Q204), determinism (Q301), governance (Q410) */
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" lost \"Lost\" "
                     "done \"Done\" final }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner outcome delivered claimed -> queued on finish by owner }",
          L_REC, "  record { job job payment }");
    assert_string_equal(qtmc_codes(&f->d), "Q112 Q204 Q301 Q410");
}

static void test_sema_error_cap_counts_dropped(void **state)
{
    fixture *f = *state;
    f->d.max_errors = 2;
    CHECK(f, L_REC, "  record { a1 b1 c1 d1 e1 }");
    assert_int_equal(f->d.errors, 5);
    assert_int_equal(f->d.dropped, 3);
    assert_int_equal(f->d.list.n, 2);
    assert_null(f->m);
    char *out = qtmc_diag_printed(&f->d);
    assert_contains(out, "test.qsm:8:12: error: record field `a1` is not a ServiceEvent field [Q410]");
    assert_contains(out, "qtmc: 3 more errors not shown (limit 2)\n");
    assert_null(strstr(out, "`c1`"));
    free(out);
}

static void test_sema_error_cap_drops_notes_of_dropped_errors(void **state)
{
    fixture *f = *state;
    f->d.max_errors = 1;
    /* each Q410 has a "Did you mean" note: the kept one keeps only its own */
    CHECK(f, L_REC, "  record { outcom operatr }");
    assert_int_equal(f->d.list.n, 1);
    const diag *g = find(f, "Q410");
    note(g, "Did you mean `outcome`?");
    assert_false(has_note(g, "operator"));
    assert_int_equal(f->d.dropped, 1);
}

static void test_sema_diag_print_text_format(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done \"Done\" final "
                     "claimed }");
    char *out = qtmc_diag_printed(&f->d);
    char *want = arena_printf(&f->a,
        "test.qsm:5:%u: error: duplicate phase `claimed` [Q101]\n %s\n",
        col_nth(f, L_LIFE, "claimed", 2), f->lines[L_LIFE]);
    assert_contains(out, want);
    assert_contains(out, "^~~~~~~\n");
    assert_contains(out, "note: first declared here\n");
    free(out);
}

static void test_sema_diag_print_warning_flags(void **state)
{
    fixture *f = *state;
    CHECK(f, L_LIFE, missing_label_life);
    char *out = qtmc_diag_printed(&f->d);
    assert_contains(out, ": warning: phase `done` has no label [Q501] [-Wmissing-label]\n");
    free(out);
    /* promoted by -Werror=missing-label, it says so */
    diag_ctx d2;
    diag_init(&d2, &f->a);
    assert_int_equal(diag_set_option(&d2, "error=missing-label"), 0);
    f->d = d2;
    model_release(f->m);
    f->m = NULL;
    CHECK(f, L_LIFE, missing_label_life);
    out = qtmc_diag_printed(&f->d);
    assert_contains(out, ": error: phase `done` has no label [Q501] [-Werror=missing-label]\n");
    free(out);
}

static void test_sema_diag_print_json(void **state)
{
    fixture *f = *state;
    f->d.json = 1;
    CHECK(f, L_LIFE, missing_label_life, L_REC, "  record { job job }");
    char *out = qtmc_diag_printed(&f->d);
    json_error_t err;
    json_t *arr = json_loads(out, 0, &err);
    free(out);
    assert_non_null(arr);
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), 2);
    /* sorted by position: the lifecycle (line 5) before the record (line 8) */
    json_t *w = json_array_get(arr, 0), *e = json_array_get(arr, 1);
    assert_string_equal(json_string_value(json_object_get(w, "code")), "Q501");
    assert_string_equal(json_string_value(json_object_get(w, "severity")), "warning");
    assert_string_equal(json_string_value(json_object_get(w, "warning")), "missing-label");
    assert_int_equal(json_integer_value(json_object_get(w, "line")), 5);
    assert_string_equal(json_string_value(json_object_get(e, "code")), "Q112");
    assert_true(json_is_null(json_object_get(e, "warning")));
    assert_int_equal(json_array_size(json_object_get(e, "notes")), 1);
    json_decref(arr);
}

/*** the event-coordination model ***/

static model *compile_ec(fixture *f, const char *text)
{
    f->src.path = QTMC_EC_PATH;
    f->src.text = text;
    f->src.size = strlen(text);
    ast_surface *ast = parse_source(&f->src, &f->a, &f->d);
    if (!ast)
        fail_msg("event-coordination does not parse: %s", listing(f));
    model *m = sema_check(ast, &f->a, &f->d);
    if (!m)
        fail_msg("event-coordination does not check: %s", listing(f));
    return m;
}

/* qtmc_ec_src with the first occurrence of `from` replaced by `to`. */
static const char *ec_edit(fixture *f, const char *from, const char *to)
{
    const char *p = strstr(qtmc_ec_src.text, from);
    assert_non_null(p);
    return arena_printf(&f->a, "%.*s%s%s", (int)(p - qtmc_ec_src.text), qtmc_ec_src.text, to,
                        p + strlen(from));
}

static void test_sema_ec_phases(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    assert_int_equal(f->d.list.n, 0);
    assert_int_equal(m->nphases, 5);
    assert_int_equal(m->initial, 0);
    static const char *const names[] = {"queued", "claimed", "arrived", "in_progress",
                                        "complete"};
    static const char *const labels[] = {"Queued", "Confirmed", "On Site", "Active",
                                         "Complete"};
    for (uint32_t p = 0; p < 5; p++) {
        assert_string_equal(m->phases[p].name, names[p]);
        assert_string_equal(m->phases[p].label, labels[p]);
        assert_true(m->phases[p].hint[0] != '\0');
        assert_int_equal(m->phases[p].initial, p == 0);
        assert_int_equal(m->phases[p].final, p == 4);
    }
}

static void test_sema_ec_contract(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    assert_string_equal(m->slug, "event-coordination");
    assert_string_equal(m->cname, "event_coordination");
    assert_string_equal(m->name, "Event Coordination");
    assert_string_equal(m->spec, QTM_SPEC_V0_01);
    assert_int_equal(m->status, QTM_STATUS_ACTIVE);
    assert_int_equal(m->claim, QTM_CLAIM_REQUIRED);
    assert_int_equal(m->ownership, QTM_OWNERSHIP_ASSIGNED);
    assert_int_equal(m->exec_record, QTM_RECORD_SERVICE_EVENT);
    assert_int_equal(m->payment_timing, QTM_PAY_INDEPENDENT);
    assert_int_equal(m->completed_jobs, QTM_COMPLETED_VISIBLE);
}

static void test_sema_ec_events_and_transitions(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    static const char *const events[] = {"claim", "arrive", "start", "complete", "close"};
    assert_int_equal(m->nevents, 5);
    for (uint32_t e = 0; e < 5; e++)
        assert_string_equal(m->events[e], events[e]);
    assert_int_equal(m->ntrans, 7);
    /* the path: queued -> claimed -> arrived -> in_progress -> complete */
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(m->trans[i].from, i);
        assert_int_equal(m->trans[i].to, i + 1);
        assert_int_equal(m->trans[i].event, i);
        assert_int_equal(m->trans[i].claim, i == 0);
        assert_int_equal(m->trans[i].by, i == 0 ? QTM_BY_OPERATOR : QTM_BY_OWNER);
        assert_int_equal(m->trans[i].requires, i == 3 ? QTM_REQ_EVIDENCE : 0);
        assert_string_equal(m->trans[i].outcome, i == 3 ? "delivered" : "");
    }
    /* close: from claimed, arrived and in_progress, by the owner, with a reason */
    for (uint32_t i = 4; i < 7; i++) {
        assert_int_equal(m->trans[i].from, i - 3);
        assert_int_equal(m->trans[i].to, 4);
        assert_int_equal(m->trans[i].event, 4);
        assert_int_equal(m->trans[i].by, QTM_BY_OWNER);
        assert_int_equal(m->trans[i].requires, QTM_REQ_REASON);
        assert_string_equal(m->trans[i].outcome, "closed");
    }
}

static void test_sema_ec_next_table(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    assert_non_null(m->next);
    /* phase p takes event p to transition p, and close (event 4) from the
     * three executing phases */
    for (uint32_t p = 0; p < 5; p++)
        for (uint32_t e = 0; e < 5; e++) {
            int32_t want = p == e && e < 4 ? (int32_t)p : -1;
            if (e == 4 && p >= 1 && p <= 3)
                want = (int32_t)(p + 3);
            assert_int_equal(m->next[p * 5 + e], want);
        }
}

static void test_sema_ec_intake_evidence_record(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    assert_int_equal(m->nev_required, 0);
    assert_int_equal(m->nev_optional, 0);
    assert_int_equal(m->ev_min, 0);
    assert_int_equal(m->photo_min, 0);
    assert_int_equal(m->nsections, 4);
    assert_int_equal(m->nfields, 14);
    assert_string_equal(m->fields[1].name, "method");
    assert_int_equal(m->fields[1].type, QTM_FIELD_CHOICE);
    assert_int_equal(m->fields[1].nchoices, 3);
    assert_int_equal(m->fields[1].max_len, 5);          /* "email" */
    assert_int_equal(m->fields[2].max_len, 254);        /* email */
    assert_int_equal(m->fields[4].max_len, strlen("Wedding / Ceremony"));
    assert_string_equal(m->fields[13].section, "notes");
    assert_int_equal(m->fields[13].max_len, 2000);
    assert_int_equal(m->nrecord, 9);
    assert_string_equal(m->record[7], "completed_at");
    assert_string_equal(m->record[8], "notes");
}

static void test_sema_ec_fingerprint_format(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    assert_memory_equal(m->fingerprint, "sha256:", 7);
    assert_int_equal(strlen(m->fingerprint), 7 + 64);
    for (const char *p = m->fingerprint + 7; *p; p++)
        assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    assert_non_null(m->json);
    assert_contains(m->json, m->fingerprint);
}

static void test_sema_ec_fingerprint_stable(void **state)
{
    fixture *f = *state;
    f->m = compile_ec(f, qtmc_ec_src.text);
    /* a second compilation in a separate arena */
    arena a2;
    diag_ctx d2;
    arena_init(&a2);
    diag_init(&d2, &a2);
    ast_surface *ast = parse_source(&qtmc_ec_src, &a2, &d2);
    assert_non_null(ast);
    model *m2 = sema_check(ast, &a2, &d2);
    assert_non_null(m2);
    assert_string_equal(f->m->fingerprint, m2->fingerprint);
    assert_string_equal(f->m->json, m2->json);
    model_release(m2);
    arena_free(&a2);
}

static void test_sema_ec_fingerprint_ignores_layout(void **state)
{
    fixture *f = *state;
    f->m = compile_ec(f, qtmc_ec_src.text);
    char fp[sizeof f->m->fingerprint];
    memcpy(fp, f->m->fingerprint, sizeof fp);
    /* comments, blank lines, indentation and setting order do not count */
    const char *t = arena_printf(&f->a, "# a new comment\n\n\n%s\n# trailing\n", qtmc_ec_src.text);
    f->m2 = compile_ec(f, t);
    assert_string_equal(f->m2->fingerprint, fp);
    model_release(f->m2);
    t = ec_edit(f, "    name   \"Event Coordination\"\n    spec   \"surface-runtime-spec-v0.01\"",
                "  spec \"surface-runtime-spec-v0.01\"   # moved\n\tname \"Event Coordination\"");
    f->m2 = compile_ec(f, t);
    assert_string_equal(f->m2->fingerprint, fp);
}

static void test_sema_ec_fingerprint_follows_meaning(void **state)
{
    fixture *f = *state;
    f->m = compile_ec(f, qtmc_ec_src.text);
    char fp[sizeof f->m->fingerprint];
    memcpy(fp, f->m->fingerprint, sizeof fp);
    static const char *const edits[][2] = {
        {"\"Queued\"", "\"Waiting\""},                 /* a label */
        {"hint \"You own", "hint \"You now own"},      /* a hint */
        {"max 300", "max 301"},                        /* a limit */
        {"photos min 0", "photos min 1"},              /* intake photos */
        {"status active", "status planned"},           /* identity */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        f->m2 = compile_ec(f, ec_edit(f, edits[i][0], edits[i][1]));
        if (strcmp(f->m2->fingerprint, fp) == 0)
            fail_msg("fingerprint unchanged by %s -> %s", edits[i][0], edits[i][1]);
        model_release(f->m2);
        f->m2 = NULL;
    }
}

static void test_sema_ec_model_json(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    json_error_t err;
    json_t *o = json_loads(m->json, 0, &err);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "slug")), "event-coordination");
    assert_string_equal(json_string_value(json_object_get(o, "fingerprint")), m->fingerprint);
    assert_int_equal(json_array_size(json_object_get(o, "phases")), 5);
    assert_int_equal(json_array_size(json_object_get(o, "transitions")), 7);
    json_t *ex = json_object_get(o, "execution");
    assert_string_equal(json_string_value(json_object_get(ex, "claim")), "required");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_independent_errors_all_reported),
        T(test_sema_errors_in_every_layer),
        T(test_sema_error_cap_counts_dropped),
        T(test_sema_error_cap_drops_notes_of_dropped_errors),
        T(test_sema_diag_print_text_format),
        T(test_sema_diag_print_warning_flags),
        T(test_sema_diag_print_json),
        T(test_sema_ec_phases),
        T(test_sema_ec_contract),
        T(test_sema_ec_events_and_transitions),
        T(test_sema_ec_next_table),
        T(test_sema_ec_intake_evidence_record),
        T(test_sema_ec_fingerprint_format),
        T(test_sema_ec_fingerprint_stable),
        T(test_sema_ec_fingerprint_ignores_layout),
        T(test_sema_ec_fingerprint_follows_meaning),
        T(test_sema_ec_model_json),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
