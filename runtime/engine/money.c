/*
 * money.c - parsing and formatting of amounts as integer minor units.
 * Invariants: no floating point anywhere; a parsed amount is in
 * [0, MONEY_MAX_MINOR] and its text had no more decimals than the currency
 * allows, so qtmi_money_format(qtmi_money_parse(t)) is t with its decimals padded;
 * user text reaches a message only truncated and with controls replaced.
 */
#include "money.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_MAX 40               /* bytes of user text quoted in a message */
#define QUOTE_BUF (2 * QUOTE_MAX + 8)

/* ISO 4217 codes and their minor-unit exponents, sorted by code. */
static const struct currency {
    char code[4];                  /* ISO 4217 alphabetic code */
    int exponent;                  /* decimals of the minor unit */
} currencies[] = {
    {"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CZK", 2}, {"DKK", 2}, {"EUR", 2}, {"GBP", 2},
    {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"ISK", 0},
    {"JOD", 3}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3}, {"MXN", 2}, {"MYR", 2},
    {"NOK", 2}, {"NZD", 2}, {"OMR", 3}, {"PEN", 2}, {"PHP", 2}, {"PLN", 2}, {"PYG", 0},
    {"QAR", 2}, {"RON", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3},
    {"TRY", 2}, {"TWD", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"VND", 0}, {"XAF", 0},
    {"XOF", 0}, {"ZAR", 2},
};


#ifdef __GNUC__
static qtm_status refuse(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif

/* Formats "money: ..." into msg (if any); returns QTM_EINVALID. */
static qtm_status refuse(char *msg, size_t msglen, const char *fmt, ...)
{
    va_list ap;

    if (msg && msglen > 0) {
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return QTM_EINVALID;
}

/*
 * clean - copies at most QUOTE_MAX bytes of s into out, bytes outside
 * printable ASCII replaced by '?', '"' and '\\' escaped when `escape`, and
 * "..." appended if s was longer.  Cannot fail.
 */
static void clean(char out[QUOTE_BUF], const char *s, int escape)
{
    size_t i, o = 0;

    for (i = 0; s[i] && i < QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e) {
            out[o++] = '?';
        } else {
            if (escape && (c == '"' || c == '\\'))
                out[o++] = '\\';
            out[o++] = (char)c;
        }
    }
    if (s[i]) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int qtmi_money_currency_exponent(const char *code)
{
    if (!code)
        return -1;
    for (size_t i = 0; i < countof(currencies); i++)
        if (strcmp(currencies[i].code, code) == 0)
            return currencies[i].exponent;
    return -1;
}

int qtmi_money_method_valid(const char *method)
{
    /* the ledger's methods: qtm_vocab.h (DESIGN.md's list) */
    return qtm_vocab_find(qtm_pay_method_names, QTM_METHOD_UNKNOWN, method) != QTM_METHOD_UNKNOWN;
}

qtm_status qtmi_money_parse(const char *text, const char *currency, int64_t *minor, char *msg,
                       size_t msglen)
{
    const char *p, *point = NULL;
    size_t whole = 0, decimals = 0;
    int exponent;
    uint64_t v = 0;
    char q[QUOTE_BUF];

    if (minor)
        *minor = 0;
    if (msg && msglen > 0)
        msg[0] = '\0';
    if (!minor)
        return refuse(msg, msglen, "no place to store the amount");
    exponent = qtmi_money_currency_exponent(currency);
    if (exponent < 0) {
        if (!currency)
            return refuse(msg, msglen, "no currency given");
        clean(q, currency, 0);
        return refuse(msg, msglen, "unknown currency %s", q);
    }
    if (!text || !*text)
        return refuse(msg, msglen, "amount is empty");
    if (text[0] == '-')
        return refuse(msg, msglen, "amount must not be negative");

    /* digits+ ( '.' digits+ )? and nothing else */
    for (p = text; is_digit(*p); p++)
        whole++;
    if (*p == '.') {
        point = p;
        for (p++; is_digit(*p); p++)
            decimals++;
    }
    if (*p || whole == 0 || (point && decimals == 0)) {
        clean(q, text, 1);
        return refuse(msg, msglen,
                      "\"%s\" is not an amount: use digits with an optional decimal point, "
                      "e.g. 150.50",
                      q);
    }
    if (decimals > (size_t)exponent) {
        clean(q, text, 0);
        return refuse(msg, msglen, "%s has more decimals than %s allows (%d)", q, currency,
                      exponent);
    }

    /* v stays <= 10^15 before each step, so v * 10 + 9 cannot wrap */
    for (p = text; p < text + whole; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > (uint64_t)MONEY_MAX_MINOR)
            return refuse(msg, msglen, "amount too large");
    }
    for (int i = 0; i < exponent; i++) {
        v = v * 10 + ((size_t)i < decimals ? (uint64_t)(point[1 + i] - '0') : 0);
        if (v > (uint64_t)MONEY_MAX_MINOR)
            return refuse(msg, msglen, "amount too large");
    }
    *minor = (int64_t)v;
    return QTM_OK;
}

int qtmi_money_add(int64_t *total, int64_t amount)
{
    int64_t sum;

    /* amount is not bounded first: a row written outside qtm may hold
     * anything, and the sum must still not wrap */
    if (!total || *total < 0 || *total > MONEY_MAX_MINOR || amount < 0 ||
        __builtin_add_overflow(*total, amount, &sum) || sum > MONEY_MAX_MINOR)
        return 0;
    *total = sum;
    return 1;
}

void qtmi_money_format(int64_t minor, const char *currency, char out[MONEY_TEXT_MAX])
{
    int exponent = qtmi_money_currency_exponent(currency);
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    char rev[MONEY_TEXT_MAX];      /* digits, least significant first */
    int n = 0, o = 0;

    if (!out)
        return;
    if (exponent < 0)
        exponent = 2;
    /* at least exponent + 1 digits, so "0.05" keeps its leading zero */
    do {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0 || n <= exponent);
    if (minor < 0)
        out[o++] = '-';
    while (n > 0) {
        out[o++] = rev[--n];
        if (n == exponent && n > 0)
            out[o++] = '.';
    }
    out[o] = '\0';
}
