/*
 * page.c - keyset paging, shared by every list of libqtm.
 *
 * A page is the rows whose id is greater than `after`, ascending, at most
 * `limit` of them.  The store is asked for limit+1 rows: the extra row, if
 * it comes, only says that a next page exists and is never returned.  The
 * token list's paged variant lives here too, beside the helper it is.
 */
#include "qtm_int.h"

#include <string.h>

qtm_status qtmi_page_limit(qtm *q, const qtm_page *pg, unsigned *limit)
{
    *limit = QTM_PAGE_DEFAULT;
    if (!pg)
        return QTM_OK;
    if (pg->after < 0)
        return qtm_fail(q, QTM_EUSAGE, "after takes an id (a whole number, 0 or more)");
    if (pg->limit > QTM_PAGE_MAX)
        return qtm_fail(q, QTM_EUSAGE, "limit takes a whole number from 1 to %d", QTM_PAGE_MAX);
    if (pg->limit)
        *limit = pg->limit;
    return QTM_OK;
}

void qtmi_page_trim(json_t *rows, unsigned limit, int64_t *next_after)
{
    *next_after = 0;
    if (json_array_size(rows) <= limit)
        return;
    json_array_remove(rows, limit);
    /* the next page starts after the last row shown, never after the dropped one */
    *next_after = json_integer_value(json_object_get(json_array_get(rows, limit - 1), "id"));
}

/* Runs the page in the caller's transaction: args..., after, limit+1. */
static qtm_status page_run(qtm *q, store_query sq, const store_val *args, int nargs,
                           const char *const *keys, const char *doing, int64_t after,
                           unsigned limit, json_t **out, int64_t *next_after)
{
    store_val all[8];
    if (nargs > 6)
        return qtm_fail(q, QTM_ESTORAGE, "too many arguments while %s", doing);
    for (int i = 0; i < nargs; i++)
        all[i] = args[i];
    all[nargs] = SV_I(after);
    all[nargs + 1] = SV_I((int64_t)limit + 1);
    store_rc rc;
    *out = qtmi_list_rows(q, sq, all, nargs + 2, keys, &rc);
    if (!*out)
        return qtm_store_fail(q, rc, doing);
    qtmi_page_trim(*out, limit, next_after);
    return QTM_OK;
}

qtm_status qtmi_page_rows(qtm *q, store_query sq, const store_val *args, int nargs,
                     const char *const *keys, const char *doing, const qtm_page *pg,
                     json_t **out, int64_t *next_after)
{
    *out = NULL;
    *next_after = 0;
    unsigned limit;
    qtm_status st = qtmi_page_limit(q, pg, &limit);
    if (st != QTM_OK)
        return st;
    return page_run(q, sq, args, nargs, keys, doing, pg ? pg->after : 0, limit, out, next_after);
}

qtm_status qtmi_list_page(qtm *q, store_query sq, const store_val *args, int nargs,
                     const char *const *keys, const char *doing, const qtm_page *pg,
                     json_t **out, int64_t *next_after)
{
    *out = NULL;
    *next_after = 0;
    unsigned limit;
    qtm_status st = qtmi_page_limit(q, pg, &limit);  /* a bad page opens no transaction */
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_tx_begin(q, 0)) != QTM_OK)
        return st;
    st = qtmi_page_rows(q, sq, args, nargs, keys, doing, pg, out, next_after);
    return qtmi_view_end(q, st, out);
}

qtm_status qtm_token_list_page(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after)
{
    return qtmi_list_page(q, SQ_TOKEN_LIST, NULL, 0, qtmi_token_keys, "listing tokens", pg, out, next_after);
}
