/*
 * xalloc.h - qtmc's one out-of-memory path and its one growable array.
 *
 * The compiler never recovers from allocation failure: qtmc_oom() prints
 * "qtmc: fatal: out of memory" and exits 3 (the I/O status), so callers of
 * these helpers never check for NULL.  Arena memory (arena.h) fails the same way.
 */
#ifndef QTMC_XALLOC_H
#define QTMC_XALLOC_H

#include <stddef.h>

_Noreturn void qtmc_oom(void);

void *xmalloc(size_t n);                        /* n == 0 gives a unique pointer */
void *xcalloc(size_t n, size_t size);           /* zeroed */
void *xrealloc(void *p, size_t n);
char *xstrcat2(const char *a, const char *b);   /* malloc'd a followed by b */

/*
 * XGROW(v, cap, need): makes the heap array v (of *v-sized elements, cap
 * of them allocated) hold at least need elements, doubling from 16; v may
 * move, elements below the old cap are kept.  cap is a size_t lvalue.
 */
#define XGROW(v, cap, need) ((v) = xgrow_((v), &(cap), (need), sizeof *(v)))
void *xgrow_(void *v, size_t *cap, size_t need, size_t elem);

#endif
