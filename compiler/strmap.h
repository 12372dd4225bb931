/*
 * strmap.h - string -> index map (open addressing, arena-backed).
 *
 * Used by sema to resolve phase, event and field names in O(1), so a spec
 * with 10,000 phases checks in linear time.  Keys are borrowed, not copied:
 * they must outlive the map (they live in the same arena).
 */
#ifndef QTMC_STRMAP_H
#define QTMC_STRMAP_H

#include <stdint.h>

#include "arena.h"

typedef struct strmap {
    arena *a;
    const char **keys;             /* NULL = empty slot */
    uint32_t *vals;
    uint32_t cap;                  /* power of two */
    uint32_t n;
} strmap;

void strmap_init(strmap *m, arena *a);
/* Returns the value for key, or -1 if absent. */
int64_t strmap_get(const strmap *m, const char *key);
/* Inserts key -> val unless present; returns the existing value or -1. */
int64_t strmap_put(strmap *m, const char *key, uint32_t val);

/*
 * suggest_closest - the candidate nearest to `word` by edit distance, if
 * that distance is at most 2 (and less than the word's length); else NULL.
 */
const char *suggest_closest(const char *word, const char *const *cands, uint32_t n);

#endif
