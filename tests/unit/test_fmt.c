/*
 * test_fmt.c - the formatter (compiler/fmt.c, `qtmc fmt`).
 *
 * Checks that every spec in the repository is already in canonical layout,
 * that formatting is idempotent and keeps the model fingerprint (compiled
 * before and after with driver_compile), that comments survive wherever
 * they are, that strings are kept byte for byte, that the canonical layout
 * is what fmt.c documents, and that a spec with syntax errors is refused
 * with the parser's diagnostics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glob.h>

#include <cmocka.h>

#include "arena.h"
#include "diag.h"
#include "driver.h"
#include "fmt.h"
#include "model.h"
#include "qtmc_fixture.h"

typedef struct fixture {
    arena a;
    diag_ctx d;
} fixture;

static int setup(void **state) { return QTMC_SETUP(state, fixture); }
static int teardown(void **state) { return QTMC_TEARDOWN(state, fixture); }

/* The fingerprint of text if it checks clean, else "" (buf: 72 bytes). */
static void fingerprint(const char *path, const char *text, char *buf)
{
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    source s = {path, text, strlen(text)};
    size_t n = 0;
    model **m = driver_compile(&s, 1, &a, &d, &n);
    buf[0] = '\0';
    if (n == 1 && !diag_error_count(&d))
        snprintf(buf, 72, "%s", m[0]->fingerprint);
    for (size_t i = 0; i < n; i++)
        model_release(m[i]);
    arena_free(&a);
}

/* Formats text; fails the test unless it formats.  The caller frees. */
static char *format(fixture *f, const char *path, const char *text)
{
    source s = {path, text, strlen(text)};
    char *out = NULL;
    int rc = fmt_source(&s, &f->d, &out);
    if (rc != FMT_OK)
        fail_msg("%s: fmt_source returned %d (%s)", path, rc, qtmc_codes(&f->d));
    assert_non_null(out);
    return out;
}

/* Formats text twice: the second pass changes nothing, the fingerprint is
 * kept (when text checks clean; want_clean says it must).  Returns the
 * first result (caller frees). */
static char *format_checked(fixture *f, const char *path, const char *text, int want_clean)
{
    char *once = format(f, path, text);
    char *twice = format(f, path, once);
    if (strcmp(once, twice) != 0)
        fail_msg("%s: formatting is not idempotent:\n--- once\n%s--- twice\n%s", path, once, twice);
    free(twice);
    char fp1[72], fp2[72];
    fingerprint(path, text, fp1);
    fingerprint(path, once, fp2);
    if (want_clean)
        assert_true(fp1[0] != '\0');
    assert_string_equal(fp1, fp2);
    /* one newline at the end, no trailing blanks anywhere */
    size_t n = strlen(once);
    assert_true(n >= 2 && once[n - 1] == '\n' && once[n - 2] != '\n');
    assert_null(strstr(once, " \n"));
    assert_null(strstr(once, "\t\n"));
    return once;
}

static char *slurp(const char *path)
{
    source s;
    if (driver_load(path, &s) != 0)
        fail_msg("cannot read %s", path);
    return (char *)s.text;
}

static void test_fmt_repo_specs_are_formatted(void **state)
{
    fixture *f = *state;
    static const char *const pats[] = {"surfaces/*.qsm", "tests/surfaces/*.qsm",
                                       "tests/golden/good/*.qsm",
                                       "tests/surfaces/history/*.qsm"};
    size_t total = 0;
    for (size_t p = 0; p < 4; p++) {
        glob_t g;
        if (glob(pats[p], 0, NULL, &g) != 0)
            fail_msg("no %s (run from the top directory)", pats[p]);
        for (size_t i = 0; i < g.gl_pathc; i++) {
            char *text = slurp(g.gl_pathv[i]);
            char *out = format_checked(f, g.gl_pathv[i], text, 1);
            if (strcmp(out, text) != 0)
                fail_msg("%s is not formatted (run qtmc fmt)", g.gl_pathv[i]);
            free(out);
            free(text);
            total++;
        }
        globfree(&g);
    }
    assert_true(total >= 11);
}

/* The bad corpus: each file is refused for syntax, or formats stably and
 * keeps its meaning; never an internal error. */
static void test_fmt_bad_corpus_refused_or_stable(void **state)
{
    fixture *f = *state;
    glob_t g;
    assert_int_equal(glob("tests/golden/bad/*.qsm", 0, NULL, &g), 0);
    size_t refused = 0, formatted = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = slurp(g.gl_pathv[i]);
        source s = {g.gl_pathv[i], text, strlen(text)};
        char *out = NULL;
        diag_ctx d;
        diag_init(&d, &f->a);
        int rc = fmt_source(&s, &d, &out);
        if (rc == FMT_SYNTAX) {
            assert_null(out);
            assert_true(diag_error_count(&d) > 0);
            refused++;
        } else {
            assert_int_equal(rc, FMT_OK);
            free(out);
            free(format_checked(f, g.gl_pathv[i], text, 0));
            formatted++;
        }
        free(text);
    }
    globfree(&g);
    assert_true(refused > 20);
    assert_true(formatted > 20);
}

static const char *const messy =
    "# header\n"
    "surface   messy-one\n"
    "{ name \"Messy\"   spec \"surface-runtime-spec-v0.01\" status active\n"
    "  execution { claim required ownership assigned record service_event\n"
    "    payment_timing independent completed_jobs visible }\n"
    "  intake { contact { name: text required max 200 method: one_of(email,text,\n"
    "      call) required guests: integer max 9 min 1 } photos min 0\n"
    "    summary{contact.name \" at \"contact . method} }\n"
    "  lifecycle { queued initial \"Queued\" hint \"Wait.\" claimed \"Claimed\"\n"
    "    complete \"Complete\" final }\n"
    "  transitions { queued->claimed on claim by operator\n"
    "    claimed -> complete on complete by owner requires evidence outcome\n"
    "      delivered }\n"
    "  evidence { required [] optional [a,b,] min_per_category 0 }\n"
    "  record {operator job outcome}}";

static const char *const messy_formatted =
    "# header\n"
    "surface messy-one {\n"
    "    name   \"Messy\"\n"
    "    spec   \"surface-runtime-spec-v0.01\"\n"
    "    status active\n"
    "\n"
    "    execution {\n"
    "        claim          required\n"
    "        ownership      assigned\n"
    "        record         service_event\n"
    "        payment_timing independent\n"
    "        completed_jobs visible\n"
    "    }\n"
    "\n"
    "    intake {\n"
    "        contact {\n"
    "            name:   text required max 200\n"
    "            method: one_of(email, text, call) required\n"
    "            guests: integer max 9 min 1\n"
    "        }\n"
    "        photos min 0\n"
    "        summary { contact.name \" at \" contact.method }\n"
    "    }\n"
    "\n"
    "    lifecycle {\n"
    "        queued   \"Queued\"   initial\n"
    "                 hint \"Wait.\"\n"
    "        claimed  \"Claimed\"\n"
    "        complete \"Complete\" final\n"
    "    }\n"
    "\n"
    "    transitions {\n"
    "        queued  -> claimed  on claim    by operator\n"
    "        claimed -> complete on complete by owner requires evidence outcome delivered\n"
    "    }\n"
    "\n"
    "    evidence {\n"
    "        required         []\n"
    "        optional         [a, b]\n"
    "        min_per_category 0\n"
    "    }\n"
    "\n"
    "    record { operator job outcome }\n"
    "}\n";

static void test_fmt_canonical_layout(void **state)
{
    fixture *f = *state;
    char *out = format_checked(f, "messy.qsm", messy, 1);
    assert_string_equal(out, messy_formatted);
    free(out);
}

static const char *const tricky =
    "\n\n# c1 header\n"
    "\n"
    "\n"
    "# c2 header after blank lines\n"
    "surface tricky-2go # c3 after slug\n"
    "{ # c4 after brace\n"
    "  name \"Hash # inside \\\"q\\\" \\\\ \\u00e9 caf\\u00E9\"\n"
    "  spec \"surface-runtime-spec-v0.01\" # c5\n"
    "  status active\n"
    "  # c6 before execution\n"
    "  execution { claim required ownership assigned # c7\n"
    "    record service_event payment_timing independent\n"
    "    completed_jobs visible }\n"
    "  intake {\n"
    "    # c8 first in intake\n"
    "    contact {\n"
    "      on: text max 10 # c9 keyword as a field name\n"
    "      initial: one_of(a, # c10 inside a list\n"
    "        # c11 full line inside a list\n"
    "        \"b # not a comment\", record) required\n"
    "      # c12 last in section\n"
    "    }\n"
    "    empty {}\n"
    "\n\n\n"
    "    photos min 0\n"
    "  }\n"
    "  lifecycle {\n"
    "    evidence \"E\" initial hint \"h # x\"\n"
    "    min # c13 phase named min, no label\n"
    "    done final \"Done\" }\n"
    "  transitions {\n"
    "    evidence -> # c14 mid transition\n"
    "      min on claim by operator\n"
    "    min -> done on record by owner outcome delivered }\n"
    "  record { job # c15\n"
    "  }\n"
    "  # c16 before the closing brace\n"
    "} # c17 after it\n"
    "# c18 at the end\n";

static void test_fmt_keeps_every_comment_and_string(void **state)
{
    fixture *f = *state;
    char *out = format_checked(f, "tricky.qsm", tricky, 0);
    for (int i = 1; i <= 18; i++) {
        char want[24];
        snprintf(want, sizeof want, "# c%d", i);
        assert_contains(out, want);
    }
    assert_contains(out, "\"Hash # inside \\\"q\\\" \\\\ \\u00e9 caf\\u00E9\"");
    assert_contains(out, "\"b # not a comment\"");
    assert_contains(out, "surface tricky-2go {  # c3 after slug # c4 after brace\n");
    /* a comment inside an item moves above it; trailing ones stay on its row */
    assert_contains(out, "            # c11 full line inside a list\n"
                         "            initial: one_of(a, \"b # not a comment\", record) required  # c10");
    assert_contains(out, "        evidence -> min  on claim  by operator  # c14 mid transition\n");
    assert_contains(out, "    record { job }  # c15\n");
    assert_contains(out, "        empty {}\n\n        photos min 0\n");
    assert_contains(out, "    # c16 before the closing brace\n}  # c17 after it\n# c18 at the end\n");
    /* blank lines collapsed, none before the first line */
    assert_null(strstr(out, "\n\n\n"));
    assert_true(strncmp(out, "# c1 header\n\n# c2", 17) == 0);
    free(out);
}

static void test_fmt_keywords_as_names_and_empty_blocks(void **state)
{
    fixture *f = *state;
    static const char *const src =
        "surface kw {\n"
        "  name \"K\" spec \"surface-runtime-spec-v0.01\" status active\n"
        "  execution { }\n"
        "  intake { photos { surface: text } }\n"
        "  lifecycle { record \"R\" initial photos \"P\" final }\n"
        "  transitions { record -> photos on min by operator }\n"
        "  evidence {}\n"
        "  record { }\n"
        "}\n";
    /* `photos {` is not a section (photos is a keyword): a syntax error */
    source s = {"kw.qsm", src, strlen(src)};
    char *out = NULL;
    assert_int_equal(fmt_source(&s, &f->d, &out), FMT_SYNTAX);
    static const char *const src2 =
        "surface kw {\n"
        "  name \"K\" spec \"surface-runtime-spec-v0.01\" status active\n"
        "  execution { }\n"
        "  intake { sec { surface: text by: email } }\n"
        "  lifecycle { record \"R\" initial photos \"P\" final }\n"
        "  transitions { record -> photos on min by operator }\n"
        "  evidence {}\n"
        "  record { }\n"
        "}\n";
    out = format_checked(f, "kw.qsm", src2, 0);
    assert_contains(out, "    execution {}\n");
    assert_contains(out, "    evidence {}\n");
    assert_contains(out, "    record {}\n");
    assert_contains(out, "            surface: text\n            by:      email\n");
    assert_contains(out, "        record \"R\" initial\n        photos \"P\" final\n");
    assert_contains(out, "        record -> photos on min by operator\n");
    free(out);
}

static void test_fmt_syntax_error_refused(void **state)
{
    fixture *f = *state;
    static const char *const src =
        "surface x {\n"
        "  lifecycle { a \"A\" initial }\n"
        "  transitions { a b on claim by operator }\n"
        "}\n";
    source s = {"bad.qsm", src, strlen(src)};
    char *out = (char *)1;
    assert_int_equal(fmt_source(&s, &f->d, &out), FMT_SYNTAX);
    assert_null(out);
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    char *printed = qtmc_diag_printed(&f->d);
    assert_contains(printed, "bad.qsm:3:");
    free(printed);
}

static void test_fmt_bom_and_crlf(void **state)
{
    fixture *f = *state;
    static const char *const src =
        "\xEF\xBB\xBF# bom\r\n"
        "surface b {\r\n"
        "  name \"B\"\r\n"
        "}\r\n";
    char *out = format_checked(f, "bom.qsm", src, 0);
    assert_string_equal(out, "\xEF\xBB\xBF# bom\nsurface b {\n    name \"B\"\n}\n");
    free(out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_fmt_repo_specs_are_formatted),
        T(test_fmt_bad_corpus_refused_or_stable),
        T(test_fmt_canonical_layout),
        T(test_fmt_keeps_every_comment_and_string),
        T(test_fmt_keywords_as_names_and_empty_blocks),
        T(test_fmt_syntax_error_refused),
        T(test_fmt_bom_and_crlf),
    };
#undef T
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
