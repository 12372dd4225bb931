/*
 * test_explain.c - `qtmc --explain` (compiler/explain.c).
 *
 * Every code qtmc can emit has an entry (the list below is the one the
 * sources hold; tests/qtmc/cli.sh also greps the sources for it), every bad
 * example compiles with its code among the diagnostics, every good example
 * compiles with no diagnostic at all, and `qtmc --explain` prints, lists and
 * refuses as documented.
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
#include "driver.h"
#include "explain.h"
#include "model.h"
#include "qtmc_fixture.h"

/* Every code the compiler sources emit (grep '"Q[0-9]' compiler/ grammar/). */
static const char *const all_codes[] = {
    "Q001", "Q002", "Q003", "Q004", "Q005",
    "Q101", "Q102", "Q103", "Q104", "Q105", "Q106", "Q107", "Q108", "Q109",
    "Q110", "Q111", "Q112", "Q113", "Q114", "Q115", "Q116", "Q117", "Q118",
    "Q119", "Q120", "Q121", "Q122",
    "Q201", "Q202", "Q203", "Q204", "Q205", "Q206", "Q207", "Q208", "Q209",
    "Q301",
    "Q401", "Q402", "Q403", "Q404", "Q405", "Q406", "Q407", "Q408", "Q409",
    "Q410", "Q411", "Q412", "Q413", "Q414", "Q415",
    "Q501", "Q502", "Q503", "Q504",
    "Q601", "Q602", "Q603", "Q604", "Q605", "Q606", "Q607"};
#define NCODES (sizeof all_codes / sizeof all_codes[0])

typedef struct fixture {
    arena a;
    diag_ctx d;
} fixture;

static int setup(void **state) { return QTMC_SETUP(state, fixture); }
static int teardown(void **state) { return QTMC_TEARDOWN(state, fixture); }

/*
 * Compiles an example (files separated by EXPLAIN_FILE_SEP) with f's
 * diagnostics context, releases the models, and returns the codes of the
 * diagnostics ("" if none), in f's arena.
 */
static const char *compile_example(fixture *f, const char *text)
{
    source srcs[4];
    size_t n = 0;
    static const char *const names[4] = {"a.qsm", "b.qsm", "c.qsm", "d.qsm"};
    const char *p = text;
    while (*p) {
        assert_true(n < 4);
        const char *end = strstr(p, EXPLAIN_FILE_SEP);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *copy = arena_alloc(&f->a, len + 1);
        memcpy(copy, p, len);
        copy[len] = '\0';
        srcs[n] = (source){names[n], copy, len};
        n++;
        p = end ? end + strlen(EXPLAIN_FILE_SEP) : p + len;
    }
    size_t nm = 0;
    model **ms = driver_compile(srcs, n, &f->a, &f->d, &nm);
    for (size_t i = 0; i < nm; i++)
        model_release(ms[i]);
    return qtmc_codes(&f->d);
}

static void test_every_code_has_an_entry(void **state)
{
    (void)state;
    assert_int_equal(explain_count, NCODES);
    for (size_t i = 0; i < NCODES; i++) {
        const explain_entry *e = explain_find(all_codes[i]);
        if (!e)
            fail_msg("no --explain entry for %s", all_codes[i]);
        assert_string_equal(e->code, all_codes[i]);
        assert_true(e->title[0] && e->text[0] && e->bad[0] && e->good[0]);
        /* the table is sorted by code, one entry per code */
        assert_string_equal(explain_table[i].code, all_codes[i]);
    }
}

static void test_find_is_case_insensitive(void **state)
{
    (void)state;
    assert_non_null(explain_find("q402"));
    assert_null(explain_find("Q40"));
    assert_null(explain_find("Q4020"));
    assert_null(explain_find("Q999"));
    assert_null(explain_find(""));
}

static void test_bad_examples_get_their_code(void **state)
{
    (void)state;
    for (size_t i = 0; i < explain_count; i++) {
        const explain_entry *e = &explain_table[i];
        fixture *f = NULL;
        assert_int_equal(setup((void **)&f), 0);
        const char *codes = compile_example(f, e->bad);
        if (!strstr(codes, e->code))
            fail_msg("%s: bad example gives [%s]", e->code, codes);
        teardown((void **)&f);
    }
}

static void test_good_examples_are_clean(void **state)
{
    (void)state;
    for (size_t i = 0; i < explain_count; i++) {
        const explain_entry *e = &explain_table[i];
        fixture *f = NULL;
        assert_int_equal(setup((void **)&f), 0);
        const char *codes = compile_example(f, e->good);
        if (codes[0] || diag_error_count(&f->d))
            fail_msg("%s: good example gives [%s]", e->code, codes);
        teardown((void **)&f);
    }
}

/* Runs `qtmc --explain ARGV...` (n arguments) and returns its status; out
 * and err are malloc'd copies of what it wrote (the caller frees them). */
static int run_explain(int n, char *const *argv, char **out, char **err)
{
    char *args[8] = {(char *)"qtmc", (char *)"--explain"};
    for (int i = 0; i < n && i < 6; i++)
        args[2 + i] = argv[i];
    size_t lo, le;
    *out = NULL;
    *err = NULL;
    FILE *fo = open_memstream(out, &lo), *fe = open_memstream(err, &le);
    assert_non_null(fo);
    assert_non_null(fe);
    fflush(stdout);
    fflush(stderr);
    FILE *so = stdout, *se = stderr;
    stdout = fo;
    stderr = fe;
    int rc = qtmc_cli(2 + n, args);
    stdout = so;
    stderr = se;
    fclose(fo);
    fclose(fe);
    return rc;
}

static void test_explain_prints_one_code(void **state)
{
    (void)state;
    char *out, *err;
    char *argv[] = {(char *)"q402"};
    assert_int_equal(run_explain(1, argv, &out, &err), 0);
    const explain_entry *e = explain_find("Q402");
    assert_contains(out, "Q402: ");
    assert_contains(out, e->title);
    assert_contains(out, "Request -> Task -> Assignment -> Job");
    assert_contains(out, "\nBad:\n");
    assert_contains(out, "\nGood:\n");
    assert_contains(out, "    surface demo {");
    assert_string_equal(err, "");
    free(out);
    free(err);
}

static void test_explain_lists_every_code(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(run_explain(0, NULL, &out, &err), 0);
    for (size_t i = 0; i < explain_count; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s  %s\n", explain_table[i].code, explain_table[i].title);
        assert_contains(out, line);
    }
    free(out);
    free(err);
}

static void test_explain_refuses_unknown_code(void **state)
{
    (void)state;
    char *out, *err;
    char *argv[] = {(char *)"Q999", (char *)"Q402"};
    assert_int_equal(run_explain(1, argv, &out, &err), 2);
    assert_string_equal(out, "");
    assert_contains(err, "unknown diagnostic code 'Q999'");
    assert_contains(err, "Codes look like Q402");
    free(out);
    free(err);
    assert_int_equal(run_explain(2, argv, &out, &err), 2);
    assert_contains(err, "takes one code");
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_an_entry),
        cmocka_unit_test(test_find_is_case_insensitive),
        cmocka_unit_test(test_bad_examples_get_their_code),
        cmocka_unit_test(test_good_examples_are_clean),
        cmocka_unit_test(test_explain_prints_one_code),
        cmocka_unit_test(test_explain_lists_every_code),
        cmocka_unit_test(test_explain_refuses_unknown_code),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
