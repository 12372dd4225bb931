/*
 * test_rt_money.c - money as integer minor units: what qtmi_money_parse accepts
 * and the exact message for each refusal, exponents per currency, the
 * 10^15 bound, formatting (including round trips), payment methods and
 * qtmi_money_add, the checked sum that holds a ledger's total to the same bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "money.h"

/* Parses text in currency, expecting success with `want` minor units. */
static void accepts(const char *text, const char *currency, int64_t want)
{
    int64_t got = -1;
    char msg[256] = "untouched";

    assert_int_equal(qtmi_money_parse(text, currency, &got, msg, sizeof msg), QTM_OK);
    assert_int_equal(got, want);
    assert_string_equal(msg, "");
}

/* Parses text in currency, expecting QTM_EINVALID with exactly `want`. */
static void refuses(const char *text, const char *currency, const char *want)
{
    int64_t got = 12345;
    char msg[256] = "";

    assert_int_equal(qtmi_money_parse(text, currency, &got, msg, sizeof msg), QTM_EINVALID);
    assert_int_equal(got, 0);
    assert_string_equal(msg, want);
}

#define NOT_AMOUNT(t) "\"" t "\" is not an amount: use digits with an optional decimal point, e.g. 150.50"

static void test_money_whole_amount(void **state)
{
    (void)state;
    accepts("150", "USD", 15000);
    accepts("1", "EUR", 100);
}

static void test_money_one_decimal_is_tens_of_cents(void **state)
{
    (void)state;
    accepts("150.5", "USD", 15050);
}

static void test_money_two_decimals(void **state)
{
    (void)state;
    accepts("150.50", "USD", 15050);
    accepts("0.99", "USD", 99);
    accepts("0.01", "GBP", 1);
}

static void test_money_zero_allowed_for_waivers(void **state)
{
    (void)state;
    accepts("0", "USD", 0);
    accepts("0.00", "USD", 0);
    accepts("0", "JPY", 0);
}

static void test_money_leading_zeros_accepted(void **state)
{
    (void)state;
    accepts("007", "USD", 700);
    accepts("00.50", "USD", 50);
}

static void test_money_zero_exponent_currencies(void **state)
{
    (void)state;
    accepts("1000", "JPY", 1000);
    accepts("50000", "KRW", 50000);
    refuses("10.5", "JPY", "10.5 has more decimals than JPY allows (0)");
    refuses("10.0", "KRW", "10.0 has more decimals than KRW allows (0)");
}

static void test_money_three_decimal_currencies(void **state)
{
    (void)state;
    accepts("1.250", "BHD", 1250);
    accepts("1.25", "KWD", 1250);
    accepts("0.005", "KWD", 5);
    refuses("1.2345", "BHD", "1.2345 has more decimals than BHD allows (3)");
}

static void test_money_too_many_decimals(void **state)
{
    (void)state;
    refuses("10.001", "USD", "10.001 has more decimals than USD allows (2)");
}

static void test_money_trailing_zero_decimals_still_refused(void **state)
{
    (void)state;
    refuses("10.000", "USD", "10.000 has more decimals than USD allows (2)");
}

static void test_money_empty_refused(void **state)
{
    (void)state;
    refuses("", "USD", "amount is empty");
    refuses(NULL, "USD", "amount is empty");
}

static void test_money_negative_refused(void **state)
{
    (void)state;
    refuses("-5", "USD", "amount must not be negative");
    refuses("-0", "USD", "amount must not be negative");
    refuses("-0.01", "EUR", "amount must not be negative");
}

static void test_money_plus_sign_refused(void **state)
{
    (void)state;
    refuses("+5", "USD", NOT_AMOUNT("+5"));
}

static void test_money_letters_refused(void **state)
{
    (void)state;
    refuses("abc", "USD", NOT_AMOUNT("abc"));
    refuses("12abc", "USD", NOT_AMOUNT("12abc"));
    refuses("NaN", "USD", NOT_AMOUNT("NaN"));
}

static void test_money_exponent_and_hex_refused(void **state)
{
    (void)state;
    refuses("1e3", "USD", NOT_AMOUNT("1e3"));
    refuses("0x10", "USD", NOT_AMOUNT("0x10"));
}

static void test_money_spaces_refused(void **state)
{
    (void)state;
    refuses(" 5", "USD", NOT_AMOUNT(" 5"));
    refuses("5 ", "USD", NOT_AMOUNT("5 "));
    refuses("1 000", "USD", NOT_AMOUNT("1 000"));
}

static void test_money_separators_refused(void **state)
{
    (void)state;
    refuses("1,000", "USD", NOT_AMOUNT("1,000"));
    refuses("1,50", "EUR", NOT_AMOUNT("1,50"));
    refuses("1.000.00", "USD", NOT_AMOUNT("1.000.00"));
    refuses("$5", "USD", NOT_AMOUNT("$5"));
}

static void test_money_point_needs_digits_on_both_sides(void **state)
{
    (void)state;
    refuses(".", "USD", NOT_AMOUNT("."));
    refuses("5.", "USD", NOT_AMOUNT("5."));
    refuses(".5", "USD", NOT_AMOUNT(".5"));
}

static void test_money_upper_bound_inclusive(void **state)
{
    (void)state;
    accepts("10000000000000.00", "USD", MONEY_MAX_MINOR);
    accepts("1000000000000000", "JPY", MONEY_MAX_MINOR);
    accepts("1000000000000.000", "BHD", MONEY_MAX_MINOR);
}

static void test_money_too_large(void **state)
{
    (void)state;
    refuses("10000000000000.01", "USD", "amount too large");
    refuses("1000000000000001", "JPY", "amount too large");
    /* would wrap a 64-bit integer several times over */
    refuses("99999999999999999999999999999999999999", "USD", "amount too large");
}

static void test_money_unknown_currency(void **state)
{
    (void)state;
    refuses("5", "XYZ", "unknown currency XYZ");
    refuses("5", "usd", "unknown currency usd");
    refuses("5", "", "unknown currency ");
    refuses("5", NULL, "no currency given");
}

static void test_money_currency_checked_before_amount(void **state)
{
    (void)state;
    refuses("abc", "XYZ", "unknown currency XYZ");
}

static void test_money_messages_quote_user_text_safely(void **state)
{
    (void)state;
    refuses("5\n\x1b[31m", "USD", NOT_AMOUNT("5??[31m"));
    refuses("a\"b\\c", "USD", NOT_AMOUNT("a\\\"b\\\\c"));
    refuses("12345678901234567890123456789012345678901234567890x", "USD",
            NOT_AMOUNT("1234567890123456789012345678901234567890..."));
    refuses("5", "X\tY\x7f", "unknown currency X?Y?");
}

static void test_money_message_optional_and_truncated(void **state)
{
    int64_t v = 0;
    char small[8];

    (void)state;
    assert_int_equal(qtmi_money_parse("-1", "USD", &v, NULL, 0), QTM_EINVALID);
    assert_int_equal(qtmi_money_parse("-1", "USD", &v, small, sizeof small), QTM_EINVALID);
    assert_string_equal(small, "amount ");
    assert_int_equal(qtmi_money_parse("1", "USD", NULL, small, sizeof small), QTM_EINVALID);
}

static void test_money_currency_exponent_table(void **state)
{
    static const struct {
        const char *code;
        int exponent;
    } want[] = {{"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CAD", 2}, {"AUD", 2}, {"MXN", 2},
                {"CHF", 2}, {"JPY", 0}, {"KRW", 0}, {"BHD", 3}, {"KWD", 3}};

    (void)state;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(qtmi_money_currency_exponent(want[i].code), want[i].exponent);
    assert_int_equal(qtmi_money_currency_exponent("XYZ"), -1);
    assert_int_equal(qtmi_money_currency_exponent("usd"), -1);
    assert_int_equal(qtmi_money_currency_exponent("USDX"), -1);
    assert_int_equal(qtmi_money_currency_exponent(""), -1);
    assert_int_equal(qtmi_money_currency_exponent(NULL), -1);
}

static void test_money_format_by_exponent(void **state)
{
    char out[MONEY_TEXT_MAX];

    (void)state;
    qtmi_money_format(15000, "USD", out);
    assert_string_equal(out, "150.00");
    qtmi_money_format(99, "USD", out);
    assert_string_equal(out, "0.99");
    qtmi_money_format(5, "EUR", out);
    assert_string_equal(out, "0.05");
    qtmi_money_format(0, "USD", out);
    assert_string_equal(out, "0.00");
    qtmi_money_format(1000, "JPY", out);
    assert_string_equal(out, "1000");
    qtmi_money_format(0, "JPY", out);
    assert_string_equal(out, "0");
    qtmi_money_format(1250, "BHD", out);
    assert_string_equal(out, "1.250");
    qtmi_money_format(7, "KWD", out);
    assert_string_equal(out, "0.007");
}

static void test_money_format_negative_and_extremes(void **state)
{
    char out[MONEY_TEXT_MAX];

    (void)state;
    qtmi_money_format(-2550, "USD", out);
    assert_string_equal(out, "-25.50");
    qtmi_money_format(-5, "USD", out);
    assert_string_equal(out, "-0.05");
    qtmi_money_format(INT64_MAX, "USD", out);
    assert_string_equal(out, "92233720368547758.07");
    qtmi_money_format(INT64_MIN, "USD", out);
    assert_string_equal(out, "-92233720368547758.08");
    qtmi_money_format(MONEY_MAX_MINOR, "USD", out);
    assert_string_equal(out, "10000000000000.00");
}

static void test_money_format_unknown_currency_uses_two_decimals(void **state)
{
    char out[MONEY_TEXT_MAX];

    (void)state;
    qtmi_money_format(12345, "XYZ", out);
    assert_string_equal(out, "123.45");
    qtmi_money_format(12345, NULL, out);
    assert_string_equal(out, "123.45");
    qtmi_money_format(1, NULL, NULL); /* ignored, no crash */
}

static void test_money_round_trip(void **state)
{
    static const struct {
        const char *text, *currency, *formatted;
    } cases[] = {
        {"150", "USD", "150.00"},  {"150.5", "USD", "150.50"}, {"0.99", "CAD", "0.99"},
        {"007", "AUD", "7.00"},    {"1000", "JPY", "1000"},    {"1.2", "KWD", "1.200"},
        {"0", "MXN", "0.00"},      {"12.34", "CHF", "12.34"},
    };
    int64_t v = 0;
    char out[MONEY_TEXT_MAX], again[MONEY_TEXT_MAX];
    int64_t w = 0;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(qtmi_money_parse(cases[i].text, cases[i].currency, &v, NULL, 0), QTM_OK);
        qtmi_money_format(v, cases[i].currency, out);
        assert_string_equal(out, cases[i].formatted);
        /* the formatted text parses back to the same amount */
        assert_int_equal(qtmi_money_parse(out, cases[i].currency, &w, NULL, 0), QTM_OK);
        assert_int_equal(w, v);
        qtmi_money_format(w, cases[i].currency, again);
        assert_string_equal(again, out);
    }
}

static void test_money_add_up_to_the_limit(void **state)
{
    int64_t t = 0;

    (void)state;
    assert_int_equal(qtmi_money_add(&t, MONEY_MAX_MINOR - 1), 1);
    assert_int_equal(qtmi_money_add(&t, 1), 1);      /* exactly the limit */
    assert_int_equal(t, MONEY_MAX_MINOR);
    assert_int_equal(qtmi_money_add(&t, 0), 1);
    assert_int_equal(qtmi_money_add(&t, 1), 0);      /* one more: refused, t kept */
    assert_int_equal(t, MONEY_MAX_MINOR);
    /* many payments near the limit: 1000 of 10^12 fill it, the next does not fit */
    t = 0;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(qtmi_money_add(&t, MONEY_MAX_MINOR / 1000), 1);
    assert_int_equal(t, MONEY_MAX_MINOR);
    assert_int_equal(qtmi_money_add(&t, MONEY_MAX_MINOR / 1000), 0);
    assert_int_equal(t, MONEY_MAX_MINOR);
}

static void test_money_add_never_wraps(void **state)
{
    int64_t t = 5;

    (void)state;
    /* operands a tampered ledger could hold: refused, never wrapped */
    assert_int_equal(qtmi_money_add(&t, INT64_MAX), 0);
    assert_int_equal(qtmi_money_add(&t, INT64_MAX - 4), 0);
    assert_int_equal(qtmi_money_add(&t, -1), 0);
    assert_int_equal(qtmi_money_add(&t, INT64_MIN), 0);
    assert_int_equal(t, 5);
    t = INT64_MAX;
    assert_int_equal(qtmi_money_add(&t, 1), 0);
    assert_int_equal(t, INT64_MAX);
    t = -1;
    assert_int_equal(qtmi_money_add(&t, 1), 0);
    assert_int_equal(qtmi_money_add(NULL, 1), 0);
}

static void test_money_methods(void **state)
{
    static const char *const good[] = {"cash", "zelle", "venmo", "card", "wire", "other"};
    static const char *const bad[] = {"Cash", "CARD", "paypal", "", "cash ", "check", "bitcoin"};

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(qtmi_money_method_valid(good[i]), 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(qtmi_money_method_valid(bad[i]), 0);
    assert_int_equal(qtmi_money_method_valid(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_whole_amount),
        cmocka_unit_test(test_money_one_decimal_is_tens_of_cents),
        cmocka_unit_test(test_money_two_decimals),
        cmocka_unit_test(test_money_zero_allowed_for_waivers),
        cmocka_unit_test(test_money_leading_zeros_accepted),
        cmocka_unit_test(test_money_zero_exponent_currencies),
        cmocka_unit_test(test_money_three_decimal_currencies),
        cmocka_unit_test(test_money_too_many_decimals),
        cmocka_unit_test(test_money_trailing_zero_decimals_still_refused),
        cmocka_unit_test(test_money_empty_refused),
        cmocka_unit_test(test_money_negative_refused),
        cmocka_unit_test(test_money_plus_sign_refused),
        cmocka_unit_test(test_money_letters_refused),
        cmocka_unit_test(test_money_exponent_and_hex_refused),
        cmocka_unit_test(test_money_spaces_refused),
        cmocka_unit_test(test_money_separators_refused),
        cmocka_unit_test(test_money_point_needs_digits_on_both_sides),
        cmocka_unit_test(test_money_upper_bound_inclusive),
        cmocka_unit_test(test_money_too_large),
        cmocka_unit_test(test_money_unknown_currency),
        cmocka_unit_test(test_money_currency_checked_before_amount),
        cmocka_unit_test(test_money_messages_quote_user_text_safely),
        cmocka_unit_test(test_money_message_optional_and_truncated),
        cmocka_unit_test(test_money_currency_exponent_table),
        cmocka_unit_test(test_money_format_by_exponent),
        cmocka_unit_test(test_money_format_negative_and_extremes),
        cmocka_unit_test(test_money_format_unknown_currency_uses_two_decimals),
        cmocka_unit_test(test_money_round_trip),
        cmocka_unit_test(test_money_methods),
        cmocka_unit_test(test_money_add_up_to_the_limit),
        cmocka_unit_test(test_money_add_never_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
