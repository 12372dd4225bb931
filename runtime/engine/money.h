/*
 * money.h - money as integer minor units (cents, yen, fils) of an ISO 4217
 * currency.  Amounts are never floating point: text is parsed digit by
 * digit into an int64_t and formatted back exactly.  A parsed amount is
 * always between 0 and MONEY_MAX_MINOR inclusive, and so is the total of a
 * job's payment ledger (qtmi_money_add): sums of amounts never leave int64_t.
 */
#ifndef QTM_MONEY_H
#define QTM_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "qtm/qtm.h"

/* The most one payment, and one job's whole ledger, may carry. */
#define MONEY_MAX_MINOR INT64_C(1000000000000000) /* 10^15 minor units */
#define MONEY_TEXT_MAX 32                         /* qtmi_money_format's buffer size */

/*
 * qtmi_money_parse - parses the decimal text of an amount in `currency` into
 * minor units.  Accepted: one or more ASCII digits, optionally followed by
 * a point and one or more digits, with no more decimals than the currency
 * has ("150", "150.5", "150.50", "0.99" in USD; "1000" in JPY).  Leading
 * zeros are accepted ("007" is 7).  Zero is accepted: settlements may be
 * waived or recorded at no charge.  Refused, with QTM_EINVALID and a
 * message in msg (if msg is not NULL and msglen > 0): a NULL or unknown
 * currency ("unknown currency XYZ", checked first), an empty amount, a
 * negative one ("amount must not be negative"), any sign, space, exponent,
 * hex prefix, thousands separator or other character, a point without
 * digits on both sides (".5", "5.", "."), more decimals than the currency
 * allows ("10.001 has more decimals than USD allows (2)") even when they
 * are zeros, and more than MONEY_MAX_MINOR minor units ("amount too large").
 * On success returns QTM_OK and stores the amount in *minor; on failure
 * *minor is set to 0 (a NULL minor is refused).  Keeps no pointer.
 */
qtm_status qtmi_money_parse(const char *text, const char *currency, int64_t *minor, char *msg,
                       size_t msglen);

/*
 * qtmi_money_format - writes minor units of currency as decimal text into out:
 * "150.00", "0.99", "1000" (JPY), "1.250" (BHD); a negative amount (a
 * balance, never a parsed one) gets a leading '-'.  An unknown or NULL
 * currency is formatted with 2 decimals.  Cannot fail; out always holds a
 * NUL-terminated string (at most 22 bytes are used); a NULL out is ignored.
 */
void qtmi_money_format(int64_t minor, const char *currency, char out[MONEY_TEXT_MAX]);

/*
 * qtmi_money_add - adds amount to *total when both are in [0, MONEY_MAX_MINOR]
 * and so is the sum; returns 1.  Otherwise (a negative operand, a sum past
 * MONEY_MAX_MINOR, or one that would not fit in int64_t) returns 0 and
 * leaves *total as it was.  The only way money is summed in C.
 */
int qtmi_money_add(int64_t *total, int64_t amount);

/*
 * qtmi_money_method_valid - 1 if method is one of the payment methods the
 * ledger records: cash, zelle, venmo, card, wire, other (exact, lowercase);
 * 0 otherwise, including NULL.
 */
int qtmi_money_method_valid(const char *method);

/*
 * qtmi_money_currency_exponent - the number of decimals of the ISO 4217 code
 * (exact, uppercase): 2 for USD, 0 for JPY, 3 for BHD; -1 if the code is
 * NULL or not in the table.
 */
int qtmi_money_currency_exponent(const char *code);

#endif /* QTM_MONEY_H */
