/*
 * migrate.c - `qtm migrate [--check] SURFACE`: move jobs in flight from an
 * older spec of a surface to its current one.
 *
 * A job not complete whose fingerprint is not the current one moves when
 * the current spec declares `migrate from` that fingerprint, or when a
 * chain of retained specs does (each newer one migrating from the one
 * before): its old phase goes to the mapped phase, or to the phase of the
 * same name, step by step; a job not yet claimed (no ServiceEvent) is in
 * the initial phase and goes to the initial phase.  A job whose execution is over (its ServiceEvent reached
 * a final phase, only `job complete` is left) with no final counterpart
 * stays under its retained spec.  Anything else is a job that cannot
 * migrate, and then nothing moves at all.
 * Applying is one transaction: per moved job, its fingerprint with an
 * audit row (entity fingerprint, old -> new: verify holds jobs.fingerprint
 * to the last one) and, once claimed, its ServiceEvent phase with another
 * (service_event from -> to), so verify's phase check holds too.
 */
#include "qtm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mjob {
    int64_t id, se_id;
    char fingerprint[72];
    char state[16];
    char phase[130];               /* the ServiceEvent's, "" before the claim */
    int se_complete;
} mjob;

typedef struct mlist {
    mjob *v;
    size_t n, cap;
    int oom;
} mlist;

static int mjob_row(void *arg, const store_val *c, int n)
{
    mlist *l = arg;
    (void)n;
    int bad = 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        mjob *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = 1;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    mjob *j = &l->v[l->n++];
    memset(j, 0, sizeof *j);
    j->id = c[0].i;
    bad |= qtmi_col_text(j->fingerprint, sizeof j->fingerprint, &c[1]);
    bad |= qtmi_col_text(j->state, sizeof j->state, &c[2]);
    j->se_id = c[3].type == SV_INT ? c[3].i : 0;
    bad |= qtmi_col_text(j->phase, sizeof j->phase, &c[4]);
    j->se_complete = c[5].type == SV_INT && c[5].i != 0;
    return bad ? -1 : 0;
}

static const qtm_migration *migration_from(const qtm_surface *s, const char *fingerprint)
{
    for (unsigned i = 0; i < s->nmigrations; i++)
        if (strcmp(s->migrations[i].from, fingerprint) == 0)
            return &s->migrations[i];
    return NULL;
}

/* One migrate block applied to an old phase: the phase of s it names, the
 * phase of the same name, or (for a job not yet claimed) s's initial. */
static int map_step(const qtm_surface *s, const qtm_migration *mg, const char *name,
                    int unclaimed)
{
    if (unclaimed)
        return s->initial;
    for (unsigned k = 0; k < mg->nmaps; k++)
        if (strcmp(mg->maps[k].from, name) == 0)
            return mg->maps[k].to < s->nphases ? mg->maps[k].to : -1;
    return qtmi_surface_phase(s, name);
}

/*
 * Where a job in phase `name` of spec `fp` lands in cur: through cur's own
 * `migrate from fp`, or else through a chain of retained specs of the slug,
 * each migrating from the one before (v1 -> v2 -> v3 when v3 only names
 * v2).  Returns the phase index in cur, or -1; *path is set when some chain
 * of fingerprints reaches cur at all (so -1 then means a phase with no
 * counterpart).  depth bounds the walk (the registry is finite and has no
 * cycle qtmc would accept, but never trust that).
 */
static int map_phase(const qtm_surface *cur, const char *fp, const char *name, int unclaimed,
                     unsigned depth, int *path)
{
    const qtm_migration *mg = migration_from(cur, fp);
    if (mg) {
        *path = 1;
        return map_step(cur, mg, name, unclaimed);
    }
    if (depth >= qtm_registry_count)
        return -1;
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        const qtm_surface *r = qtm_registry[i];
        if (r == cur || strcmp(r->slug, cur->slug) != 0 || strcmp(r->fingerprint, fp) == 0)
            continue;
        const qtm_migration *step = migration_from(r, fp);
        if (!step)
            continue;
        int p = map_step(r, step, name, unclaimed);
        int found = 0;
        int to = map_phase(cur, r->fingerprint, p >= 0 ? r->phases[p].name : name, unclaimed,
                           depth + 1, &found);
        *path |= found;
        if (p >= 0 && to >= 0)
            return to;
    }
    return -1;
}

/* What happens to job j: sets *action and reason; returns the target phase
 * index in cur, or -1. */
static int plan(const qtm_surface *cur, const mjob *j, const char **action, char *reason,
                size_t rn)
{
    reason[0] = '\0';
    if (strcmp(j->fingerprint, cur->fingerprint) == 0) {
        *action = "current";
        return -1;
    }
    const qtm_surface *old = qtm_surface_by_fingerprint(cur->slug, j->fingerprint);
    int old_final = j->se_complete;
    if (old && j->se_id) {
        int p = qtmi_surface_phase(old, j->phase);
        old_final = old_final || (p >= 0 && old->phases[p].final);
    }
    int path = 0;
    int to = map_phase(cur, j->fingerprint, j->phase, !j->se_id, 0, &path);
    if (to < 0) {
        if (old && old_final) {
            *action = "keep";
            snprintf(reason, rn, "execution is complete; it finishes under its own spec");
        } else if (!path) {
            *action = "cannot";
            snprintf(reason, rn, "no `migrate from` leads from %s to the current spec",
                     j->fingerprint);
        } else {
            *action = "cannot";
            snprintf(reason, rn, "phase %s has no counterpart in the current spec", j->phase);
        }
        return -1;
    }
    const qtm_phase *np = &cur->phases[to];
    if (np->final != old_final || (j->se_id && np->initial)) {
        *action = "cannot";
        snprintf(reason, rn, "phase %s would map to %s, %s", j->phase, np->name,
                 np->final ? "a final phase (no record would be composed)"
                           : old_final ? "which is not final (its execution is over)"
                                       : "the initial phase (the job is claimed)");
        return -1;
    }
    *action = "migrate";
    return to;
}

/* The plan as the report shows it; *cannot counts the jobs that cannot
 * move, the first of them named in first (its id) and why. */
static json_t *migrate_report(const qtm_surface *cur, const mlist *l, size_t *cannot,
                              int64_t *first, char *why, size_t whyn)
{
    json_t *jobs = json_array();
    size_t moved = 0;
    *cannot = 0;
    for (size_t i = 0; i < l->n; i++) {
        const mjob *j = &l->v[i];
        const char *action, *from = j->se_id ? j->phase : NULL;
        char reason[300];
        int to = plan(cur, j, &action, reason, sizeof reason);
        const qtm_surface *old = qtm_surface_by_fingerprint(cur->slug, j->fingerprint);
        if (!from)
            from = old ? old->phases[old->initial].name : "";
        json_t *o = json_object();
        json_object_set_new(o, "job", json_integer(j->id));
        json_object_set_new(o, "fingerprint", json_string(j->fingerprint));
        json_object_set_new(o, "phase", json_string(from));
        json_object_set_new(o, "action", json_string(action));
        json_object_set_new(o, "to", to >= 0 ? json_string(cur->phases[to].name) : json_null());
        json_object_set_new(o, "reason", reason[0] ? json_string(reason) : json_null());
        json_array_append_new(jobs, o);
        if (strcmp(action, "cannot") == 0 && !(*cannot)++) {
            *first = j->id;
            snprintf(why, whyn, "%s", reason);
        }
        if (to >= 0)
            moved++;
    }
    json_t *r = json_object();
    json_object_set_new(r, "surface", json_string(cur->slug));
    json_object_set_new(r, "current", json_string(cur->fingerprint));
    json_object_set_new(r, "jobs", jobs);
    json_object_set_new(r, "migrate", json_integer((json_int_t)moved));
    json_object_set_new(r, "cannot", json_integer((json_int_t)*cannot));
    return r;
}

/* Runs one conditional UPDATE of a migration; the row must have moved. */
static qtm_status migrate_run(qtm *q, store_query sq, const store_val *args, int64_t job_id)
{
    store_rc rc = store_run(q->st, sq, args, 3, NULL, NULL);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "migrating");
    if (store_changes(q->st) != 1)
        return qtm_fail(q, QTM_ECONFLICT, "job %lld changed while this command ran",
                        (long long)job_id);
    return QTM_OK;
}

/* Moves job j to cur's phase `to`: its fingerprint, then its ServiceEvent. */
static qtm_status migrate_job(qtm *q, const actor *a, const qtm_surface *cur, const mjob *j,
                              int to)
{
    store_val ja[3] = {SV_S(cur->fingerprint), SV_I(j->id), SV_S(j->fingerprint)};
    qtm_status st = migrate_run(q, SQ_MIGRATE_JOB, ja, j->id);
    if (st != QTM_OK)
        return st;
    const char *to_name = cur->phases[to].name;
    /* the spec a job runs under is audited like its state: verify holds
     * jobs.fingerprint to the last of these rows */
    st = qtmi_audit_append(q, a->slug, "fingerprint", j->id, "migrate", j->fingerprint,
                      cur->fingerprint, j->id);
    if (st != QTM_OK || !j->se_id)
        return st;                 /* not claimed: no ServiceEvent to move */
    store_val sa[3] = {SV_S(to_name), SV_I(j->se_id), SV_S(j->phase)};
    if ((st = migrate_run(q, SQ_MIGRATE_SE, sa, j->id)) != QTM_OK)
        return st;
    return qtmi_audit_append(q, a->slug, "service_event", j->se_id, "migrate", j->phase, to_name,
                        j->id);
}

qtm_status qtm_migrate(qtm *q, const char *actor_slug, const char *surface, int apply,
                       json_t **report)
{
    *report = NULL;
    mlist l = {NULL, 0, 0, 0};
    actor a;
    const qtm_surface *cur = qtm_surface_find(surface ? surface : "");
    qtm_status st = qtmi_tx_begin(q, apply);
    if (st != QTM_OK)
        return st;
    if (apply && ((st = qtmi_actor_may_act(q, actor_slug, &a, 0, "migrate jobs")) != QTM_OK ||
                  (st = qtmi_actor_require_role(q, &a, QTM_ROLE_ADMIN, "migrate jobs")) != QTM_OK))
        goto done;
    if (!cur) {
        st = qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", surface ? surface : "");
        goto done;
    }
    store_val arg = SV_S(cur->slug);
    store_rc rc = store_run(q->st, SQ_MIGRATE_JOBS, &arg, 1, mjob_row, &l);
    if (rc != STORE_OK || l.oom) {
        st = l.oom ? qtm_fail(q, QTM_ESTORAGE, "out of memory") : qtm_store_fail(q, rc, "reading jobs");
        goto done;
    }
    size_t cannot = 0;
    int64_t first_cannot = 0;
    char why_first[300] = "";
    *report = migrate_report(cur, &l, &cannot, &first_cannot, why_first, sizeof why_first);
    if (!apply)
        goto done;
    if (cannot) {
        st = qtm_fail(q, QTM_EREFUSED, "job %lld cannot migrate: %s; nothing was changed "
                      "(%zu job%s cannot migrate)", (long long)first_cannot, why_first, cannot,
                      cannot == 1 ? "" : "s");
        goto done;
    }
    for (size_t i = 0; i < l.n && st == QTM_OK; i++) {
        const char *action;
        char reason[300];
        int to = plan(cur, &l.v[i], &action, reason, sizeof reason);
        if (to >= 0)
            st = migrate_job(q, &a, cur, &l.v[i], to);
    }
done:
    free(l.v);
    st = qtmi_tx_end(q, st);
    return st;
}
