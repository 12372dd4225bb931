/*
 * test_sema_migrate.c - versions and migration (compiler/sema_migrate.c,
 * driver.c): `migrate from` blocks Q601-Q607, retained older specs, Q118
 * between versions, the driver skipping sources that do not parse, and
 * the checks a retained spec predates (Q208, Q414: sema.h).
 * Shared helpers: sema_fixture.h.
 */
#include "sema_fixture.h"

/*** Q601-Q607 migrate from (sema_migrate.c, driver.c) ***/

#define FP_X "sha256:1111111111111111111111111111111111111111111111111111111111111111"

/* The record line with a migrate block after it. */
static const char *rec_with(fixture *f, const char *migrate)
{
    return arena_printf(&f->a, "%s %s", base_lines[L_REC], migrate);
}

static void test_sema_migrate_alone_is_clean(void **state)
{
    fixture *f = *state;
    model *m = compile(f, spec(f, L_REC, rec_with(f, "migrate from \"" FP_X "\" "
                                                   "{ arrived -> claimed  gone -> done }"), 0));
    assert_non_null(m);
    assert_string_equal(qtmc_codes(&f->d), "");
    assert_int_equal(m->nmigrations, 1);
    assert_string_equal(m->migrations[0].from, FP_X);
    assert_int_equal(m->migrations[0].nmaps, 2);
    assert_string_equal(m->migrations[0].maps[0].from, "arrived");
    assert_int_equal(m->migrations[0].maps[0].to, 1);
    assert_int_equal(m->migrations[0].maps[1].to, 2);
    /* alone, old names cannot be checked: nothing else is said */
}

static void test_sema_migrate_keeps_the_fingerprint(void **state)
{
    fixture *f = *state;
    char fp[72];
    model *m = compile(f, spec(f, 0));
    snprintf(fp, sizeof fp, "%s", m->fingerprint);
    model_release(m);
    f->m = NULL;
    m = compile(f, spec(f, L_REC, rec_with(f, "migrate from \"" FP_X "\" { a -> done }"), 0));
    assert_string_equal(m->fingerprint, fp);
    assert_contains(m->json, "\"migrations\": [");
}

static void test_sema_q601_malformed_fingerprint(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {"sha256:abc", "md5:1111", "",
        "sha256:111111111111111111111111111111111111111111111111111111111111111G",
        "SHA256:1111111111111111111111111111111111111111111111111111111111111111"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        diag_init(&f->d, &f->a);
        const char *mig = arena_printf(&f->a, "migrate from \"%s\" { claimed -> done }", bad[i]);
        assert_null(compile(f, spec(f, L_REC, rec_with(f, mig), 0)));
        assert_string_equal(qtmc_codes(&f->d), "Q601");
        const diag *g = find(f, "Q601");
        assert_int_equal(g->loc.line, L_REC);
        assert_int_equal(g->loc.col, col_of(f, L_REC, "\"") );
        assert_contains(g->msg, "malformed fingerprint");
    }
}

static void test_sema_q602_two_blocks_one_fingerprint(void **state)
{
    fixture *f = *state;
    assert_null(compile(f, spec(f, L_REC, rec_with(f, "migrate from \"" FP_X "\" { a -> done } "
                                                   "migrate from \"" FP_X "\" { b -> done }"),
                                0)));
    assert_string_equal(qtmc_codes(&f->d), "Q602");
    assert_int_equal(find(f, "Q602")->loc.col, col_nth(f, L_REC, "\"sha256", 2));
}

static void test_sema_q603_undefined_target(void **state)
{
    fixture *f = *state;
    assert_null(compile(f, spec(f, L_REC, rec_with(f, "migrate from \"" FP_X "\" "
                                                   "{ arrived -> claimd }"), 0)));
    assert_string_equal(qtmc_codes(&f->d), "Q603");
    const diag *g = find(f, "Q603");
    assert_int_equal(g->loc.col, col_of(f, L_REC, "claimd"));
    assert_string_equal(g->msg, "undefined phase `claimd` as the target of a migration");
    char *printed = qtmc_diag_printed(&f->d);
    assert_contains(printed, "Did you mean `claimed`?");
    free(printed);
}

static void test_sema_q604_mapped_twice(void **state)
{
    fixture *f = *state;
    assert_null(compile(f, spec(f, L_REC, rec_with(f, "migrate from \"" FP_X "\" "
                                                   "{ arrived -> claimed  arrived -> done }"),
                                0)));
    assert_string_equal(qtmc_codes(&f->d), "Q604");
    assert_int_equal(find(f, "Q604")->loc.col, col_nth(f, L_REC, "arrived", 2));
}

/* Compiles the base spec (version 1) and `new_text` (version 2) together,
 * in that order unless new_first; returns the models' count. */
static size_t with_v1(fixture *f, const char *new_text, int new_first, model ***out)
{
    const char *saved[NLINES];
    memcpy(saved, f->lines, sizeof saved);
    const char *old = spec(f, 0);
    memcpy(f->lines, saved, sizeof saved);  /* columns are looked up in version 2 */
    source *srcs = arena_alloc(&f->a, 2 * sizeof *srcs);
    srcs[new_first ? 1 : 0] = (source){"v1.qsm", old, strlen(old)};
    srcs[new_first ? 0 : 1] = (source){"v2.qsm", new_text, strlen(new_text)};
    size_t n = 0;
    *out = driver_compile(srcs, 2, &f->a, &f->d, &n);
    return n;
}

/* Version 2: `claimed` renamed `confirmed`, with `maps` from version 1. */
static const char *v2(fixture *f, const char *maps)
{
    /* the fingerprint of version 1 (the base spec) */
    diag_ctx d;
    diag_init(&d, &f->a);
    const char *old = spec(f, 0);
    source s = {"v1.qsm", old, strlen(old)};
    size_t n = 0;
    model **ms = driver_compile(&s, 1, &f->a, &d, &n);
    assert_int_equal(n, 1);
    char *fp = arena_strdup(&f->a, ms[0]->fingerprint);
    model_release(ms[0]);
    return spec(f, L_LIFE,
                "  lifecycle { queued \"Queued\" initial confirmed \"Claimed\" done \"Done\" final }",
                L_TRANS,
                "  transitions { queued -> confirmed on claim by operator "
                "confirmed -> done on finish by owner outcome delivered }",
                L_REC, rec_with(f, arena_printf(&f->a, "migrate from \"%s\" { %s }", fp, maps)),
                0);
}

static void test_sema_migrate_history_is_retained(void **state)
{
    fixture *f = *state;
    for (int order = 0; order < 2; order++) {
        diag_init(&f->d, &f->a);
        model **ms;
        assert_int_equal(with_v1(f, v2(f, "claimed -> confirmed"), order, &ms), 2);
        assert_string_equal(qtmc_codes(&f->d), "");
        model *old = ms[order ? 1 : 0], *cur = ms[order ? 0 : 1];
        assert_int_equal(old->retained, 1);
        assert_int_equal(cur->retained, 0);
        assert_string_equal(cur->cname, "demo");
        char *want = arena_printf(&f->a, "demo__v%.12s", old->fingerprint + 7);
        assert_string_equal(old->cname, want);
        assert_string_equal(old->current_cname, "demo");
        model_release(ms[0]);
        model_release(ms[1]);
    }
}

static void test_sema_q605_old_phase_not_in_old_spec(void **state)
{
    fixture *f = *state;
    model **ms;
    size_t n = with_v1(f, v2(f, "claimd -> confirmed  claimed -> confirmed"), 0, &ms);
    assert_string_equal(qtmc_codes(&f->d), "Q605");
    const diag *g = find(f, "Q605");
    assert_string_equal(g->src->path, "v2.qsm");
    assert_int_equal(g->loc.col, col_of(f, L_REC, "claimd"));
    assert_string_equal(g->msg, "the older spec of `demo` (v1.qsm) has no phase `claimd`");
    for (size_t i = 0; i < n; i++)
        model_release(ms[i]);
}

static void test_sema_q606_unmapped_phase(void **state)
{
    fixture *f = *state;
    model **ms;
    size_t n = with_v1(f, v2(f, ""), 0, &ms);
    assert_string_equal(qtmc_codes(&f->d), "Q606");
    assert_string_equal(find(f, "Q606")->msg,
                        "phase `claimed` of the older spec can hold jobs in flight but is not "
                        "mapped");
    for (size_t i = 0; i < n; i++)
        model_release(ms[i]);
}

static void test_sema_q606_final_phase_may_stay_unmapped(void **state)
{
    fixture *f = *state;
    model **ms;
    /* version 2 also renames the final phase: jobs there stay on version 1 */
    const char *text = v2(f, "claimed -> confirmed");
    char *t2 = arena_strdup(&f->a, text);
    for (char *p = strstr(t2, "done"); p; p = strstr(p + 1, "done"))
        memcpy(p, "fini", 4);
    size_t n = with_v1(f, t2, 0, &ms);
    assert_string_equal(qtmc_codes(&f->d), "");
    assert_int_equal(n, 2);
    for (size_t i = 0; i < n; i++)
        model_release(ms[i]);
}

static void test_sema_q607_mapping_to_the_wrong_kind_of_phase(void **state)
{
    fixture *f = *state;
    static const char *const maps[] = {"claimed -> done", "claimed -> queued",
                                       "claimed -> confirmed  queued -> confirmed"};
    for (size_t i = 0; i < 3; i++) {
        diag_init(&f->d, &f->a);
        model **ms;
        size_t n = with_v1(f, v2(f, maps[i]), 0, &ms);
        assert_string_equal(qtmc_codes(&f->d), "Q607");
        assert_contains(find(f, "Q607")->msg, "cannot migrate to");
        for (size_t k = 0; k < n; k++)
            model_release(ms[k]);
    }
}

static void test_sema_q118_two_versions_without_migrate(void **state)
{
    fixture *f = *state;
    model **ms;
    const char *text = v2(f, "claimed -> confirmed");
    char *plain = arena_strdup(&f->a, text);
    *strstr(plain, " migrate from") = '\0';
    plain = arena_printf(&f->a, "%s\n}\n", plain);
    size_t n = with_v1(f, plain, 0, &ms);
    assert_string_equal(qtmc_codes(&f->d), "Q118");
    assert_int_equal(n, 1);
    model_release(ms[0]);
}

static void test_sema_driver_skips_bad_sources(void **state)
{
    fixture *f = *state;
    const char *good = spec(f, 0);
    const char *bad = "surface broken {";
    source srcs[3] = {{"bad.qsm", bad, strlen(bad)}, {"good.qsm", good, strlen(good)},
                      {"bad2.qsm", bad, strlen(bad)}};
    size_t n = 0;
    model **ms = driver_compile(srcs, 3, &f->a, &f->d, &n);
    assert_int_equal(n, 1);
    f->m = ms[0];
    assert_ptr_equal(ms[0]->src, &srcs[1]);
    assert_string_equal(qtmc_codes(&f->d), "Q004 Q004");
    assert_int_equal(diag_error_count(&f->d), 2);
}

/*** retained specs: Q208 and Q414 relaxed (sema.c, driver.c) ***/

/* A spec from before outcomes and Q414: no outcome into `done`, and an
 * admin cancel out of the initial phase (landscaping's version 1). */
#define OLD_TRANS "  transitions { queued -> claimed on claim by operator " \
                  "claimed -> done on finish by owner queued -> done on cancel by admin }"

/* The fingerprint of text checked as retained (it checks clean so). */
static char *retained_fp(fixture *f, const char *text)
{
    diag_ctx d;
    diag_init(&d, &f->a);
    source s = {"old.qsm", text, strlen(text)};
    size_t n = 0;
    model **ms = driver_compile_flags(&s, 1, &f->a, &d, &n, DRIVER_ALL_RETAINED);
    assert_int_equal(n, 1);
    assert_int_equal(diag_error_count(&d), 0);
    char *fp = arena_strdup(&f->a, ms[0]->fingerprint);
    model_release(ms[0]);
    return fp;
}

static void test_sema_retained_alone_gets_every_check(void **state)
{
    fixture *f = *state;
    const char *old = spec(f, L_TRANS, OLD_TRANS, 0);
    assert_null(compile(f, old));
    assert_string_equal(qtmc_codes(&f->d), "Q208 Q208 Q414");
    expect_at(f, "Q414", L_TRANS, col_nth(f, L_TRANS, "admin", 1));
}

static void test_sema_retained_skips_exactly_q208_and_q414(void **state)
{
    fixture *f = *state;
    /* an outcome into a phase that is not final is still Q209 when retained */
    const char *old = spec(f, L_TRANS,
                           "  transitions { queued -> claimed on claim by operator outcome x "
                           "claimed -> done on finish by owner queued -> done on cancel by admin }",
                           0);
    source s = {"old.qsm", old, strlen(old)};
    ast_surface *ast = parse_source(&s, &f->a, &f->d);
    assert_non_null(ast);
    assert_null(sema_check_flags(ast, &f->a, &f->d, SEMA_RETAINED));
    assert_string_equal(qtmc_codes(&f->d), "Q209");
    diag_init(&f->d, &f->a);
    assert_null(sema_check(ast, &f->a, &f->d));
    assert_string_equal(qtmc_codes(&f->d), "Q209 Q208 Q208 Q414");
}

static void test_sema_retained_when_named(void **state)
{
    fixture *f = *state;
    const char *old = spec(f, L_TRANS, OLD_TRANS, 0);
    char *fp = retained_fp(f, old);
    const char *cur = spec(f, L_REC, rec_with(f, arena_printf(&f->a, "migrate from \"%s\" {}", fp)),
                           0);
    for (int order = 0; order < 2; order++) {
        diag_init(&f->d, &f->a);
        source srcs[2] = {{"old.qsm", old, strlen(old)}, {"cur.qsm", cur, strlen(cur)}};
        if (order) {
            source t = srcs[0];
            srcs[0] = srcs[1];
            srcs[1] = t;
        }
        size_t n = 0;
        model **ms = driver_compile(srcs, 2, &f->a, &f->d, &n);
        assert_int_equal(n, 2);
        assert_string_equal(qtmc_codes(&f->d), "");
        model *o = ms[order ? 1 : 0];
        assert_int_equal(o->retained, 1);
        /* the fingerprint its jobs carry: relaxing adds nothing to the model */
        assert_string_equal(o->fingerprint, fp);
        assert_string_equal(o->trans[1].outcome, "");
        model_release(ms[0]);
        model_release(ms[1]);
    }
}

static void test_sema_retained_current_gets_every_check(void **state)
{
    fixture *f = *state;
    const char *old = spec(f, 0);
    char *fp = retained_fp(f, old);
    /* the newer spec is current: its own missing outcome and admin cancel are errors */
    const char *cur = spec(f, L_TRANS, OLD_TRANS, L_REC,
                           rec_with(f, arena_printf(&f->a, "migrate from \"%s\" {}", fp)), 0);
    source srcs[2] = {{"old.qsm", old, strlen(old)}, {"cur.qsm", cur, strlen(cur)}};
    size_t n = 0;
    model **ms = driver_compile(srcs, 2, &f->a, &f->d, &n);
    assert_string_equal(qtmc_codes(&f->d), "Q208 Q208 Q414");
    assert_string_equal(find(f, "Q414")->src->path, "cur.qsm");
    for (size_t i = 0; i < n; i++)
        model_release(ms[i]);
}

static void test_sema_retained_not_named_is_checked(void **state)
{
    fixture *f = *state;
    /* same slug, but the newer one migrates from another fingerprint: the
     * old one is no history, so every check applies (and Q118) */
    const char *old = spec(f, L_TRANS, OLD_TRANS, 0);
    const char *cur = spec(f, L_REC, rec_with(f, "migrate from \"" FP_X "\" {}"), 0);
    source srcs[2] = {{"old.qsm", old, strlen(old)}, {"cur.qsm", cur, strlen(cur)}};
    size_t n = 0;
    model **ms = driver_compile(srcs, 2, &f->a, &f->d, &n);
    assert_int_equal(n, 1);
    assert_string_equal(qtmc_codes(&f->d), "Q208 Q208 Q414");
    assert_string_equal(find(f, "Q208")->src->path, "old.qsm");
    model_release(ms[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sema_migrate_alone_is_clean),
        T(test_sema_migrate_keeps_the_fingerprint),
        T(test_sema_q601_malformed_fingerprint),
        T(test_sema_q602_two_blocks_one_fingerprint),
        T(test_sema_q603_undefined_target),
        T(test_sema_q604_mapped_twice),
        T(test_sema_migrate_history_is_retained),
        T(test_sema_q605_old_phase_not_in_old_spec),
        T(test_sema_q606_unmapped_phase),
        T(test_sema_q606_final_phase_may_stay_unmapped),
        T(test_sema_q607_mapping_to_the_wrong_kind_of_phase),
        T(test_sema_q118_two_versions_without_migrate),
        T(test_sema_driver_skips_bad_sources),
        T(test_sema_retained_alone_gets_every_check),
        T(test_sema_retained_skips_exactly_q208_and_q414),
        T(test_sema_retained_when_named),
        T(test_sema_retained_current_gets_every_check),
        T(test_sema_retained_not_named_is_checked),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
