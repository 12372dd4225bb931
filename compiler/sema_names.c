/*
 * sema_names.c - layer 1: names and values.
 *
 * Collates the blocks of the AST into the model: settings and execution
 * contract (unknown keys, bad values, duplicates, missing), phases
 * (duplicates, attributes), intake schema, evidence contract, record list,
 * and transitions (undefined phases, roles, conditions).  Everything later
 * layers see in the model has been resolved here; a transition with an
 * undefined endpoint is reported and left out of the model.
 */
#include "sema_int.h"

#include <string.h>

#include "qtm/qtm_surface.h"

static const char *const top_keys[] = {"name", "spec", "status", "execution", "intake",
                                       "lifecycle", "transitions", "evidence", "record"};
static const char *const exec_keys[EX_COUNT] = {"claim", "ownership", "record",
                                                "payment_timing", "completed_jobs"};
static const char *const evidence_keys[] = {"required", "optional", "min_per_category",
                                            "types", "max"};
static const char *const known_specs[] = {QTM_SPEC_V0_01};
static const char *const role_words[] = {"admin", "operator", "owner", "vendor", "client"};

static const src_loc nowhere = {0, 0, 0};

/* snake_case: [a-z][a-z0-9_]* */
static int is_snake(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* slug: [a-z][a-z0-9]*(-[a-z0-9]+)* (the lexer already forbids "--") */
static int is_slug(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

static int check_snake(sema *s, const ast_ident *id, const char *what)
{
    if (is_snake(id->name))
        return 1;
    diag_error(s->d, s->src, id->loc, "Q115",
               "%s `%s` must be lowercase snake_case", what, id->name);
    diag_note(s->d, NULL, nowhere,
              "Names start with a letter and use only a-z, 0-9 and underscores.");
    return 0;
}

static void suggest(sema *s, const char *word, const char *const *cands, uint32_t n)
{
    const char *c = suggest_closest(word, cands, n);
    if (c)
        diag_note(s->d, NULL, nowhere, "Did you mean `%s`?", c);
}

/* Lists the allowed words in a note: "Use one of: a, b, c." */
static void allowed(sema *s, const char *const *words, unsigned n)
{
    char buf[256];
    size_t off = 0;
    for (unsigned i = 0; i < n && off < sizeof buf; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", i ? ", " : "", words[i]);
    diag_note(s->d, NULL, nowhere, "Use one of: %s.", buf);
}

static void duplicate(sema *s, src_loc at, src_loc first, const char *what, const char *name)
{
    diag_error(s->d, s->src, at, "Q103", "duplicate %s `%s`", what, name);
    diag_note(s->d, s->src, first, "first given here");
}

static int want_kind(sema *s, const ast_setting *st, ast_value_kind k, const char *what)
{
    static const char *const kinds[] = {"a word", "a string", "a number", "a list",
                                        "a size"};
    if (st->kind == k)
        return 1;
    diag_error(s->d, s->src, st->value.loc, "Q105", "`%s` takes %s, not %s",
               st->key.name, what ? what : kinds[k], kinds[st->kind]);
    return 0;
}

/* Resolves a word value against a table; reports Q105 if it is not there. */
static int word_value(sema *s, const ast_setting *st, const char *const *words, unsigned n)
{
    if (!want_kind(s, st, VAL_WORD, NULL))
        return -1;
    int v = model_lookup(words, n, st->value.name);
    if (v < 0) {
        diag_error(s->d, s->src, st->value.loc, "Q105", "unknown %s value `%s`",
                   st->key.name, st->value.name);
        allowed(s, words, n);
    }
    return v;
}

/*** top-level settings: name, spec, status ***/

typedef struct seen {
    int set;
    src_loc loc;
} seen;

static void top_setting(sema *s, const ast_setting *st, seen *seen3)
{
    model *m = s->m;
    int k = model_lookup(top_keys, 3, st->key.name);
    if (k < 0) {
        diag_error(s->d, s->src, st->key.loc, "Q104", "unknown setting `%s`", st->key.name);
        suggest(s, st->key.name, top_keys, 9);
        return;
    }
    if (seen3[k].set) {
        duplicate(s, st->key.loc, seen3[k].loc, "setting", st->key.name);
        return;
    }
    seen3[k].set = 1;
    seen3[k].loc = st->key.loc;
    switch (k) {
    case 0:
        if (want_kind(s, st, VAL_STRING, NULL)) {
            if (!st->value.name[0])
                diag_error(s->d, s->src, st->value.loc, "Q105", "`name` must not be empty");
            m->name = st->value.name;
        }
        break;
    case 1:
        if (want_kind(s, st, VAL_STRING, NULL)) {
            if (model_lookup(known_specs, 1, st->value.name) < 0) {
                diag_error(s->d, s->src, st->value.loc, "Q107", "unknown runtime spec \"%s\"",
                           st->value.name);
                diag_note(s->d, NULL, nowhere, "This qtmc knows \"%s\".", QTM_SPEC_V0_01);
            }
            m->spec = st->value.name;
        }
        break;
    case 2: {
        int v = word_value(s, st, model_status_names, countof(model_status_names));
        if (v >= 0)
            m->status = (unsigned)v;
        break;
    }
    }
}

/*** execution { claim required ... } ***/

static void execution(sema *s, const ast_block *b)
{
    model *m = s->m;
    src_loc first[EX_COUNT];
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_setting *st = b->items.v[i];
        int k = model_lookup(exec_keys, EX_COUNT, st->key.name);
        if (k < 0) {
            diag_error(s->d, s->src, st->key.loc, "Q104", "unknown execution setting `%s`",
                       st->key.name);
            const char *c = suggest_closest(st->key.name, exec_keys, EX_COUNT);
            if (c) {
                diag_note(s->d, NULL, nowhere, "Did you mean `%s`?", c);
                /* the author meant that key: do not also call it missing */
                s->exec_meant[model_lookup(exec_keys, EX_COUNT, c)] = 1;
            }
            continue;
        }
        if (s->have_exec[k]) {
            duplicate(s, st->key.loc, first[k], "execution setting", st->key.name);
            continue;
        }
        first[k] = st->key.loc;
        int v = -1;
        switch (k) {
        case EX_CLAIM: v = word_value(s, st, model_claim_names, countof(model_claim_names)); break;
        case EX_OWNERSHIP: v = word_value(s, st, model_ownership_names,
                                                    countof(model_ownership_names)); break;
        case EX_RECORD: v = word_value(s, st, model_record_names, countof(model_record_names)); break;
        case EX_PAYMENT: v = word_value(s, st, model_payment_names, countof(model_payment_names)); break;
        case EX_COMPLETED: v = word_value(s, st, model_completed_names,
                                                    countof(model_completed_names)); break;
        }
        if (v < 0) {
            s->have_exec[k] = -1;  /* given but bad: do not also say "missing" */
            continue;
        }
        s->have_exec[k] = 1;
        switch (k) {
        case EX_CLAIM: m->claim = (unsigned)v; s->claim_loc = st->value.loc; break;
        case EX_OWNERSHIP: m->ownership = (unsigned)v; s->ownership_loc = st->value.loc; break;
        case EX_RECORD: m->exec_record = (unsigned)v; break;
        case EX_PAYMENT: m->payment_timing = (unsigned)v; s->payment_loc = st->value.loc; break;
        case EX_COMPLETED: m->completed_jobs = (unsigned)v; break;
        }
    }
}

/*** intake { section { field: type required max N } photos min N } ***/

/* `min N` (integer fields only) and min <= max: Q117, Q116, Q120. */
static void integer_bounds(sema *s, const ast_field *f, m_field *mf, int t)
{
    if (!f->has_min)
        return;
    if (t != QTM_FIELD_INTEGER) {
        diag_error(s->d, s->src, f->min_loc, "Q117",
                   "`min` applies only to integer fields, not %s", f->type.name);
        return;
    }
    if (f->has_min > 1)
        diag_error(s->d, s->src, f->min_loc, "Q116", "field `%s` has `min` twice",
                   f->name.name);
    mf->has_min = 1;
    mf->min = f->min;
    if (mf->has_max && mf->min > mf->max) {
        diag_error(s->d, s->src, f->min_loc, "Q120",
                   "field `%s` has `min %u` above its `max %u`: no value fits", f->name.name,
                   mf->min, mf->max);
        diag_note(s->d, s->src, f->max_loc, "the `max` is here");
    }
}

/* One intake field's type, flags, limit and choices into mf (its section
 * is set by the caller). */
static void intake_field(sema *s, const ast_field *f, m_field *mf)
{
    mf->name = f->name.name;
    mf->required = f->required > 0;
    if (f->required > 1)
        diag_error(s->d, s->src, f->name.loc, "Q116",
                   "field `%s` is marked `required` twice", f->name.name);
    int t = model_lookup(model_field_type_names, countof(model_field_type_names),
                         f->type.name);
    if (t < 0) {
        diag_error(s->d, s->src, f->type.loc, "Q109", "unknown field type `%s`",
                   f->type.name);
        const char *c = suggest_closest(f->type.name, model_field_type_names,
                                        countof(model_field_type_names));
        if (c)
            diag_note(s->d, NULL, nowhere, "Did you mean `%s`?", c);
        else
            allowed(s, model_field_type_names, countof(model_field_type_names));
        t = QTM_FIELD_TEXT;
    }
    mf->type = (unsigned)t;
    switch (t) {
    case QTM_FIELD_EMAIL: mf->max_len = 254; break;
    case QTM_FIELD_PHONE: mf->max_len = 32; break;
    case QTM_FIELD_TEXT: mf->max_len = MODEL_TEXT_MAX_DEFAULT; break;
    default: mf->max_len = 64; break;
    }
    if (f->has_max && t == QTM_FIELD_INTEGER) {
        if (f->has_max > 1)
            diag_error(s->d, s->src, f->max_loc, "Q116", "field `%s` has `max` twice",
                       f->name.name);
        mf->has_max = 1;
        mf->max = f->max;
    } else if (f->has_max) {
        if (t != QTM_FIELD_TEXT)
            diag_error(s->d, s->src, f->max_loc, "Q117",
                       "`max` applies only to text and integer fields, not %s", f->type.name);
        else if (f->max == 0)
            diag_error(s->d, s->src, f->max_loc, "Q117", "`max` must be at least 1");
        else if (f->has_max > 1)
            diag_error(s->d, s->src, f->max_loc, "Q116",
                       "field `%s` has `max` twice", f->name.name);
        else
            mf->max_len = f->max;
    }
    integer_bounds(s, f, mf, t);
    if (t == QTM_FIELD_CHOICE) {
        mf->choices = arena_alloc(s->a, (f->choices.n + 1) * sizeof *mf->choices);
        strmap cmap;
        strmap_init(&cmap, s->a);
        uint32_t longest = 0;
        for (size_t c = 0; c < f->choices.n; c++) {
            const ast_ident *ch = f->choices.v[c];
            if (!ch->name[0]) {
                diag_error(s->d, s->src, ch->loc, "Q110", "empty choice in `one_of`");
                continue;
            }
            if (strmap_put(&cmap, ch->name, (uint32_t)c) >= 0) {
                diag_error(s->d, s->src, ch->loc, "Q110",
                           "duplicate choice \"%s\" in field `%s`", ch->name,
                           f->name.name);
                continue;
            }
            uint32_t l = (uint32_t)strlen(ch->name);
            if (l > longest)
                longest = l;
            mf->choices[mf->nchoices++] = ch->name;
        }
        mf->max_len = longest;
    }
}

/* summary { section.field "text" ... }: each reference names an intake
 * field (Q119); at least one does. */
static void summary(sema *s, const ast_summary *sm)
{
    model *m = s->m;
    m->summary = arena_alloc(s->a, (sm->parts.n + 1) * sizeof *m->summary);
    const char **names = NULL;
    uint32_t nrefs = 0;
    for (size_t i = 0; i < sm->parts.n; i++) {
        const ast_sumpart *p = sm->parts.v[i];
        m_sumpart *mp = &m->summary[m->nsummary];
        if (p->is_text) {
            mp->field = -1;
            mp->text = p->section.name;
            m->nsummary++;
            continue;
        }
        int32_t found = -1;
        for (uint32_t f = 0; f < m->nfields && found < 0; f++)
            if (strcmp(m->fields[f].section, p->section.name) == 0 &&
                strcmp(m->fields[f].name, p->field.name) == 0)
                found = (int32_t)f;
        if (found < 0) {
            src_loc at = p->section.loc;
            if (p->field.loc.line == at.line && p->field.loc.col > at.col)
                at.len = p->field.loc.col - at.col + p->field.loc.len;
            diag_error(s->d, s->src, at, "Q119", "unknown intake field `%s.%s` in the summary",
                       p->section.name, p->field.name);
            if (!names) {
                names = arena_alloc(s->a, (m->nfields + 1) * sizeof *names);
                for (uint32_t f = 0; f < m->nfields; f++)
                    names[f] = arena_printf(s->a, "%s.%s", m->fields[f].section,
                                            m->fields[f].name);
            }
            const char *want = arena_printf(s->a, "%s.%s", p->section.name, p->field.name);
            suggest(s, want, names, m->nfields);
            continue;
        }
        mp->field = found;
        mp->text = "";
        m->nsummary++;
        nrefs++;
    }
    if (!nrefs && sm->parts.n == m->nsummary) {
        diag_error(s->d, s->src, sm->loc, "Q119", "the summary names no intake field");
        diag_note(s->d, NULL, nowhere,
                  "List fields as section.field, with text between them in quotes: "
                  "summary { event.type \" at \" event.venue }.");
    }
}

/* `photos min N types [...] max N UNIT`: what an intake photo may be. */
static void photo_files(sema *s, const ast_setting *p)
{
    model *m = s->m;
    src_loc first[2] = {{0, 0, 0}, {0, 0, 0}};
    for (size_t i = 0; i < p->opts.n; i++) {
        const ast_setting *o = p->opts.v[i];
        int k = o->kind == VAL_SIZE;
        if (first[k].line) {
            duplicate(s, o->key.loc, first[k], "photos setting", o->key.name);
            continue;
        }
        first[k] = o->key.loc;
        if (k)
            (void)sema_file_size(s, o, &m->photo_max);
        else
            (void)sema_file_types(s, o, &m->photo_types, &s->photo_pdf_loc);
    }
}

static void intake(sema *s, const ast_block *b)
{
    model *m = s->m;
    strmap secs;
    strmap_init(&secs, s->a);
    size_t nfields = 0;
    for (size_t i = 0; i < b->items.n; i++)
        nfields += ((const ast_section *)b->items.v[i])->fields.n;
    if (nfields > 65535 || b->items.n > 65535) {
        diag_error(s->d, s->src, b->loc, "Q005", "intake has more than 65535 fields");
        return;
    }
    m->sections = arena_alloc(s->a, (b->items.n + 1) * sizeof *m->sections);
    m->fields = arena_alloc(s->a, (nfields + 1) * sizeof *m->fields);
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_section *sec = b->items.v[i];
        check_snake(s, &sec->name, "intake section");
        int64_t prev = strmap_put(&secs, sec->name.name, (uint32_t)i);
        if (prev >= 0) {
            const ast_section *p = b->items.v[prev];
            diag_error(s->d, s->src, sec->name.loc, "Q108", "duplicate intake section `%s`",
                       sec->name.name);
            diag_note(s->d, s->src, p->name.loc, "first declared here");
            continue;
        }
        m->sections[m->nsections++] = sec->name.name;
        strmap fmap;
        strmap_init(&fmap, s->a);
        for (size_t j = 0; j < sec->fields.n; j++) {
            const ast_field *f = sec->fields.v[j];
            check_snake(s, &f->name, "intake field");
            int64_t pf = strmap_put(&fmap, f->name.name, (uint32_t)j);
            if (pf >= 0) {
                const ast_field *o = sec->fields.v[pf];
                diag_error(s->d, s->src, f->name.loc, "Q108",
                           "duplicate field `%s` in intake section `%s`", f->name.name,
                           sec->name.name);
                diag_note(s->d, s->src, o->name.loc, "first declared here");
                continue;
            }
            m_field *mf = &m->fields[m->nfields++];
            mf->section = sec->name.name;
            intake_field(s, f, mf);
        }
    }
    for (size_t i = 0; i < b->photos.n; i++) {
        const ast_setting *p = b->photos.v[i];
        if (i > 0) {
            duplicate(s, p->key.loc, ((const ast_setting *)b->photos.v[0])->key.loc,
                      "setting", "photos");
            continue;
        }
        m->photo_min = p->number;
        photo_files(s, p);
    }
    for (size_t i = 0; i < b->summaries.n; i++) {
        const ast_summary *sm = b->summaries.v[i];
        if (i > 0) {
            duplicate(s, sm->loc, ((const ast_summary *)b->summaries.v[0])->loc, "setting",
                      "summary");
            continue;
        }
        summary(s, sm);
    }
}

/*** lifecycle { phase "Label" hint "..." initial final } ***/

static void lifecycle(sema *s, const ast_block *b)
{
    model *m = s->m;
    if (b->items.n > MODEL_MAX_PHASES) {
        diag_error(s->d, s->src, b->loc, "Q005", "lifecycle has %zu phases; the limit is %u",
                   b->items.n, MODEL_MAX_PHASES);
        return;
    }
    s->lifecycle_ok = 1;
    m->phases = arena_alloc(s->a, (b->items.n + 1) * sizeof *m->phases);
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_phase *p = b->items.v[i];
        check_snake(s, &p->name, "phase");
        int64_t prev = strmap_put(&s->phase_map, p->name.name, m->nphases);
        if (prev >= 0) {
            diag_error(s->d, s->src, p->name.loc, "Q101", "duplicate phase `%s`", p->name.name);
            diag_note(s->d, s->src, m->phases[prev].loc, "first declared here");
            continue;
        }
        m_phase *mp = &m->phases[m->nphases++];
        mp->name = p->name.name;
        mp->loc = p->name.loc;
        mp->label = "";
        mp->hint = "";
        int n[4] = {0, 0, 0, 0};
        src_loc first_at[4];
        static const char *const what[4] = {"a label", "a hint", "`initial`", "`final`"};
        for (size_t j = 0; j < p->attrs.n; j++) {
            const ast_attr *t = p->attrs.v[j];
            if (n[t->kind]++) {
                diag_error(s->d, s->src, t->text.loc, "Q116", "phase `%s` has %s twice",
                           p->name.name, what[t->kind]);
                diag_note(s->d, s->src, first_at[t->kind], "first given here");
                continue;
            }
            first_at[t->kind] = t->text.loc;
            switch (t->kind) {
            case ATTR_LABEL: mp->label = t->text.name; break;
            case ATTR_HINT: mp->hint = t->text.name; break;
            case ATTR_INITIAL: mp->initial = 1; break;
            case ATTR_FINAL: mp->final = 1; break;
            }
        }
    }
}

/*** evidence { required [a, b] optional [c] min_per_category 1 } ***/

static void category_list(sema *s, const ast_setting *st, const char ***out, uint32_t *n,
                          const ast_ident ***ids, strmap *cats, int which)
{
    *out = arena_alloc(s->a, (st->list.n + 1) * sizeof **out);
    *ids = arena_alloc(s->a, (st->list.n + 1) * sizeof **ids);
    for (size_t i = 0; i < st->list.n; i++) {
        const ast_ident *c = st->list.v[i];
        check_snake(s, c, "evidence category");
        int64_t prev = strmap_put(cats, c->name, (uint32_t)which);
        if (prev >= 0) {
            if (prev == which)
                diag_error(s->d, s->src, c->loc, "Q111", "duplicate evidence category `%s`",
                           c->name);
            else
                diag_error(s->d, s->src, c->loc, "Q111",
                           "evidence category `%s` is both required and optional", c->name);
            continue;
        }
        (*ids)[*n] = c;
        (*out)[(*n)++] = c->name;
    }
}

static void evidence(sema *s, const ast_block *b)
{
    model *m = s->m;
    seen got[countof(evidence_keys)] = {{0, {0, 0, 0}}};
    strmap cats;
    strmap_init(&cats, s->a);
    s->evidence_loc = b->loc;
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_setting *st = b->items.v[i];
        int k = model_lookup(evidence_keys, countof(evidence_keys), st->key.name);
        if (k < 0) {
            diag_error(s->d, s->src, st->key.loc, "Q104", "unknown evidence setting `%s`",
                       st->key.name);
            suggest(s, st->key.name, evidence_keys, countof(evidence_keys));
            continue;
        }
        if (got[k].set) {
            duplicate(s, st->key.loc, got[k].loc, "evidence setting", st->key.name);
            continue;
        }
        got[k].set = 1;
        got[k].loc = st->key.loc;
        if (k == 2) {
            if (want_kind(s, st, VAL_NUMBER, NULL))
                m->ev_min = st->number;
        } else if (k == 3) {
            if (want_kind(s, st, VAL_LIST, "a list like [jpeg, pdf]"))
                (void)sema_file_types(s, st, &m->ev_types, NULL);
        } else if (k == 4) {
            (void)sema_file_size(s, st, &m->ev_max);  /* the grammar made it a size */
        } else if (want_kind(s, st, VAL_LIST, "a list like [a, b]")) {
            if (k == 0)
                category_list(s, st, &m->ev_required, &m->nev_required, &s->ev_required_ids,
                              &cats, 0);
            else
                category_list(s, st, &m->ev_optional, &m->nev_optional, &s->ev_optional_ids,
                              &cats, 1);
        }
    }
}

/*** record { field ... } ***/

static void record(sema *s, const ast_block *b)
{
    model *m = s->m;
    strmap seen_f;
    strmap_init(&seen_f, s->a);
    s->record_loc = b->loc;
    m->record = arena_alloc(s->a, (b->items.n + 1) * sizeof *m->record);
    s->record_ids = arena_alloc(s->a, (b->items.n + 1) * sizeof *s->record_ids);
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_ident *f = b->items.v[i];
        int64_t prev = strmap_put(&seen_f, f->name, (uint32_t)i);
        if (prev >= 0) {
            diag_error(s->d, s->src, f->loc, "Q112", "duplicate record field `%s`", f->name);
            diag_note(s->d, s->src, ((const ast_ident *)b->items.v[prev])->loc,
                      "first listed here");
            continue;
        }
        s->record_ids[m->nrecord] = f;
        m->record[m->nrecord++] = f->name;
    }
}

/*** transitions { from -> to on EVENT by WHO requires COND } ***/

static int64_t resolve_phase(sema *s, const ast_ident *id, const char *end)
{
    int64_t p = strmap_get(&s->phase_map, id->name);
    if (p >= 0)
        return p;
    diag_error(s->d, s->src, id->loc, "Q102", "undefined phase `%s` as %s of a transition",
               id->name, end);
    if (!s->d->last)
        return -1;  /* past the error cap: no one will read a suggestion */
    if (!s->phase_names) {
        s->phase_names = arena_alloc(s->a, (s->m->nphases + 1) * sizeof *s->phase_names);
        for (uint32_t i = 0; i < s->m->nphases; i++)
            s->phase_names[i] = s->m->phases[i].name;
    }
    suggest(s, id->name, s->phase_names, s->m->nphases);
    return -1;
}

static void transitions(sema *s, const ast_block *b)
{
    model *m = s->m;
    if (b->items.n > MODEL_MAX_TRANSITIONS) {
        diag_error(s->d, s->src, b->loc, "Q005", "more than %u transitions",
                   MODEL_MAX_TRANSITIONS);
        return;
    }
    m->trans = arena_alloc(s->a, (b->items.n + 1) * sizeof *m->trans);
    m->events = arena_alloc(s->a, (b->items.n + 1) * sizeof *m->events);
    m->event_locs = arena_alloc(s->a, (b->items.n + 1) * sizeof *m->event_locs);
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_transition *t = b->items.v[i];
        int ok = 1;
        int64_t from = resolve_phase(s, &t->from, "source");
        int64_t to = resolve_phase(s, &t->to, "target");
        if (from < 0 || to < 0)
            ok = 0;

        int64_t ev = strmap_get(&s->event_map, t->event.name);
        if (ev < 0) {
            if (!check_snake(s, &t->event, "event"))
                ok = 0;
            else if (m->nevents >= MODEL_MAX_EVENTS) {
                diag_error(s->d, s->src, t->event.loc, "Q005", "more than %u events",
                           MODEL_MAX_EVENTS);
                ok = 0;
            } else {
                ev = m->nevents;
                strmap_put(&s->event_map, t->event.name, (uint32_t)ev);
                m->event_locs[ev] = t->event.loc;
                m->events[m->nevents++] = t->event.name;
            }
        }

        unsigned by = 0;
        int role = model_lookup(role_words, 5, t->by.name);
        switch (role) {
        case 0: by = QTM_BY_ADMIN; break;
        case 1: by = QTM_BY_OPERATOR; break;
        case 2: by = QTM_BY_OWNER; break;
        case 3:
        case 4:
            diag_error(s->d, s->src, t->by.loc, "Q403",
                       "a %s can never drive a transition", t->by.name);
            diag_note(s->d, NULL, nowhere,
                      "Vendors and clients are participants recorded as context data; "
                      "execution belongs to the operator who owns the job.");
            ok = 0;
            break;
        default:
            diag_error(s->d, s->src, t->by.loc, "Q113", "unknown actor `%s` after `by`",
                       t->by.name);
            if (!suggest_closest(t->by.name, role_words, 3))
                allowed(s, role_words, 3);
            else
                suggest(s, t->by.name, role_words, 3);
            ok = 0;
        }

        unsigned req = 0;
        for (size_t k = 0; k < t->requires.n; k++) {
            const ast_ident *c = t->requires.v[k];
            int ci = model_lookup(model_condition_names, countof(model_condition_names), c->name);
            if (ci < 0) {
                diag_error(s->d, s->src, c->loc, "Q114", "unknown condition `%s`", c->name);
                if (!suggest_closest(c->name, model_condition_names, countof(model_condition_names)))
                    allowed(s, model_condition_names, countof(model_condition_names));
                else
                    suggest(s, c->name, model_condition_names, countof(model_condition_names));
                ok = 0;
                continue;
            }
            if (req & (1u << ci))
                diag_error(s->d, s->src, c->loc, "Q114", "condition `%s` listed twice", c->name);
            req |= 1u << ci;
        }
        if (!ok) {
            s->dropped_transitions = 1;
            continue;
        }
        m_transition *mt = &m->trans[m->ntrans++];
        mt->from = (uint32_t)from;
        mt->to = (uint32_t)to;
        mt->event = (uint32_t)ev;
        mt->by = by;
        mt->requires = req;
        mt->claim = strcmp(t->event.name, "claim") == 0;
        mt->loc = t->from.loc;
        mt->by_loc = t->by.loc;
        mt->event_loc = t->event.loc;
        mt->by_name = t->by.name;
        mt->outcome = "";
        if (t->outcome.name && check_snake(s, &t->outcome, "outcome")) {
            mt->outcome = t->outcome.name;
            mt->outcome_loc = t->outcome.loc;
        }
    }
}

void sema_names(sema *s)
{
    model *m = s->m;
    const ast_surface *a = s->ast;
    m->slug = a->slug.name;
    m->slug_loc = a->slug.loc;
    m->name = m->spec = "";
    if (!is_slug(a->slug.name)) {
        diag_error(s->d, s->src, a->slug.loc, "Q115",
                   "surface slug `%s` must be lowercase words joined by hyphens", a->slug.name);
    }
    if (strncmp(a->slug.name, "qtm-", 4) == 0 || strcmp(a->slug.name, "qtm") == 0)
        diag_error(s->d, s->src, a->slug.loc, "Q115",
                   "surface slug `%s` is reserved (qtm- names belong to generated files)",
                   a->slug.name);
    char *cname = arena_strdup(s->a, a->slug.name);
    for (char *c = cname; *c; c++)
        if (*c == '-')
            *c = '_';
    m->cname = cname;

    seen top[3] = {{0, {0, 0, 0}}};
    const ast_block *first[BLK_COUNT] = {NULL};
    const ast_block *trans_block = NULL;
    for (size_t i = 0; i < a->blocks.n; i++) {
        const ast_block *b = a->blocks.v[i];
        if (b->kind == BLK_SETTING) {
            top_setting(s, b->setting, top);
            continue;
        }
        if (b->kind == BLK_MIGRATE) {
            ptrvec_push(s->a, &s->migrate_blocks, (void *)b);  /* one per older spec */
            continue;
        }
        if (first[b->kind]) {
            duplicate(s, b->loc, first[b->kind]->loc, "block", ast_block_names[b->kind]);
            continue;
        }
        first[b->kind] = b;
        switch (b->kind) {
        case BLK_EXECUTION: execution(s, b); break;
        case BLK_INTAKE: intake(s, b); break;
        case BLK_LIFECYCLE: lifecycle(s, b); break;
        case BLK_TRANSITIONS: trans_block = b; break;  /* after phases are known */
        case BLK_EVIDENCE: evidence(s, b); break;
        case BLK_RECORD: record(s, b); break;
        case BLK_SETTING:
        case BLK_MIGRATE: break;
        }
    }
    /* without phases every transition would be an undefined-phase error:
     * report the missing lifecycle once instead */
    if (trans_block && s->lifecycle_ok)
        transitions(s, trans_block);
    else
        s->dropped_transitions = 1;

    /* what must be there */
    static const char *const need_top[3] = {"name \"...\"", "spec \"...\"", "status ..."};
    for (int k = 0; k < 3; k++)
        if (!top[k].set)
            diag_error(s->d, s->src, a->slug.loc, "Q106", "surface `%s` has no `%s`",
                       a->slug.name, need_top[k]);
    static const ast_block_kind need_blk[] = {BLK_EXECUTION, BLK_LIFECYCLE, BLK_TRANSITIONS,
                                              BLK_RECORD};
    for (size_t k = 0; k < countof(need_blk); k++)
        if (!first[need_blk[k]])
            diag_error(s->d, s->src, a->slug.loc, "Q106", "surface `%s` has no `%s` block",
                       a->slug.name, ast_block_names[need_blk[k]]);
    if (first[BLK_EXECUTION])
        for (int k = 0; k < EX_COUNT; k++)
            if (!s->have_exec[k] && !s->exec_meant[k])
                diag_error(s->d, s->src, first[BLK_EXECUTION]->loc, "Q106",
                           "execution contract has no `%s`", exec_keys[k]);
    if (!first[BLK_EVIDENCE])
        s->evidence_loc = a->slug.loc;
}
