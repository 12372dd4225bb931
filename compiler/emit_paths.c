/*
 * emit_paths.c - the model-based test generator (`qtmc --emit paths`).
 *
 * From the checked model alone it derives SLUG.paths.json:
 *   accept: event sequences from the initial phase that together fire every
 *           transition at least once (for each transition not yet fired,
 *           deepest source first, a shortest path to its source, then the
 *           transition); each step
 *           names its event, the actor and the phase expected after it;
 *   refuse: for every reachable phase (reached by its shortest prefix),
 *           every declared event the tables do not allow there ("refused"),
 *           every allowed transition attempted by a wrong actor
 *           ("forbidden", or "refused" before the claim), and every
 *           gated transition attempted with one condition withheld
 *           ("refused"; a withheld reason is missing input: "invalid").
 *           A step's "requires" lists what the replay provides first;
 *           "reason" is given with the event itself.
 * Actors are roles relative to the job: "operator" (the assignee, before
 * the claim), "owner" (the same operator once it owns the job), "other" (a
 * different operator), "admin" and "vendor".  Paths are found by a
 * breadth-first search over transitions in declaration order, so the output
 * is deterministic; it holds no dates.
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "qtm/qtm_surface.h"

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The actor who fires t in a replay. */
static const char *step_actor(const m_transition *t)
{
    if (t->claim)
        return "operator";
    if (t->by & QTM_BY_OWNER)
        return "owner";
    if (t->by & QTM_BY_OPERATOR)
        return "operator";
    return "admin";
}

/* Prints `"requires": [...]` for the bits of req (nothing when 0). */
static void requires_list(FILE *f, unsigned req)
{
    if (!req)
        return;
    fputs(", \"requires\": [", f);
    int first = 1;
    for (unsigned b = 0; b < QTM_COND_COUNT; b++)
        if (req & (1u << b)) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", model_condition_names[b]);
            first = 0;
        }
    fputc(']', f);
}

static void step(FILE *f, const model *m, const m_transition *t)
{
    fputs("{\"event\": ", f);
    json_str(f, m->events[t->event]);
    fprintf(f, ", \"actor\": \"%s\", \"expect_phase\": ", step_actor(t));
    json_str(f, m->phases[t->to].name);
    requires_list(f, t->requires);
    fputc('}', f);
}

/* The transitions of the shortest path to phase p, in order, into out;
 * returns their number.  parent[p] is the transition entering p (-1: none). */
static uint32_t path_to(const model *m, const int64_t *parent, uint32_t p, uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t q = p; parent[q] >= 0; q = m->trans[parent[q]].from)
        out[n++] = (uint32_t)parent[q];
    for (uint32_t i = 0; i < n / 2; i++) {
        uint32_t tmp = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = tmp;
    }
    return n;
}

typedef struct refuse_out {
    FILE *f;
    const model *m;
    const uint32_t *path;
    uint32_t npath;
    size_t count;
} refuse_out;

static void refuse_case(refuse_out *r, uint32_t event, const char *actor, const char *without,
                        unsigned provide, const char *expect)
{
    FILE *f = r->f;
    fputs(r->count++ ? ",\n    {\"prefix\": [" : "\n    {\"prefix\": [", f);
    for (uint32_t i = 0; i < r->npath; i++) {
        if (i)
            fputs(", ", f);
        step(f, r->m, &r->m->trans[r->path[i]]);
    }
    fputs("], \"attempt\": {\"event\": ", f);
    json_str(f, r->m->events[event]);
    fprintf(f, ", \"actor\": \"%s\"", actor);
    if (without)
        fprintf(f, ", \"without\": \"%s\"", without);
    requires_list(f, provide);
    fprintf(f, "}, \"expect\": \"%s\"}", expect);
}

/* The wrong-actor and withheld-condition cases of transition t. */
static void refuse_transition(refuse_out *r, const m_transition *t, int claimed)
{
    const model *m = r->m;
    int unowned_refused = !claimed && m->claim == QTM_CLAIM_REQUIRED;
    const char *me = claimed ? "owner" : "operator";

    refuse_case(r, t->event, "vendor", NULL, 0, "forbidden");
    /* a different operator */
    if (t->claim) {
        if (m->ownership == QTM_OWNERSHIP_ASSIGNED)
            refuse_case(r, t->event, "other", NULL, 0, "forbidden");
    } else if (t->by & QTM_BY_OWNER) {
        if (claimed)
            refuse_case(r, t->event, "other", NULL, 0, "forbidden");
        else if (unowned_refused)
            refuse_case(r, t->event, "other", NULL, 0, "refused");
    } else if (!(t->by & QTM_BY_OPERATOR)) {
        refuse_case(r, t->event, "other", NULL, 0, "forbidden");
    }
    /* an admin */
    if (!(t->by & QTM_BY_ADMIN)) {
        if (t->claim || !(t->by & QTM_BY_OWNER))
            refuse_case(r, t->event, "admin", NULL, 0, "forbidden");
        else if (claimed)
            refuse_case(r, t->event, "admin", NULL, 0, "forbidden");
        else if (unowned_refused)
            refuse_case(r, t->event, "admin", NULL, 0, "refused");
    }
    /* the job's own operator, on an admin-only step */
    if (!(t->by & (QTM_BY_OWNER | QTM_BY_OPERATOR)))
        refuse_case(r, t->event, me, NULL, 0, "forbidden");

    /* a condition withheld: only where the right actor may act and no
     * earlier step of the prefix already provided that condition */
    if ((t->by & QTM_BY_OWNER) && !claimed)
        return;
    unsigned before = 0;
    for (uint32_t i = 0; i < r->npath; i++)
        before |= m->trans[r->path[i]].requires;
    for (unsigned b = 0; b < QTM_COND_COUNT; b++) {
        unsigned bit = 1u << b;
        /* a reason is given with each step: an earlier one provides none */
        if (!(t->requires & bit) || (bit != QTM_REQ_REASON && (before & bit)))
            continue;
        if (bit == QTM_REQ_EVIDENCE && (m->nev_required == 0 || m->ev_min == 0))
            continue;  /* an empty contract is always met */
        refuse_case(r, t->event, step_actor(t), model_condition_names[b], t->requires & ~bit,
                    bit == QTM_REQ_REASON ? "invalid" : "refused");
    }
}

/* Breadth-first from the initial phase, transitions in declaration order:
 * seen[p] when p is reachable, parent[p] the transition first reaching it. */
static void reach(const model *m, int64_t *parent, char *seen)
{
    uint32_t *queue = xcalloc(m->nphases, sizeof *queue);
    for (uint32_t p = 0; p < m->nphases; p++)
        parent[p] = -1;
    uint32_t head = 0, tail = 0;
    if (m->nphases) {
        seen[m->initial] = 1;
        queue[tail++] = m->initial;
    }
    while (head < tail) {
        uint32_t p = queue[head++];
        for (uint32_t i = 0; i < m->ntrans; i++) {
            uint32_t to = m->trans[i].to;
            if (m->trans[i].from == p && !seen[to]) {
                seen[to] = 1;
                parent[to] = i;
                queue[tail++] = to;
            }
        }
    }
    free(queue);
}

/* The accept sequences, one per transition not yet fired, as the text of
 * the "accept" array's items (malloc'd); counts into *ncovered, *nseq. */
static char *accept_sequences(const model *m, const int64_t *parent, const char *seen,
                              uint32_t *path, uint32_t *ncovered, uint32_t *nseq)
{
    char *acc = NULL;
    size_t acclen;
    FILE *af = emit_open(&acc, &acclen);
    char *covered = xcalloc(m->ntrans, 1);
    /* deepest sources first, so a long sequence covers its prefix's steps */
    uint32_t *order = xcalloc(m->ntrans, sizeof *order);
    for (uint32_t i = 0; i < m->ntrans; i++)
        order[i] = i;
    uint32_t *depth = xcalloc(m->nphases, sizeof *depth);
    for (uint32_t p = 0; p < m->nphases; p++)
        depth[p] = seen[p] ? path_to(m, parent, p, path) : 0;
    for (uint32_t i = 1; i < m->ntrans; i++)  /* stable insertion sort */
        for (uint32_t k = i; k > 0 && depth[m->trans[order[k - 1]].from] <
                                          depth[m->trans[order[k]].from]; k--) {
            uint32_t tmp = order[k];
            order[k] = order[k - 1];
            order[k - 1] = tmp;
        }
    for (uint32_t oi = 0; oi < m->ntrans; oi++) {
        uint32_t i = order[oi];
        if (covered[i] || !seen[m->trans[i].from])
            continue;
        uint32_t n = path_to(m, parent, m->trans[i].from, path);
        path[n++] = i;
        fputs((*nseq)++ ? ",\n    [" : "\n    [", af);
        for (uint32_t k = 0; k < n; k++) {
            fputs(k ? ",\n      " : "\n      ", af);
            step(af, m, &m->trans[path[k]]);
            if (!covered[path[k]]) {
                covered[path[k]] = 1;
                (*ncovered)++;
            }
        }
        fputs("\n    ]", af);
    }
    free(order);
    free(depth);
    free(covered);
    return emit_close(af, &acc);
}

/* The "refuse" array: per reachable phase, in declaration order. */
static void refusals(FILE *f, const model *m, const int64_t *parent, const char *seen,
                     uint32_t *path)
{
    fputs("  \"refuse\": [", f);
    refuse_out r = {f, m, path, 0, 0};
    for (uint32_t p = 0; p < m->nphases; p++) {
        if (!seen[p])
            continue;
        r.npath = path_to(m, parent, p, path);
        int claimed = 0;
        for (uint32_t i = 0; i < r.npath; i++)
            claimed |= m->trans[path[i]].claim;
        const char *me = claimed ? "owner" : "operator";
        for (uint32_t e = 0; e < m->nevents; e++)
            if (m->next[(size_t)p * m->nevents + e] < 0)
                refuse_case(&r, e, me, NULL, 0, "refused");
        for (uint32_t e = 0; e < m->nevents; e++) {
            int32_t ti = m->next[(size_t)p * m->nevents + e];
            if (ti >= 0)
                refuse_transition(&r, &m->trans[ti], claimed);
        }
    }
    fprintf(f, "%s]\n}\n", r.count ? "\n  " : "");
}

char *emit_paths(const model *m, const char *input_name)
{
    (void)input_name;  /* the paths name no file */
    char *buf = NULL;
    size_t len;
    FILE *f = emit_open(&buf, &len);
    int64_t *parent = xcalloc(m->nphases, sizeof *parent);
    char *seen = xcalloc(m->nphases, 1);
    uint32_t *path = xcalloc((size_t)m->nphases + 1, sizeof *path);
    reach(m, parent, seen);

    fputs("{\n  \"surface\": ", f);
    json_str(f, m->slug);
    fprintf(f, ",\n  \"transitions\": %u,\n", (unsigned)m->ntrans);
    uint32_t ncovered = 0, nseq = 0;
    char *acc = accept_sequences(m, parent, seen, path, &ncovered, &nseq);
    fprintf(f, "  \"covered\": %u,\n  \"evidence\": {\"required\": [", (unsigned)ncovered);
    for (uint32_t i = 0; i < m->nev_required; i++) {
        if (i)
            fputs(", ", f);
        json_str(f, m->ev_required[i]);
    }
    fprintf(f, "], \"min_per_category\": %u},\n", (unsigned)m->ev_min);
    fprintf(f, "  \"accept\": [%s%s],\n", acc, nseq ? "\n  " : "");
    free(acc);
    refusals(f, m, parent, seen, path);

    free(parent);
    free(seen);
    free(path);
    return emit_close(f, &buf);
}
