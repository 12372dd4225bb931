/*
 * sema_completeness.c - layer 5: warnings about things left unsaid.
 *
 * Q501 -Wmissing-label    a phase operators would see without a label
 * Q502 -Wempty-section    an intake section with no fields
 * Q503 -Wunused-category  optional evidence no transition ever checks
 */
#include "sema_int.h"

#include <string.h>

#include "qtm/qtm_surface.h"

static const src_loc nowhere = {0, 0, 0};

void sema_completeness(sema *s)
{
    model *m = s->m;
    for (uint32_t p = 0; p < m->nphases; p++)
        if (!m->phases[p].label[0]) {
            diag_warn(s->d, s->src, m->phases[p].loc, W_MISSING_LABEL,
                      "phase `%s` has no label", m->phases[p].name);
            diag_note(s->d, NULL, nowhere,
                      "Operators see the label on the desk; write it after the name, "
                      "e.g. %s \"...\".", m->phases[p].name);
        }
    for (size_t bi = 0; bi < s->ast->blocks.n; bi++) {
        const ast_block *b = s->ast->blocks.v[bi];
        if (b->kind != BLK_INTAKE)
            continue;
        for (size_t i = 0; i < b->items.n; i++) {
            const ast_section *sec = b->items.v[i];
            if (!sec->fields.n)
                diag_warn(s->d, s->src, sec->name.loc, W_EMPTY_SECTION,
                          "intake section `%s` has no fields", sec->name.name);
        }
        break;
    }
    if (m->nev_optional) {
        int enforced = 0;
        for (uint32_t i = 0; i < m->ntrans && !enforced; i++)
            enforced = (m->trans[i].requires & QTM_REQ_EVIDENCE) != 0;
        if (!enforced)
            diag_warn(s->d, s->src, s->ev_optional_ids[0]->loc, W_UNUSED_CATEGORY,
                      "optional evidence categories are declared but no transition "
                      "`requires evidence`");
    }
}
