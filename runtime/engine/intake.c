/*
 * intake.c - intake packet validation against a surface's compiled schema,
 * and the one UTF-8 check every entry point runs on the text it stores.
 * Invariants: every problem of a packet is reported, one line each in a
 * fixed order (unknown keys, then the fields in declaration order, then
 * photos), so the same packet always gets the same message; user text
 * reaches a message only through quote() (truncated, control characters
 * replaced); nothing is kept between calls and no input can crash it.
 */
#include "intake.h"
#include "qtm_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define QUOTE_BUF (2 * INTAKE_QUOTE_MAX + 8) /* worst case: every byte escaped */
#define CHOICES_BUF 1024                     /* the "one of: ..." list in a message */

#ifdef __GNUC__
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* --- messages ------------------------------------------------------------ */

/* The problems found so far: lines joined by '\n' in msg (may be NULL);
 * past its room, a count of the ones left out. */
typedef struct problems {
    char *msg;
    size_t cap, len;
    unsigned n, dropped;
} problems;

#define LINE_BUF 768               /* one problem's line */
#define MORE_ROOM 48               /* kept free for "and N more problems" */

static void add_problem(problems *p, const char *line)
{
    size_t n = strlen(line);
    p->n++;
    if (!p->msg || p->cap == 0)
        return;
    if (p->len == 0) {             /* the first problem always shows, cut to fit */
        snprintf(p->msg, p->cap, "%s", line);
        p->len = strnlen(p->msg, p->cap);
        return;
    }
    if (p->len + 1 + n + 1 + MORE_ROOM > p->cap) {
        p->dropped++;
        return;
    }
    p->msg[p->len++] = '\n';
    memcpy(p->msg + p->len, line, n + 1);
    p->len += n;
}

/* Ends the list: a count of what did not fit; QTM_EINVALID if any problem. */
static qtm_status problems_end(problems *p)
{
    if (p->dropped && p->msg && p->len + MORE_ROOM <= p->cap)
        p->len += (size_t)snprintf(p->msg + p->len, p->cap - p->len,
                                   "\nintake: and %u more problem%s", p->dropped,
                                   p->dropped == 1 ? "" : "s");
    return p->n ? QTM_EINVALID : QTM_OK;
}

static qtm_status refuse(qtm_status st, char *msg, size_t msglen, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static qtm_status field_refuse(const qtm_field *f, char *msg, size_t msglen, const char *fmt,
                               ...) PRINTF_LIKE(4, 5);

/* Formats a message into msg (if any) and returns st. Cannot fail. */
static qtm_status refuse(qtm_status st, char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;

    if (msg && msglen > 0) {
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* "intake: section.field: " then the formatted reason; returns QTM_EINVALID. */
static qtm_status field_refuse(const qtm_field *f, char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (msg && msglen > 0) {
        n = snprintf(msg, msglen, "intake: %s.%s: ", f->section, f->name);
        if (n >= 0 && (size_t)n < msglen) {
            va_start(ap, fmt);
            vsnprintf(msg + n, msglen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return QTM_EINVALID;
}

/*
 * utf8_decode - decodes one code point from p[0..n).  Returns its length
 * (1-4) and stores it in *cp, or 0 for an invalid, overlong, surrogate or
 * truncated sequence.
 */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t len, i;

    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        c = p[0] & 0x1fu;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        c = p[0] & 0x0fu;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        c = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* --- text inputs, for every entry point (qtm_int.h) ------------------------ */

int qtmi_text_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, i = 0, k;
    uint32_t cp = 0;

    if (!s)
        return 1;
    n = strlen(s);
    while (i < n) {
        if (!(k = utf8_decode(p + i, n - i, &cp)))
            return 0;
        i += k;
    }
    return 1;
}

qtm_status qtmi_text_check(qtm *q, const char *what, const char *s)
{
    if (!qtmi_text_valid(s))
        return qtm_fail(q, QTM_EINVALID, "the %s is not valid UTF-8", what);
    return QTM_OK;
}

/* 1 for code points that must not reach a terminal or log verbatim:
 * C0/C1 controls, DEL, line/paragraph separators, bidi controls. */
static int unsafe_cp(uint32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

/*
 * sanitize - copies s[0..n) into out (size outlen, NUL-terminated), each
 * unsafe code point or invalid byte replaced by '?', '"' and '\\' escaped
 * when `escape`, stopping before `limit` input bytes would be exceeded (a
 * code point is never split) and then appending "...".  Cannot fail.
 */
static void sanitize(char *out, size_t outlen, const char *s, size_t n, size_t limit, int escape)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, k, step;
    uint32_t cp = 0;

    if (outlen == 0)
        return;
    while (i < n) {
        k = utf8_decode(p + i, n - i, &cp);
        step = k ? k : 1;
        if (i + step > limit || o + 2 * step + 4 >= outlen)
            break;
        if (!k || unsafe_cp(cp)) {
            out[o++] = '?';
        } else if (escape && (cp == '"' || cp == '\\')) {
            out[o++] = '\\';
            out[o++] = (char)cp;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
        }
        i += step;
    }
    if (i < n && o + 4 <= outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* quote - a user value as `"value"` for a message (see sanitize). */
static void quote(char out[QUOTE_BUF], const char *s, size_t n)
{
    out[0] = '"';
    sanitize(out + 1, QUOTE_BUF - 2, s, n, INTAKE_QUOTE_MAX, 1);
    strcat(out, "\"");
}

/* A user-supplied key for a message: bare if it is a plain identifier of
 * at most INTAKE_QUOTE_MAX bytes, quoted otherwise. */
static void key_text(char out[QUOTE_BUF], const char *key)
{
    size_t n = strlen(key), i;
    int plain = n > 0 && n <= INTAKE_QUOTE_MAX;

    for (i = 0; plain && i < n; i++) {
        char c = key[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-';
    }
    if (plain)
        memcpy(out, key, n + 1);
    else
        quote(out, key, n);
}

/* "a string", "an integer", ... for "expected X, got Y". */
static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

/* --- schema lookups ------------------------------------------------------ */

/* 1 if fields[i] is the first field of its section (schema order of sections). */
static int section_starts(const qtm_surface *s, unsigned i)
{
    for (unsigned j = 0; j < i; j++)
        if (strcmp(s->fields[j].section, s->fields[i].section) == 0)
            return 0;
    return 1;
}

static int section_known(const qtm_surface *s, const char *name)
{
    for (unsigned i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].section, name) == 0)
            return 1;
    return 0;
}

static int field_known(const qtm_surface *s, const char *section, const char *name)
{
    for (unsigned i = 0; i < s->nfields; i++)
        if (strcmp(s->fields[i].section, section) == 0 && strcmp(s->fields[i].name, name) == 0)
            return 1;
    return 0;
}

/* --- value formats ------------------------------------------------------- */

/* 1 if str[0..n) is empty or only whitespace (ASCII, or Unicode Zs, or BOM). */
static int blank(const char *str, size_t n)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0, k;
    uint32_t c = 0;

    while (i < n) {
        k = utf8_decode(p + i, n - i, &c);
        if (!k)
            return 0;
        if (!(c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0 || c == 0x1680 ||
              (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f || c == 0x3000 ||
              c == 0xfeff))
            return 0;
        i += k;
    }
    return 1;
}

/* local@domain: one '@', non-empty local part, a domain of at least two
 * non-empty dot-separated labels, no whitespace or control characters. */
static int email_ok(const char *str, size_t n)
{
    size_t at = n, ats = 0, i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)str[i];
        if (c <= 0x20 || c == 0x7f)
            return 0;
        if (c == '@') {
            ats++;
            at = i;
        }
    }
    if (ats != 1 || at == 0 || at + 1 >= n)
        return 0;
    const char *dom = str + at + 1;
    size_t dn = n - at - 1;
    if (dom[0] == '.' || dom[dn - 1] == '.' || !memchr(dom, '.', dn))
        return 0;
    for (i = 0; i + 1 < dn; i++)
        if (dom[i] == '.' && dom[i + 1] == '.')
            return 0;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* YYYY-MM-DD syntax: 1 if the shape is right (value not yet checked). */
static int date_shape(const char *str, size_t n)
{
    static const char shape[] = "dddd-dd-dd";

    if (n != sizeof shape - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (shape[i] == 'd' ? !is_digit(str[i]) : str[i] != shape[i])
            return 0;
    return 1;
}

/* A real day of the proleptic Gregorian calendar, years 0001-9999. */
static int date_real(const char *str)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = two_digits(str) * 100 + two_digits(str + 2);
    int m = two_digits(str + 5), d = two_digits(str + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* HH:MM, 00:00 to 23:59. */
static int time_ok(const char *str, size_t n)
{
    return n == 5 && is_digit(str[0]) && is_digit(str[1]) && str[2] == ':' && is_digit(str[3]) &&
           is_digit(str[4]) && two_digits(str) < 24 && two_digits(str + 3) < 60;
}

/* --- field checks -------------------------------------------------------- */

/* Checks a string value of a string-typed field f (value not null). */
static qtm_status check_string(const qtm_field *f, const json_t *v, char *msg, size_t msglen)
{
    const char *str = json_string_value(v);
    size_t n = json_string_length(v), digits = 0, i;
    char q[QUOTE_BUF];
    char list[CHOICES_BUF];

    quote(q, str, n);
    if (f->required && blank(str, n))
        return field_refuse(f, msg, msglen, "required field is empty");

    switch (f->type) {
    case QTM_FIELD_TEXT:
    case QTM_FIELD_EMAIL:
    case QTM_FIELD_PHONE:
        if (n > f->max_len)
            return field_refuse(f, msg, msglen, "text is %zu bytes, at most %u allowed", n,
                                (unsigned)f->max_len);
        break;
    default:
        break;
    }

    switch (f->type) {
    case QTM_FIELD_TEXT:
        return QTM_OK;
    case QTM_FIELD_EMAIL:
        if (!email_ok(str, n))
            return field_refuse(f, msg, msglen, "%s is not an email address", q);
        return QTM_OK;
    case QTM_FIELD_PHONE:
        for (i = 0; i < n; i++) {
            if (is_digit(str[i]))
                digits++;
            else if (!strchr(" +-().", str[i]) || str[i] == '\0')
                return field_refuse(f, msg, msglen,
                                    "%s is not a phone number: only digits, spaces and "
                                    "+ - ( ) . are allowed",
                                    q);
        }
        if (digits < INTAKE_PHONE_MIN_DIGITS || digits > INTAKE_PHONE_MAX_DIGITS)
            return field_refuse(f, msg, msglen,
                                "%s is not a phone number: it has %zu digits, %d to %d needed", q,
                                digits, INTAKE_PHONE_MIN_DIGITS, INTAKE_PHONE_MAX_DIGITS);
        return QTM_OK;
    case QTM_FIELD_DATE:
        if (!date_shape(str, n))
            return field_refuse(f, msg, msglen, "%s is not a date (YYYY-MM-DD)", q);
        if (!date_real(str))
            return field_refuse(f, msg, msglen, "%s is not a calendar date", q);
        return QTM_OK;
    case QTM_FIELD_TIME:
        if (!time_ok(str, n))
            return field_refuse(f, msg, msglen, "%s is not a time (HH:MM, 00:00 to 23:59)", q);
        return QTM_OK;
    case QTM_FIELD_CHOICE:
        list[0] = '\0';
        for (i = 0; i < f->nchoices; i++) {
            const char *c = f->choices[i];
            size_t used = strlen(list);
            if (strlen(c) == n && memcmp(c, str, n) == 0)
                return QTM_OK;
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", c);
        }
        return field_refuse(f, msg, msglen, "%s is not one of: %s", q, list);
    default:
        break;
    }
    return field_refuse(f, msg, msglen, "field has unknown type %u in the surface tables",
                        (unsigned)f->type);
}

/* Checks the non-null value v of field f. */
static qtm_status check_value(const qtm_field *f, const json_t *v, char *msg, size_t msglen)
{
    switch (f->type) {
    case QTM_FIELD_TEXT:
    case QTM_FIELD_EMAIL:
    case QTM_FIELD_PHONE:
    case QTM_FIELD_DATE:
    case QTM_FIELD_TIME:
    case QTM_FIELD_CHOICE:
        if (!json_is_string(v))
            return field_refuse(f, msg, msglen, "expected a string, got %s", json_kind(v));
        return check_string(f, v, msg, msglen);
    case QTM_FIELD_INTEGER:
        if (!json_is_integer(v))
            return field_refuse(f, msg, msglen, "expected an integer, got %s", json_kind(v));
        if (f->has_min && json_integer_value(v) < f->min)
            return field_refuse(f, msg, msglen, "%lld is less than the minimum %lld",
                                (long long)json_integer_value(v), (long long)f->min);
        if (f->has_max && json_integer_value(v) > f->max)
            return field_refuse(f, msg, msglen, "%lld is more than the maximum %lld",
                                (long long)json_integer_value(v), (long long)f->max);
        return QTM_OK;
    case QTM_FIELD_NUMBER:
        if (!json_is_number(v))
            return field_refuse(f, msg, msglen, "expected a number, got %s", json_kind(v));
        if (json_is_real(v) && !isfinite(json_real_value(v)))
            return field_refuse(f, msg, msglen, "number is not finite");
        return QTM_OK;
    case QTM_FIELD_BOOLEAN:
        if (!json_is_boolean(v))
            return field_refuse(f, msg, msglen, "expected a boolean, got %s", json_kind(v));
        return QTM_OK;
    default:
        break;
    }
    return field_refuse(f, msg, msglen, "field has unknown type %u in the surface tables",
                        (unsigned)f->type);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of obj not declared (section NULL: sections, else fields of
 * that section), smallest first, each a problem.  0, or -1 out of memory. */
static int unknown_keys(const qtm_surface *s, json_t *obj, const char *section, problems *p)
{
    const char *key, **keys = malloc((json_object_size(obj) + 1) * sizeof *keys);
    json_t *val;
    size_t n = 0;
    char k[QUOTE_BUF], line[LINE_BUF];
    if (!keys)
        return -1;
    json_object_foreach(obj, key, val) {
        if (section ? !field_known(s, section, key) : !section_known(s, key))
            keys[n++] = key;
    }
    qsort(keys, n, sizeof *keys, by_name);
    for (size_t i = 0; i < n; i++) {
        key_text(k, keys[i]);
        if (section)
            snprintf(line, sizeof line, "intake: unknown field %s.%s", section, k);
        else
            snprintf(line, sizeof line, "intake: unknown section %s", k);
        add_problem(p, line);
    }
    free(keys);
    return 0;
}

/*
 * check_keys - the structural pass: unknown sections, sections that are
 * not objects, unknown fields, each a problem (names smallest first).
 * skip[i] is set for a section (by its first field's index) whose fields
 * cannot be read.  0, or -1 out of memory.
 */
static int check_keys(const qtm_surface *s, json_t *root, problems *p, unsigned char *skip)
{
    json_t *sec;
    char line[LINE_BUF];

    if (unknown_keys(s, root, NULL, p) != 0)
        return -1;
    for (unsigned i = 0; i < s->nfields; i++) {
        const char *name = s->fields[i].section;
        if (!section_starts(s, i) || !(sec = json_object_get(root, name)))
            continue;
        if (!json_is_object(sec)) {
            snprintf(line, sizeof line, "intake: %s: section must be a JSON object, got %s",
                     name, json_kind(sec));
            add_problem(p, line);
            skip[i] = 1;
            continue;
        }
        if (unknown_keys(s, sec, name, p) != 0)
            return -1;
    }
    return 0;
}

/*
 * keep - copies field f's value v into the canonical object out, creating
 * its section object on first use.  Returns QTM_OK or QTM_ESTORAGE.
 */
static qtm_status keep(json_t *out, const qtm_field *f, json_t *v)
{
    json_t *sec = json_object_get(out, f->section);

    if (!sec) {
        sec = json_object();
        if (json_object_set_new(out, f->section, sec) != 0)
            return QTM_ESTORAGE;
    }
    return json_object_set(sec, f->name, v) == 0 ? QTM_OK : QTM_ESTORAGE;
}

/* The packet parsed, or NULL with the refusal in *st (and msg): no
 * surface, tables of another ABI, no packet, too large, not JSON, not an
 * object. */
static json_t *parse_packet(const qtm_surface *s, const char *json_text, size_t len,
                            qtm_status *st, char *msg, size_t msglen)
{
    json_t *root = NULL;
    json_error_t err;
    char clean[JSON_ERROR_TEXT_LENGTH + 8];

    if (!s) {
        *st = refuse(QTM_EINVALID, msg, msglen, "intake: no surface given");
        return NULL;
    }
    if (s->abi != QTM_SURFACE_ABI) {
        *st = refuse(QTM_EINVALID, msg, msglen,
                     "intake: surface %s was built for table ABI %u, this runtime reads %d",
                     s->slug, (unsigned)s->abi, QTM_SURFACE_ABI);
        return NULL;
    }
    if (!json_text) {
        *st = refuse(QTM_EINVALID, msg, msglen, "intake: no packet given");
        return NULL;
    }
    if (len > INTAKE_MAX_BYTES) {
        *st = refuse(QTM_EINVALID, msg, msglen,
                     "intake: packet is %zu bytes, larger than the %d allowed", len,
                     INTAKE_MAX_BYTES);
        return NULL;
    }
    root = json_loadb(json_text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        /* jansson names its own flag here; say what is wrong instead */
        if (strstr(err.text, "JSON_ALLOW_NUL"))
            snprintf(clean, sizeof clean, "the character \\u0000 is not allowed");
        else
            sanitize(clean, sizeof clean, err.text, strnlen(err.text, sizeof err.text),
                     sizeof err.text, 0);
        *st = refuse(QTM_EINVALID, msg, msglen, "intake: not valid JSON at %d:%d: %s", err.line,
                     err.column, clean);
        return NULL;
    }
    if (!json_is_object(root)) {
        *st = refuse(QTM_EINVALID, msg, msglen, "intake: packet must be a JSON object, got %s",
                     json_kind(root));
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Checks every declared field of root, each problem into p, and keeps the
 * present good ones in out.  QTM_ESTORAGE only when out of memory. */
static qtm_status check_fields(const qtm_surface *s, json_t *root, json_t *out, problems *p,
                               const unsigned char *skip)
{
    char line[LINE_BUF];
    int skipping = 0;
    for (unsigned i = 0; i < s->nfields; i++) {
        const qtm_field *f = &s->fields[i];
        if (section_starts(s, i))
            skipping = skip[i];
        if (skipping)
            continue;              /* its section is not an object: said once */
        json_t *sec = json_object_get(root, f->section);
        json_t *v = sec ? json_object_get(sec, f->name) : NULL;

        if (!v || json_is_null(v)) {
            if (f->required) {
                field_refuse(f, line, sizeof line,
                             v ? "required field is null" : "required field missing");
                add_problem(p, line);
            }
            continue;
        }
        if (check_value(f, v, line, sizeof line) != QTM_OK) {
            add_problem(p, line);
            continue;
        }
        if (keep(out, f, v) != QTM_OK)
            return QTM_ESTORAGE;
    }
    return QTM_OK;
}

/* 1 when ref is "sha256:" and 64 lowercase hex digits. */
static int photo_ref_ok(const char *ref)
{
    if (strncmp(ref, "sha256:", 7) != 0 || strlen(ref) != 71)
        return 0;
    for (const char *p = ref + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* Appends ref to list unless it is there; QTM_OK, QTM_EINVALID, QTM_ESTORAGE. */
static qtm_status photo_add(json_t *list, const char *ref, char *msg, size_t msglen)
{
    char k[QUOTE_BUF];
    size_t i;
    json_t *v;
    if (!photo_ref_ok(ref)) {
        key_text(k, ref);
        return refuse(QTM_EINVALID, msg, msglen, "intake: photos: %s is not a file name "
                      "(sha256: and 64 lowercase hex digits)", k);
    }
    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(v), ref) == 0)
            return QTM_OK;
    if (json_array_size(list) >= INTAKE_MAX_PHOTOS)
        return refuse(QTM_EINVALID, msg, msglen, "intake: more than %d photos",
                      INTAKE_MAX_PHOTOS);
    return json_array_append_new(list, json_string(ref)) == 0
               ? QTM_OK
               : refuse(QTM_ESTORAGE, msg, msglen, "intake: out of memory");
}

/* Takes the packet's "photos" out of root and, with extra, into *list
 * (distinct, in order). */
static qtm_status photos_take(json_t *root, const char *const *extra, size_t nextra,
                              json_t **list, char *msg, size_t msglen)
{
    json_t *given = json_object_get(root, "photos"), *v;
    size_t i;
    qtm_status st = QTM_OK;
    if (!(*list = json_array()))
        return refuse(QTM_ESTORAGE, msg, msglen, "intake: out of memory");
    if (given && !json_is_array(given))
        return refuse(QTM_EINVALID, msg, msglen, "intake: photos must be a list of file "
                      "names, got %s", json_kind(given));
    json_array_foreach(given, i, v) {
        if (!json_is_string(v))
            return refuse(QTM_EINVALID, msg, msglen, "intake: photos: expected a file name, "
                          "got %s", json_kind(v));
        if ((st = photo_add(*list, json_string_value(v), msg, msglen)) != QTM_OK)
            return st;
    }
    for (i = 0; i < nextra && st == QTM_OK; i++)
        st = photo_add(*list, extra[i], msg, msglen);
    json_object_del(root, "photos");
    return st;
}

qtm_status qtmi_intake_validate(const qtm_surface *s, const char *json_text, size_t len,
                                const char *const *extra, size_t nextra, char **canonical,
                                char *msg, size_t msglen)
{
    json_t *photos = NULL, *packet_photos = NULL;
    qtm_status st = QTM_EINVALID;
    json_t *root = NULL, *out = NULL;
    char *text = NULL;
    unsigned char *skip = NULL;
    problems p = {msg, msglen, 0, 0, 0};

    if (canonical)
        *canonical = NULL;
    if (msg && msglen > 0)
        msg[0] = '\0';
    if (!(root = parse_packet(s, json_text, len, &st, msg, msglen)))
        goto cleanup;
    /* the photos are checked last, but are no section */
    packet_photos = json_incref(json_object_get(root, "photos"));
    json_object_del(root, "photos");
    out = json_object();
    skip = calloc(s->nfields + 1, 1);
    if (!out || !skip) {
        st = refuse(QTM_ESTORAGE, msg, msglen, "intake: out of memory");
        goto cleanup;
    }
    if (check_keys(s, root, &p, skip) != 0 || check_fields(s, root, out, &p, skip) != QTM_OK ||
        (packet_photos && json_object_set(root, "photos", packet_photos) != 0)) {
        st = refuse(QTM_ESTORAGE, msg, msglen, "intake: out of memory");
        goto cleanup;
    }
    /* the photos: one problem among the others (a bad list, or too few) */
    char line[LINE_BUF];
    st = photos_take(root, extra, nextra, &photos, line, sizeof line);
    if (st == QTM_ESTORAGE) {
        refuse(st, msg, msglen, "%s", line);
        goto cleanup;
    }
    if (st != QTM_OK) {
        add_problem(&p, line);
    } else if (json_array_size(photos) < s->photo_min) {
        snprintf(line, sizeof line, "intake: at least %u photo%s required, got %zu",
                 (unsigned)s->photo_min, s->photo_min == 1 ? "" : "s", json_array_size(photos));
        add_problem(&p, line);
    }
    if ((st = problems_end(&p)) != QTM_OK)
        goto cleanup;
    if (json_array_size(photos) && json_object_set(out, "photos", photos) != 0) {
        st = refuse(QTM_ESTORAGE, msg, msglen, "intake: out of memory");
        goto cleanup;
    }

    if (canonical) {
        text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text) {
            st = refuse(QTM_ESTORAGE, msg, msglen, "intake: out of memory");
            goto cleanup;
        }
        *canonical = text;
        text = NULL;
    }
    st = QTM_OK;

cleanup:
    free(skip);
    free(text);
    json_decref(packet_photos);
    json_decref(photos);
    json_decref(out);
    json_decref(root);
    return st;
}

/* --- schema for forms ---------------------------------------------------- */

/* One field as the model prints it; a new reference or NULL. */
static json_t *field_json(const qtm_field *f)
{
    json_t *o = NULL, *choices = NULL;

    o = json_pack("{s:s, s:s, s:b, s:I}", "name", f->name, "type",
                  f->type < QTM_FIELD_NTYPES ? qtm_field_type_names[f->type] : "unknown", "required",
                  (int)f->required, "max", (json_int_t)f->max_len);
    /* integer bounds only when given, as the model has them */
    if (o && f->has_min)
        json_object_set_new(o, "minimum", json_integer((json_int_t)f->min));
    if (o && f->has_max)
        json_object_set_new(o, "maximum", json_integer((json_int_t)f->max));
    if (!o || f->type != QTM_FIELD_CHOICE)
        return o;
    choices = json_array();
    if (json_object_set_new(o, "choices", choices) != 0)
        goto fail;
    for (unsigned i = 0; i < f->nchoices; i++)
        if (json_array_append_new(choices, json_string(f->choices[i])) != 0)
            goto fail;
    return o;

fail:
    json_decref(o);
    return NULL;
}

json_t *qtmi_intake_schema_json(const qtm_surface *s)
{
    json_t *root = NULL, *sections = NULL, *sec = NULL, *fields = NULL;

    if (!s)
        return NULL;
    root = json_object();
    sections = json_array();
    if (!root || json_object_set_new(root, "sections", sections) != 0)
        goto fail;
    for (unsigned i = 0; i < s->nfields; i++) {
        const qtm_field *f = &s->fields[i];
        if (section_starts(s, i)) {
            fields = json_array();
            sec = json_pack("{s:s, s:o}", "name", f->section, "fields", fields);
            if (!sec || json_array_append_new(sections, sec) != 0)
                goto fail;
        } else {
            /* the section's array: found again so fields of a section
             * split across the table still land together */
            fields = NULL;
            for (size_t j = 0; j < json_array_size(sections); j++) {
                json_t *cand = json_array_get(sections, j);
                if (strcmp(json_string_value(json_object_get(cand, "name")), f->section) == 0)
                    fields = json_object_get(cand, "fields");
            }
        }
        if (!fields || json_array_append_new(fields, field_json(f)) != 0)
            goto fail;
    }
    if (json_object_set_new(root, "photos_min", json_integer((json_int_t)s->photo_min)) != 0)
        goto fail;
    if (s->nsummary) {
        json_t *sum = json_array();
        if (json_object_set_new(root, "summary", sum) != 0)
            goto fail;
        for (unsigned i = 0; i < s->nsummary; i++) {
            const qtm_summary_part *sp = &s->summary[i];
            json_t *part = sp->field >= 0 && sp->field < (int32_t)s->nfields
                               ? json_pack("{s:s++}", "field", s->fields[sp->field].section,
                                           ".", s->fields[sp->field].name)
                               : json_pack("{s:s}", "text", sp->text);
            if (!part || json_array_append_new(sum, part) != 0)
                goto fail;
        }
    }
    return root;

fail:
    json_decref(root);
    return NULL;
}
