/*
 * diag.c - collect and print diagnostics; see diag.h.
 *
 * Text form follows gcc: "path:line:col: error: message [Q101]", then the
 * source line and a caret with '~' under the rest of the span.  Tabs in the
 * source are copied into the caret line so the caret stays aligned.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const struct {
    const char *name;              /* -W<name> */
    const char *code;              /* stable code */
    int on;                        /* enabled by default */
} warning_table[W_COUNT] = {
#define W_ROW_X(e, name, code, on, what) [W_##e] = {name, code, on},
    QTMC_WARNINGS(W_ROW_X, QTMC_NOSEP)
#undef W_ROW_X
};

void diag_init(diag_ctx *d, arena *a)
{
    memset(d, 0, sizeof *d);
    d->a = a;
    d->max_errors = 50;
    for (int i = 0; i < W_COUNT; i++)
        d->enabled[i] = (unsigned char)warning_table[i].on;
}

const char *diag_warning_name(diag_warning_id w) { return warning_table[w].name; }
const char *diag_warning_code(diag_warning_id w) { return warning_table[w].code; }

int diag_set_option(diag_ctx *d, const char *name)
{
    if (strcmp(name, "error") == 0) {
        d->werror = 1;
        return 0;
    }
    if (strcmp(name, "all") == 0) {
        for (int i = 0; i < W_COUNT; i++)
            d->enabled[i] = 1;
        return 0;
    }
    int on = 1, as_error = 0;
    if (strncmp(name, "no-", 3) == 0) {
        on = 0;
        name += 3;
    } else if (strncmp(name, "error=", 6) == 0) {
        as_error = 1;
        name += 6;
    }
    for (int i = 0; i < W_COUNT; i++) {
        if (strcmp(name, warning_table[i].name) == 0) {
            d->enabled[i] = (unsigned char)(on || as_error);
            if (as_error)
                d->as_error[i] = 1;
            return 0;
        }
    }
    return -1;
}

static diag *add(diag_ctx *d, const source *s, src_loc loc, diag_severity sev,
                 const char *code, int warning, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    diag *g = arena_alloc(d->a, sizeof *g);
    g->src = s;
    g->loc = loc;
    if (g->loc.line && g->loc.len == 0)
        g->loc.len = 1;
    g->sev = sev;
    g->code = code;
    g->warning = warning;
    g->msg = arena_strdup(d->a, buf);
    g->notes_tail = &g->notes;
    g->seq = d->list.n;
    ptrvec_push(d->a, &d->list, g);
    d->last = g;
    return g;
}

void diag_error(diag_ctx *d, const source *s, src_loc loc, const char *code,
                const char *fmt, ...)
{
    d->errors++;
    if (d->errors > d->max_errors) {
        d->dropped++;
        d->last = NULL;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    add(d, s, loc, DIAG_ERROR, code, -1, fmt, ap);
    va_end(ap);
}

void diag_warn(diag_ctx *d, const source *s, src_loc loc, diag_warning_id w,
               const char *fmt, ...)
{
    if (!d->enabled[w]) {
        d->last = NULL;
        return;
    }
    int err = d->werror || d->as_error[w];
    if (err) {
        d->errors++;
        if (d->errors > d->max_errors) {
            d->dropped++;
            d->last = NULL;
            return;
        }
    } else {
        d->warnings++;
    }
    va_list ap;
    va_start(ap, fmt);
    add(d, s, loc, err ? DIAG_ERROR : DIAG_WARNING, warning_table[w].code,
        (int)w, fmt, ap);
    va_end(ap);
}

void diag_note(diag_ctx *d, const source *s, src_loc loc, const char *fmt, ...)
{
    if (!d->last)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_remark *n = arena_alloc(d->a, sizeof *n);
    n->src = s;
    n->loc = loc;
    n->msg = arena_strdup(d->a, buf);
    *d->last->notes_tail = n;
    d->last->notes_tail = &n->next;
}

unsigned diag_error_count(const diag_ctx *d)
{
    return d->errors;
}

static int cmp_diag(const void *pa, const void *pb)
{
    const diag *a = *(diag *const *)pa, *b = *(diag *const *)pb;
    /* Sources are compared by address: files are loaded in argument order
     * into one array, so address order is command-line order. */
    if (a->src != b->src) {
        if (!a->src || !b->src)
            return a->src ? 1 : -1;
        return a->src < b->src ? -1 : 1;
    }
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line ? -1 : 1;
    if (a->loc.col != b->loc.col)
        return a->loc.col < b->loc.col ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

/* Finds the start and length of line `line` (1-based) in s.  Diagnostics
 * are printed sorted, so the search resumes from the previous answer when
 * it can: printing N diagnostics reads the source once, not N times. */
static const char *line_span(diag_ctx *d, const source *s, uint32_t line, size_t *len)
{
    const char *p = s->text, *end = s->text + s->size;
    uint32_t l = 1;
    if (s == d->span_src && s->text == d->span_text && line >= d->span_line) {
        p = d->span_p;
        l = d->span_line;
    }
    for (; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    if (l < line || p > end)
        return NULL;
    d->span_src = s;
    d->span_text = s->text;
    d->span_line = line;
    d->span_p = p;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl ? nl : end) - p);
    if (*len && p[*len - 1] == '\r')
        (*len)--;
    return p;
}

/* UTF-8 continuation bytes take no column of their own on a terminal. */
static int is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static void print_caret(diag_ctx *d, FILE *out, const source *s, src_loc loc)
{
    size_t len;
    const char *p = line_span(d, s, loc.line, &len);
    if (!p)
        return;
    fputc(' ', out);
    for (size_t i = 0; i < len; i++)
        fputc(p[i] == '\0' ? ' ' : p[i], out);
    fputs("\n ", out);
    size_t col = loc.col ? loc.col : 1;
    for (size_t i = 0; i + 1 < col && i < len; i++) {
        if (is_cont(p[i]))
            continue;
        fputc(p[i] == '\t' ? '\t' : ' ', out);
    }
    fputc('^', out);
    /* underline the span in characters, never past the end of the line */
    for (size_t i = col; i < col - 1 + loc.len && i < len; i++)
        if (!is_cont(p[i]))
            fputc('~', out);
    fputc('\n', out);
}

static void print_text(diag_ctx *d, FILE *out, const diag *g)
{
    const char *sev = g->sev == DIAG_ERROR ? "error" : "warning";
    if (g->src && g->loc.line)
        fprintf(out, "%s:%u:%u: %s: %s [%s]", g->src->path, g->loc.line,
                g->loc.col, sev, g->msg, g->code);
    else if (g->src)
        fprintf(out, "%s: %s: %s [%s]", g->src->path, sev, g->msg, g->code);
    else
        fprintf(out, "qtmc: %s: %s [%s]", sev, g->msg, g->code);
    if (g->warning >= 0)
        fprintf(out, " [-W%s%s]", g->sev == DIAG_ERROR ? "error=" : "",
                warning_table[g->warning].name);
    fputc('\n', out);
    if (g->src && g->loc.line)
        print_caret(d, out, g->src, g->loc);
    for (const diag_remark *n = g->notes; n; n = n->next) {
        if (n->src && n->loc.line) {
            fprintf(out, "%s:%u:%u: note: %s\n", n->src->path, n->loc.line,
                    n->loc.col, n->msg);
            print_caret(d, out, n->src, n->loc);
        } else {
            fprintf(out, "note: %s\n", n->msg);
        }
    }
}

static json_t *loc_json(const source *s, src_loc loc)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", s ? json_string(s->path) : json_null());
    json_object_set_new(o, "line", json_integer(loc.line));
    json_object_set_new(o, "column", json_integer(loc.col));
    json_object_set_new(o, "length", json_integer(loc.len));
    return o;
}

static void print_json(FILE *out, diag **v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const diag *g = v[i];
        json_t *o = loc_json(g->src, g->loc);
        json_object_set_new(o, "severity",
                            json_string(g->sev == DIAG_ERROR ? "error" : "warning"));
        json_object_set_new(o, "code", json_string(g->code));
        json_object_set_new(o, "warning",
                            g->warning >= 0 ? json_string(warning_table[g->warning].name)
                                            : json_null());
        /* jansson refuses invalid UTF-8; messages quote user text, so
         * fall back to a placeholder rather than dropping the message */
        json_t *m = json_string(g->msg);
        json_object_set_new(o, "message", m ? m : json_string("(message not UTF-8)"));
        json_t *notes = json_array();
        for (const diag_remark *nt = g->notes; nt; nt = nt->next) {
            json_t *no = loc_json(nt->src, nt->loc);
            json_t *nm = json_string(nt->msg);
            json_object_set_new(no, "message", nm ? nm : json_string("(message not UTF-8)"));
            json_array_append_new(notes, no);
        }
        json_object_set_new(o, "notes", notes);
        json_array_append_new(arr, o);
    }
    char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        fputs(s, out);
        fputc('\n', out);
        free(s);
    }
    json_decref(arr);
}

void diag_print(diag_ctx *d, FILE *out)
{
    diag **v = (diag **)d->list.v;
    size_t n = d->list.n;
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_diag);
    if (d->json) {
        print_json(out, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        print_text(d, out, v[i]);
    if (d->dropped)
        fprintf(out, "qtmc: %u more error%s not shown (limit %u)\n", d->dropped,
                d->dropped == 1 ? "" : "s", d->max_errors);
}
