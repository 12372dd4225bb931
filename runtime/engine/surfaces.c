/*
 * surfaces.c - the surfaces compiled into this program, as data.
 *
 * `surface show` returns the model qtmc embedded in the tables, so the
 * runtime prints exactly what the compiler checked (qtmc --emit json).
 */
#include "qtm_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"active", "planned", "deprecated"};

qtm_status qtm_surfaces(qtm *q, json_t **out)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        const qtm_surface *s = qtm_registry[i];
        if (s->retained)
            continue;  /* listed under its current spec below */
        json_t *o = json_object();
        json_object_set_new(o, "slug", json_string(s->slug));
        json_object_set_new(o, "name", json_string(s->name));
        json_object_set_new(o, "spec", json_string(s->spec));
        json_object_set_new(o, "status", json_string(s->status < 3 ? status_names[s->status] : "?"));
        json_object_set_new(o, "fingerprint", json_string(s->fingerprint));
        json_t *old = json_array();
        for (unsigned k = 0; k < qtm_registry_count; k++)
            if (qtm_registry[k]->retained && strcmp(qtm_registry[k]->slug, s->slug) == 0)
                json_array_append_new(old, json_string(qtm_registry[k]->fingerprint));
        if (json_array_size(old))
            json_object_set_new(o, "retained", old);  /* older specs kept for jobs in flight */
        else
            json_decref(old);
        json_array_append_new(a, o);
    }
    *out = a;
    return qtm_ok(q);
}

qtm_status qtm_surface_show(qtm *q, const char *slug, json_t **out)
{
    *out = NULL;
    const qtm_surface *s = qtm_surface_find(slug ? slug : "");
    if (!s)
        return qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", slug ? slug : "");
    size_t n = 1;
    for (const char *const *p = s->model_json; *p; p++)
        n += strlen(*p);
    char *text = malloc(n);
    if (!text)
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    char *w = text;
    for (const char *const *p = s->model_json; *p; p++) {
        size_t l = strlen(*p);
        memcpy(w, *p, l);
        w += l;
    }
    *w = '\0';
    json_error_t err;
    *out = json_loads(text, JSON_DECODE_ANY, &err);
    free(text);
    if (!*out)
        return qtm_fail(q, QTM_ESTORAGE, "surface %s carries a broken model: %s", s->slug,
                        err.text);
    return qtm_ok(q);
}
