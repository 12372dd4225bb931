/*
 * sema_migrate.c - `migrate from "sha256:..." { old -> new ... }` blocks.
 *
 * Alone, a spec can only check what it holds: the fingerprint is well
 * formed, one block per older fingerprint, each target is a phase here, no
 * old phase is mapped twice.  When the older spec is compiled alongside
 * (driver.c pairs them by slug and fingerprint), sema_migrate_against
 * checks the mapping against it.  Rule for phases left out of a block: a
 * job in old phase P moves to the phase named P here, if there is one
 * (the implicit mapping); the runtime applies the same rule.
 *
 * Codes: Q601 malformed fingerprint, Q602 two blocks from one fingerprint,
 * Q603 undefined target phase, Q604 old phase mapped twice; against the
 * older spec: Q605 old phase not in it, Q606 in-flight phase unmapped,
 * Q607 mapped to a phase that cannot hold the job.  (Q118, two current
 * specs of one slug, is the driver's.)
 */
#include "sema_int.h"

#include <string.h>

static const src_loc nowhere = {0, 0, 0};

/* "sha256:" then exactly 64 lowercase hex digits, as model.c writes them. */
static int good_fingerprint(const char *s)
{
    if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
        return 0;
    for (const char *p = s + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

static void migrate_block(sema *s, const ast_block *b, m_migration *mg)
{
    model *m = s->m;
    mg->from = b->from.name;
    mg->loc = b->from.loc;
    mg->maps = arena_alloc(s->a, (b->items.n + 1) * sizeof *mg->maps);
    strmap seen;
    strmap_init(&seen, s->a);
    for (size_t i = 0; i < b->items.n; i++) {
        const ast_mapping *mp = b->items.v[i];
        int64_t prev = strmap_put(&seen, mp->from.name, (uint32_t)i);
        if (prev >= 0) {
            diag_error(s->d, s->src, mp->from.loc, "Q604",
                       "phase `%s` of the older spec is mapped twice", mp->from.name);
            diag_note(s->d, s->src, ((const ast_mapping *)b->items.v[prev])->from.loc,
                      "first mapped here");
            continue;
        }
        int64_t to = s->lifecycle_ok ? strmap_get(&s->phase_map, mp->to.name) : -1;
        if (to < 0) {
            if (!s->lifecycle_ok)
                continue;  /* the missing lifecycle is reported once (Q106) */
            diag_error(s->d, s->src, mp->to.loc, "Q603",
                       "undefined phase `%s` as the target of a migration", mp->to.name);
            const char **names = arena_alloc(s->a, (m->nphases + 1) * sizeof *names);
            for (uint32_t k = 0; k < m->nphases; k++)
                names[k] = m->phases[k].name;
            const char *c = suggest_closest(mp->to.name, names, m->nphases);
            if (c)
                diag_note(s->d, NULL, nowhere, "Did you mean `%s`?", c);
            continue;
        }
        mg->maps[mg->nmaps++] = (m_phase_map){mp->from.name, mp->from.loc, (uint32_t)to,
                                              mp->to.loc};
    }
}

void sema_migrate(sema *s)
{
    model *m = s->m;
    size_t n = s->migrate_blocks.n;
    m->migrations = arena_alloc(s->a, (n + 1) * sizeof *m->migrations);
    strmap froms;
    strmap_init(&froms, s->a);
    for (size_t i = 0; i < n; i++) {
        const ast_block *b = s->migrate_blocks.v[i];
        if (!good_fingerprint(b->from.name)) {
            diag_error(s->d, s->src, b->from.loc, "Q601",
                       "malformed fingerprint \"%s\" in `migrate from`", b->from.name);
            diag_note(s->d, NULL, nowhere,
                      "A fingerprint is \"sha256:\" and 64 lowercase hex digits, as "
                      "`qtmc --emit json` prints it.");
            continue;
        }
        int64_t prev = strmap_put(&froms, b->from.name, (uint32_t)i);
        if (prev >= 0) {
            diag_error(s->d, s->src, b->from.loc, "Q602",
                       "a second `migrate from` the same fingerprint");
            diag_note(s->d, s->src, ((const ast_block *)s->migrate_blocks.v[prev])->from.loc,
                      "first given here");
            continue;
        }
        migrate_block(s, b, &m->migrations[m->nmigrations++]);
    }
}

/* The phase of new_m a job in old phase `name` moves to under mg: the
 * explicit mapping, else the phase of the same name; -1 if neither.
 * *explicit_map gets the mapping line, or NULL. */
static int64_t target(const model *new_m, const m_migration *mg, const char *name,
                      const m_phase_map **explicit_map)
{
    *explicit_map = NULL;
    for (uint32_t k = 0; k < mg->nmaps; k++)
        if (strcmp(mg->maps[k].from, name) == 0) {
            *explicit_map = &mg->maps[k];
            return mg->maps[k].to;
        }
    for (uint32_t p = 0; p < new_m->nphases; p++)
        if (strcmp(new_m->phases[p].name, name) == 0)
            return p;
    return -1;
}

void sema_migrate_against(const model *new_m, const model *old, diag_ctx *d)
{
    const m_migration *mg = NULL;
    for (uint32_t i = 0; i < new_m->nmigrations && !mg; i++)
        if (strcmp(new_m->migrations[i].from, old->fingerprint) == 0)
            mg = &new_m->migrations[i];
    if (!mg)
        return;
    const source *src = new_m->src;
    for (uint32_t k = 0; k < mg->nmaps; k++) {
        int found = 0;
        for (uint32_t p = 0; p < old->nphases && !found; p++)
            found = strcmp(old->phases[p].name, mg->maps[k].from) == 0;
        if (!found)
            diag_error(d, src, mg->maps[k].from_loc, "Q605",
                       "the older spec of `%s` (%s) has no phase `%s`", old->slug,
                       old->src->path, mg->maps[k].from);
    }
    for (uint32_t p = 0; p < old->nphases; p++) {
        const m_phase *op = &old->phases[p];
        const m_phase_map *ex;
        int64_t to = target(new_m, mg, op->name, &ex);
        src_loc at = ex ? ex->to_loc : mg->loc;
        if (to < 0) {
            /* a job can sit in every non-final phase; a final one only
             * until `job complete`, and its execution is over: those stay
             * under the retained older tables when left unmapped */
            if (!op->final) {
                diag_error(d, src, mg->loc, "Q606",
                           "phase `%s` of the older spec can hold jobs in flight but is "
                           "not mapped", op->name);
                diag_note(d, NULL, nowhere, "Add `%s -> PHASE` to the migrate block.",
                          op->name);
            }
            continue;
        }
        const m_phase *np = &new_m->phases[to];
        const char *why = NULL;
        if (op->initial && !np->initial)
            why = "the initial phase must map to the initial phase (queued jobs have no "
                  "ServiceEvent yet)";
        else if (!op->initial && np->initial)
            why = "only the initial phase may map to the initial phase (a job past it is "
                  "claimed)";
        else if (!op->final && np->final)
            why = "a phase where execution is still going on cannot map to a final phase "
                  "(no record would be composed)";
        else if (op->final && !np->final)
            why = "a final phase must map to a final phase (its execution is over)";
        if (why)
            diag_error(d, src, at, "Q607", "phase `%s` cannot migrate to `%s`: %s",
                       op->name, np->name, why);
    }
}
