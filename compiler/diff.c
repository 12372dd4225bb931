/*
 * diff.c - `qtmc diff`: the semantic change list between two models.
 *
 * Phases, fields and transitions are matched by name (a transition by its
 * source phase and event: the tables are deterministic, so that pair names
 * at most one transition).  A rename therefore shows as a removal plus an
 * addition, which is what it is for a job sitting in the old phase.
 * Changes are listed area by area in a fixed order, so the output depends
 * only on the two models.
 */
#include "diff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "driver.h"
#include "qtm/qtm_surface.h"

static void add(diff_list *l, arena *a, const char *area, int breaking, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void add(diff_list *l, arena *a, const char *area, int breaking, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        diff_change *v = arena_alloc(a, cap * sizeof *v);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (diff_change){area, arena_strdup(a, buf), breaking};
    l->nbreaking += breaking != 0;
}

static int phase_index(const model *m, const char *name)
{
    for (uint32_t i = 0; i < m->nphases; i++)
        if (strcmp(m->phases[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int in_list(const char *const *v, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

/* The transition of m from phase `from` (by name) on event `ev`; NULL if none. */
static const m_transition *find_trans(const model *m, const char *from, const char *ev)
{
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        if (strcmp(m->phases[t->from].name, from) == 0 && strcmp(m->events[t->event], ev) == 0)
            return t;
    }
    return NULL;
}

static const m_field *find_field(const model *m, const char *section, const char *name)
{
    for (uint32_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].section, section) == 0 && strcmp(m->fields[i].name, name) == 0)
            return &m->fields[i];
    return NULL;
}

static void identity(const model *o, const model *n, arena *a, diff_list *l)
{
    if (strcmp(o->slug, n->slug) != 0)
        add(l, a, "identity", 1, "slug `%s` became `%s` (another surface)", o->slug, n->slug);
    if (strcmp(o->name, n->name) != 0)
        add(l, a, "identity", 0, "name \"%s\" became \"%s\"", o->name, n->name);
    if (strcmp(o->spec, n->spec) != 0)
        add(l, a, "identity", 1, "runtime spec \"%s\" became \"%s\"", o->spec, n->spec);
    if (o->status != n->status)
        add(l, a, "identity", 0, "status %s became %s", model_status_names[o->status],
            model_status_names[n->status]);
}

static void execution(const model *o, const model *n, arena *a, diff_list *l)
{
    /* claim, ownership, record and payment decide what a job in flight may
     * do next; whether completed jobs stay on the desk does not */
    static const char *const what[] = {"claim", "ownership", "record", "payment_timing"};
    const unsigned ov[] = {o->claim, o->ownership, o->exec_record, o->payment_timing};
    const unsigned nv[] = {n->claim, n->ownership, n->exec_record, n->payment_timing};
    const char *const *names[] = {model_claim_names, model_ownership_names, model_record_names,
                                  model_payment_names};
    for (size_t i = 0; i < countof(ov); i++)
        if (ov[i] != nv[i])
            add(l, a, "execution", 1, "%s %s became %s", what[i], names[i][ov[i]],
                names[i][nv[i]]);
    if (o->completed_jobs != n->completed_jobs)
        add(l, a, "execution", 0, "completed_jobs %s became %s",
            model_completed_names[o->completed_jobs], model_completed_names[n->completed_jobs]);
}

static void phases(const model *o, const model *n, arena *a, diff_list *l)
{
    for (uint32_t i = 0; i < o->nphases; i++) {
        const m_phase *op = &o->phases[i];
        int j = phase_index(n, op->name);
        if (j < 0) {
            /* every phase can hold a job in flight (a final one until the
             * job is completed: it stays under the older spec, which must
             * then be kept, as `qtm migrate` keeps it) */
            add(l, a, "phase", 1,
                op->final ? "phase `%s` removed (a job ended there finishes under the older "
                            "spec: keep it in history)"
                          : "phase `%s` removed (jobs in flight there must migrate)",
                op->name);
            continue;
        }
        const m_phase *np = &n->phases[j];
        if (strcmp(op->label, np->label) != 0)
            add(l, a, "phase", 0, "phase `%s`: label \"%s\" became \"%s\"", op->name, op->label,
                np->label);
        if (strcmp(op->hint, np->hint) != 0)
            add(l, a, "phase", 0, "phase `%s`: hint changed", op->name);
        if (op->initial != np->initial)
            add(l, a, "phase", 1, "phase `%s` %s the initial phase", op->name,
                np->initial ? "became" : "is no longer");
        if (op->final != np->final)
            add(l, a, "phase", 1, "phase `%s` %s final", op->name,
                np->final ? "became" : "is no longer");
    }
    for (uint32_t j = 0; j < n->nphases; j++)
        if (phase_index(o, n->phases[j].name) < 0)
            add(l, a, "phase", 0, "phase `%s` added%s", n->phases[j].name,
                n->phases[j].initial ? " (initial)" : n->phases[j].final ? " (final)" : "");
}

static void events(const model *o, const model *n, arena *a, diff_list *l)
{
    for (uint32_t i = 0; i < o->nevents; i++)
        if (!in_list(n->events, n->nevents, o->events[i]))
            add(l, a, "event", 1, "event `%s` removed", o->events[i]);
    for (uint32_t i = 0; i < n->nevents; i++)
        if (!in_list(o->events, o->nevents, n->events[i]))
            add(l, a, "event", 0, "event `%s` added", n->events[i]);
}

static void conditions(char *buf, size_t size, unsigned bits)
{
    size_t off = 0;
    buf[0] = '\0';
    for (unsigned b = 0; b < QTM_COND_COUNT; b++)
        if (bits & (1u << b))
            off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "",
                                    model_condition_names[b]);
}

static void transitions(const model *o, const model *n, arena *a, diff_list *l)
{
    for (uint32_t i = 0; i < o->ntrans; i++) {
        const m_transition *ot = &o->trans[i];
        const char *from = o->phases[ot->from].name, *ev = o->events[ot->event];
        const char *to = o->phases[ot->to].name;
        const m_transition *nt = find_trans(n, from, ev);
        if (!nt) {
            add(l, a, "transition", 1, "transition `%s -> %s on %s` removed", from, to, ev);
            continue;
        }
        const char *nto = n->phases[nt->to].name;
        if (strcmp(to, nto) != 0)
            add(l, a, "transition", 1, "transition `%s on %s` now goes to `%s` (was `%s`)",
                from, ev, nto, to);
        if (strcmp(model_by_name(ot->by), model_by_name(nt->by)) != 0)
            add(l, a, "transition", 1, "transition `%s on %s`: by %s became by %s", from, ev,
                model_by_name(ot->by), model_by_name(nt->by));
        unsigned more = nt->requires & ~ot->requires, less = ot->requires & ~nt->requires;
        char buf[64];
        if (more) {
            conditions(buf, sizeof buf, more);
            add(l, a, "transition", 1, "transition `%s on %s` now requires %s", from, ev, buf);
        }
        if (less) {
            conditions(buf, sizeof buf, less);
            add(l, a, "transition", 0, "transition `%s on %s` no longer requires %s", from, ev,
                buf);
        }
        if (ot->claim != nt->claim)
            add(l, a, "transition", 1, "transition `%s on %s` %s the claim", from, ev,
                nt->claim ? "became" : "is no longer");
        /* the outcome is written when the job ends: one in flight takes the new one */
        if (strcmp(ot->outcome ? ot->outcome : "", nt->outcome ? nt->outcome : "") != 0)
            add(l, a, "transition", 0, "transition `%s on %s`: outcome %s became %s", from, ev,
                ot->outcome && ot->outcome[0] ? ot->outcome : "(none)",
                nt->outcome && nt->outcome[0] ? nt->outcome : "(none)");
    }
    for (uint32_t i = 0; i < n->ntrans; i++) {
        const m_transition *nt = &n->trans[i];
        const char *from = n->phases[nt->from].name, *ev = n->events[nt->event];
        if (!find_trans(o, from, ev))
            add(l, a, "transition", 0, "transition `%s -> %s on %s by %s` added", from,
                n->phases[nt->to].name, ev, model_by_name(nt->by));
    }
}

/* The roles that fire some transition of m, as QTM_BY_* bits. */
static unsigned roles_of(const model *m)
{
    unsigned r = 0;
    for (uint32_t i = 0; i < m->ntrans; i++)
        r |= m->trans[i].by;
    return r;
}

static void roles(const model *o, const model *n, arena *a, diff_list *l)
{
    static const unsigned bits[] = {QTM_BY_ADMIN, QTM_BY_OPERATOR, QTM_BY_OWNER};
    unsigned ro = roles_of(o), rn = roles_of(n);
    for (size_t i = 0; i < countof(bits); i++) {
        if ((ro & bits[i]) && !(rn & bits[i]))
            add(l, a, "role", 1, "%s no longer fires any transition", model_by_name(bits[i]));
        if (!(ro & bits[i]) && (rn & bits[i]))
            add(l, a, "role", 0, "%s now fires transitions", model_by_name(bits[i]));
    }
}

static void evidence(const model *o, const model *n, arena *a, diff_list *l)
{
    for (uint32_t i = 0; i < n->nev_required; i++)
        if (!in_list(o->ev_required, o->nev_required, n->ev_required[i]))
            add(l, a, "evidence", 1, "category `%s` is now required", n->ev_required[i]);
    for (uint32_t i = 0; i < o->nev_required; i++)
        if (!in_list(n->ev_required, n->nev_required, o->ev_required[i]))
            add(l, a, "evidence", 0, "category `%s` is no longer required", o->ev_required[i]);
    for (uint32_t i = 0; i < n->nev_optional; i++)
        if (!in_list(o->ev_optional, o->nev_optional, n->ev_optional[i]))
            add(l, a, "evidence", 0, "optional category `%s` added", n->ev_optional[i]);
    for (uint32_t i = 0; i < o->nev_optional; i++)
        if (!in_list(n->ev_optional, n->nev_optional, o->ev_optional[i]))
            add(l, a, "evidence", 0, "optional category `%s` removed", o->ev_optional[i]);
    if (o->ev_min != n->ev_min)
        add(l, a, "evidence", n->ev_min > o->ev_min, "min_per_category %u became %u",
            o->ev_min, n->ev_min);
}

static void choices(const m_field *of, const m_field *nf, arena *a, diff_list *l)
{
    for (uint32_t i = 0; i < of->nchoices; i++)
        if (!in_list(nf->choices, nf->nchoices, of->choices[i]))
            add(l, a, "intake", 1, "field `%s.%s`: choice \"%s\" removed", of->section,
                of->name, of->choices[i]);
    for (uint32_t i = 0; i < nf->nchoices; i++)
        if (!in_list(of->choices, of->nchoices, nf->choices[i]))
            add(l, a, "intake", 0, "field `%s.%s`: choice \"%s\" added", of->section,
                of->name, nf->choices[i]);
}

/* An integer field's min/max: tighter refuses what was accepted (breaking). */
static void bounds(const m_field *of, const m_field *nf, arena *a, diff_list *l)
{
    if (of->has_min != nf->has_min || (nf->has_min && of->min != nf->min)) {
        int tighter = nf->has_min && (!of->has_min || nf->min > of->min);
        add(l, a, "intake", tighter, "field `%s.%s`: min %s became %s", of->section, of->name,
            of->has_min ? arena_printf(a, "%u", of->min) : "(none)",
            nf->has_min ? arena_printf(a, "%u", nf->min) : "(none)");
    }
    if (of->has_max != nf->has_max || (nf->has_max && of->max != nf->max)) {
        int tighter = nf->has_max && (!of->has_max || nf->max < of->max);
        add(l, a, "intake", tighter, "field `%s.%s`: maximum %s became %s", of->section,
            of->name, of->has_max ? arena_printf(a, "%u", of->max) : "(none)",
            nf->has_max ? arena_printf(a, "%u", nf->max) : "(none)");
    }
}

/* The summary is a view of the request: any change is compatible. */
static void summary(const model *o, const model *n, arena *a, diff_list *l)
{
    int same = o->nsummary == n->nsummary;
    for (uint32_t i = 0; same && i < o->nsummary; i++) {
        const m_sumpart *x = &o->summary[i], *y = &n->summary[i];
        if ((x->field < 0) != (y->field < 0))
            same = 0;
        else if (x->field < 0)
            same = strcmp(x->text, y->text) == 0;
        else
            same = strcmp(o->fields[x->field].section, n->fields[y->field].section) == 0 &&
                   strcmp(o->fields[x->field].name, n->fields[y->field].name) == 0;
    }
    if (!same)
        add(l, a, "intake", 0, "summary %s", !o->nsummary   ? "added"
                                             : !n->nsummary ? "removed"
                                                            : "changed");
}

static void intake(const model *o, const model *n, arena *a, diff_list *l)
{
    summary(o, n, a, l);
    for (uint32_t i = 0; i < o->nfields; i++) {
        const m_field *of = &o->fields[i];
        const m_field *nf = find_field(n, of->section, of->name);
        if (!nf) {
            add(l, a, "intake", 0, "field `%s.%s` removed", of->section, of->name);
            continue;
        }
        if (of->type != nf->type) {
            add(l, a, "intake", 1, "field `%s.%s`: type %s became %s", of->section, of->name,
                model_field_type_names[of->type], model_field_type_names[nf->type]);
        } else if (of->type == QTM_FIELD_CHOICE) {
            choices(of, nf, a, l);
        }
        if (of->required != nf->required)
            add(l, a, "intake", nf->required, "field `%s.%s` is %s required", of->section,
                of->name, nf->required ? "now" : "no longer");
        if (of->max_len != nf->max_len)
            add(l, a, "intake", nf->max_len < of->max_len, "field `%s.%s`: max %u became %u",
                of->section, of->name, of->max_len, nf->max_len);
        bounds(of, nf, a, l);
    }
    for (uint32_t i = 0; i < n->nfields; i++) {
        const m_field *nf = &n->fields[i];
        if (!find_field(o, nf->section, nf->name))
            add(l, a, "intake", nf->required, "%s field `%s.%s` (%s) added",
                nf->required ? "required" : "optional", nf->section, nf->name,
                model_field_type_names[nf->type]);
    }
    if (o->photo_min != n->photo_min)
        add(l, a, "intake", n->photo_min > o->photo_min, "photos min %u became %u",
            o->photo_min, n->photo_min);
}

static void record(const model *o, const model *n, arena *a, diff_list *l)
{
    /* the record is composed at completion from ServiceEvent fields that
     * every job has, so a job in flight can carry either list */
    for (uint32_t i = 0; i < o->nrecord; i++)
        if (!in_list(n->record, n->nrecord, o->record[i]))
            add(l, a, "record", 0, "record field `%s` removed", o->record[i]);
    for (uint32_t i = 0; i < n->nrecord; i++)
        if (!in_list(o->record, o->nrecord, n->record[i]))
            add(l, a, "record", 0, "record field `%s` added", n->record[i]);
}

/* The migration NEW declares from OLD, if any: says how in-flight jobs move. */
static void migration(const model *o, const model *n, arena *a, diff_list *l)
{
    for (uint32_t i = 0; i < n->nmigrations; i++) {
        const m_migration *mg = &n->migrations[i];
        if (strcmp(mg->from, o->fingerprint) != 0)
            continue;
        for (uint32_t k = 0; k < mg->nmaps; k++)
            add(l, a, "migration", 0, "jobs in `%s` migrate to `%s`", mg->maps[k].from,
                n->phases[mg->maps[k].to].name);
        return;
    }
}

void diff_models(const model *o, const model *n, arena *a, diff_list *l)
{
    memset(l, 0, sizeof *l);
    identity(o, n, a, l);
    execution(o, n, a, l);
    phases(o, n, a, l);
    events(o, n, a, l);
    transitions(o, n, a, l);
    roles(o, n, a, l);
    evidence(o, n, a, l);
    intake(o, n, a, l);
    record(o, n, a, l);
    if (strcmp(o->fingerprint, n->fingerprint) != 0)
        migration(o, n, a, l);
}

/* --- the command --------------------------------------------------------------- */

/* Compiles one file alone; NULL (diagnostics printed) on any error.  OLD
 * is an older version by definition: checked as retained (driver.h). */
static model *compile_one(const char *path, source *src, arena *a, diag_ctx *d, int *io,
                          unsigned flags)
{
    if (driver_load(path, src) != 0) {
        fprintf(stderr, "qtmc: error: cannot read %s: %s\n", path, strerror(errno));
        *io = 1;
        return NULL;
    }
    size_t n = 0;
    model **ms = driver_compile_flags(src, 1, a, d, &n, flags);
    if (diag_error_count(d) || n != 1) {
        for (size_t i = 0; i < n; i++)
            model_release(ms[i]);
        return NULL;
    }
    return ms[0];
}

static void print_text(const model *o, const model *n, const diff_list *l)
{
    printf("--- %s\t%s %s\n", o->src->path, o->slug, o->fingerprint);
    printf("+++ %s\t%s %s\n", n->src->path, n->slug, n->fingerprint);
    for (size_t i = 0; i < l->n; i++)
        printf("%-10s  %-10s  %s\n", l->v[i].breaking ? "breaking" : "compatible",
               l->v[i].area, l->v[i].text);
    if (!l->n)
        puts("no changes");
    else
        printf("%zu change%s, %zu breaking\n", l->n, l->n == 1 ? "" : "s", l->nbreaking);
}

static int print_json(const model *o, const model *n, const diff_list *l)
{
    json_t *root = json_object(), *ch = json_array();
    json_t *side[2] = {json_object(), json_object()};
    const model *m[2] = {o, n};
    for (int i = 0; i < 2; i++) {
        json_object_set_new(side[i], "path", json_string(m[i]->src->path));
        json_object_set_new(side[i], "slug", json_string(m[i]->slug));
        json_object_set_new(side[i], "fingerprint", json_string(m[i]->fingerprint));
    }
    json_object_set_new(root, "old", side[0]);
    json_object_set_new(root, "new", side[1]);
    for (size_t i = 0; i < l->n; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "area", json_string(l->v[i].area));
        json_object_set_new(c, "change", json_string(l->v[i].text));
        json_object_set_new(c, "breaking", json_boolean(l->v[i].breaking));
        json_array_append_new(ch, c);
    }
    json_object_set_new(root, "changes", ch);
    json_object_set_new(root, "breaking", json_boolean(l->nbreaking > 0));
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    putchar('\n');
    return rc;
}

int diff_files(const char *old_path, const char *new_path, int json)
{
    int status = 2, io = 0;
    const char *paths[2] = {old_path, new_path};
    if (sodium_init() < 0) {
        fputs("qtmc: fatal: cannot initialise\n", stderr);
        return 3;
    }
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    source srcs[2];
    memset(srcs, 0, sizeof srcs);
    model *m[2] = {NULL, NULL};
    for (int i = 0; i < 2 && !io; i++)
        m[i] = compile_one(paths[i], &srcs[i], &a, &d, &io, i == 0 ? DRIVER_ALL_RETAINED : 0);
    diag_print(&d, stderr);
    if (m[0] && m[1]) {
        diff_list l;
        diff_models(m[0], m[1], &a, &l);
        if (json)
            print_json(m[0], m[1], &l);
        else
            print_text(m[0], m[1], &l);
        status = l.nbreaking ? 1 : 0;
        if (fflush(stdout) != 0) {
            fprintf(stderr, "qtmc: error: cannot write to stdout: %s\n", strerror(errno));
            status = 2;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (m[i])
            model_release(m[i]);
        driver_unload(&srcs[i]);
    }
    arena_free(&a);
    return status;
}
