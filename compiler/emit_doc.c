/*
 * emit_doc.c - the operator guide generator (`qtmc --emit doc`, SLUG.md).
 *
 * Markdown generated only from the checked model: identity, the execution
 * contract in plain sentences, a Mermaid stateDiagram-v2 of the lifecycle,
 * every phase in order with who may act and what each next action requires,
 * then the evidence contract, the intake form and the record fields.  No
 * dates or paths: the same spec gives the same bytes, so the guides in
 * docs/surfaces/ are golden-tested against the running tables.
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "qtm/qtm_surface.h"

/* User text inside Markdown (tables included): control bytes become spaces,
 * and characters Markdown or HTML would interpret are backslash-escaped. */
static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F)
            fputc(' ', f);
        else if (strchr("\\|*`<>[]#", c))
            fprintf(f, "\\%c", c);
        else
            fputc(c, f);
    }
}

/* User text inside a Mermaid label: no control bytes, no `;`, `:` or quotes
 * (Mermaid separators), no `#` (its entity escape). */
static void mermaid_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F || strchr(";:\"#", c))
            fputc(' ', f);
        else
            fputc(c, f);
    }
}

/* "Label (`name`)", or "`name`" when the phase has no label. */
static void phase_ref(FILE *f, const m_phase *ph)
{
    if (ph->label[0]) {
        md_text(f, ph->label);
        fprintf(f, " (`%s`)", ph->name);
    } else {
        fprintf(f, "`%s`", ph->name);
    }
}

/* "`a`, `b`" or `none` for an empty list. */
static void name_list(FILE *f, const char *const *v, uint32_t n, const char *none)
{
    if (!n)
        fputs(none, f);
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s`%s`", i ? ", " : "", v[i]);
}

/* Who fires transition t, in words. */
static void who(FILE *f, const model *m, const m_transition *t)
{
    if (t->by & QTM_BY_OWNER)
        fputs("the owner (the operator who claimed the job)", f);
    else if (t->claim && m->ownership == QTM_OWNERSHIP_POOL)
        fputs("any active operator; the claimer becomes the owner", f);
    else if (t->claim)
        fputs("the assigned operator; the claimer becomes the owner", f);
    else if (t->by & QTM_BY_OPERATOR)
        fputs("any active operator", f);
    else
        fputs("an admin", f);
}

/* What transition t requires, in words. */
static void requirements(FILE *f, const model *m, const m_transition *t)
{
    if (!t->requires) {
        fputs("nothing", f);
        return;
    }
    const char *sep = "";
    if (t->requires & QTM_REQ_EVIDENCE) {
        if (m->nev_required) {
            fprintf(f, "evidence: at least %u item%s in each of ", m->ev_min,
                    m->ev_min == 1 ? "" : "s");
            name_list(f, m->ev_required, m->nev_required, "");
        } else {
            fputs("the evidence contract (no category is required)", f);
        }
        sep = "; ";
    }
    if (t->requires & QTM_REQ_PAYMENT) {
        fprintf(f, "%spayment recorded as paid or waived (payment timing `%s`)", sep,
                model_payment_names[m->payment_timing]);
        sep = "; ";
    }
    if (t->requires & QTM_REQ_PARTICIPANTS) {
        fprintf(f, "%sat least one participant recorded", sep);
        sep = "; ";
    }
    if (t->requires & QTM_REQ_REASON)
        fprintf(f, "%sa reason, in your words (`--reason TEXT`)", sep);
}

static void contract(FILE *f, const model *m)
{
    static const char *const claim_text[] = {
        "an operator must claim a job before any work on it; the claim makes that operator the job's owner.",
        "an operator may claim a job and so become its owner, but the lifecycle also lets the job move on without a claim.",
        "jobs are never claimed."};
    static const char *const own_text[] = {
        "only the operator the task was assigned to can claim the job, and after the claim only that owner advances it.",
        "any active operator may claim the job; whoever claims it owns it.",
        "no owner is recorded; each step says whether an operator or an admin takes it."};
    static const char *const pay_text[] = {
        "payment can be recorded at any time and never moves or blocks the job; settlement is separate from execution.",
        "the job cannot complete until its payment is recorded as paid or waived; the steps that check this say *requires payment*.",
        "payment can be recorded only once the job is complete; it never moves the job."};
    static const char *const done_text[] = {
        "completed jobs stay visible on the desk.",
        "completed jobs are hidden from the desk."};
    fputs("## Execution contract\n\n", f);
    fprintf(f, "- **Claim `%s`**: %s\n", model_claim_names[m->claim], claim_text[m->claim]);
    fprintf(f, "- **Ownership `%s`**: %s\n", model_ownership_names[m->ownership],
            own_text[m->ownership]);
    fprintf(f,
            "- **Record `%s`**: when a job reaches a final phase, a ServiceEvent record is composed from the record fields below.\n",
            model_record_names[m->exec_record]);
    fprintf(f, "- **Payment timing `%s`**: %s\n", model_payment_names[m->payment_timing],
            pay_text[m->payment_timing]);
    fprintf(f, "- **Completed jobs `%s`**: %s\n\n", model_completed_names[m->completed_jobs],
            done_text[m->completed_jobs]);
    fputs("Jobs are created only from an approved, assigned task (Request -> Task -> Assignment -> Job); vendors and clients never move a job.\n\n",
          f);
}

static void diagram(FILE *f, const model *m)
{
    fputs("## Lifecycle\n\n```mermaid\nstateDiagram-v2\n", f);
    for (uint32_t p = 0; p < m->nphases; p++)
        if (m->phases[p].label[0]) {
            fprintf(f, "    %s: ", m->phases[p].name);
            mermaid_text(f, m->phases[p].label);
            fputc('\n', f);
        }
    if (m->nphases)
        fprintf(f, "    [*] --> %s\n", m->phases[m->initial].name);
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        fprintf(f, "    %s --> %s: %s (by %s", m->phases[t->from].name, m->phases[t->to].name,
                m->events[t->event], model_by_name(t->by));
        const char *sep = ", requires ";
        for (unsigned b = 0; b < QTM_COND_COUNT; b++)
            if (t->requires & (1u << b)) {
                fprintf(f, "%s%s", sep, model_condition_names[b]);
                sep = " and ";
            }
        if (t->outcome && t->outcome[0])
            fprintf(f, ", outcome %s", t->outcome);
        fputs(")\n", f);
    }
    for (uint32_t p = 0; p < m->nphases; p++)
        if (m->phases[p].final)
            fprintf(f, "    %s --> [*]\n", m->phases[p].name);
    fputs("```\n\n", f);
}

/* A final phase: the ServiceEvent ends here with an outcome; the job is
 * `ready` until `job complete` closes it. */
static void final_phase(FILE *f, const model *m, uint32_t p)
{
    fputs("The ServiceEvent ends here and its record is composed; nothing moves it "
          "further.  Reaching it is the first of two steps: the job is then **ready**, "
          "and the second step, `qtm job complete ID` by the job's operator, closes "
          "the job.  Settlement stays separate either way.\n\n", f);
    int any = 0;
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        if (t->to != p || !t->outcome || !t->outcome[0])
            continue;
        if (!any++)
            fputs("Outcomes the record carries:\n\n", f);
        fprintf(f, "- **%s**: `%s` from ", t->outcome, m->events[t->event]);
        phase_ref(f, &m->phases[t->from]);
        if (t->requires & QTM_REQ_REASON)
            fputs(", with the reason given", f);
        fputs("\n", f);
    }
    if (any)
        fputc('\n', f);
}

static void phases(FILE *f, const model *m)
{
    fputs("## Phases\n\n", f);
    for (uint32_t p = 0; p < m->nphases; p++) {
        const m_phase *ph = &m->phases[p];
        fprintf(f, "### %u. ", p + 1);
        phase_ref(f, ph);
        fputs(ph->initial ? ": initial phase\n\n" : ph->final ? ": final phase\n\n" : "\n\n", f);
        if (ph->hint[0]) {
            fputs("> ", f);
            md_text(f, ph->hint);
            fputs("\n\n", f);
        }
        if (ph->initial)
            fputs("New jobs start here.\n\n", f);
        if (ph->final) {
            final_phase(f, m, p);
            continue;
        }
        /* who may act: the distinct actors of the transitions leaving it */
        unsigned actors = 0;
        for (uint32_t i = 0; i < m->ntrans; i++)
            if (m->trans[i].from == p)
                actors |= m->trans[i].by;
        fputs("Who may act:", f);
        const char *sep = " ";
        static const unsigned order[] = {QTM_BY_OPERATOR, QTM_BY_OWNER, QTM_BY_ADMIN};
        for (unsigned k = 0; k < 3; k++)
            if (actors & order[k]) {
                fprintf(f, "%s%s", sep, model_by_name(order[k]));
                sep = ", ";
            }
        fputs(".\n\n| Action | Goes to | Who | Requires |\n|---|---|---|---|\n", f);
        for (uint32_t i = 0; i < m->ntrans; i++) {
            const m_transition *t = &m->trans[i];
            if (t->from != p)
                continue;
            fprintf(f, "| `%s` | ", m->events[t->event]);
            phase_ref(f, &m->phases[t->to]);
            if (t->outcome && t->outcome[0])
                fprintf(f, ", outcome **%s**", t->outcome);
            fputs(" | ", f);
            who(f, m, t);
            fputs(" | ", f);
            requirements(f, m, t);
            fputs(" |\n", f);
        }
        fputc('\n', f);
    }
}

static void evidence(FILE *f, const model *m)
{
    fputs("## Evidence contract\n\n- Required categories: ", f);
    name_list(f, m->ev_required, m->nev_required, "none");
    fputs("\n- Optional categories: ", f);
    name_list(f, m->ev_optional, m->nev_optional, "none");
    fprintf(f, "\n- Minimum items per required category: %u\n- Checked when: ", m->ev_min);
    int any = 0;
    for (uint32_t i = 0; i < m->ntrans; i++) {
        const m_transition *t = &m->trans[i];
        if (!(t->requires & QTM_REQ_EVIDENCE))
            continue;
        fprintf(f, "%s`%s` from `%s`", any ? ", " : "", m->events[t->event],
                m->phases[t->from].name);
        any = 1;
    }
    fputs(any ? "\n\n" : "never (no step requires evidence)\n\n", f);
}

static void intake(FILE *f, const model *m)
{
    fputs("## Intake form\n\n", f);
    if (!m->nfields) {
        fputs("The request form has no fields.\n\n", f);
    } else {
        fputs("| Section | Field | Type | Required | Max length (text) | Choices |\n"
              "|---|---|---|---|---|---|\n", f);
        for (uint32_t i = 0; i < m->nfields; i++) {
            const m_field *fl = &m->fields[i];
            fprintf(f, "| `%s` | `%s` | %s | %s | ", fl->section, fl->name,
                    model_field_type_names[fl->type], fl->required ? "yes" : "no");
            if (fl->type == QTM_FIELD_TEXT)
                fprintf(f, "%u", fl->max_len);  /* other types have fixed bounds */
            fputs(" | ", f);
            for (uint32_t c = 0; c < fl->nchoices; c++) {
                fputs(c ? ", " : "", f);
                md_text(f, fl->choices[c]);
            }
            fputs(" |\n", f);
        }
        fputc('\n', f);
    }
    if (m->photo_min)
        fprintf(f, "Photos: at least %u.\n\n", m->photo_min);
    else
        fputs("Photos: optional.\n\n", f);
    int bounded = 0;
    for (uint32_t i = 0; i < m->nfields; i++) {
        const m_field *fl = &m->fields[i];
        if (!fl->has_min && !fl->has_max)
            continue;
        fputs(bounded++ ? ", " : "Integer bounds: ", f);
        fprintf(f, "`%s.%s`", fl->section, fl->name);
        if (fl->has_min && fl->has_max)
            fprintf(f, " %u to %u", fl->min, fl->max);
        else if (fl->has_min)
            fprintf(f, " at least %u", fl->min);
        else
            fprintf(f, " at most %u", fl->max);
    }
    if (bounded)
        fputs(".\n\n", f);
    if (!m->nsummary)
        return;
    fputs("Summary line (desks, the task queue): ", f);
    for (uint32_t i = 0; i < m->nsummary; i++) {
        const m_sumpart *sp = &m->summary[i];
        if (sp->field >= 0) {
            fprintf(f, "`%s.%s`", m->fields[sp->field].section, m->fields[sp->field].name);
        } else {
            fputs("\"", f);
            md_text(f, sp->text);
            fputs("\"", f);
        }
        fputs(i + 1 < m->nsummary ? " " : ".\n\n", f);
    }
}

char *emit_doc(const model *m, const char *input_name)
{
    char *buf = NULL;
    size_t len;
    FILE *f = emit_open(&buf, &len);
    fprintf(f, "<!-- Generated by qtmc from %s. Do not edit; run `make docs`. -->\n\n",
            input_name);
    fputs("# ", f);
    md_text(f, m->name);
    fputs(": operator guide\n\n| | |\n|---|---|\n| Name | ", f);
    md_text(f, m->name);
    fprintf(f, " |\n| Slug | `%s` |\n| Spec | `%s` |\n| Status | %s |\n"
               "| Fingerprint | `%s` |\n\n",
            m->slug, m->spec, model_status_names[m->status], m->fingerprint);
    contract(f, m);
    diagram(f, m);
    phases(f, m);
    evidence(f, m);
    intake(f, m);
    fputs("## Record\n\nWhen a job completes, its ServiceEvent record carries: ", f);
    name_list(f, m->record, m->nrecord, "nothing");
    fputs(".\nSettlement is recorded separately and never changes the record.\n", f);
    for (uint32_t i = 0; i < m->nmigrations; i++) {
        const m_migration *mg = &m->migrations[i];
        if (i == 0)
            fputs("\n## Earlier versions\n\nJobs created under an earlier version of this "
                  "surface keep running under it until an admin runs `qtm migrate`; then "
                  "they continue here.  A job whose ServiceEvent already ended in a final "
                  "phase this version does not have finishes under its earlier version "
                  "(`job complete`).\n", f);
        fprintf(f, "\nFrom `%.19s`: ", mg->from);
        for (uint32_t k = 0; k < mg->nmaps; k++)
            fprintf(f, "%s`%s` continues in `%s`", k ? ", " : "", mg->maps[k].from,
                    m->phases[mg->maps[k].to].name);
        fprintf(f, "%severy other phase continues in the phase of the same name.\n",
                mg->nmaps ? "; " : "");
    }
    return emit_close(f, &buf);
}
