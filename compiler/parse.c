/*
 * parse.c - drives the reentrant flex scanner and bison parser over one
 * source buffer; see parse.h.
 */
#include "parse.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "qsm.tab.h"
#define YYSTYPE QSM_STYPE
#define YYLTYPE QSM_LTYPE
#include "qsm.lex.h"

void parse_remember_token(parse_ctx *p, const char *text, size_t len, char q, src_loc loc)
{
    memcpy(p->prev, p->cur, sizeof p->prev);
    p->prev_loc = p->cur_loc;
    p->cur_loc = loc;
    size_t max = sizeof p->cur - 6, n = len < max ? len : max, o = 0;
    p->cur[o++] = q;
    /* keep messages printable: control bytes become '?' */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        p->cur[o++] = (char)(c >= 0x20 && c != 0x7F ? c : '?');
    }
    if (n < len) {
        /* do not cut a UTF-8 sequence in half */
        while (o > 1 && ((unsigned char)p->cur[o - 1] & 0xC0) == 0x80)
            o--;
        if (o > 1 && ((unsigned char)p->cur[o - 1] & 0xC0) == 0xC0)
            o--;
        memcpy(p->cur + o, "...", 3);
        o += 3;
    }
    p->cur[o++] = q;
    p->cur[o] = '\0';
}

int qsm_lex_raw(QSM_STYPE *yylval_param, QSM_LTYPE *yylloc_param, void *yyscanner);

/*
 * qsm_lex - the scanner as the parser sees it.  It counts braces, and after
 * a syntax error inside a block it swallows everything up to the `}` that
 * closes that block, nested braces included, so that recovery (the
 * `error '}'` rules) resumes at the right `}` instead of the first one; an
 * unexpected `{ ... }` at the top level (a misspelt block name) is
 * swallowed whole.
 */
int qsm_lex(QSM_STYPE *yylval, QSM_LTYPE *yylloc, void *scanner)
{
    parse_ctx *p = qsm_get_extra(scanner);
    for (;;) {
        int t = qsm_lex_raw(yylval, yylloc, scanner);
        if (t == '{')
            p->depth++;
        else if (t == '}')
            p->depth--;
        if (p->skip == SKIP_OFF || t == 0) {
            p->skip = SKIP_OFF;
            return t;
        }
        if (t == '}' && p->depth <= p->skip_depth) {
            int mode = p->skip;
            p->skip = SKIP_OFF;
            if (mode == SKIP_BLOCK)
                return t;
        }
    }
}

ast_surface *parse_source(const source *s, arena *a, diag_ctx *d)
{
    parse_ctx p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.d = d;
    p.src = s;
    p.line = 1;
    p.col = 1;
    unsigned errors_before = diag_error_count(d);

    if (s->size > QSM_MAX_SOURCE) {
        diag_error(d, s, (src_loc){0, 0, 0}, "Q005",
                   "file is %zu bytes; the limit is %u", s->size, QSM_MAX_SOURCE);
        return NULL;
    }
    yyscan_t scanner;
    if (qsm_lex_init_extra(&p, &scanner) != 0) {
        fputs("qtmc: fatal: cannot start the scanner\n", stderr);
        exit(3);
    }
    p.scanner = scanner;
    YY_BUFFER_STATE buf = qsm__scan_bytes(s->text, (int)s->size, scanner);
    int rc = qsm_parse(scanner, &p);
    qsm__delete_buffer(buf, scanner);
    qsm_lex_destroy(scanner);
    free(p.sbuf);

    if (rc != 0 || diag_error_count(d) != errors_before)
        return NULL;
    if (p.result)
        p.result->src = s;
    return p.result;
}

static qsm_class class_of(int t)
{
    switch (t) {
    case 0: return QSM_END;
    case STRING: return QSM_STRING;
    case NUMBER: return QSM_NUMBER;
    case QSM_TOK_COMMENT: return QSM_COMMENT;
    case QSM_TOK_BLANK: return QSM_BLANK;
    case ARROW: return QSM_PUNCT;
    default: return t < 256 ? QSM_PUNCT : QSM_WORD;
    }
}

size_t parse_tokens(const source *s, arena *a, diag_ctx *d, qsm_token **out)
{
    parse_ctx p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.d = d;
    p.src = s;
    p.line = 1;
    p.col = 1;
    p.trivia = 1;
    *out = NULL;
    unsigned errors_before = diag_error_count(d);
    if (s->size > QSM_MAX_SOURCE)
        return 0;
    /* locations are line and byte column; starts[l - 1] is line l's offset */
    size_t nlines = 1;
    for (size_t i = 0; i < s->size; i++)
        nlines += s->text[i] == '\n';
    size_t *starts = arena_alloc(a, (nlines + 1) * sizeof *starts);
    for (size_t i = 0, l = 1; i < s->size; i++)
        if (s->text[i] == '\n')
            starts[l++] = i + 1;

    yyscan_t scanner;
    if (qsm_lex_init_extra(&p, &scanner) != 0) {
        fputs("qtmc: fatal: cannot start the scanner\n", stderr);
        exit(3);
    }
    p.scanner = scanner;
    YY_BUFFER_STATE buf = qsm__scan_bytes(s->text, (int)s->size, scanner);
    qsm_token *v = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        QSM_STYPE val;
        QSM_LTYPE loc;
        int t = qsm_lex_raw(&val, &loc, scanner);
        XGROW(v, cap, n + 1);
        qsm_token *k = &v[n++];
        k->cls = class_of(t);
        if (t == 0) {
            k->line = p.line;
            k->text = s->text + s->size;
            k->len = 0;
            break;
        }
        k->line = (uint32_t)loc.first_line;
        k->text = s->text + starts[loc.first_line - 1] + (size_t)loc.first_column - 1;
        k->len = t == STRING ? val.id.loc.len : (size_t)(loc.last_column - loc.first_column);
    }
    qsm__delete_buffer(buf, scanner);
    qsm_lex_destroy(scanner);
    free(p.sbuf);
    if (diag_error_count(d) != errors_before) {
        free(v);
        return 0;
    }
    *out = v;
    return n;
}
