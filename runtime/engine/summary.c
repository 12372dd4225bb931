/*
 * summary.c - a request's one-line summary, from the intake fields its
 * surface's `summary { ... }` declares ("Sat 16 May: Wedding / Ceremony at
 * Laguna Gloria, 140 guests").
 *
 * Text between two fields belongs to the field after it and shows only
 * when that field has a value and something was shown before it (or no
 * field comes before it); text after the last field shows when that field
 * has a value.  So a missing optional field takes its separator with it.
 * Values: strings as given with line breaks as spaces, numbers in decimal,
 * booleans yes/no, a date (YYYY-MM-DD) as weekday, day and month.  Pure:
 * no store, no allocation beyond the caller's buffer.
 */
#include "qtm_int.h"

#include <stdio.h>
#include <string.h>

/* Appends s[0..n) to buf (NUL-terminated, capacity cap), line breaks and
 * tabs as spaces; truncates at a UTF-8 boundary. */
static void put(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *len + 1 < cap; i++) {
        char ch = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
        buf[(*len)++] = ch;
    }
    if (*len + 1 >= cap)           /* cut: do not end inside a UTF-8 sequence */
        while (*len > 0 && ((unsigned char)buf[*len - 1] & 0xC0) == 0x80)
            (*len)--;
    if (*len > 0 && *len + 1 >= cap && ((unsigned char)buf[*len - 1] & 0xC0) == 0xC0)
        (*len)--;
    buf[*len] = '\0';
}

/* "Sat 16 May" for a valid YYYY-MM-DD, else 0. */
static int date_text(const char *d, char out[16])
{
    int y, m, day;
    if (strlen(d) != 10 || sscanf(d, "%4d-%2d-%2d", &y, &m, &day) != 3 || m < 1 || m > 12 ||
        day < 1 || day > 31)
        return 0;
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int yy = m < 3 ? y - 1 : y;
    int w = (yy + yy / 4 - yy / 100 + yy / 400 + t[m - 1] + day) % 7;
    snprintf(out, 16, "%s %d %s", wd[w], day, mon[m - 1]);
    return 1;
}

/* The value of field f in intake as text into out; 0 if it has none. */
static int value_text(const qtm_field *f, json_t *intake, char *out, size_t cap)
{
    json_t *v = json_object_get(json_object_get(intake, f->section), f->name);
    out[0] = '\0';
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (f->type == QTM_FIELD_DATE && cap >= 16 && date_text(s, out))
            return 1;
        size_t len = 0;
        put(out, cap, &len, s, json_string_length(v));
        return len > 0;
    }
    if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, cap, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(out, cap, "%s", json_is_true(v) ? "yes" : "no");
    return out[0] != '\0';
}

size_t qtmi_summary(const qtm_surface *s, json_t *intake, char *buf, size_t cap)
{
    size_t len = 0;
    if (!buf || cap == 0)
        return 0;
    buf[0] = '\0';
    if (!s || !json_is_object(intake))
        return 0;
    char val[QTM_SUMMARY_MAX + 1];
    int seen_field = 0, last_shown = 0;
    for (unsigned i = 0; i < s->nsummary; i++) {
        const qtm_summary_part *p = &s->summary[i];
        if (p->field < 0)
            continue;
        if (p->field >= (int32_t)s->nfields)
            break;                 /* qtmc guarantees it cannot happen */
        int has = value_text(&s->fields[p->field], intake, val, sizeof val);
        /* the text before this field: back to the previous field */
        unsigned k = i;
        while (k > 0 && s->summary[k - 1].field < 0)
            k--;
        if (has && (len > 0 || !seen_field))
            for (unsigned t = k; t < i; t++)
                put(buf, cap, &len, s->summary[t].text, strlen(s->summary[t].text));
        if (has)
            put(buf, cap, &len, val, strlen(val));
        seen_field = 1;
        last_shown = has;
    }
    /* the text after the last field */
    unsigned k = s->nsummary;
    while (k > 0 && s->summary[k - 1].field < 0)
        k--;
    if (last_shown || !seen_field)
        for (unsigned t = k; t < s->nsummary; t++)
            put(buf, cap, &len, s->summary[t].text, strlen(s->summary[t].text));
    return len;
}

size_t qtm_request_summary(const qtm_surface *s, const char *intake_json, char *buf, size_t n)
{
    if (buf && n)
        buf[0] = '\0';
    if (!intake_json)
        return 0;
    json_t *in = json_loads(intake_json, JSON_REJECT_DUPLICATES, NULL);
    size_t len = qtmi_summary(s, in, buf, n);
    json_decref(in);
    return len;
}

json_t *qtmi_summary_json(const qtm_surface *s, json_t *intake)
{
    char buf[QTM_SUMMARY_MAX + 1];
    qtmi_summary(s, intake, buf, sizeof buf);
    json_t *v = json_string(buf);  /* NULL only for bytes that are not UTF-8 */
    return v ? v : json_string("");
}
