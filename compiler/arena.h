/*
 * arena.h - bump allocator for compiler data that lives as long as one run.
 *
 * Every AST node, string and table of a compilation is carved from one
 * arena and released with one arena_free(); nothing is freed singly.
 * Allocation failure is fatal (the compiler prints and exits 3), so callers
 * never check for NULL.
 */
#ifndef QTMC_ARENA_H
#define QTMC_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;             /* newest block; older blocks chain behind */
    size_t used;                   /* bytes used in head */
    size_t total;                  /* bytes obtained from malloc, for stats */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);             /* zeroed, 16-byte aligned */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Growable array of pointers backed by the arena (old storage is abandoned). */
typedef struct ptrvec {
    void **v;
    size_t n, cap;
} ptrvec;

void ptrvec_push(arena *a, ptrvec *pv, void *p);

#endif
