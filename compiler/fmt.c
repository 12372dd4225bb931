/*
 * fmt.c - `qtmc fmt`: rewrite .qsm specs in one canonical layout.
 *
 * How: the input is first parsed by the real parser (parse_source) so that
 * only valid specs are formatted.  The formatter then re-scans the source
 * with the same flex scanner in its trivia mode (parse_tokens), which also
 * returns what the parser never sees (comments, blank lines) and gives
 * every token's text as written (strings with their escapes), and walks
 * the tokens along the grammar, building output rows
 * made of cells.  Rows of one block share an alignment group; cells are
 * padded to the widest cell of their column in the group.  Finally the
 * result is checked: it must parse, formatting it again must give the same
 * bytes, and when the input checks clean the output must too, with the
 * same model fingerprint.  grammar/ is not touched.
 *
 * Canonical layout:
 *   - 4 spaces per brace level; LF line ends; no trailing whitespace;
 *     exactly one newline at the end; a byte order mark at the very start
 *     is kept.
 *   - One item per line: setting, execution/evidence key, intake section
 *     field, phase, transition.  `record { a b c }` stays on one line, as
 *     does `photos min N`, and `summary { ... }` (`section.field` written
 *     without spaces).
 *   - A block with nothing inside (no item, no comment) is `name {}`.
 *   - Top level: settings (`name "..."`) form paragraphs; exactly one blank
 *     line separates a block from whatever is before or after it.  Inside
 *     blocks the author's blank lines between items are kept, collapsed to
 *     one; none is kept right after `{` or right before `}`.
 *   - Columns: in a block, the cells of each column are padded to the
 *     widest cell of that column that is followed by another cell, plus
 *     one space (the last cell of a row is never padded).  Widths count
 *     UTF-8 code points.
 *       settings, execution, evidence:  key  value
 *       intake section:                 name:  type flags   (type aligned)
 *       lifecycle:                      name  "Label"  initial/final
 *                                       hint "..." on its own line, under
 *                                       the label column
 *       transitions:                    from  ->  to  on EVENT  by WHO
 *                                       requires A, B
 *       migrate from "sha256:...":      old  ->  new
 *     A phase's label is written first, then `initial`/`final` in source
 *     order, then each hint on its own line (the model does not depend on
 *     the order of a phase's attributes).
 *   - Lists: `[a, b]`, `one_of(a, "B c", d)` with ", " separators, always
 *     on one line; a trailing comma in `[...]` is dropped.
 *   - Strings, numbers and words are written exactly as in the source.
 * Comments:
 *   - A comment on a line of its own stays on a line of its own, indented
 *     like the item that follows it (or the `}` it precedes).  One inside
 *     an item (e.g. between two choices of a one_of split over lines) is
 *     moved above that item.
 *   - A trailing comment stays at the end of the row that holds the token
 *     before it; when two source lines' trailing comments end up on one
 *     row they are joined with a space.  Trailing comments on consecutive
 *     rows are aligned two spaces after the longest of those rows.
 *   - Comment text is kept verbatim (only trailing whitespace removed).
 */
#include "fmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "driver.h"
#include "model.h"
#include "output.h"
#include "parse.h"
#include "xalloc.h"

/* --- small helpers --------------------------------------------------------- */

/* A growable, NUL-terminated byte string. */
typedef struct dstr {
    char *p;
    size_t n, cap;
} dstr;

static void ds_put(dstr *s, const char *t, size_t n)
{
    XGROW(s->p, s->cap, s->n + n + 1);
    memcpy(s->p + s->n, t, n);
    s->n += n;
    s->p[s->n] = '\0';
}

static void ds_puts(dstr *s, const char *t) { ds_put(s, t, strlen(t)); }

static void ds_pad(dstr *s, size_t n)
{
    while (n--)
        ds_put(s, " ", 1);
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t width_of(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* --- tokens ---------------------------------------------------------------- */

typedef enum tk_kind { TK_WORD, TK_STRING, TK_NUMBER, TK_PUNCT, TK_COMMENT, TK_EOF } tk_kind;

typedef struct tok {
    tk_kind kind;
    const char *s;                 /* text as written (comments: trailing blanks cut) */
    size_t n;
    uint32_t line;
    int blank_before;              /* an empty line separates it from the token before */
} tok;

/* The real scanner's tokens (parse_tokens, trivia mode) as the walk wants
 * them, ending with TK_EOF: blank-line runs fold into blank_before,
 * comments lose their trailing blanks; *bom is set when a byte order mark
 * starts the text.  Returns the count, or 0 if the scanner reported an
 * error (fmt_source parses first, so only on a formatter bug). */
static size_t tokenize(const source *src, tok **out, int *bom)
{
    static const tk_kind kinds[] = {
        [QSM_WORD] = TK_WORD, [QSM_STRING] = TK_STRING, [QSM_NUMBER] = TK_NUMBER,
        [QSM_PUNCT] = TK_PUNCT, [QSM_COMMENT] = TK_COMMENT, [QSM_END] = TK_EOF};
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    qsm_token *q = NULL;
    size_t nq = parse_tokens(src, &a, &d, &q), n = 0;
    tok *v = nq ? xcalloc(nq, sizeof *v) : NULL;
    *bom = src->size >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0;
    int blank = 0;
    for (size_t i = 0; i < nq; i++) {
        if (q[i].cls == QSM_BLANK) {
            blank = 1;
            continue;
        }
        tok *t = &v[n];
        t->kind = kinds[q[i].cls];
        t->s = q[i].text;
        t->n = q[i].len;
        t->line = q[i].line;
        t->blank_before = n > 0 && blank;
        blank = 0;
        while (t->kind == TK_COMMENT && t->n &&
               (t->s[t->n - 1] == ' ' || t->s[t->n - 1] == '\t' || t->s[t->n - 1] == '\r'))
            t->n--;
        n++;
    }
    free(q);
    arena_free(&a);
    *out = v;
    return n;
}

/* --- rows -------------------------------------------------------------------- */

#define NCELLS 6                   /* a transition has the most columns */

typedef enum row_kind { ROW_CODE, ROW_COMMENT, ROW_BLANK } row_kind;

typedef struct row {
    row_kind kind;
    int indent;                    /* brace level */
    int group;                     /* alignment group; 0: none */
    int opens;                     /* ends with `{` */
    int closes;                    /* is a `}` */
    int ncells;
    dstr cells[NCELLS];
    dstr comment;                  /* trailing comment, or a ROW_COMMENT's text */
} row;

typedef struct fmt {
    tok *t;
    size_t nt, pos;
    int bom;
    row *rows;
    size_t nrows, cap;
    row *hoist;                    /* full-line comments met inside an item */
    size_t nhoist, hcap;
    int in_item;
    size_t item_start;             /* first row of the open item */
    size_t last_row;               /* row of the newest code token */
    uint32_t last_line;            /* its line; 0 before the first token */
    int indent, ngroups;
    int force_blank;               /* top level: a blank line before the next row */
    int err;                       /* the walk lost its way (a formatter bug) */
} fmt;

static void row_free(row *r)
{
    for (int i = 0; i < NCELLS; i++)
        free(r->cells[i].p);
    free(r->comment.p);
}

/* Appends an empty row of the given kind at the current indent. */
static size_t new_row(fmt *f, row_kind kind, int group)
{
    XGROW(f->rows, f->cap, f->nrows + 1);
    row *r = &f->rows[f->nrows];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->indent = f->indent;
    r->group = group;
    return f->nrows++;
}

/* Adds a blank row unless at the start, after `{`, or after a blank. */
static void blank_row(fmt *f)
{
    if (f->nrows == 0)
        return;
    const row *last = &f->rows[f->nrows - 1];
    if (last->kind == ROW_BLANK || last->opens)
        return;
    new_row(f, ROW_BLANK, 0);
}

/* Before a row that starts an item or a full-line comment between items:
 * keeps the author's blank line, or the one top level asks for. */
static void blank_before(fmt *f, const tok *t)
{
    if (t->blank_before || f->force_blank)
        blank_row(f);
    f->force_blank = 0;
}

/* Appends text to cell c of row r, after a space if the cell is not empty. */
static void put_word(fmt *f, size_t r, int c, const char *s, size_t n)
{
    row *w = &f->rows[r];
    if (w->cells[c].n)
        ds_put(&w->cells[c], " ", 1);
    ds_put(&w->cells[c], s, n);
    if (c + 1 > w->ncells)
        w->ncells = c + 1;
}

/* Appends text to cell c of row r as is. */
static void put_raw(fmt *f, size_t r, int c, const char *s)
{
    row *w = &f->rows[r];
    ds_puts(&w->cells[c], s);
    if (c + 1 > w->ncells)
        w->ncells = c + 1;
}

/* Handles the comments before the next code token: trailing ones go to the
 * row of the token before them, full-line ones become rows (or are hoisted
 * above the open item). */
static void comments(fmt *f)
{
    while (f->t[f->pos].kind == TK_COMMENT) {
        const tok *c = &f->t[f->pos++];
        if (f->last_line && c->line == f->last_line) {
            dstr *d = &f->rows[f->last_row].comment;
            if (d->n)
                ds_put(d, " ", 1);
            ds_put(d, c->s, c->n);
        } else if (f->in_item) {
            XGROW(f->hoist, f->hcap, f->nhoist + 1);
            row *r = &f->hoist[f->nhoist++];
            memset(r, 0, sizeof *r);
            r->kind = ROW_COMMENT;
            r->indent = f->indent;
            ds_put(&r->comment, c->s, c->n);
        } else {
            blank_before(f, c);
            size_t r = new_row(f, ROW_COMMENT, 0);
            ds_put(&f->rows[r].comment, c->s, c->n);
        }
    }
}

/* The next code token, without consuming anything. */
static const tok *peek(const fmt *f)
{
    size_t i = f->pos;
    while (f->t[i].kind == TK_COMMENT)
        i++;
    return &f->t[i];
}

static int is(const tok *t, const char *s)
{
    return (t->kind == TK_WORD || t->kind == TK_PUNCT) && t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

/* Consumes the next code token, which belongs to row r. */
static const tok *take(fmt *f, size_t r)
{
    comments(f);
    const tok *t = &f->t[f->pos];
    if (t->kind == TK_EOF) {
        f->err = 1;
        return t;
    }
    f->pos++;
    f->last_line = t->line;
    f->last_row = r;
    return t;
}

/* Consumes the next code token, which must be the punctuation or word s. */
static void want(fmt *f, size_t r, const char *s)
{
    if (!is(take(f, r), s))
        f->err = 1;
}

/* Consumes the next token and appends it to cell c of row r. */
static void take_word(fmt *f, size_t r, int c)
{
    const tok *t = take(f, r);
    if (t->kind == TK_PUNCT || t->kind == TK_EOF)
        f->err = 1;
    else
        put_word(f, r, c, t->s, t->n);
}

static void item_begin(fmt *f)
{
    f->in_item = 1;
    f->item_start = f->nrows;
}

/* Closes the item: comments met inside it go above its first row. */
static void item_end(fmt *f)
{
    f->in_item = 0;
    if (!f->nhoist)
        return;
    XGROW(f->rows, f->cap, f->nrows + f->nhoist);
    memmove(&f->rows[f->item_start + f->nhoist], &f->rows[f->item_start],
            (f->nrows - f->item_start) * sizeof *f->rows);
    memcpy(&f->rows[f->item_start], f->hoist, f->nhoist * sizeof *f->rows);
    f->nrows += f->nhoist;
    if (f->last_row >= f->item_start)
        f->last_row += f->nhoist;
    f->nhoist = 0;
}

/* --- the walk, along grammar/qsm.y ------------------------------------------- */

/* value: word | STRING | NUMBER | '[' word, ... ']', into cell c of row r */
static void walk_value(fmt *f, size_t r, int c)
{
    if (!is(peek(f), "[")) {
        take_word(f, r, c);
        return;
    }
    want(f, r, "[");
    put_word(f, r, c, "[", 1);
    int first = 1;
    while (!f->err && !is(peek(f), "]")) {
        if (is(peek(f), ",")) {
            want(f, r, ",");
            continue;
        }
        if (!first)
            put_raw(f, r, c, ", ");
        const tok *t = take(f, r);
        if (t->kind != TK_WORD)
            f->err = 1;
        ds_put(&f->rows[r].cells[c], t->s, t->n);
        first = 0;
    }
    want(f, r, "]");
    put_raw(f, r, c, "]");
}

/* key value, as one row of group g */
static void walk_setting(fmt *f, int g)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, g);
    take_word(f, r, 0);
    walk_value(f, r, 1);
    item_end(f);
}

/* Whether the code token after the next one is a number (`min 5`, not a
 * field named min). */
static int second_is_number(const fmt *f)
{
    size_t i = f->pos;
    while (f->t[i].kind == TK_COMMENT)
        i++;
    if (f->t[i].kind == TK_EOF)
        return 0;
    for (i++; f->t[i].kind == TK_COMMENT; i++)
        ;
    return f->t[i].kind == TK_NUMBER;
}

/* name: type [required] [max N] [min N] */
static void walk_field(fmt *f, int g)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, g);
    take_word(f, r, 0);
    want(f, r, ":");
    put_raw(f, r, 0, ":");
    take_word(f, r, 1);
    if (is(peek(f), "(")) {
        want(f, r, "(");
        put_raw(f, r, 1, "(");
        for (int first = 1; !f->err && !is(peek(f), ")"); first = 0) {
            if (!first) {
                want(f, r, ",");
                put_raw(f, r, 1, ", ");
            }
            const tok *t = take(f, r);
            if (t->kind != TK_WORD && t->kind != TK_STRING)
                f->err = 1;
            ds_put(&f->rows[r].cells[1], t->s, t->n);
        }
        want(f, r, ")");
        put_raw(f, r, 1, ")");
    }
    while (!f->err && (is(peek(f), "required") || is(peek(f), "max") ||
                       (is(peek(f), "min") && second_is_number(f)))) {
        int bound = !is(peek(f), "required");
        take_word(f, r, 1);
        if (bound)
            take_word(f, r, 1);
    }
    item_end(f);
}

/* name "Label" [initial] [final] [hint "..."]..., hints on rows of their own */
static void walk_phase(fmt *f, int g)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, g);
    take_word(f, r, 0);
    for (;;) {
        const tok *t = peek(f);
        if (f->err)
            break;
        if (t->kind == TK_STRING) {
            take_word(f, r, f->rows[r].cells[1].n ? 2 : 1);
        } else if (is(t, "initial") || is(t, "final")) {
            take_word(f, r, 2);
        } else if (is(t, "hint")) {
            size_t h = new_row(f, ROW_CODE, g);
            put_raw(f, h, 0, "");
            take_word(f, h, 1);
            take_word(f, h, 1);
        } else {
            break;
        }
    }
    item_end(f);
}

/* from -> to on EVENT by WHO [requires A, B] */
static void walk_transition(fmt *f, int g)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, g);
    take_word(f, r, 0);
    want(f, r, "->");
    put_raw(f, r, 1, "->");
    take_word(f, r, 2);
    take_word(f, r, 3);            /* on */
    take_word(f, r, 3);
    take_word(f, r, 4);            /* by */
    take_word(f, r, 4);
    if (is(peek(f), "requires")) {
        take_word(f, r, 5);
        take_word(f, r, 5);
        while (!f->err && is(peek(f), ",")) {
            want(f, r, ",");
            put_raw(f, r, 5, ",");
            take_word(f, r, 5);
        }
    }
    if (is(peek(f), "outcome")) {
        take_word(f, r, 5);
        take_word(f, r, 5);
    }
    item_end(f);
}

/* old -> new, in a migrate block */
static void walk_mapping(fmt *f, int g)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, g);
    take_word(f, r, 0);
    want(f, r, "->");
    put_raw(f, r, 1, "->");
    take_word(f, r, 2);
    item_end(f);
}

/* `photos min N` in intake */
static void walk_photos(fmt *f)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, 0);
    take_word(f, r, 0);
    take_word(f, r, 0);
    take_word(f, r, 0);
    item_end(f);
}

static void walk_intake_item(fmt *f, int g);

/* The items of a `{ ... }` body up to and including its `}`: the header row
 * hdr already holds "NAME {"; an empty body closes on that row. */
static void walk_body(fmt *f, size_t hdr, void (*item)(fmt *, int))
{
    if (f->t[f->pos].kind != TK_COMMENT && is(&f->t[f->pos], "}")) {
        want(f, hdr, "}");
        put_raw(f, hdr, 0, "}");
        item_end(f);
        return;
    }
    f->rows[hdr].opens = 1;
    item_end(f);
    f->indent++;
    int g = ++f->ngroups;
    while (!f->err) {
        comments(f);
        const tok *t = peek(f);
        if (is(t, "}") || t->kind == TK_EOF)
            break;
        blank_before(f, t);
        size_t before = f->pos;
        item(f, g);
        if (f->pos == before)
            f->err = 1;
    }
    f->indent--;
    size_t r = new_row(f, ROW_CODE, 0);
    f->rows[r].closes = 1;
    want(f, r, "}");
    put_raw(f, r, 0, "}");
}

/* `summary { section.field "text" ... }` in intake, on one row */
static void walk_summary(fmt *f)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, 0);
    take_word(f, r, 0);
    want(f, r, "{");
    put_raw(f, r, 0, " {");
    int any = 0;
    while (!f->err && !is(peek(f), "}") && peek(f)->kind != TK_EOF) {
        take_word(f, r, 0);
        if (is(peek(f), ".")) {
            want(f, r, ".");
            put_raw(f, r, 0, ".");
            const tok *t = take(f, r);
            if (t->kind != TK_WORD)
                f->err = 1;
            ds_put(&f->rows[r].cells[0], t->s, t->n);
        }
        any = 1;
    }
    want(f, r, "}");
    put_raw(f, r, 0, any ? " }" : "}");
    item_end(f);
}

static void walk_intake_item(fmt *f, int g)
{
    if (is(peek(f), "photos")) {
        walk_photos(f);
        return;
    }
    if (is(peek(f), "summary")) {
        walk_summary(f);
        return;
    }
    (void)g;
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, 0);
    take_word(f, r, 0);
    want(f, r, "{");
    put_raw(f, r, 0, " {");
    walk_body(f, r, walk_field);
}

/* record { a b c } on one row */
static void walk_record(fmt *f)
{
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, 0);
    take_word(f, r, 0);
    want(f, r, "{");
    put_raw(f, r, 0, " {");
    int any = 0;
    while (!f->err && !is(peek(f), "}") && peek(f)->kind != TK_EOF) {
        take_word(f, r, 0);
        any = 1;
    }
    want(f, r, "}");
    put_raw(f, r, 0, any ? " }" : "}");
    item_end(f);
}

static int is_block_keyword(const tok *t)
{
    static const char *const kw[] = {"execution", "intake", "lifecycle", "transitions",
                                     "evidence", "record", "migrate"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (is(t, kw[i]))
            return 1;
    return 0;
}

static void walk_block(fmt *f)
{
    const tok *k = peek(f);
    if (is(k, "record")) {
        walk_record(f);
        return;
    }
    void (*item)(fmt *, int) = is(k, "execution") || is(k, "evidence") ? walk_setting
                             : is(k, "intake") ? walk_intake_item
                             : is(k, "lifecycle") ? walk_phase
                             : is(k, "migrate") ? walk_mapping : walk_transition;
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, 0);
    take_word(f, r, 0);
    if (is(k, "migrate")) {
        take_word(f, r, 0);        /* from */
        take_word(f, r, 0);        /* "sha256:..." */
    }
    want(f, r, "{");
    put_raw(f, r, 0, " {");
    walk_body(f, r, item);
}

static void walk_file(fmt *f)
{
    comments(f);
    if (peek(f)->kind != TK_EOF)
        blank_before(f, peek(f));
    item_begin(f);
    size_t r = new_row(f, ROW_CODE, 0);
    take_word(f, r, 0);            /* surface */
    take_word(f, r, 0);            /* slug */
    want(f, r, "{");
    put_raw(f, r, 0, " {");
    f->rows[r].opens = 1;
    item_end(f);
    f->indent = 1;
    int g = ++f->ngroups;
    int prev = 0;                  /* 0 none, 1 setting, 2 block */
    while (!f->err) {
        const tok *t = peek(f);
        if (is(t, "}") || t->kind == TK_EOF)
            break;
        int block = is_block_keyword(t);
        f->force_blank = prev && (block || prev == 2);
        comments(f);
        blank_before(f, t);
        size_t before = f->pos;
        if (block)
            walk_block(f);
        else
            walk_setting(f, g);
        if (f->pos == before)
            f->err = 1;
        prev = block ? 2 : 1;
    }
    comments(f);
    f->indent = 0;
    r = new_row(f, ROW_CODE, 0);
    f->rows[r].closes = 1;
    want(f, r, "}");
    put_raw(f, r, 0, "}");
    comments(f);
    if (f->t[f->pos].kind != TK_EOF)
        f->err = 1;
}

/* --- rendering ---------------------------------------------------------------- */

static char *render(fmt *f)
{
    size_t (*w)[NCELLS] = xmalloc(((size_t)f->ngroups + 1) * sizeof *w);
    memset(w, 0, ((size_t)f->ngroups + 1) * sizeof *w);
    for (size_t i = 0; i < f->nrows; i++) {
        const row *r = &f->rows[i];
        if (r->kind != ROW_CODE || !r->group)
            continue;
        for (int c = 0; c + 1 < r->ncells; c++) {
            size_t cw = width_of(r->cells[c].p ? r->cells[c].p : "", r->cells[c].n);
            if (cw > w[r->group][c])
                w[r->group][c] = cw;
        }
    }
    /* the code part of each line */
    dstr *lines = xmalloc((f->nrows + 1) * sizeof *lines);
    memset(lines, 0, (f->nrows + 1) * sizeof *lines);
    for (size_t i = 0; i < f->nrows; i++) {
        const row *r = &f->rows[i];
        dstr *l = &lines[i];
        ds_put(l, "", 0);
        if (r->kind == ROW_BLANK)
            continue;
        ds_pad(l, (size_t)r->indent * 4);
        if (r->kind == ROW_COMMENT) {
            ds_put(l, r->comment.p, r->comment.n);
            continue;
        }
        for (int c = 0; c < r->ncells; c++) {
            const char *s = r->cells[c].p ? r->cells[c].p : "";
            size_t n = r->cells[c].n;
            if (c + 1 == r->ncells) {
                ds_put(l, s, n);
                break;
            }
            size_t cw = r->group ? w[r->group][c] : width_of(s, n);
            if (cw == 0 && n == 0)
                continue;
            ds_put(l, s, n);
            ds_pad(l, cw - width_of(s, n) + 1);
        }
        while (l->n && l->p[l->n - 1] == ' ')
            l->p[--l->n] = '\0';
    }
    /* trailing comments: aligned over each run of consecutive rows that have one */
    dstr out = {0};
    if (f->bom)
        ds_put(&out, "\xEF\xBB\xBF", 3);
    for (size_t i = 0; i < f->nrows;) {
        const row *r = &f->rows[i];
        if (r->kind != ROW_CODE || !r->comment.n) {
            ds_put(&out, lines[i].p, lines[i].n);
            ds_put(&out, "\n", 1);
            i++;
            continue;
        }
        size_t j = i, col = 0;
        for (; j < f->nrows && f->rows[j].kind == ROW_CODE && f->rows[j].comment.n; j++) {
            size_t lw = width_of(lines[j].p, lines[j].n);
            if (lw > col)
                col = lw;
        }
        for (; i < j; i++) {
            ds_put(&out, lines[i].p, lines[i].n);
            ds_pad(&out, col - width_of(lines[i].p, lines[i].n) + 2);
            ds_put(&out, f->rows[i].comment.p, f->rows[i].comment.n);
            ds_put(&out, "\n", 1);
        }
    }
    for (size_t i = 0; i < f->nrows; i++)
        free(lines[i].p);
    free(lines);
    free(w);
    if (!out.p)
        ds_put(&out, "", 0);
    return out.p;
}

/* Formats text that parses; NULL if the walk failed (a formatter bug). */
static char *format_text(const source *src)
{
    fmt f;
    memset(&f, 0, sizeof f);
    f.nt = tokenize(src, &f.t, &f.bom);
    if (!f.nt)
        return NULL;
    walk_file(&f);
    char *out = f.err ? NULL : render(&f);
    for (size_t i = 0; i < f.nrows; i++)
        row_free(&f.rows[i]);
    for (size_t i = 0; i < f.nhoist; i++)
        row_free(&f.hoist[i]);
    free(f.rows);
    free(f.hoist);
    free(f.t);
    return out;
}

/* The fingerprint of s if it checks clean, else "" (in buf, 72 bytes).
 * Checked as retained (driver.h), so a history spec's meaning is held too. */
static void fingerprint_of(const source *s, char *buf)
{
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    size_t n = 0;
    model **m = driver_compile_flags(s, 1, &a, &d, &n, DRIVER_ALL_RETAINED);
    buf[0] = '\0';
    if (n == 1 && !diag_error_count(&d))
        snprintf(buf, 72, "%s", m[0]->fingerprint);
    for (size_t i = 0; i < n; i++)
        model_release(m[i]);
    arena_free(&a);
}

int fmt_source(const source *s, diag_ctx *d, char **out)
{
    *out = NULL;
    arena a;
    arena_init(&a);
    ast_surface *ast = parse_source(s, &a, d);
    arena_free(&a);
    if (!ast)
        return FMT_SYNTAX;

    const char *why = NULL;
    char *text = format_text(s);
    char *again = NULL;
    if (!text) {
        why = "the layout walk failed";
    } else {
        /* the result must parse, be stable, and mean the same */
        source o = {s->path, text, strlen(text)};
        arena_init(&a);
        diag_ctx d2;
        diag_init(&d2, &a);
        ast_surface *ast2 = parse_source(&o, &a, &d2);
        arena_free(&a);
        again = ast2 ? format_text(&o) : NULL;
        char fp1[72], fp2[72];
        if (!ast2) {
            why = "the result does not parse";
        } else if (!again || strcmp(again, text) != 0) {
            why = "formatting is not stable";
        } else {
            fingerprint_of(s, fp1);
            if (fp1[0]) {
                fingerprint_of(&o, fp2);
                if (strcmp(fp1, fp2) != 0)
                    why = "the fingerprint changed";
            }
        }
    }
    free(again);
    if (why) {
        fprintf(stderr, "qtmc: internal error: cannot format %s: %s\n", s->path, why);
        free(text);
        return FMT_INTERNAL;
    }
    *out = text;
    return FMT_OK;
}

/* --- the command ------------------------------------------------------------- */

/* Reads all of stdin into s (path "<stdin>"); 0 or -1. */
static int load_stdin(source *s)
{
    dstr b = {0};
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) {
        ds_put(&b, buf, got);
        if (b.n > QSM_MAX_SOURCE)
            break;
    }
    if (ferror(stdin)) {
        free(b.p);
        return -1;
    }
    if (!b.p)
        ds_put(&b, "", 0);
    s->path = "<stdin>";
    s->text = b.p;
    s->size = b.n;
    return 0;
}

int fmt_files(const char *const *inputs, size_t ninputs, int check)
{
    int status = 0;
    int use_stdin = ninputs == 1 && strcmp(inputs[0], "-") == 0;
    if (sodium_init() < 0) {
        fputs("qtmc: fatal: cannot initialise\n", stderr);
        return 3;
    }

    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    source *srcs = xmalloc(ninputs * sizeof *srcs);
    char **outs = xmalloc(ninputs * sizeof *outs);
    memset(outs, 0, ninputs * sizeof *outs);
    size_t nloaded = 0;
    output_set os = {0};

    for (; nloaded < ninputs; nloaded++) {
        int rc = use_stdin ? load_stdin(&srcs[nloaded]) : driver_load(inputs[nloaded], &srcs[nloaded]);
        if (rc != 0) {
            fprintf(stderr, "qtmc: error: cannot read %s: %s\n", inputs[nloaded], strerror(errno));
            status = 3;
            goto done;
        }
    }
    int syntax = 0;
    for (size_t i = 0; i < ninputs; i++) {
        int rc = fmt_source(&srcs[i], &d, &outs[i]);
        if (rc == FMT_SYNTAX)
            syntax = 1;
        else if (rc == FMT_INTERNAL)
            status = 3;
    }
    diag_print(&d, stderr);
    if (status)
        goto done;
    if (syntax) {
        status = 1;
        goto done;
    }
    if (use_stdin) {
        if (check) {
            if (strcmp(outs[0], srcs[0].text) != 0) {
                puts("<stdin>");
                status = 1;
            }
        } else {
            fputs(outs[0], stdout);
        }
        if (fflush(stdout) != 0) {
            fprintf(stderr, "qtmc: error: cannot write to stdout: %s\n", strerror(errno));
            status = 3;
        }
        goto done;
    }
    for (size_t i = 0; i < ninputs; i++) {
        if (strcmp(outs[i], srcs[i].text) == 0 && strlen(outs[i]) == srcs[i].size)
            continue;
        if (check) {
            printf("%s\n", inputs[i]);
            status = 1;
            continue;
        }
        /* output_add joins dir and name; give it the whole path as the name */
        const char *slash = strrchr(inputs[i], '/');
        char *dir = slash ? xmalloc((size_t)(slash - inputs[i]) + 2) : NULL;
        if (dir) {
            size_t n = slash == inputs[i] ? 1 : (size_t)(slash - inputs[i]);
            memcpy(dir, inputs[i], n);
            dir[n] = '\0';
        }
        output_add(&os, dir ? dir : ".", slash ? slash + 1 : inputs[i], outs[i]);
        outs[i] = NULL;
        free(dir);
    }
    if (os.n && output_commit(&os) != 0)
        status = 3;
    fflush(stdout);

done:
    output_free(&os);
    for (size_t i = 0; i < ninputs; i++)
        free(outs[i]);
    for (size_t i = 0; i < nloaded; i++) {
        if (use_stdin)
            free((char *)srcs[i].text);
        else
            driver_unload(&srcs[i]);
    }
    free(outs);
    free(srcs);
    arena_free(&a);
    fflush(stderr);
    return status;
}
