/*
 * ast.c - builders for the syntax tree, and its dump; see ast.h.
 */
#include "ast.h"

#include <string.h>

ast_ident ast_ident_make(arena *a, const char *text, size_t len, src_loc loc)
{
    ast_ident id = {arena_strndup(a, text, len), loc};
    return id;
}

ast_setting *ast_setting_new(arena *a, ast_ident key)
{
    ast_setting *s = arena_alloc(a, sizeof *s);
    s->key = key;
    return s;
}

ast_block *ast_block_new(arena *a, ast_block_kind kind, src_loc loc)
{
    ast_block *b = arena_alloc(a, sizeof *b);
    b->kind = kind;
    b->loc = loc;
    return b;
}

ast_phase *ast_phase_new(arena *a, ast_ident name)
{
    ast_phase *p = arena_alloc(a, sizeof *p);
    p->name = name;
    return p;
}

ast_attr *ast_attr_new(arena *a, ast_attr_kind kind, ast_ident text)
{
    ast_attr *t = arena_alloc(a, sizeof *t);
    t->kind = kind;
    t->text = text;
    return t;
}

ast_transition *ast_transition_new(arena *a, ast_ident from, ast_ident to,
                                   ast_ident event, ast_ident by)
{
    ast_transition *t = arena_alloc(a, sizeof *t);
    t->from = from;
    t->to = to;
    t->event = event;
    t->by = by;
    t->loc = from.loc;
    return t;
}

ast_mapping *ast_mapping_new(arena *a, ast_ident from, ast_ident to)
{
    ast_mapping *m = arena_alloc(a, sizeof *m);
    m->from = from;
    m->to = to;
    return m;
}

ast_summary *ast_summary_new(arena *a, src_loc loc)
{
    ast_summary *m = arena_alloc(a, sizeof *m);
    m->loc = loc;
    return m;
}

ast_sumpart *ast_sumpart_new(arena *a, ast_ident section, ast_ident field, int is_text)
{
    ast_sumpart *p = arena_alloc(a, sizeof *p);
    p->section = section;
    p->field = field;
    p->is_text = is_text;
    return p;
}

ast_field *ast_field_new(arena *a, ast_ident name, ast_ident type)
{
    ast_field *f = arena_alloc(a, sizeof *f);
    f->name = name;
    f->type = type;
    return f;
}

ast_section *ast_section_new(arena *a, ast_ident name)
{
    ast_section *s = arena_alloc(a, sizeof *s);
    s->name = name;
    return s;
}

ast_surface *ast_surface_new(arena *a, ast_ident slug, src_loc loc)
{
    ast_surface *s = arena_alloc(a, sizeof *s);
    s->slug = slug;
    s->loc = loc;
    return s;
}

const char *const ast_block_names[BLK_COUNT] = {
#define BLK_NAME_X(e, word, what) [BLK_##e] = word,
    QTMC_BLOCKS(BLK_NAME_X, QTMC_NOSEP)
#undef BLK_NAME_X
};

static void dump_setting(const ast_setting *s, FILE *out, const char *indent)
{
    fprintf(out, "%s%s = ", indent, s->key.name);
    switch (s->kind) {
    case VAL_WORD: fprintf(out, "%s\n", s->value.name); break;
    case VAL_STRING: fprintf(out, "\"%s\"\n", s->value.name); break;
    case VAL_NUMBER: fprintf(out, "%u\n", s->number); break;
    case VAL_LIST:
        fputc('[', out);
        for (size_t i = 0; i < s->list.n; i++)
            fprintf(out, "%s%s", i ? ", " : "", ((ast_ident *)s->list.v[i])->name);
        fputs("]\n", out);
        break;
    case VAL_SIZE: fprintf(out, "%u %s\n", s->number, s->unit.name); break;
    }
    for (size_t i = 0; i < s->opts.n; i++)
        dump_setting(s->opts.v[i], out, indent);
}

void ast_dump(const ast_surface *s, FILE *out)
{
    fprintf(out, "surface %s @%u:%u\n", s->slug.name, s->loc.line, s->loc.col);
    for (size_t i = 0; i < s->blocks.n; i++) {
        const ast_block *b = s->blocks.v[i];
        if (b->kind == BLK_SETTING) {
            dump_setting(b->setting, out, "  ");
            continue;
        }
        fprintf(out, "  %s @%u:%u", ast_block_names[b->kind], b->loc.line, b->loc.col);
        if (b->kind == BLK_MIGRATE)
            fprintf(out, " from \"%s\"", b->from.name);
        fputc('\n', out);
        for (size_t j = 0; j < b->items.n; j++) {
            const void *it = b->items.v[j];
            switch (b->kind) {
            case BLK_EXECUTION:
            case BLK_EVIDENCE:
                dump_setting(it, out, "    ");
                break;
            case BLK_INTAKE: {
                const ast_section *sec = it;
                fprintf(out, "    section %s\n", sec->name.name);
                for (size_t k = 0; k < sec->fields.n; k++) {
                    const ast_field *f = sec->fields.v[k];
                    fprintf(out, "      %s: %s", f->name.name, f->type.name);
                    for (size_t c = 0; c < f->choices.n; c++)
                        fprintf(out, "%s%s", c ? ", " : "(",
                                ((ast_ident *)f->choices.v[c])->name);
                    if (f->choices.n)
                        fputc(')', out);
                    if (f->required)
                        fputs(" required", out);
                    if (f->has_min)
                        fprintf(out, " min %u", f->min);
                    if (f->has_max)
                        fprintf(out, " max %u", f->max);
                    fputc('\n', out);
                }
                break;
            }
            case BLK_LIFECYCLE: {
                const ast_phase *p = it;
                fprintf(out, "    phase %s", p->name.name);
                for (size_t k = 0; k < p->attrs.n; k++) {
                    const ast_attr *t = p->attrs.v[k];
                    static const char *const an[] = {"label", "hint", "initial", "final"};
                    if (t->kind == ATTR_LABEL || t->kind == ATTR_HINT)
                        fprintf(out, " %s=\"%s\"", an[t->kind], t->text.name);
                    else
                        fprintf(out, " %s", an[t->kind]);
                }
                fputc('\n', out);
                break;
            }
            case BLK_TRANSITIONS: {
                const ast_transition *t = it;
                fprintf(out, "    %s -> %s on %s by %s", t->from.name, t->to.name,
                        t->event.name, t->by.name);
                for (size_t k = 0; k < t->requires.n; k++)
                    fprintf(out, "%s%s", k ? ", " : " requires ",
                            ((ast_ident *)t->requires.v[k])->name);
                if (t->outcome.name)
                    fprintf(out, " outcome %s", t->outcome.name);
                fputc('\n', out);
                break;
            }
            case BLK_RECORD:
                fprintf(out, "    %s\n", ((const ast_ident *)it)->name);
                break;
            case BLK_MIGRATE: {
                const ast_mapping *mp = it;
                fprintf(out, "    %s -> %s\n", mp->from.name, mp->to.name);
                break;
            }
            case BLK_SETTING:
                break;
            }
        }
        for (size_t j = 0; j < b->summaries.n; j++) {
            const ast_summary *sm = b->summaries.v[j];
            fputs("    summary", out);
            for (size_t k = 0; k < sm->parts.n; k++) {
                const ast_sumpart *sp = sm->parts.v[k];
                if (sp->is_text)
                    fprintf(out, " \"%s\"", sp->section.name);
                else
                    fprintf(out, " %s.%s", sp->section.name, sp->field.name);
            }
            fputc('\n', out);
        }
        for (size_t j = 0; j < b->photos.n; j++)
            dump_setting(b->photos.v[j], out, "    ");
    }
}
