/*
 * sema_graph.c - layer 2: the shape of the lifecycle.
 *
 * Exactly one initial phase, at least one final, no phase both; nothing
 * leaves a final phase; every phase reachable from the initial one; a final
 * phase reachable from every phase; a transition into a final phase says
 * its outcome (Q208; not checked for a retained spec, see sema.h), and
 * only such a transition has one (Q209).  Reachability is two linear BFS passes
 * over a CSR adjacency (forward from the initial, backward from the finals).
 */
#include "sema_int.h"

#include <string.h>

static const src_loc nowhere = {0, 0, 0};

/* Builds CSR adjacency: for each phase, the transitions leaving (fwd) or
 * entering (rev) it.  start has nphases+1 entries. */
static void csr(sema *s, int reverse, uint32_t **start, uint32_t **edge)
{
    const model *m = s->m;
    uint32_t *st = arena_alloc(s->a, (m->nphases + 1) * sizeof *st);
    uint32_t *ed = arena_alloc(s->a, (m->ntrans + 1) * sizeof *ed);
    for (uint32_t i = 0; i < m->ntrans; i++)
        st[(reverse ? m->trans[i].to : m->trans[i].from) + 1]++;
    for (uint32_t p = 0; p < m->nphases; p++)
        st[p + 1] += st[p];
    uint32_t *fill = arena_alloc(s->a, (m->nphases + 1) * sizeof *fill);
    memcpy(fill, st, m->nphases * sizeof *fill);
    for (uint32_t i = 0; i < m->ntrans; i++) {
        uint32_t p = reverse ? m->trans[i].to : m->trans[i].from;
        ed[fill[p]++] = reverse ? m->trans[i].from : m->trans[i].to;
    }
    *start = st;
    *edge = ed;
}

/* Marks every phase reachable from the queued seeds. */
static void bfs(const uint32_t *start, const uint32_t *edge, unsigned char *mark,
                uint32_t *queue, uint32_t nq)
{
    for (uint32_t h = 0; h < nq; h++) {
        uint32_t p = queue[h];
        for (uint32_t e = start[p]; e < start[p + 1]; e++) {
            uint32_t q = edge[e];
            if (!mark[q]) {
                mark[q] = 1;
                queue[nq++] = q;
            }
        }
    }
}

/* Every way into a final phase names what it means (the record carries
 * it: delivered, closed, ...); nothing else has an outcome. */
static void outcomes(sema *s)
{
    const model *m = s->m;
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        const char *to = m->phases[t->to].name;
        if (m->phases[t->to].final && !t->outcome[0]) {
            if (s->retained)
                continue;  /* shipped before outcomes: its record has none */
            diag_error(s->d, s->src, t->loc, "Q208",
                       "transition `%s -> %s on %s` enters final phase `%s` without an outcome",
                       m->phases[t->from].name, to, m->events[t->event], to);
            diag_note(s->d, NULL, nowhere,
                      "End the line with `outcome NAME` (e.g. `outcome delivered`); the "
                      "record carries it.");
        } else if (!m->phases[t->to].final && t->outcome[0]) {
            diag_error(s->d, s->src, t->outcome_loc, "Q209",
                       "outcome `%s` on a transition into `%s`, which is not final",
                       t->outcome, to);
            diag_note(s->d, NULL, nowhere,
                      "Only the transitions that end the ServiceEvent have an outcome.");
        }
    }
}

void sema_graph(sema *s)
{
    model *m = s->m;
    if (!s->lifecycle_ok)
        return;
    uint32_t ninitial = 0, nfinal = 0;
    for (uint32_t p = 0; p < m->nphases; p++) {
        const m_phase *ph = &m->phases[p];
        if (ph->initial) {
            if (ninitial == 1) {
                diag_error(s->d, s->src, ph->loc, "Q202",
                           "phase `%s` is a second initial phase", ph->name);
                diag_note(s->d, s->src, m->phases[m->initial].loc,
                          "`%s` is already initial", m->phases[m->initial].name);
            }
            if (ninitial++ == 0)
                m->initial = p;
        }
        if (ph->final)
            nfinal++;
        if (ph->initial && ph->final)
            diag_error(s->d, s->src, ph->loc, "Q207",
                       "phase `%s` is both initial and final: no work could happen", ph->name);
    }
    src_loc where = m->nphases ? m->phases[0].loc : m->slug_loc;
    if (ninitial == 0) {
        diag_error(s->d, s->src, where, "Q201", "the lifecycle has no initial phase");
        diag_note(s->d, NULL, nowhere, "Mark the phase new jobs start in with `initial`.");
    }
    if (nfinal == 0) {
        diag_error(s->d, s->src, where, "Q203", "the lifecycle has no final phase");
        diag_note(s->d, NULL, nowhere, "Mark the phase that completes a job with `final`.");
    }
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        if (m->phases[t->from].final)
            diag_error(s->d, s->src, t->loc, "Q206",
                       "transition leaves final phase `%s`", m->phases[t->from].name);
    }
    if (nfinal)
        outcomes(s);  /* without a final phase every outcome would be out of place */
    s->graph_ok = ninitial == 1;
    /* with a transition left out (bad name), reachability would only
     * report consequences of that error */
    if (ninitial != 1 || nfinal == 0 || s->dropped_transitions)
        return;

    uint32_t *queue = arena_alloc(s->a, (m->nphases + 1) * sizeof *queue);
    unsigned char *fwd = arena_alloc(s->a, m->nphases + 1);
    unsigned char *back = arena_alloc(s->a, m->nphases + 1);
    uint32_t *st, *ed;

    csr(s, 0, &st, &ed);
    fwd[m->initial] = 1;
    queue[0] = m->initial;
    bfs(st, ed, fwd, queue, 1);

    csr(s, 1, &st, &ed);
    uint32_t nq = 0;
    for (uint32_t p = 0; p < m->nphases; p++)
        if (m->phases[p].final) {
            back[p] = 1;
            queue[nq++] = p;
        }
    bfs(st, ed, back, queue, nq);

    for (uint32_t p = 0; p < m->nphases; p++) {
        if (!fwd[p])
            diag_error(s->d, s->src, m->phases[p].loc, "Q204",
                       "phase `%s` cannot be reached from initial phase `%s`",
                       m->phases[p].name, m->phases[m->initial].name);
        /* an unreachable phase's dead end is a consequence; say it once */
        else if (!back[p])
            diag_error(s->d, s->src, m->phases[p].loc, "Q205",
                       "no final phase can be reached from phase `%s`", m->phases[p].name);
    }
}
