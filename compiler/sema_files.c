/*
 * sema_files.c - layer 1, files: what a surface accepts as intake photos
 * (`photos min N types [...] max N UNIT`) and as evidence files
 * (`types [...]` and `max N UNIT` in evidence).
 *
 * Q121 an unknown or repeated file type, or an empty list
 * Q122 a size with an unknown unit, of zero, or above QTM_FILE_MAX_LIMIT
 * (`pdf` among the photo types is governance's Q415: a photo minimum
 * counts photos.)  The type words are qtm_vocab.h's QTM_FILE_TYPES.
 */
#include "sema_int.h"

#include <string.h>

static const src_loc nowhere = {0, 0, 0};
static const char *const units[] = {"KiB", "MiB", "GiB"};

int sema_file_types(sema *s, const ast_setting *st, unsigned *mask, src_loc *pdf_at)
{
    unsigned got = 0;
    int ok = 1;
    if (st->list.n == 0) {
        diag_error(s->d, s->src, st->value.loc, "Q121", "`types` lists no file type");
        diag_note(s->d, NULL, nowhere, "Leave `types` out for the defaults (jpeg, png, webp, "
                  "heic), or list some: types [jpeg, png].");
        return 0;
    }
    for (size_t i = 0; i < st->list.n; i++) {
        const ast_ident *w = st->list.v[i];
        int t = model_lookup(model_file_type_names, QTM_FILE_UNKNOWN, w->name);
        if (t < 0) {
            diag_error(s->d, s->src, w->loc, "Q121", "unknown file type `%s`", w->name);
            const char *c = suggest_closest(w->name, model_file_type_names, QTM_FILE_UNKNOWN);
            char buf[128];
            if (c)
                diag_note(s->d, NULL, nowhere, "Did you mean `%s`?", c);
            else
                diag_note(s->d, NULL, nowhere, "Use some of: %s.",
                          model_file_types_text(~0u, buf, sizeof buf));
            ok = 0;
            continue;
        }
        if (got & (1u << t)) {
            diag_error(s->d, s->src, w->loc, "Q121", "file type `%s` is listed twice", w->name);
            ok = 0;
            continue;
        }
        got |= 1u << t;
        if (t == QTM_FILE_PDF && pdf_at)
            *pdf_at = w->loc;
    }
    if (ok)
        *mask = got;
    return ok;
}

int sema_file_size(sema *s, const ast_setting *st, int64_t *bytes)
{
    int u = model_lookup(units, countof(units), st->unit.name);
    if (u < 0) {
        diag_error(s->d, s->src, st->unit.loc, "Q122", "unknown size unit `%s`", st->unit.name);
        diag_note(s->d, NULL, nowhere, "Use KiB, MiB or GiB: max 20 MiB.");
        return 0;
    }
    int64_t n = (int64_t)st->number << (10 * (u + 1));
    src_loc at = st->value.loc;
    if (st->unit.loc.line == at.line && st->unit.loc.col > at.col)
        at.len = st->unit.loc.col - at.col + st->unit.loc.len;
    if (n == 0) {
        diag_error(s->d, s->src, at, "Q122", "a file size limit of 0 accepts no file");
        return 0;
    }
    if (st->number > (QTM_FILE_MAX_LIMIT >> (10 * (u + 1)))) {
        diag_error(s->d, s->src, at, "Q122", "a file size limit of %u %s is above the %lld MiB "
                   "one file may take", st->number, units[u],
                   (long long)(QTM_FILE_MAX_LIMIT >> 20));
        return 0;
    }
    *bytes = n;
    return 1;
}
