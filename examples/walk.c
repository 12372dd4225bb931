/*
 * walk.c - drive a compiled surface's tables by hand (used by `make demo`).
 *
 *   walk SLUG [EVENT[@ROLE]...]
 *
 * Starts in the surface's initial phase and fires each event in turn,
 * printing the phase label operators see, who may fire it, and what it
 * requires; an event the tables do not allow from the current phase, or a
 * role the transition does not admit, is printed as a refusal and the walk
 * stays where it is.  Only the tables are used: no storage, no actors.
 * Exit status: 0 if every event was accepted, 5 if any was refused,
 * 2 on usage errors (as the `qtm` command will).
 */
#include <stdio.h>
#include <string.h>

#include "qtm/qtm_surface.h"

static const qtm_surface *find(const char *slug)
{
    for (unsigned i = 0; i < qtm_registry_count; i++)
        if (strcmp(qtm_registry[i]->slug, slug) == 0)
            return qtm_registry[i];
    return NULL;
}

static unsigned role_bits(const char *role)
{
    if (strcmp(role, "admin") == 0)
        return QTM_BY_ADMIN;
    if (strcmp(role, "operator") == 0)
        return QTM_BY_OPERATOR;
    if (strcmp(role, "owner") == 0)
        return QTM_BY_OWNER;
    return 0;  /* vendor, client, anyone else: never admitted */
}

static const char *by_text(unsigned by)
{
    return by & QTM_BY_OWNER ? "the owner" : by & QTM_BY_OPERATOR ? "an operator" : "an admin";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: walk SLUG [EVENT[@ROLE]...]\n", stderr);
        return 2;
    }
    const qtm_surface *s = find(argv[1]);
    if (!s) {
        fprintf(stderr, "walk: no surface '%s' in this build\n", argv[1]);
        return 2;
    }
    unsigned phase = s->initial;
    int refused = 0;
    printf("%s (%s), fingerprint %.19s...\n", s->name, s->slug, s->fingerprint);
    printf("  start    %-12s \"%s\"\n", s->phases[phase].name, s->phases[phase].label);
    for (int i = 2; i < argc; i++) {
        char ev[128];
        snprintf(ev, sizeof ev, "%s", argv[i]);
        char *at = strchr(ev, '@');
        const char *role = NULL;
        if (at) {
            *at = '\0';
            role = at + 1;
        }
        int e = -1;
        for (unsigned k = 0; k < s->nevents; k++)
            if (strcmp(s->events[k], ev) == 0)
                e = (int)k;
        if (e < 0) {
            printf("  refused  %-12s surface %s declares no event '%s'\n", ev, s->slug, ev);
            refused = 1;
            continue;
        }
        const qtm_transition *t = qtm_surface_next(s, phase, (unsigned)e);
        if (!t) {
            printf("  refused  %-12s not allowed from phase %s (\"%s\")\n", ev,
                   s->phases[phase].name, s->phases[phase].label);
            refused = 1;
            continue;
        }
        if (role && !(role_bits(role) & t->by)) {
            printf("  refused  %-12s role %s may not do this; only %s may\n", ev, role,
                   by_text(t->by));
            refused = 1;
            continue;
        }
        phase = t->to;
        printf("  %-8s %-12s \"%s\"  (by %s%s%s)\n", ev, s->phases[phase].name,
               s->phases[phase].label, by_text(t->by),
               t->requires & QTM_REQ_EVIDENCE ? ", requires evidence" : "",
               t->requires & QTM_REQ_PAYMENT ? ", requires payment" : "");
        if (s->phases[phase].hint[0])
            printf("           %s\n", s->phases[phase].hint);
    }
    if (s->phases[phase].final)
        printf("  final phase reached: %s\n", s->phases[phase].label);
    return refused ? 5 : 0;
}
