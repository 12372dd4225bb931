/*
 * test_sema.c - the checks (compiler/sema_*.c) and the model they build.
 *
 * For every diagnostic code Q101-Q118, Q201-Q207, Q301, Q401-Q413, Q601-Q607 and the
 * warnings Q501-Q503 there is at least one spec that must raise it (code,
 * line, the key words of the message) and one close to it that must not.
 * Then: independent errors in one run, the error cap, -W options, the
 * model of event-coordination and its fingerprint, and Q118 across files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "arena.h"
#include "diag.h"
#include "driver.h"
#include "model.h"
#include "parse.h"
#include "qtmc_fixture.h"
#include "sema.h"
#include "qtm_surface.h"

/*
 * Every spec below is the base spec with some lines replaced, so each
 * block stays on a known line (L_*) whatever a test changes.
 */
enum { L_HEAD = 1, L_SET, L_EXEC, L_INTAKE, L_LIFE, L_TRANS, L_EVID, L_REC, L_END, NLINES };

static const char *const base_lines[NLINES] = {
    [L_HEAD] = "surface demo {",
    [L_SET] = "  name \"Demo\" spec \"surface-runtime-spec-v0.01\" status active",
    [L_EXEC] = "  execution { claim required ownership assigned record service_event "
               "payment_timing independent completed_jobs visible }",
    [L_INTAKE] = "  intake { contact { name: text required max 200 "
                 "method: one_of(email, call) } photos min 0 }",
    [L_LIFE] = "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done \"Done\" final }",
    [L_TRANS] = "  transitions { queued -> claimed on claim by operator "
                "claimed -> done on finish by owner }",
    [L_EVID] = "  evidence { required [] optional [] min_per_category 0 }",
    [L_REC] = "  record { job operator outcome }",
    [L_END] = "}",
};

typedef struct fixture {
    arena a;
    diag_ctx d;
    source src;
    const char *lines[NLINES];     /* the lines of the last spec built */
    model *m;                      /* released in teardown */
    model *m2;
} fixture;

static int setup(void **state)
{
    return QTMC_SETUP(state, fixture);
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->m)
        model_release(f->m);
    if (f->m2)
        model_release(f->m2);
    return QTMC_TEARDOWN(state, fixture);
}

/* The base spec with lines replaced: spec(f, L_X, "text", L_Y, "text", 0). */
static const char *spec(fixture *f, ...)
{
    for (int i = 1; i < NLINES; i++)
        f->lines[i] = base_lines[i];
    va_list ap;
    va_start(ap, f);
    for (int l = va_arg(ap, int); l; l = va_arg(ap, int))
        f->lines[l] = va_arg(ap, const char *);
    va_end(ap);
    char *s = arena_strdup(&f->a, "");
    for (int i = 1; i < NLINES; i++)
        s = arena_printf(&f->a, "%s%s\n", s, f->lines[i]);
    return s;
}

/* The execution line with the three settings checks care about. */
static const char *exec_line(fixture *f, const char *claim, const char *ownership,
                             const char *payment)
{
    return arena_printf(&f->a,
                        "  execution { claim %s ownership %s record service_event "
                        "payment_timing %s completed_jobs visible }",
                        claim, ownership, payment);
}

/* 1-based column of the n-th (1-based) occurrence of needle on line l. */
static uint32_t col_nth(fixture *f, int l, const char *needle, int n)
{
    const char *p = f->lines[l];
    for (int i = 0; p; i++) {
        p = strstr(p, needle);
        if (p && i == n - 1)
            return (uint32_t)(p - f->lines[l]) + 1;
        if (p)
            p++;
    }
    fail_msg("\"%s\" not %d times on line %d", needle, n, l);
    return 0;
}
#define col_of(f, l, needle) col_nth((f), (l), (needle), 1)

/* Every kept diagnostic as "Q101@5:20 message | ...", for failure messages. */
static const char *listing(fixture *f)
{
    char *s = arena_strdup(&f->a, "");
    for (size_t i = 0; i < f->d.list.n; i++) {
        const diag *g = f->d.list.v[i];
        s = arena_printf(&f->a, "%s%s@%u:%u %s | ", s, g->code, g->loc.line, g->loc.col,
                         g->msg);
    }
    return s;
}

/* Parses (which must succeed) and checks text; returns the model or NULL. */
static model *compile(fixture *f, const char *text)
{
    f->src.path = "test.qsm";
    f->src.text = text;
    f->src.size = strlen(text);
    ast_surface *ast = parse_source(&f->src, &f->a, &f->d);
    if (!ast)
        fail_msg("the spec does not parse: %s", listing(f));
    f->m = sema_check(ast, &f->a, &f->d);
    return f->m;
}

/* Checks the base spec with lines replaced; returns the codes emitted. */
#define CHECK(f, ...) (compile((f), spec((f), __VA_ARGS__, 0)), qtmc_codes(&(f)->d))
#define CHECK_BASE(f) (compile((f), spec((f), 0)), qtmc_codes(&(f)->d))

static const diag *find(fixture *f, const char *code)
{
    for (size_t i = 0; i < f->d.list.n; i++) {
        const diag *g = f->d.list.v[i];
        if (strcmp(g->code, code) == 0)
            return g;
    }
    fail_msg("no %s among: %s", code, listing(f));
    return NULL;
}

static const diag *find_nth(fixture *f, const char *code, int n)
{
    for (size_t i = 0; i < f->d.list.n; i++) {
        const diag *g = f->d.list.v[i];
        if (strcmp(g->code, code) == 0 && --n == 0)
            return g;
    }
    fail_msg("too few %s among: %s", code, listing(f));
    return NULL;
}

static int count(fixture *f, const char *code)
{
    int n = 0;
    for (size_t i = 0; i < f->d.list.n; i++)
        n += strcmp(((const diag *)f->d.list.v[i])->code, code) == 0;
    return n;
}

/* The note of g whose text contains `text`, or fails. */
static const diag_remark *note(const diag *g, const char *text)
{
    for (const diag_remark *n = g->notes; n; n = n->next)
        if (strstr(n->msg, text))
            return n;
    fail_msg("no note \"%s\" on %s \"%s\"", text, g->code, g->msg);
    return NULL;
}

static int has_note(const diag *g, const char *text)
{
    for (const diag_remark *n = g->notes; n; n = n->next)
        if (strstr(n->msg, text))
            return 1;
    return 0;
}

/* Asserts the code is diagnosed at line l, column c (0: any column). */
static const diag *expect_at(fixture *f, const char *code, uint32_t l, uint32_t c)
{
    const diag *g = find(f, code);
    if (g->loc.line != l || (c && g->loc.col != c))
        fail_msg("%s at %u:%u, want %u:%u (%s)", code, g->loc.line, g->loc.col, l, c, g->msg);
    assert_ptr_equal(g->src, &f->src);
    return g;
}

#define assert_clean(f)                                                       \
    do {                                                                      \
        if ((f)->d.list.n || !(f)->m)                                         \
            fail_msg("want a clean model, got: %s", listing(f));              \
    } while (0)

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
          L_TRANS, "  transitions { queued -> claim on claim by operator claim -> done on done by owner }");
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
                      "zzzzzzzz -> done on finish by owner }");
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
                                       "claimed -> done on finish by owner requires evidence }"),
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
                                       "claimed -> done on finish by owner requires evidence }"),
                        "Q111");
    const diag *g = expect_at(f, "Q111", L_EVID, col_nth(f, L_EVID, "photo", 2));
    assert_string_equal(g->msg, "evidence category `photo` is both required and optional");
}

static void test_sema_q111_distinct_categories(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EVID, "  evidence { required [before, after] optional [receipt] min_per_category 2 }",
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by owner requires evidence }");
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
                                          "claimed -> done on finish by ownr }"),
                        "Q113");
    const diag *g = expect_at(f, "Q113", L_TRANS, col_of(f, L_TRANS, "ownr"));
    assert_string_equal(g->msg, "unknown actor `ownr` after `by`");
    note(g, "Did you mean `owner`?");
}

static void test_sema_q113_unknown_actor_lists_roles(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by nobody }"),
                        "Q113");
    note(find(f, "Q113"), "Use one of: admin, operator, owner.");
}

static void test_sema_q113_admin_is_an_actor(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "required", "pool", "independent"),
          L_TRANS, "  transitions { queued -> claimed on claim by operator "
                   "claimed -> done on finish by admin }");
    assert_clean(f);
    assert_int_equal(f->m->trans[1].by, QTM_BY_ADMIN);
}

/*** Q114 conditions ***/

static void test_sema_q114_unknown_condition_suggests(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner requires evidense }"),
                        "Q114");
    const diag *g = expect_at(f, "Q114", L_TRANS, col_of(f, L_TRANS, "evidense"));
    assert_string_equal(g->msg, "unknown condition `evidense`");
    note(g, "Did you mean `evidence`?");
}

static void test_sema_q114_unknown_condition_lists_conditions(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on finish by owner requires weather }");
    note(find(f, "Q114"), "Use one of: evidence, payment, participants.");
}

static void test_sema_q114_condition_twice(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner "
                                          "requires participants, participants }"),
                        "Q114");
    const diag *g = expect_at(f, "Q114", L_TRANS, col_nth(f, L_TRANS, "participants", 2));
    assert_string_equal(g->msg, "condition `participants` listed twice");
}

static void test_sema_q114_known_conditions(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on finish by owner requires participants, evidence }");
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
                                       "Claimed -> done on finish by owner }"),
                        "Q115");
    const diag *g = expect_at(f, "Q115", L_LIFE, col_of(f, L_LIFE, "Claimed"));
    assert_string_equal(g->msg, "phase `Claimed` must be lowercase snake_case");
    note(g, "Names start with a letter");
}

static void test_sema_q115_event_section_field_category(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on Finish by owner }",
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
                   "in_progress2 -> done on finish_2 by owner }");
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
    assert_string_equal(g->msg, "`max` applies only to text fields, not email");
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
                "confirmed -> done on finish by owner }",
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
          L_TRANS, "  transitions { d3 -> d4 on e3 by owner d2 -> d3 on e2 by owner "
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
                                       "claimed -> done on finish by owner "
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
                   "claimed -> done on finish by owner claimed -> claimed on note by owner "
                   "claimed -> cancelled on cancel by owner }");
    assert_clean(f);
    assert_int_equal(f->m->ntrans, 4);
}

static void test_sema_q206_transition_leaves_final(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner "
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
                   "claimed -> done on finish by owner claimed -> void on drop by owner "
                   "queued -> void on cancel by admin }");
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

/*** Q301 determinism ***/

static void test_sema_q301_two_transitions_on_one_event(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner "
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
                   "claimed -> working on start by owner claimed -> done on finish by owner "
                   "working -> done on finish by owner }");
    assert_clean(f);
    const model *m = f->m;
    assert_int_equal(m->nevents, 3);
    /* finish is event 2; from claimed (1) it is transition 2, from working (2) 3 */
    assert_int_equal(m->next[1 * 3 + 2], 2);
    assert_int_equal(m->next[2 * 3 + 2], 3);
    assert_int_equal(m->next[0 * 3 + 2], -1);
}

/*** Q401-Q413 governance ***/

static void test_sema_q401_claim_required_without_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on take by operator "
                                          "claimed -> done on finish by owner }"),
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
                   "claimed -> done on finish by owner }");
    assert_clean(f);
    assert_int_equal(f->m->trans[0].claim, 0);
}

static void test_sema_q402_operator_after_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by operator }"),
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
                   "claimed -> done on finish by operator }");
    assert_clean(f);
}

static void test_sema_q403_vendor_and_client(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by vendor "
                                          "claimed -> done on finish by client }"),
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
                   "claimed -> done on finish by owner requires participants }",
          L_REC, "  record { job participants }");
    assert_clean(f);
}

static void test_sema_q404_claim_not_from_initial(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "optional", "pool", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on start by operator "
                                       "claimed -> done on claim by operator }"),
                        "Q404");
    const diag *g = expect_at(f, "Q404", L_TRANS, col_nth(f, L_TRANS, "claimed", 2));
    assert_string_equal(g->msg, "the claim must leave initial phase `queued`, not `claimed`");
}

static void test_sema_q404_claim_not_by_operator(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by admin "
                                          "claimed -> done on finish by owner }"),
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
                                       "claimed -> done on finish by owner }"),
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
                                       "claimed -> done on finish by admin }"),
                        "Q405");
    const diag *g = expect_at(f, "Q405", L_EXEC, col_of(f, L_EXEC, "required"));
    assert_string_equal(g->msg, "`claim required` with `ownership none`: a claim would own nothing");
}

static void test_sema_q405_no_claim_no_owner(void **state)
{
    fixture *f = *state;
    CHECK(f, L_EXEC, exec_line(f, "none", "none", "independent"),
          L_TRANS, "  transitions { queued -> claimed on start by operator "
                   "claimed -> done on finish by admin }");
    assert_clean(f);
    assert_int_equal(f->m->claim, QTM_CLAIM_NONE);
    assert_int_equal(f->m->ownership, QTM_OWNERSHIP_NONE);
}

static void test_sema_q406_owner_without_ownership(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "none", "none", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on start by operator "
                                       "claimed -> done on finish by owner }"),
                        "Q406");
    const diag *g = expect_at(f, "Q406", L_TRANS, col_of(f, L_TRANS, "owner"));
    assert_string_equal(g->msg, "`by owner` on a surface with `ownership none`");
}

static void test_sema_q406_owner_before_claim(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "queued -> done on skip by owner "
                                          "claimed -> done on finish by owner }"),
                        "Q406");
    const diag *g = expect_at(f, "Q406", L_TRANS, col_of(f, L_TRANS, "owner"));
    assert_string_equal(g->msg, "`by owner` from initial phase `queued`: no one owns the job "
                                "before it is claimed");
}

static void test_sema_q406_admin_may_act_before_claim(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "queued -> done on cancel by admin claimed -> done on finish by owner }");
    assert_clean(f);
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
                   "claimed -> done on finish by owner requires evidence }");
    assert_clean(f);
    assert_int_equal(f->m->trans[1].requires, QTM_REQ_EVIDENCE);
}

static void test_sema_q408_payment_gate_when_independent(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                          "claimed -> done on finish by owner requires payment }"),
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
                   "claimed -> done on finish by owner requires payment }");
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
                   "paid_up -> done on finish by owner }");
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
                                          "claimed -> done on pay by owner }"),
                        "Q411");
    const diag *g = expect_at(f, "Q411", L_TRANS, col_of(f, L_TRANS, "pay"));
    assert_string_equal(g->msg, "event `pay` would let settlement drive execution");
    note(g, "`qtm settle`");
}

static void test_sema_q411_similar_event_is_fine(void **state)
{
    fixture *f = *state;
    CHECK(f, L_TRANS, "  transitions { queued -> claimed on claim by operator "
                      "claimed -> done on pave by owner }");
    assert_clean(f);
    assert_string_equal(f->m->events[1], "pave");
}

static void test_sema_q412_required_with_min_zero(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EVID, "  evidence { required [photo] min_per_category 0 }",
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by owner requires evidence }"),
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
                                       "claimed -> done on finish by owner requires evidence }"),
                        "Q412");
}

static void test_sema_q413_claim_event_with_claim_none(void **state)
{
    fixture *f = *state;
    assert_string_equal(CHECK(f, L_EXEC, exec_line(f, "none", "none", "independent"),
                              L_TRANS, "  transitions { queued -> claimed on claim by operator "
                                       "claimed -> done on finish by admin }"),
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

/*** Q501-Q503 warnings ***/

static const char *missing_label_life =
    "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done final }";

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
                   "claimed -> done on finish by owner requires evidence }");
    assert_clean(f);
}

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
                   "claimed -> done on finish by owner claimed -> queued on finish by owner }",
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
    static const char *const events[] = {"claim", "arrive", "start", "complete"};
    assert_int_equal(m->nevents, 4);
    for (uint32_t e = 0; e < 4; e++)
        assert_string_equal(m->events[e], events[e]);
    assert_int_equal(m->ntrans, 4);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(m->trans[i].from, i);
        assert_int_equal(m->trans[i].to, i + 1);
        assert_int_equal(m->trans[i].event, i);
        assert_int_equal(m->trans[i].claim, i == 0);
        assert_int_equal(m->trans[i].by, i == 0 ? QTM_BY_OPERATOR : QTM_BY_OWNER);
        assert_int_equal(m->trans[i].requires, i == 3 ? QTM_REQ_EVIDENCE : 0);
    }
}

static void test_sema_ec_next_table(void **state)
{
    fixture *f = *state;
    model *m = f->m = compile_ec(f, qtmc_ec_src.text);
    assert_non_null(m->next);
    /* the table is a diagonal: phase p takes only event p, to transition p */
    for (uint32_t p = 0; p < 5; p++)
        for (uint32_t e = 0; e < 4; e++)
            assert_int_equal(m->next[p * 4 + e], p == e ? (int32_t)p : -1);
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
    assert_int_equal(m->nrecord, 8);
    assert_string_equal(m->record[7], "completed_at");
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
    assert_int_equal(json_array_size(json_object_get(o, "transitions")), 4);
    json_t *ex = json_object_get(o, "execution");
    assert_string_equal(json_string_value(json_object_get(ex, "claim")), "required");
    json_decref(o);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_sema_base_spec_is_clean),
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
        T(test_sema_q117_max_zero),
        T(test_sema_q117_max_on_text),
        T(test_sema_q118_same_slug_in_two_files),
        T(test_sema_q118_distinct_slugs),
        T(test_sema_driver_skips_bad_sources),
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
        T(test_sema_q301_two_transitions_on_one_event),
        T(test_sema_q301_same_event_from_other_phases),
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
        T(test_sema_q406_admin_may_act_before_claim),
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
        T(test_sema_q501_missing_label_warns),
        T(test_sema_q501_werror),
        T(test_sema_q501_werror_for_one_warning),
        T(test_sema_q501_wno_missing_label),
        T(test_sema_q501_unknown_warning_option),
        T(test_sema_q502_empty_section),
        T(test_sema_q502_wno_empty_section),
        T(test_sema_q503_unused_category),
        T(test_sema_q503_category_used),
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
#undef T
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
