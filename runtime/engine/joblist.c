/*
 * joblist.c - finding work: the job list, filtered and paged by id.
 *
 * One read transaction: check the filters, resolve the operator, pick the
 * query whose index drives the most selective filter given (operator,
 * then the text search, then state, then surface; none: the id order),
 * and fetch one page of limit+1 rows (page.c).  Who reads which jobs is
 * the read rule's (access.c): admins every job, an operator the jobs they
 * hold (own, or are assigned while nobody owns them), nobody else any.
 * The list never shows a pool preview: it lists work, not what could be
 * claimed (the desk does that).
 */
#include "qtm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QTM_COMMA ,

/* The words `state` takes. */
static const char *const list_states[] = {QTM_JOB_STATES(QTM_WORD_X, QTM_COMMA)};

#define Q_MIN 3                    /* the trigram index finds substrings this long or longer */
#define Q_MAX 200                  /* bytes */

static const char *const job_list_keys[] = {"id", "surface", "state", "phase", "owner",
                                            "assignee", "settlement", "created_at",
                                            "fingerprint", "_intake", NULL};

static qtm_status check_state(qtm *q, const char *state)
{
    for (size_t i = 0; state && i < countof(list_states); i++)
        if (strcmp(state, list_states[i]) == 0)
            return QTM_OK;
    if (!state)
        return QTM_OK;
    return qtm_fail(q, QTM_EUSAGE, "unknown job state '%s' (" QTM_JOB_STATES(QTM_WORD_X, ", ")
                    ")", state);
}

/* ",slug,...," of the current surfaces (only `surface` when given) whose
 * initial phase is `phase`, into buf; QTM_EUSAGE when no surface has that
 * phase at all. */
static qtm_status phase_initials(qtm *q, const char *surface, const char *phase, char *buf,
                                 size_t n)
{
    size_t used = (size_t)snprintf(buf, n, ",");
    int known = 0;
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        const qtm_surface *s = qtm_registry[i];
        if (s->retained || (surface && strcmp(s->slug, surface) != 0))
            continue;
        int p = qtmi_surface_phase(s, phase);
        known |= p >= 0;
        if (p >= 0 && (unsigned)p == s->initial && used + strlen(s->slug) + 2 < n)
            used += (size_t)snprintf(buf + used, n - used, "%s,", s->slug);
    }
    if (!known)
        return qtm_fail(q, QTM_EUSAGE, "no surface%s%s has a phase '%s'", surface ? " " : "",
                        surface ? surface : "", phase);
    return QTM_OK;
}

/* The filters' own checks, before any transaction. */
static qtm_status check_filter(qtm *q, const qtm_job_filter *f)
{
    qtm_status st = check_state(q, f->state);
    if (st != QTM_OK)
        return st;
    if (f->surface && !qtm_surface_find(f->surface))
        return qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", f->surface);
    if (f->q) {
        if ((st = qtmi_text_check(q, "search text", f->q)) != QTM_OK)
            return st;
        size_t chars = 0;
        for (const unsigned char *p = (const unsigned char *)f->q; *p; p++)
            chars += (*p & 0xc0) != 0x80;
        if (chars < Q_MIN || strlen(f->q) > Q_MAX)
            return qtm_fail(q, QTM_EUSAGE, "q takes %d to %d characters of text to find", Q_MIN,
                            Q_MAX);
    }
    return QTM_OK;
}

/* q as one FTS5 phrase: quoted, its quotes doubled (never FTS syntax). */
static char *phrase(const char *text)
{
    size_t n = 3;
    for (const char *p = text; *p; p++)
        n += *p == '"' ? 2 : 1;
    char *out = malloc(n), *w = out;
    if (!out)
        return NULL;
    *w++ = '"';
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            *w++ = '"';
        *w++ = *p;
    }
    *w++ = '"';
    *w = '\0';
    return out;
}

/* The unclaimed jobs' phase, every row's label and the request's summary,
 * from the tables each job runs under; the fingerprint and the intake
 * served only that. */
static void rows_finish(json_t *rows)
{
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o) {
        const char *slug = json_string_value(json_object_get(o, "surface"));
        const char *fp = json_string_value(json_object_get(o, "fingerprint"));
        const qtm_surface *s = slug && fp ? qtm_surface_by_fingerprint(slug, fp) : NULL;
        if (!s && slug)
            s = qtm_surface_find(slug);
        if (!json_is_string(json_object_get(o, "phase")))
            json_object_set_new(o, "phase",
                                s ? json_string(s->phases[s->initial].name) : json_null());
        const char *phase = json_string_value(json_object_get(o, "phase"));
        json_object_set_new(o, "label", s && phase ? json_string(qtmi_surface_label(s, phase))
                                                   : json_null());
        const char *text = json_string_value(json_object_get(o, "_intake"));
        json_t *in = text ? json_loads(text, 0, NULL) : NULL;
        json_object_set_new(o, "summary", qtmi_summary_json(s, in));
        json_decref(in);
        json_object_del(o, "fingerprint");
        json_object_del(o, "_intake");
    }
}

/* One page in the caller's read transaction; operator_id 0: anyone's. */
static qtm_status list_rows(qtm *q, const qtm_job_filter *f, int64_t operator_id,
                            const qtm_page *pg, json_t **out, int64_t *next_after)
{
    char initials[1024];
    qtm_status st;
    if (f->phase && (st = phase_initials(q, f->surface, f->phase, initials, sizeof initials)))
        return st;
    char *match = f->q ? phrase(f->q) : NULL;
    if (f->q && !match)
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    store_query sq = operator_id ? SQ_JOB_LIST_OPERATOR
                     : match     ? SQ_JOB_LIST_SEARCH
                     : f->state  ? SQ_JOB_LIST_STATE
                     : f->surface ? SQ_JOB_LIST_SURFACE
                                  : SQ_JOB_LIST;
    store_val args[6] = {SV_S(f->state), SV_S(f->surface),
                         operator_id ? SV_I(operator_id) : SV_N, SV_S(f->phase),
                         SV_S(f->phase ? initials : NULL), SV_S(match)};
    st = qtmi_page_rows(q, sq, args, 6, job_list_keys, "listing jobs", pg, out, next_after);
    free(match);
    if (st == QTM_OK)
        rows_finish(*out);
    return st;
}

qtm_status qtm_job_list_page(qtm *q, const qtm_job_filter *f, const qtm_page *pg, json_t **out,
                             int64_t *next_after)
{
    static const qtm_job_filter none;
    unsigned limit;
    *out = NULL;
    *next_after = 0;
    if (!f)
        f = &none;
    qtm_status st = qtmi_page_limit(q, pg, &limit);
    if (st != QTM_OK || (st = check_filter(q, f)) != QTM_OK || (st = qtmi_tx_begin(q, 0)))
        return st;
    actor op = {0};
    if (f->operator_slug && (st = qtmi_actor_load(q, f->operator_slug, &op)) != QTM_OK)
        return qtmi_view_end(q, st, out);
    return qtmi_view_end(q, list_rows(q, f, op.id, pg, out, next_after), out);
}

/* Whose jobs reader r may list under filter f: *operator_id, or a refusal. */
static qtm_status reader_scope(qtm *q, const actor *r, const qtm_job_filter *f, int mine,
                               int64_t *operator_id)
{
    *operator_id = 0;
    if (r->access == QTM_ACCESS_SUSPENDED)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot read jobs", r->slug);
    if (r->role != QTM_ROLE_ADMIN && r->role != QTM_ROLE_OPERATOR)
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is a %s; the job list is for operators and admins",
                        r->slug, qtmi_role_word(r->role));
    if (r->role == QTM_ROLE_OPERATOR && f->operator_slug && strcmp(f->operator_slug, r->slug))
        return qtm_fail(q, QTM_EFORBIDDEN, "%s is an operator and lists only their own jobs, "
                        "not %s's", r->slug, f->operator_slug);
    /* mine: the jobs the reader holds (for an admin none: admins never claim) */
    if (r->role == QTM_ROLE_OPERATOR || mine) {
        *operator_id = r->id;
        return QTM_OK;
    }
    actor op;
    qtm_status st = QTM_OK;
    if (f->operator_slug && (st = qtmi_actor_load(q, f->operator_slug, &op)) == QTM_OK)
        *operator_id = op.id;
    return st;
}

qtm_status qtm_job_list_as(qtm *q, const char *reader, int mine, const qtm_job_filter *f,
                           const qtm_page *pg, json_t **out, int64_t *next_after)
{
    static const qtm_job_filter none;
    unsigned limit;
    *out = NULL;
    *next_after = 0;
    if (!f)
        f = &none;
    qtm_status st = qtmi_page_limit(q, pg, &limit);
    if (st != QTM_OK || (st = check_filter(q, f)) != QTM_OK || (st = qtmi_tx_begin(q, 0)))
        return st;
    actor r;
    int64_t operator_id = 0;
    if ((st = qtmi_actor_load(q, reader, &r)) == QTM_OK &&
        (st = reader_scope(q, &r, f, mine, &operator_id)) == QTM_OK) {
        st = list_rows(q, f, operator_id, pg, out, next_after);
    }
    return qtmi_view_end(q, st, out);
}
