/*
 * sema_completeness.c - layer 5: warnings about things left unsaid.
 *
 * Q501 -Wmissing-label    a phase operators would see without a label
 * Q502 -Wempty-section    an intake section with no fields
 * Q503 -Wunused-category  optional evidence no transition ever checks
 * Q504 -Wguardrail        a phase or event named like scheduling, messaging
 *                         or payment: those are request data or settlement,
 *                         never execution (the seed's guardrails)
 */
#include "sema_int.h"

#include <string.h>

#include "qtm/qtm_surface.h"

static const src_loc nowhere = {0, 0, 0};

/* Name stems that make another layer's work look like execution: a
 * prefix (`schedule_call`, `notified`) or, for short words, the whole name. */
static const struct {
    const char *stem;
    int prefix;
    const char *what;
} guard_words[] = {
    {"schedul", 1, "scheduling"},   {"calendar", 1, "scheduling"},
    {"reschedul", 1, "scheduling"}, {"book", 0, "scheduling"},
    {"messag", 1, "messaging"},     {"notif", 1, "messaging"},
    {"remind", 1, "messaging"},     {"email", 0, "messaging"},
    {"sms", 0, "messaging"},        {"text_client", 1, "messaging"},
    {"pay", 0, "payment"},          {"paid", 0, "payment"},
    {"unpaid", 0, "payment"},       {"payment", 1, "payment"},
    {"settle", 1, "payment"},       {"captured", 0, "payment"},
    {"capture", 0, "payment"},      {"invoic", 1, "payment"},
    {"charge", 1, "payment"},       {"billed", 0, "payment"},
    {"billing", 1, "payment"},      {"refund", 1, "payment"},
    {"deposit", 1, "payment"},
};

static const char *guard_hit(const char *name)
{
    for (size_t i = 0; i < countof(guard_words); i++) {
        size_t n = strlen(guard_words[i].stem);
        if (guard_words[i].prefix ? strncmp(name, guard_words[i].stem, n) == 0
                                  : strcmp(name, guard_words[i].stem) == 0)
            return guard_words[i].what;
    }
    return NULL;
}

static void guardrails(sema *s)
{
    model *m = s->m;
    static const char *const where[] = {
        [0] = "Scheduling is request or ServiceEvent data (a date, a window), not a phase.",
        [1] = "Messages are context; sending one never moves a job.",
        [2] = "Payment is settlement, recorded with `qtm settle`; it never moves a job."};
    for (uint32_t p = 0; p < m->nphases; p++) {
        const char *w = guard_hit(m->phases[p].name);
        if (!w)
            continue;
        diag_warn(s->d, s->src, m->phases[p].loc, W_GUARDRAIL,
                  "phase `%s` reads as %s, which is not execution", m->phases[p].name, w);
        diag_note(s->d, NULL, nowhere, "%s", where[w[0] == 's' ? 0 : w[0] == 'm' ? 1 : 2]);
    }
    for (uint32_t e = 0; e < m->nevents; e++) {
        const char *w = guard_hit(m->events[e]);
        int refused = 0;  /* Q411 already refuses it as an error */
        for (const char *const *v = sema_settlement_events; *v && !refused; v++)
            refused = strcmp(*v, m->events[e]) == 0;
        if (!w || refused)
            continue;
        diag_warn(s->d, s->src, m->event_locs[e], W_GUARDRAIL,
                  "event `%s` reads as %s, which is not execution", m->events[e], w);
        diag_note(s->d, NULL, nowhere, "%s", where[w[0] == 's' ? 0 : w[0] == 'm' ? 1 : 2]);
    }
}

void sema_completeness(sema *s)
{
    guardrails(s);
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
