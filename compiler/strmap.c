/*
 * strmap.c - FNV-1a hashed open-addressing map, and did-you-mean lookup.
 */
#include "strmap.h"

#include <string.h>

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void strmap_init(strmap *m, arena *a)
{
    memset(m, 0, sizeof *m);
    m->a = a;
}

int64_t strmap_get(const strmap *m, const char *key)
{
    if (!m->cap)
        return -1;
    for (uint32_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return -1;
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}

static void grow(strmap *m)
{
    uint32_t ocap = m->cap;
    const char **okeys = m->keys;
    uint32_t *ovals = m->vals;
    m->cap = ocap ? ocap * 2 : 64;
    m->keys = arena_alloc(m->a, m->cap * sizeof *m->keys);
    m->vals = arena_alloc(m->a, m->cap * sizeof *m->vals);
    for (uint32_t j = 0; j < ocap; j++) {
        if (!okeys[j])
            continue;
        uint32_t i = hash(okeys[j]) & (m->cap - 1);
        while (m->keys[i])
            i = (i + 1) & (m->cap - 1);
        m->keys[i] = okeys[j];
        m->vals[i] = ovals[j];
    }
}

int64_t strmap_put(strmap *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap)
        grow(m);
    uint32_t i = hash(key) & (m->cap - 1);
    for (; m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return -1;
}

/* Levenshtein distance, giving up (returning limit+1) past `limit`. */
static unsigned distance(const char *a, const char *b, unsigned limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    unsigned row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0], best;
        row[0] = (unsigned)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb];
}

const char *suggest_closest(const char *word, const char *const *cands, uint32_t n)
{
    const char *best = NULL;
    unsigned bestd = 3;
    size_t wl = strlen(word);
    /* a clipped word (`payment` for `payment_timing`) is a likely meaning */
    if (wl >= 4)
        for (uint32_t i = 0; i < n; i++)
            if (strncmp(cands[i], word, wl) == 0 && cands[i][wl] != '\0')
                return cands[i];
    for (uint32_t i = 0; i < n; i++) {
        unsigned d = distance(word, cands[i], 2);
        if (d < bestd && d < wl) {
            bestd = d;
            best = cands[i];
        }
    }
    return best;
}
