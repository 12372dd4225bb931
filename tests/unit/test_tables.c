/*
 * test_tables.c - load the tables qtmc generated for surfaces/ and walk
 * them as the runtime will: the seed's event-coordination lifecycle end to
 * end, the refusals the tables must give, the auto-detailing evidence
 * gate, and the embedded model JSON against the tables themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "qtm/qtm_surface.h"
#include "auto_detailing.h"
#include "event_coordination.h"

/* The current spec of slug (retained ones share its slug). */
static const qtm_surface *find(const char *slug)
{
    for (unsigned i = 0; i < qtm_registry_count; i++)
        if (strcmp(qtm_registry[i]->slug, slug) == 0 && !qtm_registry[i]->retained)
            return qtm_registry[i];
    return NULL;
}

/* The retained spec of slug with this fingerprint, or NULL. */
static const qtm_surface *find_retained(const char *slug, const char *fingerprint)
{
    for (unsigned i = 0; i < qtm_registry_count; i++)
        if (strcmp(qtm_registry[i]->slug, slug) == 0 && qtm_registry[i]->retained &&
            strcmp(qtm_registry[i]->fingerprint, fingerprint) == 0)
            return qtm_registry[i];
    return NULL;
}

static int event_index(const qtm_surface *s, const char *name)
{
    for (unsigned e = 0; e < s->nevents; e++)
        if (strcmp(s->events[e], name) == 0)
            return (int)e;
    return -1;
}

static char *model_text(const qtm_surface *s)
{
    size_t n = 1;
    for (const char *const *p = s->model_json; *p; p++)
        n += strlen(*p);
    char *buf = malloc(n);
    assert_non_null(buf);
    buf[0] = '\0';
    for (const char *const *p = s->model_json; *p; p++)
        strcat(buf, *p);
    return buf;
}

static void test_tables_registry_lists_every_surface(void **state)
{
    (void)state;
    /* three surfaces, each with the previous release's spec retained */
    assert_int_equal(qtm_registry_count, 6);
    unsigned current = 0;
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        assert_int_equal(qtm_registry[i]->abi, QTM_SURFACE_ABI);
        assert_string_equal(qtm_registry[i]->spec, QTM_SPEC_V0_01);
        current += !qtm_registry[i]->retained;
        if (i > 0) /* sorted by slug: deterministic order */
            assert_true(strcmp(qtm_registry[i - 1]->slug, qtm_registry[i]->slug) <= 0);
    }
    assert_int_equal(current, 3);
    assert_ptr_equal(find("event-coordination"), &qtm_surface_event_coordination);
    assert_ptr_equal(find("auto-detailing"), &qtm_surface_auto_detailing);
    assert_non_null(find("landscaping"));
}

static void test_tables_event_coordination_contract_is_the_seeds(void **state)
{
    (void)state;
    const qtm_surface *s = &qtm_surface_event_coordination;
    assert_string_equal(s->slug, "event-coordination");
    assert_string_equal(s->name, "Event Coordination");
    assert_int_equal(s->status, QTM_STATUS_ACTIVE);
    assert_int_equal(s->claim, QTM_CLAIM_REQUIRED);
    assert_int_equal(s->ownership, QTM_OWNERSHIP_ASSIGNED);
    assert_int_equal(s->exec_record, QTM_RECORD_SERVICE_EVENT);
    assert_int_equal(s->payment_timing, QTM_PAY_INDEPENDENT);
    assert_int_equal(s->completed_jobs, QTM_COMPLETED_VISIBLE);
    assert_int_equal(s->nev_required, 0);
    assert_int_equal(s->nev_optional, 0);
    assert_int_equal(s->ev_min_per_category, 0);
    assert_int_equal(s->photo_min, 0);
    assert_int_equal(s->nphases, EVENT_COORDINATION__NPHASES);
    assert_int_equal(s->initial, EVENT_COORDINATION__PHASE_QUEUED);
    assert_memory_equal(s->fingerprint, "sha256:", 7);
    assert_int_equal(strlen(s->fingerprint), 7 + 64);
}

static void test_tables_event_coordination_walks_to_complete(void **state)
{
    (void)state;
    const qtm_surface *s = &qtm_surface_event_coordination;
    static const char *const events[] = {"claim", "arrive", "start", "complete"};
    static const char *const labels[] = {"Queued", "Confirmed", "On Site", "Active",
                                         "Complete"};
    static const char *const names[] = {"queued", "claimed", "arrived", "in_progress",
                                        "complete"};
    unsigned phase = s->initial;
    assert_string_equal(s->phases[phase].label, labels[0]);
    for (unsigned i = 0; i < 4; i++) {
        int e = event_index(s, events[i]);
        assert_true(e >= 0);
        const qtm_transition *t = qtm_surface_next(s, phase, (unsigned)e);
        assert_non_null(t);
        assert_int_equal(t->from, phase);
        /* the claim is by an operator; everything after it by the owner */
        if (i == 0) {
            assert_int_equal(t->by, QTM_BY_OPERATOR);
            assert_int_equal(t->claim, 1);
        } else {
            assert_int_equal(t->by, QTM_BY_OWNER);
            assert_int_equal(t->claim, 0);
        }
        phase = t->to;
        assert_string_equal(s->phases[phase].name, names[i + 1]);
        assert_string_equal(s->phases[phase].label, labels[i + 1]);
    }
    assert_int_equal(s->phases[phase].final, 1);
    assert_int_equal(phase, EVENT_COORDINATION__PHASE_COMPLETE);
}

static void test_tables_event_coordination_refuses_skips_and_exits(void **state)
{
    (void)state;
    const qtm_surface *s = &qtm_surface_event_coordination;
    /* skipping a phase: complete straight from queued */
    assert_null(qtm_surface_next(s, EVENT_COORDINATION__PHASE_QUEUED,
                                 EVENT_COORDINATION__EVENT_COMPLETE));
    /* a second claim after the claim */
    assert_null(qtm_surface_next(s, EVENT_COORDINATION__PHASE_CLAIMED,
                                 EVENT_COORDINATION__EVENT_CLAIM));
    /* nothing leaves the final phase */
    for (unsigned e = 0; e < s->nevents; e++)
        assert_null(qtm_surface_next(s, EVENT_COORDINATION__PHASE_COMPLETE, e));
    /* out of range indexes are refused, not read */
    assert_null(qtm_surface_next(s, s->nphases, 0));
    assert_null(qtm_surface_next(s, 0, s->nevents));
}

static void test_tables_next_agrees_with_transitions(void **state)
{
    (void)state;
    for (unsigned r = 0; r < qtm_registry_count; r++) {
        const qtm_surface *s = qtm_registry[r];
        unsigned filled = 0;
        for (unsigned p = 0; p < s->nphases; p++)
            for (unsigned e = 0; e < s->nevents; e++) {
                const qtm_transition *t = qtm_surface_next(s, p, e);
                if (!t)
                    continue;
                filled++;
                assert_int_equal(t->from, p);
                assert_int_equal(t->event, e);
                assert_true(t->to < s->nphases);
            }
        /* deterministic and complete: one cell per transition */
        assert_int_equal(filled, s->ntransitions);
    }
}

static void test_tables_auto_detailing_gates_completion_on_evidence(void **state)
{
    (void)state;
    const qtm_surface *s = &qtm_surface_auto_detailing;
    assert_int_equal(s->nphases, 6);
    assert_int_equal(s->nev_required, 3);
    assert_string_equal(s->ev_required[0], "arrival");
    assert_string_equal(s->ev_required[1], "before");
    assert_string_equal(s->ev_required[2], "after");
    assert_int_equal(s->ev_min_per_category, 1);
    const qtm_transition *t = qtm_surface_next(s, AUTO_DETAILING__PHASE_EVIDENCE,
                                               AUTO_DETAILING__EVENT_COMPLETE);
    assert_non_null(t);
    assert_true(t->requires & QTM_REQ_EVIDENCE);
    assert_int_equal(s->phases[t->to].final, 1);
    assert_string_equal(s->phases[s->initial].label, "Awaiting technician.");
}

static void test_tables_event_coordination_intake_schema(void **state)
{
    (void)state;
    const qtm_surface *s = &qtm_surface_event_coordination;
    int saw_service_area = 0, saw_method = 0;
    for (unsigned i = 0; i < s->nfields; i++) {
        const qtm_field *f = &s->fields[i];
        if (strcmp(f->name, "service_area") == 0) {
            saw_service_area = 1;
            assert_string_equal(f->section, "request");
            assert_int_equal(f->required, 1);
        }
        if (strcmp(f->name, "method") == 0) {
            saw_method = 1;
            assert_int_equal(f->type, QTM_FIELD_CHOICE);
            assert_int_equal(f->nchoices, 3);
            assert_string_equal(f->choices[2], "call");
        }
    }
    assert_true(saw_service_area && saw_method);
}

static void test_tables_model_json_matches_tables(void **state)
{
    (void)state;
    for (unsigned r = 0; r < qtm_registry_count; r++) {
        const qtm_surface *s = qtm_registry[r];
        char *text = model_text(s);
        json_error_t err;
        json_t *m = json_loads(text, 0, &err);
        assert_non_null(m);
        assert_string_equal(json_string_value(json_object_get(m, "slug")), s->slug);
        assert_string_equal(json_string_value(json_object_get(m, "fingerprint")),
                            s->fingerprint);
        json_t *phases = json_object_get(m, "phases");
        assert_int_equal(json_array_size(phases), s->nphases);
        for (unsigned p = 0; p < s->nphases; p++) {
            json_t *jp = json_array_get(phases, p);
            assert_string_equal(json_string_value(json_object_get(jp, "name")),
                                s->phases[p].name);
            assert_string_equal(json_string_value(json_object_get(jp, "label")),
                                s->phases[p].label);
        }
        assert_int_equal(json_array_size(json_object_get(m, "transitions")),
                         s->ntransitions);
        json_decref(m);
        free(text);
    }
}

/* The previous release's specs (surfaces/history/, commit 60d9a8a) are
 * retained under the fingerprints that release stored in its jobs, with
 * their own rules: no outcomes, landscaping's admin cancel. */
#define REL_EC "sha256:14d01231fff9a51fcb8e6ce348fa6a97459cf4eaaf62b8902eb242c2c30b5059"
#define REL_AD "sha256:b2591b6170f15929d195d5637334c6a5fdb9f375598e82bdc47c3b3593bc380e"
#define REL_LS "sha256:4abdb27cf007e3f976d0c8b8a7b53a2dbc68bf419fbb8a6e18e10bdc8ea40490"

static void test_tables_the_release_is_retained(void **state)
{
    (void)state;
    static const char *const slugs[] = {"event-coordination", "auto-detailing", "landscaping"};
    static const char *const fps[] = {REL_EC, REL_AD, REL_LS};
    for (int k = 0; k < 3; k++) {
        const qtm_surface *old = find_retained(slugs[k], fps[k]);
        assert_non_null(old);
        const qtm_surface *cur = find(slugs[k]);
        /* the current spec migrates from it */
        assert_int_equal(cur->nmigrations, 1);
        assert_string_equal(cur->migrations[0].from, fps[k]);
        for (unsigned t = 0; t < old->ntransitions; t++)
            assert_string_equal(old->transitions[t].outcome, "");
    }
    const qtm_surface *ls = find_retained("landscaping", REL_LS);
    int cancel = event_index(ls, "cancel");
    assert_true(cancel >= 0);
    const qtm_transition *t = qtm_surface_next(ls, ls->initial, (unsigned)cancel);
    assert_non_null(t);
    assert_int_equal(t->by, QTM_BY_ADMIN);
    assert_true(ls->phases[t->to].final);
    assert_string_equal(ls->phases[t->to].name, "cancelled");
    assert_int_equal(event_index(find("landscaping"), "cancel"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_registry_lists_every_surface),
        cmocka_unit_test(test_tables_the_release_is_retained),
        cmocka_unit_test(test_tables_event_coordination_contract_is_the_seeds),
        cmocka_unit_test(test_tables_event_coordination_walks_to_complete),
        cmocka_unit_test(test_tables_event_coordination_refuses_skips_and_exits),
        cmocka_unit_test(test_tables_next_agrees_with_transitions),
        cmocka_unit_test(test_tables_auto_detailing_gates_completion_on_evidence),
        cmocka_unit_test(test_tables_event_coordination_intake_schema),
        cmocka_unit_test(test_tables_model_json_matches_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
