/*
 * test_parser.c - the .qsm grammar (grammar/qsm.y) and the AST it builds.
 *
 * Checks the tree parse_source() builds for the event-coordination surface
 * and for small specs (keywords as names, values, duplicates kept for
 * sema), the wording and position of syntax errors (Q004), recovery after
 * them, and ast_dump's outline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "qtmc_fixture.h"

typedef struct fixture {
    arena a;
    diag_ctx d;
    source src;
} fixture;

static int setup(void **state)
{
    return QTMC_SETUP(state, fixture);
}

static int teardown(void **state)
{
    return QTMC_TEARDOWN(state, fixture);
}

/* Parses a spec given as a C string; NULL on any error. */
static ast_surface *parse(fixture *f, const char *text)
{
    f->src.path = "test.qsm";
    f->src.text = text;
    f->src.size = strlen(text);
    return parse_source(&f->src, &f->a, &f->d);
}

static ast_surface *parse_ec(fixture *f)
{
    ast_surface *s = parse_source(&qtmc_ec_src, &f->a, &f->d);
    assert_non_null(s);
    assert_int_equal(f->d.errors, 0);
    return s;
}

static const ast_block *block(const ast_surface *s, size_t i)
{
    assert_true(i < s->blocks.n);
    return s->blocks.v[i];
}

static const ast_ident *ident_at(const ptrvec *v, size_t i)
{
    assert_true(i < v->n);
    return v->v[i];
}

/*** the event-coordination surface ***/

static void test_parser_ec_block_sequence(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse_ec(f);
    assert_string_equal(s->slug.name, "event-coordination");
    assert_ptr_equal(s->src, &qtmc_ec_src);
    static const ast_block_kind want[] = {BLK_SETTING, BLK_SETTING, BLK_SETTING,
                                          BLK_EXECUTION, BLK_INTAKE, BLK_LIFECYCLE,
                                          BLK_TRANSITIONS, BLK_EVIDENCE, BLK_RECORD,
                                          BLK_MIGRATE};
    assert_int_equal(s->blocks.n, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(block(s, i)->kind, want[i]);
}

static void test_parser_ec_settings(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse_ec(f);
    const ast_setting *name = block(s, 0)->setting, *spec = block(s, 1)->setting,
                      *status = block(s, 2)->setting;
    assert_string_equal(name->key.name, "name");
    assert_int_equal(name->kind, VAL_STRING);
    assert_string_equal(name->value.name, "Event Coordination");
    assert_string_equal(spec->key.name, "spec");
    assert_string_equal(spec->value.name, "surface-runtime-spec-v0.01");
    assert_string_equal(status->key.name, "status");
    assert_int_equal(status->kind, VAL_WORD);
    assert_string_equal(status->value.name, "active");
}

static void test_parser_ec_execution(void **state)
{
    fixture *f = *state;
    const ast_block *b = block(parse_ec(f), 3);
    static const char *const keys[] = {"claim", "ownership", "record", "payment_timing",
                                       "completed_jobs"};
    static const char *const vals[] = {"required", "assigned", "service_event",
                                       "independent", "visible"};
    assert_int_equal(b->items.n, 5);
    for (size_t i = 0; i < 5; i++) {
        const ast_setting *st = b->items.v[i];
        assert_string_equal(st->key.name, keys[i]);
        assert_int_equal(st->kind, VAL_WORD);
        assert_string_equal(st->value.name, vals[i]);
    }
}

static void test_parser_ec_intake_sections(void **state)
{
    fixture *f = *state;
    const ast_block *b = block(parse_ec(f), 4);
    static const char *const names[] = {"contact", "event", "request", "notes"};
    static const size_t nfields[] = {4, 4, 4, 2};
    assert_int_equal(b->items.n, 4);
    for (size_t i = 0; i < 4; i++) {
        const ast_section *sec = b->items.v[i];
        assert_string_equal(sec->name.name, names[i]);
        assert_int_equal(sec->fields.n, nfields[i]);
    }
    assert_int_equal(b->photos.n, 1);
    const ast_setting *ph = b->photos.v[0];
    assert_string_equal(ph->key.name, "photos");
    assert_int_equal(ph->kind, VAL_NUMBER);
    assert_int_equal(ph->number, 0);
}

static void test_parser_ec_intake_fields(void **state)
{
    fixture *f = *state;
    const ast_block *b = block(parse_ec(f), 4);
    const ast_section *contact = b->items.v[0], *event = b->items.v[1];
    const ast_field *name = contact->fields.v[0], *method = contact->fields.v[1],
                    *email = contact->fields.v[2];
    assert_string_equal(name->name.name, "name");
    assert_string_equal(name->type.name, "text");
    assert_int_equal(name->required, 1);
    assert_int_equal(name->has_max, 1);
    assert_int_equal(name->max, 200);
    assert_string_equal(method->type.name, "one_of");
    assert_int_equal(method->choices.n, 3);
    assert_string_equal(ident_at(&method->choices, 0)->name, "email");
    assert_string_equal(ident_at(&method->choices, 2)->name, "call");
    assert_int_equal(method->required, 1);
    assert_int_equal(method->has_max, 0);
    assert_string_equal(email->type.name, "email");
    assert_int_equal(email->required, 0);
    /* quoted choices are decoded strings */
    const ast_field *type = event->fields.v[0], *guests = event->fields.v[3];
    assert_int_equal(type->choices.n, 5);
    assert_string_equal(ident_at(&type->choices, 0)->name, "Wedding / Ceremony");
    assert_string_equal(ident_at(&type->choices, 4)->name, "Other");
    assert_string_equal(guests->type.name, "integer");
    assert_int_equal(guests->required, 0);
}

static void test_parser_ec_lifecycle(void **state)
{
    fixture *f = *state;
    const ast_block *b = block(parse_ec(f), 5);
    static const char *const names[] = {"queued", "claimed", "arrived", "in_progress",
                                        "complete"};
    assert_int_equal(b->items.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(((const ast_phase *)b->items.v[i])->name.name, names[i]);

    const ast_phase *q = b->items.v[0], *c = b->items.v[1], *done = b->items.v[4];
    assert_int_equal(q->attrs.n, 3);
    const ast_attr *a0 = q->attrs.v[0], *a1 = q->attrs.v[1], *a2 = q->attrs.v[2];
    assert_int_equal(a0->kind, ATTR_LABEL);
    assert_string_equal(a0->text.name, "Queued");
    assert_int_equal(a1->kind, ATTR_INITIAL);
    assert_int_equal(a2->kind, ATTR_HINT);
    assert_contains(a2->text.name, "waiting for its operator");
    assert_int_equal(c->attrs.n, 2);
    assert_int_equal(done->attrs.n, 3);
    assert_int_equal(((const ast_attr *)done->attrs.v[1])->kind, ATTR_FINAL);
}

static void test_parser_ec_transitions(void **state)
{
    fixture *f = *state;
    const ast_block *b = block(parse_ec(f), 6);
    static const char *const rows[][5] = {
        {"queued", "claimed", "claim", "operator", NULL},
        {"claimed", "arrived", "arrive", "owner", NULL},
        {"arrived", "in_progress", "start", "owner", NULL},
        {"in_progress", "complete", "complete", "owner", "delivered"},
        {"claimed", "complete", "close", "owner", "closed"},
        {"arrived", "complete", "close", "owner", "closed"},
        {"in_progress", "complete", "close", "owner", "closed"},
    };
    assert_int_equal(b->items.n, 7);
    for (size_t i = 0; i < 7; i++) {
        const ast_transition *t = b->items.v[i];
        assert_string_equal(t->from.name, rows[i][0]);
        assert_string_equal(t->to.name, rows[i][1]);
        assert_string_equal(t->event.name, rows[i][2]);
        assert_string_equal(t->by.name, rows[i][3]);
        assert_int_equal(t->requires.n, i >= 3 ? 1 : 0);
        if (rows[i][4])
            assert_string_equal(t->outcome.name, rows[i][4]);
        else
            assert_null(t->outcome.name);
    }
    const ast_transition *last = b->items.v[3];
    assert_string_equal(ident_at(&last->requires, 0)->name, "evidence");
    assert_string_equal(ident_at(&((const ast_transition *)b->items.v[4])->requires, 0)->name,
                        "reason");
}

static void test_parser_ec_evidence_and_record(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse_ec(f);
    const ast_block *ev = block(s, 7), *rec = block(s, 8);
    assert_int_equal(ev->items.n, 3);
    const ast_setting *req = ev->items.v[0], *opt = ev->items.v[1], *min = ev->items.v[2];
    assert_string_equal(req->key.name, "required");
    assert_int_equal(req->kind, VAL_LIST);
    assert_int_equal(req->list.n, 0);
    assert_int_equal(opt->kind, VAL_LIST);
    assert_int_equal(opt->list.n, 0);
    assert_string_equal(min->key.name, "min_per_category");
    assert_int_equal(min->kind, VAL_NUMBER);
    assert_int_equal(min->number, 0);

    static const char *const fields[] = {"operator", "job", "surface", "scope", "context",
                                         "participants", "outcome", "completed_at", "notes"};
    assert_int_equal(rec->items.n, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(ident_at(&rec->items, i)->name, fields[i]);
}

static void test_parser_ec_locations(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse_ec(f);
    assert_int_equal(s->loc.line, 8);
    assert_int_equal(s->loc.col, 1);
    assert_int_equal(s->slug.loc.line, 8);
    assert_int_equal(s->slug.loc.col, 9);
    assert_int_equal(s->slug.loc.len, strlen("event-coordination"));
    assert_int_equal(block(s, 3)->loc.line, 13);
    assert_int_equal(block(s, 3)->loc.col, 5);
    const ast_transition *t = block(s, 6)->items.v[0];
    assert_int_equal(t->loc.line, 63);
    assert_int_equal(t->loc.col, 9);
    assert_int_equal(t->to.loc.col, 24);
    assert_int_equal(block(s, 8)->loc.line, 80);
}

/*** small specs ***/

static void test_parser_minimal_surface(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f, "surface x {}");
    assert_non_null(s);
    assert_string_equal(s->slug.name, "x");
    assert_int_equal(s->blocks.n, 0);
    assert_ptr_equal(s->src, &f->src);
}

static void test_parser_keywords_as_field_names(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f,
        "surface x { intake { s {\n"
        "  record: text surface: text on: text by: integer min: integer\n"
        "  photos: text initial: date final: date hint: text\n"
        "  intake: text lifecycle: text evidence: text execution: text transitions: text\n"
        "} } }");
    assert_non_null(s);
    const ast_section *sec = block(s, 0)->items.v[0];
    static const char *const names[] = {"record", "surface", "on", "by", "min", "photos",
                                        "initial", "final", "hint", "intake", "lifecycle",
                                        "evidence", "execution", "transitions"};
    assert_int_equal(sec->fields.n, 14);
    for (size_t i = 0; i < 14; i++)
        assert_string_equal(((const ast_field *)sec->fields.v[i])->name.name, names[i]);
    const ast_field *by = sec->fields.v[3];
    assert_string_equal(by->type.name, "integer");
    assert_int_equal(by->name.loc.line, 2);
    assert_int_equal(by->name.loc.col, 39);
}

static void test_parser_max_is_not_a_field_name(void **state)
{
    fixture *f = *state;
    /* after a field, `max` is that field's option and wants a number */
    assert_null(parse(f, "surface x { intake { s { a: text max: text } } }"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "expected number after `max`, found `:`");
}

static void test_parser_keywords_as_record_fields(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f, "surface x { record { surface record required job on } }");
    assert_non_null(s);
    const ast_block *b = block(s, 0);
    assert_int_equal(b->kind, BLK_RECORD);
    static const char *const want[] = {"surface", "record", "required", "job", "on"};
    assert_int_equal(b->items.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(ident_at(&b->items, i)->name, want[i]);
    assert_int_equal(ident_at(&b->items, 1)->loc.col, 30);
}

static void test_parser_keyword_keys_in_blocks(void **state)
{
    fixture *f = *state;
    /* any word is a key inside execution/evidence: `record service_event` */
    ast_surface *s = parse(f, "surface x { evidence { required [a] final 2 } }");
    assert_non_null(s);
    const ast_block *b = block(s, 0);
    assert_int_equal(b->items.n, 2);
    assert_string_equal(((const ast_setting *)b->items.v[0])->key.name, "required");
    assert_string_equal(((const ast_setting *)b->items.v[1])->key.name, "final");
}

static void test_parser_required_cannot_name_a_field(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { intake { s { required: text } } }"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "unexpected `required`");
}

static void test_parser_value_kinds(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f, "surface x { a word b \"str\" c 12 d [p, q,] e [] f required }");
    assert_non_null(s);
    assert_int_equal(s->blocks.n, 6);
    static const ast_value_kind want[] = {VAL_WORD, VAL_STRING, VAL_NUMBER, VAL_LIST,
                                          VAL_LIST, VAL_WORD};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(block(s, i)->setting->kind, want[i]);
    assert_string_equal(block(s, 0)->setting->value.name, "word");
    assert_string_equal(block(s, 1)->setting->value.name, "str");
    assert_int_equal(block(s, 2)->setting->number, 12);
    const ast_setting *d = block(s, 3)->setting;
    assert_int_equal(d->list.n, 2);   /* the trailing comma adds nothing */
    assert_string_equal(ident_at(&d->list, 1)->name, "q");
    assert_int_equal(block(s, 4)->setting->list.n, 0);
    assert_string_equal(block(s, 5)->setting->value.name, "required");
    /* `required` is a key at top level too */
    s = parse(f, "surface y { required [a] }");
    assert_non_null(s);
    assert_string_equal(block(s, 0)->setting->key.name, "required");
}

static void test_parser_keeps_duplicates_for_sema(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f,
        "surface x {\n"
        "  name \"A\" name \"B\"\n"
        "  lifecycle { a } lifecycle { a a }\n"
        "  intake { photos min 1 photos min 2 }\n"
        "}");
    assert_non_null(s);
    assert_int_equal(f->d.errors, 0);
    assert_int_equal(s->blocks.n, 5);
    assert_string_equal(block(s, 1)->setting->value.name, "B");
    assert_int_equal(block(s, 3)->items.n, 2);
    assert_int_equal(block(s, 4)->photos.n, 2);
    assert_int_equal(((const ast_setting *)block(s, 4)->photos.v[1])->number, 2);
}

static void test_parser_field_options_counted(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f, "surface x { intake { s {\n  f: text required max 5 required max 6\n} } }");
    assert_non_null(s);
    const ast_field *fd = ((const ast_section *)block(s, 0)->items.v[0])->fields.v[0];
    assert_int_equal(fd->required, 2);
    assert_int_equal(fd->has_max, 2);
    assert_int_equal(fd->max, 5);                 /* the first value */
    /* locations are the last ones: what sema points at as the duplicate */
    assert_int_equal(fd->required_loc.col, 26);
    assert_int_equal(fd->max_loc.col, 35);
}

static void test_parser_phase_attributes_any_order(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f,
        "surface x { lifecycle { a final hint \"H\" \"L\" initial \"L2\" b } }");
    assert_non_null(s);
    const ast_block *b = block(s, 0);
    assert_int_equal(b->items.n, 2);
    const ast_phase *a = b->items.v[0];
    static const ast_attr_kind want[] = {ATTR_FINAL, ATTR_HINT, ATTR_LABEL, ATTR_INITIAL,
                                         ATTR_LABEL};
    assert_int_equal(a->attrs.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(((const ast_attr *)a->attrs.v[i])->kind, want[i]);
    assert_int_equal(((const ast_phase *)b->items.v[1])->attrs.n, 0);
}

static void test_parser_requires_list(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f,
        "surface x { transitions { a -> b on go by owner requires evidence, payment, x\n"
        "  b -> c on stop by admin } }");
    assert_non_null(s);
    const ast_block *b = block(s, 0);
    assert_int_equal(b->items.n, 2);
    const ast_transition *t = b->items.v[0];
    assert_int_equal(t->requires.n, 3);
    assert_string_equal(ident_at(&t->requires, 2)->name, "x");
    assert_int_equal(((const ast_transition *)b->items.v[1])->requires.n, 0);
    assert_int_equal(((const ast_transition *)b->items.v[1])->loc.line, 2);
}

/*** syntax errors ***/

static void test_parser_error_expected_arrow(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  transitions {\n    queued { }\n  }\n}"));
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->code, "Q004");
    assert_string_equal(g->msg, "expected `->` after `queued`, found `{`");
    assert_int_equal(g->loc.line, 3);
    assert_int_equal(g->loc.col, 12);
    assert_int_equal(g->sev, DIAG_ERROR);
}

static void test_parser_error_expected_by(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { transitions { a -> b on c } }"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "expected `by` after `c`, found `}`");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 39);
}

static void test_parser_error_keyword_where_identifier_needed(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { transitions { queued -> final on x by y } }"));
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected `final` after `->`");
}

static void test_parser_error_field_type(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { intake { s { f: } } }"));
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg,
                        "expected `one_of` or identifier after `:`, found `}`");
}

static void test_parser_error_hint_needs_string(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { lifecycle { a hint b } }"));
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "expected string after `hint`, found `b`");
}

static void test_parser_error_max_needs_number(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { intake { s { f: text max \"5\" } } }"));
    /* a string is shown with its text */
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "expected number after `max`, found \"5\"");
}

static void test_parser_error_missing_slug(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface { }"));
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg,
                        "expected identifier after `surface`, found `{`");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 9);
}

static void test_parser_error_trailing_input(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { }\nextra"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg,
                        "expected end of file after `}`, found `extra`");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 2);
}

static void test_parser_error_second_surface(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { }\nsurface y { }"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_contains(qtmc_diag_at(&f->d, 0)->msg, "found `surface`");
}

static void test_parser_error_long_token_truncated(void **state)
{
    fixture *f = *state;
    char *text = arena_printf(&f->a, "surface x { %s }", "abcdefghij"
                              "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij");
    assert_null(parse(f, text));
    const char *msg = qtmc_diag_at(&f->d, 0)->msg;
    assert_contains(msg, "unexpected `}` after `abcdefghij");
    assert_contains(msg, "...`");
    assert_true(strlen(msg) < 100);
}

static void test_parser_empty_input(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, ""));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->msg, "expected `surface`, found end of file");
    assert_int_equal(g->loc.line, 1);
    assert_int_equal(g->loc.col, 1);
}

static void test_parser_comment_only_input(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "# nothing here\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "expected `surface`, found end of file");
}

static void test_parser_error_not_a_surface(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "lifecycle { }"));
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "expected `surface`, found `lifecycle`");
}

static void test_parser_error_at_end_of_file(void **state)
{
    fixture *f = *state;
    /* "after" names the last token; the caret is at the end of the text */
    assert_null(parse(f, "surface x {\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->msg, "unexpected end of file after `{`");
    assert_int_equal(g->loc.line, 1);
    assert_int_equal(g->loc.col, 12);
}

static void test_parser_error_at_end_of_file_after_string(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x { name \"Some name\""));
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected end of file after \"Some name\"");
}

/*** recovery ***/

static void test_parser_recovers_across_sections(void **state)
{
    fixture *f = *state;
    assert_null(parse(f,
        "surface x {\n"
        "  intake {\n"
        "    a { f: }\n"
        "    b { g: one_of(x y) }\n"
        "    c { h text }\n"
        "  }\n"
        "}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004 Q004 Q004");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 3);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 4);
    assert_string_equal(qtmc_diag_at(&f->d, 2)->msg, "expected `:` after `h`, found `text`");
    assert_int_equal(qtmc_diag_at(&f->d, 2)->loc.line, 5);
}

static void test_parser_recovers_from_section_into_next_block(void **state)
{
    fixture *f = *state;
    assert_null(parse(f,
        "surface x {\n"
        "  intake { s { f: } }\n"
        "  execution { claim }\n"
        "}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004 Q004");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 2);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 3);
    assert_string_equal(qtmc_diag_at(&f->d, 1)->msg, "unexpected `}` after `claim`");
}

/*
 * An error directly inside a block resyncs at that block's `}`: the
 * settings after it are not read as items of the broken block, and the
 * next block's error is reported where it is.
 */
static void test_parser_recovers_across_top_level_blocks(void **state)
{
    fixture *f = *state;
    assert_null(parse(f,
        "surface x {\n"
        "  execution { claim }\n"
        "  name \"a\" spec \"b\" status active\n"
        "  transitions { a -> b on c }\n"
        "}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004 Q004");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 2);
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected `}` after `claim`");
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 4);
    assert_string_equal(qtmc_diag_at(&f->d, 1)->msg, "expected `by` after `c`, found `}`");
}

static void test_parser_recovers_after_lifecycle_error(void **state)
{
    fixture *f = *state;
    assert_null(parse(f,
        "surface x {\n"
        "  lifecycle { a \"A\" 3 }\n"
        "  transitions { a -> }\n"
        "}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004 Q004");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.line, 2);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 3);
}

static void test_parser_unknown_block_suggests(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  lifecyle { a }\n}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->msg, "unknown block `lifecyle`");
    assert_int_equal(g->loc.line, 2);
    assert_int_equal(g->loc.col, 3);
    assert_non_null(g->notes);
    assert_string_equal(g->notes->msg, "Did you mean `lifecycle`?");
}

/*
 * The "unknown block" guess applies to words only: a string before an
 * unexpected `{` (`name "record" { }`) is a plain syntax error, with no
 * "Did you mean `record`?".  (Was a bug at 5cee88f.)
 */
static void test_parser_string_before_brace_is_not_a_block_name(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  name \"record\" { }\n}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    const diag *g = qtmc_diag_at(&f->d, 0);
    if (strstr(g->msg, "unknown block"))
        fail_msg("a string read as a block name: %s", g->msg);
    assert_null(g->notes);
}

static void test_parser_missing_close_brace_note(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  lifecycle { a\n  transitions { a -> b on c by d }\n}\n"));
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->code, "Q004");
    assert_string_equal(g->msg, "unexpected `transitions` after `a`");
    assert_int_equal(g->loc.line, 3);
    assert_non_null(g->notes);
    assert_contains(g->notes->msg, "is the `}` of the block before it missing?");
}

/*
 * A stray `{ ... }` pair inside a block does not end the block early: one
 * error, not a second "expected end of file after `}`, found `}`" at the
 * surface's own `}`.  (Was a bug at 5cee88f.)
 */
static void test_parser_no_cascade_after_nested_braces(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  transitions {\n    queued { }\n  }\n}"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
}

/*
 * An error in a top-level setting does not swallow the block after it:
 * that block's own mistake is still reported.  (Was a bug at 5cee88f.)
 */
static void test_parser_recovers_after_bad_top_level_setting(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  status active extra\n  lifecycle { a 3 }\n}\n"));
    assert_int_equal(f->d.errors, 2);
    assert_string_equal(qtmc_diag_at(&f->d, 1)->msg, "unexpected `3` after `a`");
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 3);
}

/*
 * After a bad top-level setting no block is open, so there is no note
 * about a missing `}`.  (Was a bug at 5cee88f.)
 */
static void test_parser_no_missing_brace_note_at_top_level(void **state)
{
    fixture *f = *state;
    assert_null(parse(f, "surface x {\n  status active extra\n  execution { claim required }\n}\n"));
    const diag *g = qtmc_diag_at(&f->d, 0);
    assert_string_equal(g->msg, "unexpected `execution` after `extra`");
    for (const diag_remark *n = g->notes; n; n = n->next)
        if (strstr(n->msg, "`}` of the block before it"))
            fail_msg("misleading note: %s", n->msg);
}

static void test_parser_recovers_past_nested_braces_in_a_section(void **state)
{
    fixture *f = *state;
    assert_null(parse(f,
        "surface x {\n"
        "  intake { s { f: { { } } } g { h: } }\n"
        "  record { a : }\n"
        "}\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004 Q004 Q004");
    assert_int_equal(qtmc_diag_at(&f->d, 0)->loc.col, 19);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.line, 2);
    assert_int_equal(qtmc_diag_at(&f->d, 1)->loc.col, 36);
    assert_string_equal(qtmc_diag_at(&f->d, 2)->msg, "unexpected `:` after `a`");
}

static void test_parser_end_of_file_during_recovery(void **state)
{
    fixture *f = *state;
    /* the blocks are never closed: one report, then a clean stop */
    assert_null(parse(f, "surface x {\n  lifecycle { a 3 { {\n"));
    assert_string_equal(qtmc_codes(&f->d), "Q004");
    assert_string_equal(qtmc_diag_at(&f->d, 0)->msg, "unexpected `3` after `a`");
}

static void test_parser_error_discards_the_tree(void **state)
{
    fixture *f = *state;
    /* one bad section among good blocks still fails the whole parse */
    assert_null(parse(f,
        "surface x {\n  name \"X\"\n  intake { s { f: } }\n  record { job }\n}\n"));
    assert_int_equal(f->d.errors, 1);
}

/*** ast_dump ***/

static void test_parser_ast_dump(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse(f,
        "surface demo {\n"
        "  name \"Demo\"\n"
        "  execution { claim required }\n"
        "  intake { contact { name: text required max 80 kind: one_of(a, \"B c\") } photos min 2 }\n"
        "  lifecycle { queued \"Queued\" initial hint \"Wait\" done final }\n"
        "  transitions { queued -> done on finish by owner requires evidence, payment }\n"
        "  evidence { required [photo, receipt] min_per_category 1 }\n"
        "  record { job outcome }\n"
        "}\n");
    assert_non_null(s);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    assert_non_null(mem);
    ast_dump(s, mem);
    fclose(mem);
    assert_string_equal(out,
        "surface demo @1:1\n"
        "  name = \"Demo\"\n"
        "  execution @3:3\n"
        "    claim = required\n"
        "  intake @4:3\n"
        "    section contact\n"
        "      name: text required max 80\n"
        "      kind: one_of(a, B c)\n"
        "    photos = 2\n"
        "  lifecycle @5:3\n"
        "    phase queued label=\"Queued\" initial hint=\"Wait\"\n"
        "    phase done final\n"
        "  transitions @6:3\n"
        "    queued -> done on finish by owner requires evidence, payment\n"
        "  evidence @7:3\n"
        "    required = [photo, receipt]\n"
        "    min_per_category = 1\n"
        "  record @8:3\n"
        "    job\n"
        "    outcome\n");
    free(out);
}

static void test_parser_ast_dump_ec_mentions_every_phase(void **state)
{
    fixture *f = *state;
    ast_surface *s = parse_ec(f);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    assert_non_null(mem);
    ast_dump(s, mem);
    fclose(mem);
    assert_contains(out, "surface event-coordination @8:1\n");
    assert_contains(out, "    phase in_progress label=\"Active\" hint=");
    assert_contains(out, "      type: one_of(Wedding / Ceremony, Banquet / Gala,");
    assert_contains(out, "    in_progress -> complete on complete by owner requires evidence "
                         "outcome delivered\n");
    assert_contains(out, "    claimed -> complete on close by owner requires reason outcome closed\n");
    assert_contains(out, "    summary event.date \": \" event.type");
    assert_contains(out, "    photos = 0\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parser_ec_block_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_execution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_intake_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_intake_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_evidence_and_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ec_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_minimal_surface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_keywords_as_field_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_max_is_not_a_field_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_keywords_as_record_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_keyword_keys_in_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_required_cannot_name_a_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_value_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_keeps_duplicates_for_sema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_field_options_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_phase_attributes_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_requires_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_expected_arrow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_expected_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_keyword_where_identifier_needed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_field_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_hint_needs_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_max_needs_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_missing_slug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_trailing_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_second_surface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_long_token_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_empty_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_comment_only_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_not_a_surface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_at_end_of_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_at_end_of_file_after_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_recovers_across_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_recovers_from_section_into_next_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_recovers_across_top_level_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_recovers_after_lifecycle_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_unknown_block_suggests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_string_before_brace_is_not_a_block_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_missing_close_brace_note, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_no_cascade_after_nested_braces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_recovers_after_bad_top_level_setting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_no_missing_brace_note_at_top_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_recovers_past_nested_braces_in_a_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_end_of_file_during_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_error_discards_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ast_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parser_ast_dump_ec_mentions_every_phase, setup, teardown),
    };
    return cmocka_run_group_tests(tests, qtmc_group_setup, qtmc_group_teardown);
}
