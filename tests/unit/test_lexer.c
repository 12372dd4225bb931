/*
 * test_lexer.c - the .qsm scanner (grammar/qsm.l) on its own.
 *
 * Drives the reentrant flex scanner directly, token by token, to check
 * every token kind, string decoding, identifiers and positions; and goes
 * through parse_source() for the lexical diagnostics (Q001-Q005), the
 * recovery after them and the "first precise error wins" rule; and the
 * trivia mode qtmc fmt scans with (parse_tokens: comments, blank lines).
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
#include "diag.h"
#include "parse.h"
#include "qsm.tab.h"
#define YYSTYPE QSM_STYPE
#define YYLTYPE QSM_LTYPE
#include "qsm.lex.h"
#include "qtmc_fixture.h"

#define MAX_TOKS 64

typedef struct tok {
    int kind;                      /* token kind; 0 = end of file */
    const char *text;              /* IDENT, STRING, REQUIRED: the value */
    uint32_t num;                  /* NUMBER */
    uint32_t len;                  /* STRING: bytes of source its location spans */
    int line, col;                 /* where the token starts */
} tok;

typedef struct fixture {
    arena a;
    diag_ctx d;
    source src;
    tok toks[MAX_TOKS];
    size_t ntoks;                  /* tokens before end of file */
} fixture;

static int setup(void **state)
{
    return QTMC_SETUP(state, fixture);
}

static int teardown(void **state)
{
    return QTMC_TEARDOWN(state, fixture);
}

/* Scans text (len bytes, may hold NULs) to the end; returns the token count. */
static size_t lex(fixture *f, const char *text, size_t len)
{
    /* set up as parse_source() does: zeroed (no recovery skipping), 1:1 */
    parse_ctx p;
    memset(&p, 0, sizeof p);
    f->src.path = "lex.qsm";
    f->src.text = text;
    f->src.size = len;
    p.a = &f->a;
    p.d = &f->d;
    p.src = &f->src;
    p.line = 1;
    p.col = 1;
    yyscan_t scanner;
    assert_int_equal(qsm_lex_init_extra(&p, &scanner), 0);
    YY_BUFFER_STATE buf = qsm__scan_bytes(text, (int)len, scanner);
    f->ntoks = 0;
    for (;;) {
        QSM_STYPE v;
        QSM_LTYPE l;
        memset(&v, 0, sizeof v);
        memset(&l, 0, sizeof l);
        int k = qsm_lex(&v, &l, scanner);
        if (k == 0)
            break;
        assert_true(f->ntoks < MAX_TOKS);
        tok *t = &f->toks[f->ntoks++];
        t->kind = k;
        t->line = l.first_line;
        t->col = l.first_column;
        if (k == IDENT || k == STRING || k == REQUIRED)
            t->text = v.id.name;
        if (k == STRING)
            t->len = v.id.loc.len;
        if (k == NUMBER)
            t->num = v.num.value;
    }
    qsm__delete_buffer(buf, scanner);
    qsm_lex_destroy(scanner);
    free(p.sbuf);
    return f->ntoks;
}
#define LEX(f, lit) lex((f), (lit), sizeof(lit) - 1)

/* Parses text with parse_source(); returns the AST or NULL. */
static ast_surface *parse_text(fixture *f, const char *text, size_t len)
{
    f->src.path = "lex.qsm";
    f->src.text = text;
    f->src.size = len;
    return parse_source(&f->src, &f->a, &f->d);
}
#define PARSE(f, lit) parse_text((f), (lit), sizeof(lit) - 1)

/* A string of n copies of c, NUL-terminated, in the arena. */
static char *repeat(fixture *f, char c, size_t n)
{
    char *s = arena_alloc(&f->a, n + 1);
    memset(s, c, n);
    return s;
}

/*** token kinds ***/

static void test_lexer_every_keyword(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *word;
        int kind;
    } kw[] = {
        {"surface", SURFACE},   {"execution", EXECUTION}, {"intake", INTAKE},
        {"lifecycle", LIFECYCLE}, {"transitions", TRANSITIONS}, {"evidence", EVIDENCE},
        {"record", RECORD},     {"on", ON},               {"by", BY},
        {"requires", REQUIRES}, {"initial", INITIAL_KW},  {"final", FINAL},
        {"hint", HINT},         {"required", REQUIRED},   {"one_of", ONE_OF},
        {"max", MAX},           {"photos", PHOTOS},       {"min", MIN},
    };
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        assert_int_equal(lex(f, kw[i].word, strlen(kw[i].word)), 1);
        assert_int_equal(f->toks[0].kind, kw[i].kind);
        assert_int_equal(f->toks[0].col, 1);
    }
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_required_keyword_carries_its_text(void **state)
{
    fixture *f = *state;
    /* `required` is also a usable word (a record field, an evidence key) */
    assert_int_equal(LEX(f, "required"), 1);
    assert_int_equal(f->toks[0].kind, REQUIRED);
    assert_string_equal(f->toks[0].text, "required");
}

static void test_lexer_keyword_prefixes_are_identifiers(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "surfaces on_hold one_of2 bye minimum _max Record"), 7);
    static const char *const want[] = {"surfaces", "on_hold", "one_of2", "bye",
                                       "minimum", "_max", "Record"};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(f->toks[i].kind, IDENT);
        assert_string_equal(f->toks[i].text, want[i]);
    }
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_punctuation(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "{}[]():,->"), 9);
    static const int want[] = {'{', '}', '[', ']', '(', ')', ':', ',', ARROW};
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(f->toks[i].kind, want[i]);
        assert_int_equal(f->toks[i].col, (int)i + 1);
    }
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_identifier_number_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "name_2 42 \"Hello, world\" 0 007"), 5);
    assert_int_equal(f->toks[0].kind, IDENT);
    assert_string_equal(f->toks[0].text, "name_2");
    assert_int_equal(f->toks[1].kind, NUMBER);
    assert_int_equal(f->toks[1].num, 42);
    assert_int_equal(f->toks[2].kind, STRING);
    assert_string_equal(f->toks[2].text, "Hello, world");
    assert_int_equal(f->toks[3].num, 0);
    assert_int_equal(f->toks[4].kind, NUMBER);
    assert_int_equal(f->toks[4].num, 7);
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_empty_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"\" x"), 2);
    assert_int_equal(f->toks[0].kind, STRING);
    assert_string_equal(f->toks[0].text, "");
    assert_int_equal(f->toks[1].col, 4);
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_blank_input_is_end_of_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, ""), 0);
    assert_int_equal(LEX(f, " \t\r\n\n  \n"), 0);
    assert_int_equal(LEX(f, "# only a comment"), 0);
    assert_int_equal(f->d.errors, 0);
}

/*** comments ***/

static void test_lexer_comment_runs_to_end_of_line(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a # b { c } \"d\n e #f\n#g\ng"), 3);
    assert_string_equal(f->toks[0].text, "a");
    assert_string_equal(f->toks[1].text, "e");
    assert_int_equal(f->toks[1].line, 2);
    assert_string_equal(f->toks[2].text, "g");
    assert_int_equal(f->toks[2].line, 4);
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_hash_inside_string_is_text(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"#1 # not a comment\" x"), 2);
    assert_string_equal(f->toks[0].text, "#1 # not a comment");
    assert_string_equal(f->toks[1].text, "x");
}

static void test_lexer_comment_directly_after_token(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "max#comment\n200"), 2);
    assert_int_equal(f->toks[0].kind, MAX);
    assert_int_equal(f->toks[1].kind, NUMBER);
    assert_int_equal(f->toks[1].num, 200);
}

/*** string escapes ***/

static void test_lexer_simple_escapes(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"q\\\"b\\\\n\\nt\\tr\\r\""), 1);
    assert_string_equal(f->toks[0].text, "q\"b\\n\nt\tr\r");
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_unicode_escapes_become_utf8(void **state)
{
    fixture *f = *state;
    /* 1, 2 and 3 byte encodings, upper and lower case hex */
    assert_int_equal(LEX(f, "\"\\u0041\\u00e9\\u00C9\\u20AC\\uffff\""), 1);
    assert_string_equal(f->toks[0].text, "A\xC3\xA9\xC3\x89\xE2\x82\xAC\xEF\xBF\xBF");
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_unicode_escape_boundaries(void **state)
{
    fixture *f = *state;
    /* last 1-byte, first 2-byte, last 2-byte, first 3-byte code points */
    assert_int_equal(LEX(f, "\"\\u007f\\u0080\\u07ff\\u0800\""), 1);
    assert_string_equal(f->toks[0].text, "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80");
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_raw_utf8_is_kept(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\""), 1);
    assert_string_equal(f->toks[0].text, "Caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    assert_int_equal(f->d.errors, 0);
}

/*** identifiers with hyphens ***/

static void test_lexer_hyphenated_identifier(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "event-coordination x-1 a_b-c_d"), 3);
    assert_string_equal(f->toks[0].text, "event-coordination");
    assert_string_equal(f->toks[1].text, "x-1");
    assert_string_equal(f->toks[2].text, "a_b-c_d");
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_arrow_between_identifiers(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a->b"), 3);
    assert_int_equal(f->toks[0].kind, IDENT);
    assert_string_equal(f->toks[0].text, "a");
    assert_int_equal(f->toks[1].kind, ARROW);
    assert_int_equal(f->toks[1].col, 2);
    assert_int_equal(f->toks[2].kind, IDENT);
    assert_string_equal(f->toks[2].text, "b");
    assert_int_equal(f->toks[2].col, 4);
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_hyphenated_identifier_then_arrow(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "in-progress->done-now"), 3);
    assert_string_equal(f->toks[0].text, "in-progress");
    assert_int_equal(f->toks[1].kind, ARROW);
    assert_int_equal(f->toks[1].col, 12);
    assert_string_equal(f->toks[2].text, "done-now");
}

static void test_lexer_trailing_or_double_hyphen_is_not_identifier(void **state)
{
    fixture *f = *state;
    /* `a-` is `a` then a stray '-'; `b--c` is `b`, '-', '-', `c` */
    assert_int_equal(LEX(f, "a- b--c"), 3);
    assert_string_equal(f->toks[0].text, "a");
    assert_string_equal(f->toks[1].text, "b");
    assert_string_equal(f->toks[2].text, "c");
    assert_string_equal(qtmc_codes(&f->d), "Q001 Q001 Q001");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "unexpected character '-'");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 2);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 5);
    assert_int_equal(qtmc_diag_at(&f->d, 2)->loc.col, 6);
}

/*** positions ***/

static void test_lexer_lines_and_columns(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "surface x {\n  name \"N\"\n\n    a -> b\n}"), 9);
    static const int want[][2] = {{1, 1}, {1, 9}, {1, 11}, {2, 3}, {2, 8},
                                  {4, 5}, {4, 7}, {4, 10}, {5, 1}};
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(f->toks[i].line, want[i][0]);
        assert_int_equal(f->toks[i].col, want[i][1]);
    }
}

static void test_lexer_tab_is_one_column(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\ta\t\tb\n\t\tc"), 3);
    assert_int_equal(f->toks[0].col, 2);
    assert_int_equal(f->toks[1].col, 5);
    assert_int_equal(f->toks[2].line, 2);
    assert_int_equal(f->toks[2].col, 3);
}

static void test_lexer_crlf_line_endings(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a\r\n  b\r\n\r\nc"), 3);
    assert_int_equal(f->toks[1].line, 2);
    assert_int_equal(f->toks[1].col, 3);
    assert_int_equal(f->toks[2].line, 4);
    assert_int_equal(f->toks[2].col, 1);
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_columns_count_bytes_after_utf8(void **state)
{
    fixture *f = *state;
    /* "é" is 2 bytes: the quote, 2 bytes, the quote, a blank: x at 6 */
    assert_int_equal(LEX(f, "\"\xC3\xA9\" x"), 2);
    assert_int_equal(f->toks[0].col, 1);
    assert_int_equal(f->toks[1].col, 6);
}

static void test_lexer_string_location_is_its_opening_quote(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\n   \"abc\\n\" z"), 2);
    assert_int_equal(f->toks[0].line, 2);
    assert_int_equal(f->toks[0].col, 4);
    assert_int_equal(f->toks[1].col, 12);
}

/*** lexical errors ***/

static void test_lexer_unexpected_character(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a @ b"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q001");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_int_equal(g->loc.line, 1);
    assert_int_equal(g->loc.col, 3);
    assert_string_equal(g->msg, "unexpected character '@'");
    assert_int_equal(g->sev, DIAG_ERROR);
}

static void test_lexer_unexpected_byte_outside_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a \x80 b"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q001");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected byte 0x80");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 3);
}

static void test_lexer_byte_order_mark_at_start_is_ignored(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\xEF\xBB\xBFsurface x"), 2);
    assert_int_equal(f->toks[0].kind, SURFACE);
    assert_int_equal(f->d.errors, 0);
}

static void test_lexer_byte_order_mark_elsewhere(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a \xEF\xBB\xBF b\n\xEF\xBB\xBF"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q001 Q001");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected byte order mark (U+FEFF)");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 3);
    /* column 1 of a later line is not the start of the file */
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 2);
}

static void test_lexer_fat_arrow_is_reported_and_read_as_arrow(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a => b"), 3);
    assert_int_equal(f->toks[1].kind, ARROW);
    assert_string_equal(qtmc_codes(&f->d), "Q001");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected `=>`; write `->`");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 3);
}

static void test_lexer_smart_quotes_and_unicode_arrow(void **state)
{
    fixture *f = *state;
    /* one message per character, not per byte */
    assert_int_equal(LEX(f, "\xE2\x80\x9Cx\xE2\x80\x9D a \xE2\x86\x92 b"), 3);
    assert_string_equal(qtmc_codes(&f->d), "Q001 Q001 Q001");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg,
                        "unexpected character U+201C (use straight quotes \")");
    assert_string_equal(qtmc_diag_at(&f->d, 1)->msg,
                        "unexpected character U+201D (use straight quotes \")");
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 5);
    assert_string_equal(qtmc_diag_at(&f->d, 2)->msg, "unexpected character U+2192 (write `->`)");
}

static void test_lexer_non_ascii_character_outside_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "caf\xC3\xA9 \xF0\x9F\x98\x80"), 1);
    assert_string_equal(f->toks[0].text, "caf");
    assert_string_equal(qtmc_codes(&f->d), "Q001 Q001");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg,
                        "unexpected character U+00E9 outside a string");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 4);
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.len, 2);
    assert_string_equal(qtmc_diag_at(&f->d, 1)->msg,
                        "unexpected character U+1F600 outside a string");
}

static void test_lexer_malformed_number(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "x 1abc y"), 3);
    assert_int_equal(f->toks[1].kind, NUMBER);
    assert_string_equal(f->toks[2].text, "y");
    assert_string_equal(qtmc_codes(&f->d), "Q001");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_int_equal(g->loc.col, 3);
    assert_int_equal(g->loc.len, 4);
    assert_contains(g->msg, "malformed number");
}

static void test_lexer_unterminated_string_at_end_of_line(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "name \"abc\n next"), 3);
    assert_int_equal(f->toks[1].kind, STRING);
    assert_string_equal(f->toks[1].text, "abc");
    /* scanning resumes on the next line, with the right position */
    assert_string_equal(f->toks[2].text, "next");
    assert_int_equal(f->toks[2].line, 2);
    assert_int_equal(f->toks[2].col, 2);
    assert_string_equal(qtmc_codes(&f->d), "Q002");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_int_equal(g->loc.line, 1);
    assert_int_equal(g->loc.col, 6);
    assert_contains(g->msg, "unterminated string");
    assert_contains(g->msg, "same line");
}

static void test_lexer_string_span(void **state)
{
    fixture *f = *state;
    /* the quotes, the escape as written (2 bytes) and the UTF-8 (2 bytes) */
    assert_int_equal(LEX(f, "x \"a\\n\xC3\xA9\" y"), 3);
    assert_int_equal(f->toks[1].len, 7);
    assert_int_equal(f->toks[2].col, 11);
}

/*
 * An unterminated string's token spans the rest of its line.  (At 5cee88f
 * the <STR>\n rule reset the column before finish_string computed the
 * span, giving lengths near 2^32 in JSON diagnostics.)
 */
static void test_lexer_unterminated_string_span(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "x \"abc\ny"), 3);
    assert_string_equal(qtmc_codes(&f->d), "Q002");
    if (f->toks[1].len < 1 || f->toks[1].len > 4)
        fail_msg("string span %u bytes on a 6-byte line", f->toks[1].len);
}

static void test_lexer_unterminated_string_at_end_of_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a\n  \"abc"), 2);
    assert_int_equal(f->toks[1].kind, STRING);
    assert_string_equal(f->toks[1].text, "abc");
    assert_string_equal(qtmc_codes(&f->d), "Q002");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_int_equal(g->loc.line, 2);
    assert_int_equal(g->loc.col, 3);
    assert_string_equal(g->msg, "unterminated string at end of file");
}

static void test_lexer_unknown_escape(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"a\\qb\" c"), 2);
    assert_string_equal(f->toks[1].text, "c");
    assert_string_equal(qtmc_codes(&f->d), "Q003");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_int_equal(g->loc.col, 3);
    assert_contains(g->msg, "unknown escape");
}

static void test_lexer_short_unicode_escape(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"\\u12\" x"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q003");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->msg, "\\u needs exactly four hex digits, e.g. \\u00E9");
    assert_int_equal(g->loc.col, 2);
    assert_int_equal(g->loc.len, 4);
    /* the string still ends at its quote */
    assert_string_equal(f->toks[1].text, "x");
}

static void test_lexer_backslash_at_end_of_line(void **state)
{
    fixture *f = *state;
    /* the backslash is a bad escape; the newline still ends the string */
    assert_int_equal(LEX(f, "\"a\\\nb"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q003 Q002");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "unknown escape");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 3);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 1);
    assert_string_equal(f->toks[0].text, "a");
    assert_string_equal(f->toks[1].text, "b");
    assert_int_equal(f->toks[1].line, 2);
    assert_int_equal(f->toks[1].col, 1);
}

static void test_lexer_nul_and_surrogate_unicode_escapes(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"\\u0000\" \"\\uD800\" \"\\udfff\" \"\\ud7ff\""), 4);
    assert_string_equal(qtmc_codes(&f->d), "Q003 Q003 Q003");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "NUL or a surrogate");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 2);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 11);
    /* U+D7FF is just below the surrogates: fine */
    assert_string_equal(f->toks[3].text, "\xED\x9F\xBF");
}

static void test_lexer_invalid_utf8(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {
        "\"ab\xFF\"",              /* never valid */
        "\"ab\xC0\x80\"",          /* overlong NUL */
        "\"ab\xE0\x80\x80\"",      /* overlong 3-byte */
        "\"ab\xED\xA0\x80\"",      /* encoded surrogate */
        "\"ab\xF4\x90\x80\x80\"",  /* above U+10FFFF */
        "\"ab\xE2\x82\"",          /* truncated */
        "\"ab\x80\"",              /* lone continuation byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned before = f->d.errors;
        assert_int_equal(lex(f, bad[i], strlen(bad[i])), 1);
        assert_int_equal(f->d.errors, before + 1);
        const diag *g = qtmc_diag_at(&f->d, f->d.list.n - 1);
        assert_string_equal(g->code, "Q003");
        assert_string_equal(g->msg, "invalid UTF-8 in string");
        assert_int_equal(g->loc.col, 4);   /* the first bad byte */
    }
}

static void test_lexer_control_characters_in_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"a\x01" "b\" \"tab\there\" \"\x1f\""), 3);
    assert_string_equal(qtmc_codes(&f->d), "Q003 Q003 Q003");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "control character");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 3);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 11);
    assert_string_equal(f->toks[0].text, "ab");
}

static void test_lexer_identifier_length_limit(void **state)
{
    fixture *f = *state;
    char *ok = repeat(f, 'a', QSM_MAX_IDENT);
    assert_int_equal(lex(f, ok, strlen(ok)), 1);
    assert_int_equal(f->d.errors, 0);
    assert_int_equal(strlen(f->toks[0].text), QSM_MAX_IDENT);

    char *big = repeat(f, 'b', QSM_MAX_IDENT + 1);
    assert_int_equal(lex(f, big, strlen(big)), 1);
    assert_string_equal(qtmc_codes(&f->d), "Q005");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "identifier longer than 128 bytes");
    /* the token is kept, truncated */
    assert_int_equal(strlen(f->toks[0].text), QSM_MAX_IDENT);
}

static void test_lexer_string_length_limit(void **state)
{
    fixture *f = *state;
    char *ok = arena_printf(&f->a, "\"%s\"", repeat(f, 's', QSM_MAX_STRING));
    assert_int_equal(lex(f, ok, strlen(ok)), 1);
    assert_int_equal(f->d.errors, 0);
    assert_int_equal(strlen(f->toks[0].text), QSM_MAX_STRING);

    char *big = arena_printf(&f->a, "\"%s\"", repeat(f, 's', QSM_MAX_STRING + 1));
    assert_int_equal(lex(f, big, strlen(big)), 1);
    assert_string_equal(qtmc_codes(&f->d), "Q005");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "string longer than 2000 bytes");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 1);
}

static void test_lexer_very_long_string_reported_once(void **state)
{
    fixture *f = *state;
    /* many separate runs (escapes split them) past the limit: one error */
    size_t n = 3 * QSM_MAX_STRING;
    char *s = arena_alloc(&f->a, 2 * n + 3);
    size_t k = 0;
    s[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        s[k++] = '\\';
        s[k++] = 'n';
    }
    s[k++] = '"';
    assert_int_equal(lex(f, s, k), 1);
    assert_string_equal(qtmc_codes(&f->d), "Q005");
}

static void test_lexer_string_limit_counts_decoded_bytes(void **state)
{
    fixture *f = *state;
    /* 1000 x U+00E9 = 2000 bytes of UTF-8 (6000 bytes of source): fine */
    size_t n = QSM_MAX_STRING / 2;
    char *s = arena_alloc(&f->a, 6 * (n + 1) + 3);
    size_t k = 0;
    s[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        memcpy(s + k, "\\u00e9", 6);
        k += 6;
    }
    s[k++] = '"';
    assert_int_equal(lex(f, s, k), 1);
    assert_int_equal(f->d.errors, 0);
    assert_int_equal(strlen(f->toks[0].text), QSM_MAX_STRING);
    /* one more is 2002 bytes */
    k--;
    memcpy(s + k, "\\u00e9\"", 7);
    k += 7;
    assert_int_equal(lex(f, s, k), 1);
    assert_string_equal(qtmc_codes(&f->d), "Q005");
}

static void test_lexer_number_limit(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "1000000"), 1);
    assert_int_equal(f->toks[0].num, QSM_MAX_NUMBER);
    assert_int_equal(f->d.errors, 0);
    assert_int_equal(LEX(f, "1000001"), 1);
    assert_string_equal(qtmc_codes(&f->d), "Q005");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "number larger than 1000000");
}

static void test_lexer_huge_number_does_not_wrap(void **state)
{
    fixture *f = *state;
    /* 2^64 + 1 would wrap a uint64_t to 1 */
    assert_int_equal(LEX(f, "18446744073709551617 99999999999999999999999999"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q005 Q005");
    assert_int_equal(f->toks[0].num, QSM_MAX_NUMBER);
    assert_int_equal(f->toks[1].num, QSM_MAX_NUMBER);
}

/*** recovery, through the parser ***/

static void test_lexer_errors_on_two_lines_both_reported(void **state)
{
    fixture *f = *state;
    assert_null(PARSE(f, "surface x {\n  name \"a\\qb\"\n  spec $ \"s\"\n  status active\n}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q003 Q001");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 2);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 3);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 8);
}

static void test_lexer_many_errors_one_line(void **state)
{
    fixture *f = *state;
    assert_null(PARSE(f, "surface x { @ $ % }"));
    assert_string_equal(qtmc_codes(&f->d), "Q001 Q001 Q001");
    assert_int_equal(qtmc_diag_at(&f->d, 2)->loc.col, 17);
}

static void test_lexer_syntax_error_on_same_line_suppressed(void **state)
{
    fixture *f = *state;
    /* `1abc` is a lexical error and a NUMBER where a phase attr goes */
    assert_null(PARSE(f, "surface x {\n  lifecycle { a 1abc }\n}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q001");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 2);
}

static void test_lexer_syntax_error_on_other_line_reported(void **state)
{
    fixture *f = *state;
    assert_null(PARSE(f, "surface x {\n  name \"a\\q\"\n  lifecycle { a 5 }\n}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q003 Q004");
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 3);
}

static void test_lexer_error_makes_parse_fail(void **state)
{
    fixture *f = *state;
    /* syntactically fine; only the bad escape is wrong */
    assert_null(PARSE(f, "surface x { name \"\\q\" }"));
    assert_string_equal(qtmc_codes(&f->d), "Q003");
}

static void test_lexer_clean_input_parses(void **state)
{
    fixture *f = *state;
    ast_surface *s = PARSE(f, "surface x { name \"\\u00e9\" }");
    assert_non_null(s);
    assert_string_equal(qtmc_codes(&f->d), "");
    assert_int_equal(s->blocks.n, 1);
    const ast_block *b = s->blocks.v[0];
    assert_string_equal(b->setting->value.name, "\xC3\xA9");
}

/*** NUL bytes ***/

static void test_lexer_nul_byte_outside_string(void **state)
{
    fixture *f = *state;
    /* the NUL does not end the input: `b` after it is still scanned */
    assert_int_equal(LEX(f, "a\0b"), 2);
    assert_string_equal(f->toks[1].text, "b");
    assert_int_equal(f->toks[1].col, 3);
    assert_string_equal(qtmc_codes(&f->d), "Q001");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected byte 0x00");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 2);
}

static void test_lexer_nul_byte_inside_string(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "\"a\0b\" c"), 2);
    assert_string_equal(qtmc_codes(&f->d), "Q003");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "control character");
    assert_string_equal(f->toks[0].text, "ab");
    assert_string_equal(f->toks[1].text, "c");
}

static void test_lexer_nul_byte_in_comment_is_ignored(void **state)
{
    fixture *f = *state;
    assert_int_equal(LEX(f, "a # x\0y\nb"), 2);
    assert_int_equal(f->d.errors, 0);
    assert_int_equal(f->toks[1].line, 2);
}

static void test_lexer_nul_bytes_through_parser_and_printer(void **state)
{
    fixture *f = *state;
    static const char text[] = "surface x {\0\n  name \"\0\"\0\n}\0\0";
    assert_null(parse_text(f, text, sizeof text - 1));
    assert_true(f->d.errors >= 3);
    /* printing the caret lines with NULs in them must not stop or crash */
    char *out = qtmc_diag_printed(&f->d);
    assert_contains(out, "lex.qsm:1:12: error: unexpected byte 0x00 [Q001]");
    assert_contains(out, "lex.qsm:2:9: error: control character in string");
    free(out);
}

static void test_lexer_only_nul_bytes(void **state)
{
    fixture *f = *state;
    static const char text[] = "\0\0\0";
    assert_null(parse_text(f, text, 3));
    assert_int_equal(f->d.errors, 3);
    assert_string_equal(qtmc_codes(&f->d), "Q001 Q001 Q001");
}

static void test_lexer_oversized_source_refused_unread(void **state)
{
    fixture *f = *state;
    /* size is checked before any byte is read */
    f->src.path = "big.qsm";
    f->src.text = "";
    f->src.size = (size_t)QSM_MAX_SOURCE + 1;
    assert_null(parse_source(&f->src, &f->a, &f->d));
    assert_string_equal(qtmc_codes(&f->d), "Q005");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "the limit is 16777216");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 0);
}

/*** trivia mode (parse_tokens, for qtmc fmt) ***/

/* The tokens of text in trivia mode as "CLASS:text" joined by spaces. */
static const char *trivia(fixture *f, const char *text)
{
    static const char *const names[] = {"W", "S", "N", "P", "C", "B", "E"};
    f->src.path = "trivia.qsm";
    f->src.text = text;
    f->src.size = strlen(text);
    qsm_token *t = NULL;
    size_t n = parse_tokens(&f->src, &f->a, &f->d, &t);
    char *s = arena_strdup(&f->a, "");
    for (size_t i = 0; i < n; i++)
        s = arena_printf(&f->a, "%s%s%s@%u:%.*s", s, i ? " " : "", names[t[i].cls], t[i].line,
                         t[i].cls == QSM_BLANK ? 0 : (int)t[i].len, t[i].text);
    free(t);
    return s;
}

static void test_lexer_trivia_returns_comments_and_blank_lines(void **state)
{
    fixture *f = *state;
    assert_string_equal(trivia(f, "# top  \nsurface x { # open\n\n\n  a -> b\n \t\n}\n"),
                        "C@1:# top   W@2:surface W@2:x P@2:{ C@2:# open B@2: W@5:a P@5:-> "
                        "W@5:b B@5: P@7:} E@8:");
    assert_string_equal(qtmc_codes(&f->d), "");
}

static void test_lexer_trivia_keeps_strings_as_written(void **state)
{
    fixture *f = *state;
    /* the text is the source's bytes, escapes and quotes included */
    assert_string_equal(trivia(f, "name \"a\\\"b\\u00e9\" 12\n"),
                        "W@1:name S@1:\"a\\\"b\\u00e9\" N@1:12 E@2:");
    /* after a string the scanner is back in trivia mode */
    assert_string_equal(trivia(f, "\"s\" # c\n\n\"t\""), "S@1:\"s\" C@1:# c B@1: S@3:\"t\" E@3:");
}

static void test_lexer_trivia_refuses_lexical_errors(void **state)
{
    fixture *f = *state;
    f->src.path = "trivia.qsm";
    f->src.text = "a => b";
    f->src.size = 6;
    qsm_token *t = (qsm_token *)&f->src;  /* must be reset */
    assert_int_equal(parse_tokens(&f->src, &f->a, &f->d, &t), 0);
    assert_null(t);
    assert_string_equal(qtmc_codes(&f->d), "Q001");
}

static void test_lexer_parse_mode_skips_trivia(void **state)
{
    fixture *f = *state;
    /* the parser's scanner never returns comments or blank lines */
    const char *text = "a # c\n\n\nb";
    assert_int_equal(lex(f, text, strlen(text)), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lexer_every_keyword, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_required_keyword_carries_its_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_keyword_prefixes_are_identifiers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_punctuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_identifier_number_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_empty_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_blank_input_is_end_of_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_comment_runs_to_end_of_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_hash_inside_string_is_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_comment_directly_after_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_simple_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unicode_escapes_become_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unicode_escape_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_raw_utf8_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_hyphenated_identifier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_arrow_between_identifiers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_hyphenated_identifier_then_arrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_trailing_or_double_hyphen_is_not_identifier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_lines_and_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_tab_is_one_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_crlf_line_endings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_columns_count_bytes_after_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_string_location_is_its_opening_quote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unexpected_character, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unexpected_byte_outside_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_byte_order_mark_at_start_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_byte_order_mark_elsewhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_fat_arrow_is_reported_and_read_as_arrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_smart_quotes_and_unicode_arrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_non_ascii_character_outside_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_malformed_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unterminated_string_at_end_of_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_string_span, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unterminated_string_span, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unterminated_string_at_end_of_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_unknown_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_short_unicode_escape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_backslash_at_end_of_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_nul_and_surrogate_unicode_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_control_characters_in_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_identifier_length_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_string_length_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_very_long_string_reported_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_string_limit_counts_decoded_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_number_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_huge_number_does_not_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_errors_on_two_lines_both_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_many_errors_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_syntax_error_on_same_line_suppressed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_syntax_error_on_other_line_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_error_makes_parse_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_clean_input_parses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_nul_byte_outside_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_nul_byte_inside_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_nul_byte_in_comment_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_nul_bytes_through_parser_and_printer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_only_nul_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_oversized_source_refused_unread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_trivia_returns_comments_and_blank_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lexer_trivia_keeps_strings_as_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lexer_trivia_refuses_lexical_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lexer_parse_mode_skips_trivia, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
