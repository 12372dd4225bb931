/*
 * test_rt_intake.c - intake validation against the real compiled surfaces
 * (event-coordination, auto-detailing with photo_min 1, landscaping) and a
 * small table written here for the types no surface uses yet: every
 * refusal with its exact message, the canonical stored form, the order in
 * which problems are reported, hostile input, and the form schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "intake.h"
#include "auto_detailing.h"
#include "event_coordination.h"
#include "landscaping.h"

#define EC (&qtm_surface_event_coordination)
#define AD (&qtm_surface_auto_detailing)
#define LS (&qtm_surface_landscaping)

/* A valid wedding packet and its stored form. */
static const char WEDDING[] =
    "{\"contact\": {\"name\": \"Ana\", \"method\": \"email\", \"email\": \"ana@example.com\"},"
    " \"event\": {\"type\": \"Wedding / Ceremony\", \"venue\": \"Hotel Ambos Mundos\","
    " \"date\": \"2026-05-16\", \"guests\": 120},"
    " \"request\": {\"package\": \"full_coordination\", \"service_area\": \"Havana\","
    " \"preferred_days\": \"Saturdays\", \"preferred_window\": \"afternoon\"},"
    " \"notes\": {\"condition\": \"Outdoor ceremony, 120 guests\","
    " \"access\": \"Load-in by the side door\"}}";
static const char WEDDING_CANON[] =
    "{\"contact\":{\"email\":\"ana@example.com\",\"method\":\"email\",\"name\":\"Ana\"},"
    "\"event\":{\"date\":\"2026-05-16\",\"guests\":120,\"type\":\"Wedding / Ceremony\","
    "\"venue\":\"Hotel Ambos Mundos\"},"
    "\"notes\":{\"access\":\"Load-in by the side door\",\"condition\":\"Outdoor ceremony, 120 "
    "guests\"},"
    "\"request\":{\"package\":\"full_coordination\",\"preferred_days\":\"Saturdays\","
    "\"preferred_window\":\"afternoon\",\"service_area\":\"Havana\"}}";

/* Minimal valid packets: required fields only. */
static const char DETAIL[] =
    "{\"contact\":{\"name\":\"Marcus\",\"method\":\"text\"},"
    "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"RAV4\",\"size\":\"suv\"},"
    "\"request\":{\"package\":\"exterior\",\"service_area\":\"Sunset\"},"
    "\"notes\":{\"condition\":\"Dusty\"}}";
static const char LAWN[] =
    "{\"contact\":{\"name\":\"Priya\",\"phone\":\"503-555-0110\"},"
    "\"property\":{\"address\":\"2214 SE Alder St\",\"lot_size\":\"medium\"},"
    "\"request\":{\"services\":\"mowing\",\"frequency\":\"weekly\",\"service_area\":\"SE\"}}";

/* A table written here: a number field, a boolean, an all-optional
 * section, a section split across the table, photo_min 2. */
static const qtm_field kinds_fields[] = {
    {"k", "n", QTM_FIELD_NUMBER, 1, 64, 0, NULL, 0, 0, 0, 0},
    {"other", "t", QTM_FIELD_TEXT, 0, 10, 0, NULL, 0, 0, 0, 0},
    {"k", "flag", QTM_FIELD_BOOLEAN, 0, 64, 0, NULL, 0, 0, 0, 0},
};
static const qtm_surface kinds = {
    .abi = QTM_SURFACE_ABI,
    .slug = "kinds",
    .name = "Kinds",
    .spec = QTM_SPEC_V0_01,
    .nfields = 3,
    .fields = kinds_fields,
    .photo_min = 2,
};

static char sentinel[] = "not touched";

/* --- helpers -------------------------------------------------------------- */

/* Validates text; expects QTM_OK, an emptied message, and returns the
 * canonical text (caller frees). */
/* n distinct photo names ("sha256:" and 64 hex digits), for the pure
 * validator: whether they name stored files is the submit's to check. */
static const char *const *fake_refs(unsigned n)
{
    static char refs[8][72];
    static const char *list[8];
    for (unsigned i = 0; i < n && i < 8; i++) {
        snprintf(refs[i], sizeof refs[i], "sha256:%064x", i + 1);
        list[i] = refs[i];
    }
    return list;
}

/* canon, whose "photos" must be the n fake names, without them (freed;
 * a new text): the field checks' expectations stay the packet's. */
static char *without_photos(char *canon, unsigned n)
{
    json_t *o = json_loads(canon, 0, NULL), *list = json_object_get(o, "photos");
    assert_int_equal(json_array_size(list), n);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(list, i)), fake_refs(n)[i]);
    json_object_del(o, "photos");
    free(canon);
    canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return canon;
}

static char *accepted(const qtm_surface *s, const char *text, unsigned photos)
{
    char *canon = sentinel;
    char msg[512] = "untouched";
    qtm_status st = qtmi_intake_validate(s, text, strlen(text), fake_refs(photos), photos, &canon,
                                         msg, sizeof msg);

    if (st != QTM_OK)
        print_error("unexpected refusal: %s\n", msg);
    assert_int_equal(st, QTM_OK);
    assert_string_equal(msg, "");
    assert_non_null(canon);
    assert_ptr_not_equal(canon, sentinel);
    return photos ? without_photos(canon, photos) : canon;
}

/* Validates text[0..len); expects QTM_EINVALID, exactly `want` as the
 * first problem (every problem is listed, one a line, in a fixed order),
 * canonical NULL. */
static void refused_len(const qtm_surface *s, const char *text, size_t len, unsigned photos,
                        const char *want)
{
    char *canon = sentinel;
    char msg[512] = "";

    assert_int_equal(qtmi_intake_validate(s, text, len, fake_refs(photos), photos, &canon, msg,
                                          sizeof msg),
                     QTM_EINVALID);
    assert_null(canon);
    char *nl = strchr(msg, '\n');
    if (nl)
        *nl = '\0';
    assert_string_equal(msg, want);
}

static void refused(const qtm_surface *s, const char *text, unsigned photos, const char *want)
{
    refused_len(s, text, strlen(text), photos, want);
}

/*
 * with - base with section.field set to value (a stolen reference; NULL
 * deletes the field).  With field NULL, the whole section is set/deleted.
 * Returns a malloc'd JSON text.
 */
static char *with(const char *base, const char *section, const char *field, json_t *value)
{
    json_error_t err;
    json_t *root = json_loads(base, 0, &err);
    json_t *sec;
    char *out;

    assert_non_null(root);
    if (!field) {
        if (value)
            assert_int_equal(json_object_set_new(root, section, value), 0);
        else
            json_object_del(root, section);
    } else {
        sec = json_object_get(root, section);
        if (!sec) {
            sec = json_object();
            assert_int_equal(json_object_set_new(root, section, sec), 0);
        }
        if (value)
            assert_int_equal(json_object_set_new(sec, field, value), 0);
        else
            json_object_del(sec, field);
    }
    out = json_dumps(root, 0);
    assert_non_null(out);
    json_decref(root);
    return out;
}

/* Expects the variant of base to be refused with `want` (NULL: accepted). */
static void check_with(const qtm_surface *s, const char *base, unsigned photos,
                       const char *section, const char *field, json_t *value, const char *want)
{
    char *text = with(base, section, field, value);

    if (want) {
        refused(s, text, photos, want);
    } else {
        free(accepted(s, text, photos));
    }
    free(text);
}

static void check_string(const qtm_surface *s, const char *base, const char *section,
                         const char *field, const char *value, const char *want)
{
    check_with(s, base, 1, section, field, json_string(value), want);
}

static char *repeat(char c, size_t n)
{
    char *p = malloc(n + 1);

    assert_non_null(p);
    memset(p, c, n);
    p[n] = '\0';
    return p;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* --- acceptance and the canonical form ------------------------------------ */

static void test_intake_wedding_accepted_with_exact_canonical(void **state)
{
    char *canon;

    (void)state;
    canon = accepted(EC, WEDDING, 0);
    assert_string_equal(canon, WEDDING_CANON);
    free(canon);
}

static void test_intake_canonical_ignores_key_order_whitespace_and_escapes(void **state)
{
    static const char shuffled[] =
        "\n{ \"notes\" : {\"access\":\"Load-in by the side door\","
        "\"condition\":\"Outdoor ceremony, 120 guests\"},\n"
        "  \"request\":{\"preferred_window\":\"afternoon\",\"preferred_days\":\"Saturdays\","
        "\"service_area\":\"Havana\",\"package\":\"full_coordination\"},\n"
        "  \"event\":{\"guests\":120,\"date\":\"2026-05-16\",\"venue\":\"Hotel Ambos Mundos\","
        "\"type\":\"Wedding \\/ Ceremony\"},\n"
        "  \"contact\":{\"email\":\"ana@example.com\",\"method\":\"email\",\"name\":\"\\u0041na\"}"
        "}\n";
    char *canon;

    (void)state;
    canon = accepted(EC, shuffled, 0);
    assert_string_equal(canon, WEDDING_CANON);
    free(canon);
}

static void test_intake_canonical_is_a_fixed_point(void **state)
{
    char *once, *twice;

    (void)state;
    once = accepted(EC, WEDDING, 0);
    twice = accepted(EC, once, 0);
    assert_string_equal(once, twice);
    free(once);
    free(twice);
}

static void test_intake_optional_fields_absent_stay_absent(void **state)
{
    char *canon;

    (void)state;
    canon = accepted(AD, DETAIL, 1);
    assert_string_equal(canon,
                        "{\"contact\":{\"method\":\"text\",\"name\":\"Marcus\"},"
                        "\"notes\":{\"condition\":\"Dusty\"},"
                        "\"request\":{\"package\":\"exterior\",\"service_area\":\"Sunset\"},"
                        "\"vehicle\":{\"make\":\"Toyota\",\"model\":\"RAV4\",\"size\":\"suv\"}}");
    free(canon);
}

static void test_intake_null_on_optional_field_is_dropped(void **state)
{
    char *text, *canon;

    (void)state;
    text = with(WEDDING, "contact", "phone", json_null());
    canon = accepted(EC, text, 0);
    assert_string_equal(canon, WEDDING_CANON);
    free(canon);
    free(text);
}

static void test_intake_section_left_empty_is_dropped(void **state)
{
    char *canon;

    (void)state;
    canon = accepted(&kinds, "{\"k\":{\"n\":1},\"other\":{}}", 2);
    assert_string_equal(canon, "{\"k\":{\"n\":1}}");
    free(canon);
    canon = accepted(&kinds, "{\"k\":{\"n\":1,\"flag\":null},\"other\":{\"t\":null}}", 2);
    assert_string_equal(canon, "{\"k\":{\"n\":1}}");
    free(canon);
}

static void test_intake_canonical_may_be_omitted(void **state)
{
    char msg[64] = "x";

    (void)state;
    assert_int_equal(qtmi_intake_validate(EC, WEDDING, strlen(WEDDING), NULL, 0, NULL, msg, sizeof msg),
                     QTM_OK);
    assert_string_equal(msg, "");
}

static void test_intake_example_files_validate(void **state)
{
    static const struct {
        const char *path;
        const qtm_surface *s;
        unsigned photos;
    } files[] = {
        {"examples/intake/event-coordination-wedding.json", EC, 0},
        {"examples/intake/auto-detailing.json", AD, 1},
        {"examples/intake/landscaping.json", LS, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *text = read_text(files[i].path);
        char *canon = accepted(files[i].s, text, files[i].photos);
        json_t *a = json_loads(text, 0, NULL), *b = json_loads(canon, 0, NULL);
        /* every field of the examples is kept, nothing added */
        assert_non_null(a);
        assert_non_null(b);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
        free(canon);
        free(text);
    }
    {
        char *text = read_text("examples/intake/event-coordination-wedding.json");
        json_t *root = json_loads(text, 0, NULL);
        assert_string_equal(json_string_value(json_object_get(json_object_get(root, "event"),
                                                              "type")),
                            "Wedding / Ceremony");
        assert_string_equal(json_string_value(json_object_get(json_object_get(root, "request"),
                                                              "package")),
                            "full_coordination");
        json_decref(root);
        free(text);
    }
}

static void test_intake_sql_looking_strings_are_just_strings(void **state)
{
    char *text, *canon;
    json_t *root;

    (void)state;
    text = with(WEDDING, "contact", "name", json_string("Robert'); DROP TABLE requests;--"));
    canon = accepted(EC, text, 0);
    root = json_loads(canon, 0, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(root, "contact"), "name")),
        "Robert'); DROP TABLE requests;--");
    json_decref(root);
    free(canon);
    free(text);
}

/* --- the packet as a whole ------------------------------------------------- */

static void test_intake_not_json_gives_line_and_column(void **state)
{
    (void)state;
    refused(EC, "{\"contact\": }", 0, "intake: not valid JSON at 1:13: unexpected token near '}'");
    refused(EC, "{\"contact\": {}}\n}", 0,
            "intake: not valid JSON at 2:1: end of file expected near '}'");
    refused(EC, "", 0, "intake: not valid JSON at 1:0: unexpected token near end of file");
}

static void test_intake_not_an_object(void **state)
{
    (void)state;
    refused(EC, "[1, 2]", 0, "intake: packet must be a JSON object, got an array");
    refused(EC, "\"hello\"", 0, "intake: packet must be a JSON object, got a string");
    refused(EC, "null", 0, "intake: packet must be a JSON object, got null");
    refused(EC, "42", 0, "intake: packet must be a JSON object, got an integer");
}

static void test_intake_packet_size_limit(void **state)
{
    char *big;
    size_t n = strlen(WEDDING);
    char *canon;

    (void)state;
    big = repeat(' ', INTAKE_MAX_BYTES + 1);
    memcpy(big, WEDDING, n); /* valid JSON padded with trailing spaces */
    refused(EC, big, 0, "intake: packet is 65537 bytes, larger than the 65536 allowed");
    big[INTAKE_MAX_BYTES] = '\0'; /* exactly the limit: accepted */
    canon = accepted(EC, big, 0);
    assert_string_equal(canon, WEDDING_CANON);
    free(canon);
    free(big);
}

static void test_intake_duplicate_keys_refused(void **state)
{
    (void)state;
    refused(EC, "{\"contact\":{\"name\":\"A\",\"name\":\"B\"}}", 0,
            "intake: not valid JSON at 1:29: duplicate object key near '\"name\"'");
}

static void test_intake_nul_bytes_refused(void **state)
{
    char buf[sizeof WEDDING];

    (void)state;
    /* a raw NUL inside len, within a string and after the packet */
    memcpy(buf, WEDDING, sizeof WEDDING);
    buf[23] = '\0'; /* inside "Ana" */
    refused_len(EC, buf, sizeof WEDDING - 1, 0,
                "intake: not valid JSON at 1:23: control character 0x0 near '\"A'");
    refused_len(EC, WEDDING, sizeof WEDDING, 0,
                "intake: not valid JSON at 1:414: end of file expected near end of file");
    /* an escaped NUL */
    refused(EC, "{\"contact\":{\"name\":\"A\\u0000B\"}}", 0,
            "intake: not valid JSON at 1:29: the character \\u0000 is not allowed");
}

static void test_intake_huge_numbers_refused_or_kept_exactly(void **state)
{
    char *text, *canon;

    (void)state;
    refused(EC, "{\"event\":{\"guests\":99999999999999999999}}", 0,
            "intake: not valid JSON at 1:39: too big integer near '99999999999999999999'");
    refused(EC, "{\"event\":{\"guests\":1e400}}", 0,
            "intake: not valid JSON at 1:24: real number overflow near '1e400'");
    text = with(WEDDING, "event", "guests", json_integer(INT64_MAX));
    refused(EC, text, 0, "intake: event.guests: 9223372036854775807 is more than the maximum 5000");
    free(text);
    text = with(DETAIL, "vehicle", "year", json_integer(INT64_MAX));  /* no bounds */
    canon = accepted(AD, text, 1);
    assert_non_null(strstr(canon, "\"year\":9223372036854775807"));
    free(canon);
    free(text);
}

static void test_intake_deep_nesting(void **state)
{
    const size_t depth = 5000;
    char *text = malloc(depth * 2 + 64);
    json_t *v;
    size_t i;

    (void)state;
    assert_non_null(text);
    /* beyond jansson's depth limit: refused by the parser, no crash */
    strcpy(text, "{\"contact\":{\"name\":");
    memset(text + strlen(text), '[', depth);
    text[19 + depth] = '\0';
    refused(EC, text, 0,
            "intake: not valid JSON at 1:2066: maximum parsing depth reached near '['");
    free(text);
    /* nested but within the limit: a wrong type like any other */
    v = json_array();
    for (i = 0; i < 100; i++) {
        json_t *outer = json_array();
        json_array_append_new(outer, v);
        v = outer;
    }
    check_with(EC, WEDDING, 0, "contact", "name", v,
               "intake: contact.name: expected a string, got an array");
}

/* --- structure --------------------------------------------------------------- */

static void test_intake_unknown_section(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "payment", NULL, json_object(),
               "intake: unknown section payment");
}

static void test_intake_unknown_field(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "contact", "fax", "555-0100", "intake: unknown field contact.fax");
}

static void test_intake_unknown_keys_reported_smallest_first(void **state)
{
    (void)state;
    refused(EC, "{\"zeta\":1,\"alpha\":2,\"contact\":{}}", 0, "intake: unknown section alpha");
    refused(EC, "{\"contact\":{\"zip\":1,\"fax\":2,\"name\":\"A\"}}", 0,
            "intake: unknown field contact.fax");
    /* fields of an earlier section before those of a later one */
    refused(EC, "{\"notes\":{\"aaa\":1},\"contact\":{\"zzz\":2}}", 0,
            "intake: unknown field contact.zzz");
}

static void test_intake_unknown_key_names_are_sanitized(void **state)
{
    (void)state;
    refused(EC, "{\"contact\":{\"fax\\u0007\\u001b[2J\":1}}", 0,
            "intake: unknown field contact.\"fax??[2J\"");
    refused(EC, "{\"\":1}", 0, "intake: unknown section \"\"");
    refused(EC,
            "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}", 0,
            "intake: unknown section \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
}

static void test_intake_section_not_an_object(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "contact", NULL, json_string("Ana"),
               "intake: contact: section must be a JSON object, got a string");
    check_with(EC, WEDDING, 0, "notes", NULL, json_array(),
               "intake: notes: section must be a JSON object, got an array");
    /* a null section is not "absent": the packet says something odd */
    check_with(EC, WEDDING, 0, "notes", NULL, json_null(),
               "intake: notes: section must be a JSON object, got null");
}

static void test_intake_structure_checked_before_values(void **state)
{
    (void)state;
    /* contact.name is missing, but the unknown notes field is reported */
    refused(EC, "{\"contact\":{\"method\":\"email\"},\"notes\":{\"colour\":\"red\"}}", 0,
            "intake: unknown field notes.colour");
}

/* --- fields -------------------------------------------------------------- */

static void test_intake_required_field_missing(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "request", "service_area", NULL,
               "intake: request.service_area: required field missing");
}

static void test_intake_missing_section_means_its_fields_are_missing(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "request", NULL, NULL,
               "intake: request.package: required field missing");
    refused(EC, "{}", 0, "intake: contact.name: required field missing");
    refused(LS, "{}", 0, "intake: contact.name: required field missing");
    refused(AD, "{}", 1, "intake: contact.name: required field missing");
}

static void test_intake_null_for_required_field(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "contact", "name", json_null(),
               "intake: contact.name: required field is null");
}

static void test_intake_first_problem_in_schema_order(void **state)
{
    static const char two_a[] =
        "{\"event\":{\"type\":\"Other\",\"venue\":\"V\",\"date\":\"2026-02-30\"},"
        "\"contact\":{\"name\":\"A\",\"method\":\"email\",\"email\":\"nope\"}}";
    static const char two_b[] =
        "{\"contact\":{\"email\":\"nope\",\"method\":\"email\",\"name\":\"A\"},"
        "\"event\":{\"date\":\"2026-02-30\",\"venue\":\"V\",\"type\":\"Other\"}}";

    (void)state;
    refused(EC, two_a, 0, "intake: contact.email: \"nope\" is not an email address");
    refused(EC, two_b, 0, "intake: contact.email: \"nope\" is not an email address");
    /* within a section, schema order too: method comes before email */
    refused(EC, "{\"contact\":{\"name\":\"A\",\"email\":\"nope\",\"method\":\"fax\"}}", 0,
            "intake: contact.method: \"fax\" is not one of: email, text, call");
}

static void test_intake_wrong_json_type(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "contact", "name", json_integer(42),
               "intake: contact.name: expected a string, got an integer");
    check_with(EC, WEDDING, 0, "contact", "method", json_true(),
               "intake: contact.method: expected a string, got a boolean");
    check_with(EC, WEDDING, 0, "event", "date", json_object(),
               "intake: event.date: expected a string, got an object");
}

static void test_intake_text_length_in_bytes(void **state)
{
    char *s300 = repeat('x', 300), *s301 = repeat('x', 301);
    char e150[301], e151[303];

    (void)state;
    check_string(EC, WEDDING, "event", "venue", s300, NULL);
    check_string(EC, WEDDING, "event", "venue", s301,
                 "intake: event.venue: text is 301 bytes, at most 300 allowed");
    /* "é" is two bytes: 150 of them fit in 300, 151 do not */
    for (int i = 0; i < 151; i++)
        memcpy(e151 + 2 * i, "\xc3\xa9", 2);
    e151[302] = '\0';
    memcpy(e150, e151, 300);
    e150[300] = '\0';
    check_string(EC, WEDDING, "event", "venue", e150, NULL);
    check_string(EC, WEDDING, "event", "venue", e151,
                 "intake: event.venue: text is 302 bytes, at most 300 allowed");
    free(s300);
    free(s301);
}

static void test_intake_required_text_blank_is_empty(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "contact", "name", "",
                 "intake: contact.name: required field is empty");
    check_string(EC, WEDDING, "contact", "name", " \t\r\n ",
                 "intake: contact.name: required field is empty");
    check_string(EC, WEDDING, "notes", "condition", "\xc2\xa0\xe3\x80\x80",
                 "intake: notes.condition: required field is empty");
    check_string(EC, WEDDING, "event", "type", "  ",
                 "intake: event.type: required field is empty");
    /* surrounding spaces are kept, not trimmed */
    check_string(EC, WEDDING, "contact", "name", "  Ana  ", NULL);
}

static void test_intake_optional_text_may_be_empty(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "request", "preferred_days", "", NULL);
    check_string(EC, WEDDING, "notes", "access", "   ", NULL);
}

static void test_intake_email_refusals(void **state)
{
    static const struct {
        const char *value, *want;
    } bad[] = {
        {"ana@", "intake: contact.email: \"ana@\" is not an email address"},
        {"@example.com", "intake: contact.email: \"@example.com\" is not an email address"},
        {"ana", "intake: contact.email: \"ana\" is not an email address"},
        {"ana@@example.com",
         "intake: contact.email: \"ana@@example.com\" is not an email address"},
        {"a@b@example.com", "intake: contact.email: \"a@b@example.com\" is not an email address"},
        {"ana@example", "intake: contact.email: \"ana@example\" is not an email address"},
        {"ana @example.com",
         "intake: contact.email: \"ana @example.com\" is not an email address"},
        {"ana@exa mple.com",
         "intake: contact.email: \"ana@exa mple.com\" is not an email address"},
        {"ana@.example.com",
         "intake: contact.email: \"ana@.example.com\" is not an email address"},
        {"ana@example.com.",
         "intake: contact.email: \"ana@example.com.\" is not an email address"},
        {"ana@example..com",
         "intake: contact.email: \"ana@example..com\" is not an email address"},
        {"", "intake: contact.email: \"\" is not an email address"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_string(EC, WEDDING, "contact", "email", bad[i].value, bad[i].want);
}

static void test_intake_email_accepted_forms(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "contact", "email", "ana.morales+events@mail.example.co.uk", NULL);
    check_string(EC, WEDDING, "contact", "email", "a@b.co", NULL);
    check_string(EC, WEDDING, "contact", "email", "jos\xc3\xa9@ejemplo.es", NULL);
}

static void test_intake_email_length_limit(void **state)
{
    char *local = repeat('a', 242);
    char addr[300];

    (void)state;
    snprintf(addr, sizeof addr, "%s@example.com", local); /* 254 bytes */
    check_string(EC, WEDDING, "contact", "email", addr, NULL);
    snprintf(addr, sizeof addr, "%sa@example.com", local); /* 255 bytes */
    check_string(EC, WEDDING, "contact", "email", addr,
                 "intake: contact.email: text is 255 bytes, at most 254 allowed");
    free(local);
}

static void test_intake_phone_characters(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "contact", "phone", "555-CALL-NOW",
                 "intake: contact.phone: \"555-CALL-NOW\" is not a phone number: only digits, "
                 "spaces and + - ( ) . are allowed");
    check_string(LS, LAWN, "contact", "phone", "503/555/0110",
                 "intake: contact.phone: \"503/555/0110\" is not a phone number: only digits, "
                 "spaces and + - ( ) . are allowed");
    check_string(EC, WEDDING, "contact", "phone", "+1 (512) 555.0143", NULL);
}

static void test_intake_phone_digit_count(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "contact", "phone", "(555) 012",
                 "intake: contact.phone: \"(555) 012\" is not a phone number: it has 6 digits, "
                 "7 to 20 needed");
    check_string(EC, WEDDING, "contact", "phone", "1234567", NULL);
    check_string(EC, WEDDING, "contact", "phone", "12345678901234567890", NULL);
    check_string(EC, WEDDING, "contact", "phone", "123456789012345678901",
                 "intake: contact.phone: \"123456789012345678901\" is not a phone number: it "
                 "has 21 digits, 7 to 20 needed");
    check_string(LS, LAWN, "contact", "phone", "",
                 "intake: contact.phone: required field is empty");
}

static void test_intake_integer_only_json_integers(void **state)
{
    (void)state;
    check_with(EC, WEDDING, 0, "event", "guests", json_string("120"),
               "intake: event.guests: expected an integer, got a string");
    check_with(EC, WEDDING, 0, "event", "guests", json_real(120.0),
               "intake: event.guests: expected an integer, got a real number");
    check_with(EC, WEDDING, 0, "event", "guests", json_real(12.5),
               "intake: event.guests: expected an integer, got a real number");
    check_with(EC, WEDDING, 0, "event", "guests", json_integer(1), NULL);
    check_with(EC, WEDDING, 0, "event", "guests", json_integer(5000), NULL);
    check_with(EC, WEDDING, 0, "event", "guests", json_integer(0),
               "intake: event.guests: 0 is less than the minimum 1");
    check_with(EC, WEDDING, 0, "event", "guests", json_integer(-3),
               "intake: event.guests: -3 is less than the minimum 1");
    check_with(EC, WEDDING, 0, "event", "guests", json_integer(5001),
               "intake: event.guests: 5001 is more than the maximum 5000");
    check_with(AD, DETAIL, 1, "vehicle", "year", json_integer(2019), NULL);
    check_with(AD, DETAIL, 1, "vehicle", "year", json_false(),
               "intake: vehicle.year: expected an integer, got a boolean");
}

static void test_intake_number_accepts_integer_and_real(void **state)
{
    char *canon;

    (void)state;
    canon = accepted(&kinds, "{\"k\":{\"n\":1.5}}", 2);
    assert_string_equal(canon, "{\"k\":{\"n\":1.5}}");
    free(canon);
    canon = accepted(&kinds, "{\"k\":{\"n\":-3}}", 2);
    assert_string_equal(canon, "{\"k\":{\"n\":-3}}");
    free(canon);
    refused(&kinds, "{\"k\":{\"n\":\"1.5\"}}", 2, "intake: k.n: expected a number, got a string");
    refused(&kinds, "{\"k\":{\"n\":true}}", 2, "intake: k.n: expected a number, got a boolean");
}

static void test_intake_boolean(void **state)
{
    char *text, *canon;

    (void)state;
    check_with(LS, LAWN, 0, "property", "gated", json_string("yes"),
               "intake: property.gated: expected a boolean, got a string");
    check_with(LS, LAWN, 0, "property", "gated", json_integer(1),
               "intake: property.gated: expected a boolean, got an integer");
    text = with(LAWN, "property", "gated", json_false());
    canon = accepted(LS, text, 0);
    assert_non_null(strstr(canon, "\"gated\":false"));
    free(canon);
    free(text);
}

static void test_intake_date_shape(void **state)
{
    static const char *const bad[] = {"2026/05/16", "2026-5-16", "16-05-2026", " 2026-05-16",
                                      "2026-05-16T10:00", "20260516", "2026-O5-16", "next june"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(want, sizeof want, "intake: event.date: \"%s\" is not a date (YYYY-MM-DD)",
                 bad[i]);
        check_string(EC, WEDDING, "event", "date", bad[i], want);
    }
}

static void test_intake_date_must_exist_on_the_calendar(void **state)
{
    static const char *const bad[] = {"2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01",
                                      "2026-00-10", "2026-01-00", "2026-01-32", "0000-01-01"};
    static const char *const good[] = {"2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01",
                                       "9999-12-31", "2026-01-31"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(want, sizeof want, "intake: event.date: \"%s\" is not a calendar date", bad[i]);
        check_string(EC, WEDDING, "event", "date", bad[i], want);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        check_string(EC, WEDDING, "event", "date", good[i], NULL);
}

static void test_intake_time(void **state)
{
    static const char *const bad[] = {"24:00", "9:30", "12:60", "12:30:00", "noon", "12.30",
                                      "-1:00", ""};
    static const char *const good[] = {"00:00", "23:59", "08:30", "12:00"};
    char want[128];

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(want, sizeof want,
                 "intake: request.preferred_time: \"%s\" is not a time (HH:MM, 00:00 to 23:59)",
                 bad[i]);
        check_string(LS, LAWN, "request", "preferred_time", bad[i], want);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        check_string(LS, LAWN, "request", "preferred_time", good[i], NULL);
}

static void test_intake_one_of_lists_the_choices(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "event", "type", "Gala",
                 "intake: event.type: \"Gala\" is not one of: Wedding / Ceremony, "
                 "Banquet / Gala, Corporate Event, Birthday / Social, Other");
    check_string(LS, LAWN, "request", "frequency", "daily",
                 "intake: request.frequency: \"daily\" is not one of: once, weekly, biweekly, "
                 "monthly");
}

static void test_intake_one_of_is_exact(void **state)
{
    (void)state;
    check_string(EC, WEDDING, "event", "type", "wedding / ceremony",
                 "intake: event.type: \"wedding / ceremony\" is not one of: Wedding / Ceremony, "
                 "Banquet / Gala, Corporate Event, Birthday / Social, Other");
    check_string(EC, WEDDING, "contact", "method", "email ",
                 "intake: contact.method: \"email \" is not one of: email, text, call");
    check_string(EC, WEDDING, "event", "type", "Banquet / Gala", NULL);
    check_with(EC, WEDDING, 0, "contact", "method", json_integer(1),
               "intake: contact.method: expected a string, got an integer");
}

/* The packet's own photos and those given beside it are one list: a name
 * given twice counts once, and the canonical packet lists them in order;
 * a name that is no sha256 name is refused. */
static void test_intake_photos_listed_once(void **state)
{
    (void)state;
    char *canon = NULL, msg[256];
    const char *extra[] = {"sha256:0000000000000000000000000000000000000000000000000000000000000002",
                           "sha256:0000000000000000000000000000000000000000000000000000000000000001"};
    const char *text = "{\"contact\": {\"name\": \"Ana\", \"method\": \"text\"},"
                       " \"event\": {\"type\": \"Other\", \"venue\": \"Hall\"},"
                       " \"request\": {\"package\": \"consultation\", \"service_area\": \"SF\"},"
                       " \"notes\": {\"condition\": \"x\"},"
                       " \"photos\": [\"sha256:0000000000000000000000000000000000000000000000000000000000000001\"]}";
    const qtm_surface *ec = qtm_surface_find("event-coordination");
    assert_int_equal(qtmi_intake_validate(ec, text, strlen(text), extra, 2, &canon, msg, sizeof msg),
                     QTM_OK);
    json_t *o = json_loads(canon, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(o, "photos")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "photos"), 1)),
                        extra[0]);
    json_decref(o);
    free(canon);
    const char *bad[] = {"photos/a.jpg"};
    assert_int_equal(qtmi_intake_validate(ec, text, strlen(text), bad, 1, &canon, msg, sizeof msg),
                     QTM_EINVALID);
    assert_non_null(strstr(msg, "is not a file name"));
}

static void test_intake_photos_minimum(void **state)
{
    char *canon;

    (void)state;
    refused(AD, DETAIL, 0, "intake: at least 1 photo required, got 0");
    canon = accepted(AD, DETAIL, 1);
    free(canon);
    refused(&kinds, "{\"k\":{\"n\":1}}", 1, "intake: at least 2 photos required, got 1");
    canon = accepted(EC, WEDDING, 0); /* photo_min 0 */
    free(canon);
}

static void test_intake_photos_checked_after_fields(void **state)
{
    (void)state;
    refused(AD, "{}", 0, "intake: contact.name: required field missing");
}

/* --- messages and hostile values ----------------------------------------- */

static void test_intake_quoted_values_are_truncated_and_cleaned(void **state)
{
    char *long_value = repeat('g', 60);
    char utf[64];

    (void)state;
    check_string(EC, WEDDING, "event", "type", long_value,
                 "intake: event.type: \"gggggggggggggggggggggggggggggggggggggggg...\" is not "
                 "one of: Wedding / Ceremony, Banquet / Gala, Corporate Event, "
                 "Birthday / Social, Other");
    check_string(EC, WEDDING, "contact", "email", "ana\a\x1b[2J@x.com",
                 "intake: contact.email: \"ana??[2J@x.com\" is not an email address");
    check_string(EC, WEDDING, "contact", "method", "say \"hi\" \\o/",
                 "intake: contact.method: \"say \\\"hi\\\" \\\\o/\" is not one of: email, text, "
                 "call");
    /* bidi override and C1 control replaced */
    check_string(EC, WEDDING, "contact", "method", "a\xe2\x80\xae" "b\xc2\x85" "c",
                 "intake: contact.method: \"a?b?c\" is not one of: email, text, call");
    /* a multi-byte character is never split by the cut */
    memset(utf, 'a', 39);
    memcpy(utf + 39, "\xc3\xa9zz", 5);
    check_string(EC, WEDDING, "contact", "method", utf,
                 "intake: contact.method: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not "
                 "one of: email, text, call");
    free(long_value);
}

static void test_intake_message_is_cut_to_fit(void **state)
{
    char msg[16];
    char *canon = sentinel;

    (void)state;
    assert_int_equal(qtmi_intake_validate(EC, "{}", 2, NULL, 0, &canon, msg, sizeof msg), QTM_EINVALID);
    assert_null(canon);
    assert_string_equal(msg, "intake: contact");
    assert_int_equal(qtmi_intake_validate(EC, "{}", 2, NULL, 0, NULL, NULL, 0), QTM_EINVALID);
    assert_int_equal(qtmi_intake_validate(EC, "[", 1, NULL, 0, NULL, msg, 1), QTM_EINVALID);
    assert_string_equal(msg, "");
}

static void test_intake_missing_arguments(void **state)
{
    qtm_surface old = qtm_surface_event_coordination;

    (void)state;
    refused(NULL, WEDDING, 0, "intake: no surface given");
    refused_len(EC, NULL, 10, 0, "intake: no packet given");
    old.abi = QTM_SURFACE_ABI + 1;
    refused(&old, WEDDING, 0,
            "intake: surface event-coordination was built for table ABI 4, this runtime "
            "reads 3");
}

static void test_intake_unknown_type_code_in_tables(void **state)
{
    static const qtm_field bad_fields[] = {{"s", "f", 42, 1, 10, 0, NULL, 0, 0, 0, 0}};
    static const qtm_surface bad = {.abi = QTM_SURFACE_ABI, .slug = "bad", .nfields = 1,
                                    .fields = bad_fields};

    (void)state;
    refused(&bad, "{\"s\":{\"f\":1}}", 0,
            "intake: s.f: field has unknown type 42 in the surface tables");
}

/* --- the schema for forms ------------------------------------------------- */

static json_t *model_intake(const qtm_surface *s)
{
    size_t n = 1;
    char *buf;
    json_t *model, *intake;

    for (const char *const *p = s->model_json; *p; p++)
        n += strlen(*p);
    buf = malloc(n);
    assert_non_null(buf);
    buf[0] = '\0';
    for (const char *const *p = s->model_json; *p; p++)
        strcat(buf, *p);
    model = json_loads(buf, 0, NULL);
    free(buf);
    assert_non_null(model);
    intake = json_incref(json_object_get(model, "intake"));
    json_decref(model);
    assert_non_null(intake);
    return intake;
}

static void test_intake_schema_json_equals_the_model(void **state)
{
    (void)state;
    for (unsigned i = 0; i < qtm_registry_count; i++) {
        json_t *schema = qtmi_intake_schema_json(qtm_registry[i]);
        json_t *want = model_intake(qtm_registry[i]);
        assert_non_null(schema);
        assert_true(json_equal(schema, want));
        json_decref(schema);
        json_decref(want);
    }
    assert_null(qtmi_intake_schema_json(NULL));
}

static void test_intake_schema_json_content(void **state)
{
    json_t *schema;
    char *text;

    (void)state;
    schema = qtmi_intake_schema_json(&kinds);
    text = json_dumps(schema, JSON_COMPACT);
    assert_string_equal(text,
                        "{\"sections\":[{\"name\":\"k\",\"fields\":["
                        "{\"name\":\"n\",\"type\":\"number\",\"required\":true,\"max\":64},"
                        "{\"name\":\"flag\",\"type\":\"boolean\",\"required\":false,\"max\":64}]},"
                        "{\"name\":\"other\",\"fields\":["
                        "{\"name\":\"t\",\"type\":\"text\",\"required\":false,\"max\":10}]}],"
                        "\"photos_min\":2}");
    free(text);
    json_decref(schema);

    schema = qtmi_intake_schema_json(AD);
    assert_int_equal(json_integer_value(json_object_get(schema, "photos_min")), 1);
    {
        json_t *vehicle = json_array_get(json_object_get(schema, "sections"), 1);
        json_t *size = json_array_get(json_object_get(vehicle, "fields"), 4);
        assert_string_equal(json_string_value(json_object_get(vehicle, "name")), "vehicle");
        assert_string_equal(json_string_value(json_object_get(size, "type")), "one_of");
        assert_int_equal(json_array_size(json_object_get(size, "choices")), 5);
        assert_true(json_is_true(json_object_get(size, "required")));
    }
    json_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intake_wedding_accepted_with_exact_canonical),
        cmocka_unit_test(test_intake_canonical_ignores_key_order_whitespace_and_escapes),
        cmocka_unit_test(test_intake_canonical_is_a_fixed_point),
        cmocka_unit_test(test_intake_optional_fields_absent_stay_absent),
        cmocka_unit_test(test_intake_null_on_optional_field_is_dropped),
        cmocka_unit_test(test_intake_section_left_empty_is_dropped),
        cmocka_unit_test(test_intake_canonical_may_be_omitted),
        cmocka_unit_test(test_intake_example_files_validate),
        cmocka_unit_test(test_intake_sql_looking_strings_are_just_strings),
        cmocka_unit_test(test_intake_not_json_gives_line_and_column),
        cmocka_unit_test(test_intake_not_an_object),
        cmocka_unit_test(test_intake_packet_size_limit),
        cmocka_unit_test(test_intake_duplicate_keys_refused),
        cmocka_unit_test(test_intake_nul_bytes_refused),
        cmocka_unit_test(test_intake_huge_numbers_refused_or_kept_exactly),
        cmocka_unit_test(test_intake_deep_nesting),
        cmocka_unit_test(test_intake_unknown_section),
        cmocka_unit_test(test_intake_unknown_field),
        cmocka_unit_test(test_intake_unknown_keys_reported_smallest_first),
        cmocka_unit_test(test_intake_unknown_key_names_are_sanitized),
        cmocka_unit_test(test_intake_section_not_an_object),
        cmocka_unit_test(test_intake_structure_checked_before_values),
        cmocka_unit_test(test_intake_required_field_missing),
        cmocka_unit_test(test_intake_missing_section_means_its_fields_are_missing),
        cmocka_unit_test(test_intake_null_for_required_field),
        cmocka_unit_test(test_intake_first_problem_in_schema_order),
        cmocka_unit_test(test_intake_wrong_json_type),
        cmocka_unit_test(test_intake_text_length_in_bytes),
        cmocka_unit_test(test_intake_required_text_blank_is_empty),
        cmocka_unit_test(test_intake_optional_text_may_be_empty),
        cmocka_unit_test(test_intake_email_refusals),
        cmocka_unit_test(test_intake_email_accepted_forms),
        cmocka_unit_test(test_intake_email_length_limit),
        cmocka_unit_test(test_intake_phone_characters),
        cmocka_unit_test(test_intake_phone_digit_count),
        cmocka_unit_test(test_intake_integer_only_json_integers),
        cmocka_unit_test(test_intake_number_accepts_integer_and_real),
        cmocka_unit_test(test_intake_boolean),
        cmocka_unit_test(test_intake_date_shape),
        cmocka_unit_test(test_intake_date_must_exist_on_the_calendar),
        cmocka_unit_test(test_intake_time),
        cmocka_unit_test(test_intake_one_of_lists_the_choices),
        cmocka_unit_test(test_intake_one_of_is_exact),
        cmocka_unit_test(test_intake_photos_minimum),
        cmocka_unit_test(test_intake_photos_listed_once),
        cmocka_unit_test(test_intake_photos_checked_after_fields),
        cmocka_unit_test(test_intake_quoted_values_are_truncated_and_cleaned),
        cmocka_unit_test(test_intake_message_is_cut_to_fit),
        cmocka_unit_test(test_intake_missing_arguments),
        cmocka_unit_test(test_intake_unknown_type_code_in_tables),
        cmocka_unit_test(test_intake_schema_json_equals_the_model),
        cmocka_unit_test(test_intake_schema_json_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
