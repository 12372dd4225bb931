/*
 * sema_determinism.c - layer 3: one transition per (phase, event).
 *
 * Builds the dense next[phase][event] table the generator prints, and
 * reports every second transition on an event from the same phase.
 */
#include "sema_int.h"

void sema_determinism(sema *s)
{
    model *m = s->m;
    if (!m->nphases || !m->nevents)
        return;
    uint64_t cells = (uint64_t)m->nphases * m->nevents;
    if (cells > MODEL_MAX_TABLE_CELLS) {
        diag_error(s->d, s->src, m->slug_loc, "Q005",
                   "transition table would have %llu cells (%u phases x %u events); "
                   "the limit is %u",
                   (unsigned long long)cells, m->nphases, m->nevents, MODEL_MAX_TABLE_CELLS);
        return;
    }
    m->next = arena_alloc(s->a, (size_t)cells * sizeof *m->next);
    for (uint64_t c = 0; c < cells; c++)
        m->next[c] = -1;
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        int32_t *cell = &m->next[(uint64_t)t->from * m->nevents + t->event];
        if (*cell >= 0) {
            const m_transition *o = &m->trans[*cell];
            diag_error(s->d, s->src, t->event_loc, "Q301",
                       "phase `%s` already has a transition on `%s`",
                       m->phases[t->from].name, m->events[t->event]);
            diag_note(s->d, s->src, o->event_loc, "the other transition (to `%s`) is here",
                      m->phases[o->to].name);
            continue;
        }
        *cell = (int32_t)i;
    }
}
