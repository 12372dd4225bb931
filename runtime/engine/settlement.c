/*
 * settlement.c - economic state, kept apart from execution.
 *
 * A job's settlement is an amount due (optional), an append-only ledger of
 * payments in integer minor units, and a status derived from them:
 * waived if waived, else paid when the ledger covers what is due (or, with
 * nothing due, when anything was paid), partial when some is paid, else
 * unpaid.  Nothing here reads or writes a job's state, its ServiceEvent or
 * its record: paying never completes anything, completing never pays.
 * A ledger never totals more than MONEY_MAX_MINOR: a payment that would
 * pass it is refused before anything is written, and the total is read
 * back inside the paying transaction, so a payment commits only when its
 * settlement reads back as recorded.  A correcting entry (schema v5) is a
 * payment row of its own, minus the amount of the one payment it reverses
 * (of the same job, never itself a reversal, at most once), with a reason:
 * nothing in the ledger is ever edited.  Paid beyond what is due shows as
 * "overpaid" beside the status, which stays paid.
 */
#include "qtm_int.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

typedef struct settlement {
    int exists;
    char currency[8];
    int has_due;
    int64_t due;
    char status[16];
    int64_t paid;
    int summed;                    /* 0: the ledger totals past MONEY_MAX_MINOR (paid is 0) */
    int64_t count;                 /* payments in the ledger */
} settlement;

static int settle_row(void *arg, const store_val *c, int n)
{
    settlement *s = arg;
    (void)n;
    int bad = 0;
    s->exists = 1;
    bad |= qtmi_col_text(s->currency, sizeof s->currency, &c[0]);
    s->has_due = c[1].type == SV_INT;
    s->due = s->has_due ? c[1].i : 0;
    bad |= qtmi_col_text(s->status, sizeof s->status, &c[2]);
    /* NULL: the store could not sum it in 64 bits */
    s->summed = c[3].type == SV_INT && c[3].i >= 0 && c[3].i <= MONEY_MAX_MINOR;
    s->paid = s->summed ? c[3].i : 0;
    s->count = n > 4 && c[4].type == SV_INT ? c[4].i : 0;
    return bad ? -1 : 1;
}

static store_rc settlement_load(qtm *q, int64_t job_id, settlement *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->currency, sizeof s->currency, "USD");
    snprintf(s->status, sizeof s->status, "unpaid");
    s->summed = 1;
    store_val arg = SV_I(job_id);
    return store_run(q->st, SQ_SETTLE_GET, &arg, 1, settle_row, s);
}

const char *qtmi_settlement_status(int has_due, int64_t due, int64_t paid, int waived)
{
    if (waived)
        return "waived";
    if (has_due)
        return paid >= due ? (due > 0 || paid > 0 ? "paid" : "unpaid")
               : paid > 0  ? "partial"
                           : "unpaid";
    return paid > 0 ? "paid" : "unpaid";
}

static const char *const payment_keys[] = {"id", "amount_minor", "currency", "method", "note",
                                           "actor", "at", "reverses", "reason", "reversed_by",
                                           NULL};

/* Adds each payment's amount as decimal text beside its minor units. */
static void payments_format(json_t *p)
{
    char buf[MONEY_TEXT_MAX];
    size_t i;
    json_t *row;
    json_array_foreach(p, i, row) {
        json_int_t minor = json_integer_value(json_object_get(row, "amount_minor"));
        qtmi_money_format(minor, json_string_value(json_object_get(row, "currency")), buf);
        json_object_set_new(row, "amount", json_string(buf));
    }
}

/* The settlement as JSON (always an object; "unpaid" when nothing is
 * recorded), with a bounded summary of the ledger: its count and last
 * QTM_RECENT_PAYMENTS rows, whatever its length. */
json_t *qtmi_settlement_json(qtm *q, int64_t job_id)
{
    settlement s;
    store_rc rc = settlement_load(q, job_id, &s);
    if (rc != STORE_OK) {
        qtm_store_fail(q, rc, "reading the settlement");
        return NULL;
    }
    char buf[MONEY_TEXT_MAX];
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(s.status));
    json_object_set_new(o, "currency", json_string(s.currency));
    if (s.has_due) {
        qtmi_money_format(s.due, s.currency, buf);
        json_object_set_new(o, "due", json_string(buf));
        json_object_set_new(o, "due_minor", json_integer(s.due));
    } else {
        json_object_set_new(o, "due", json_null());
        json_object_set_new(o, "due_minor", json_null());
    }
    if (s.summed) {
        qtmi_money_format(s.paid, s.currency, buf);
        json_object_set_new(o, "paid", json_string(buf));
        json_object_set_new(o, "paid_minor", json_integer(s.paid));
    } else {                       /* a tampered ledger: shown, never summed */
        json_object_set_new(o, "paid", json_null());
        json_object_set_new(o, "paid_minor", json_null());
    }
    if (s.summed && s.has_due && s.paid > s.due) {
        qtmi_money_format(s.paid - s.due, s.currency, buf);
        json_object_set_new(o, "overpaid", json_string(buf));
        json_object_set_new(o, "overpaid_minor", json_integer(s.paid - s.due));
    } else {
        json_object_set_new(o, "overpaid", json_null());
        json_object_set_new(o, "overpaid_minor", json_null());
    }
    json_object_set_new(o, "payment_count", json_integer(s.count));
    store_val args[2] = {SV_I(job_id), SV_I(QTM_RECENT_PAYMENTS)};
    json_t *p = qtmi_list_rows(q, SQ_PAYMENT_RECENT, args, 2, payment_keys, &rc);
    if (!p) {                      /* never a summary without its ledger */
        json_decref(o);
        return NULL;
    }
    payments_format(p);
    json_object_set_new(o, "payments", p);
    return o;
}

/*
 * Parses the call's amount and due in currency into *amount and *due, and
 * holds them to the ledger's rules: no zero payment or due (no charge is
 * a waiver), no summing a ledger past the limit, no payment taking the
 * total past MONEY_MAX_MINOR.  Writes nothing.
 */
static qtm_status settle_amounts(qtm *q, const qtm_payment *p, const char *currency,
                                 const settlement *s, int64_t job_id, int64_t *amount,
                                 int64_t *due)
{
    char msg[256], limit[MONEY_TEXT_MAX], room[MONEY_TEXT_MAX];
    qtm_status st;
    int64_t total = s->paid;
    if (p->amount && (st = qtmi_money_parse(p->amount, currency, amount, msg, sizeof msg)) != QTM_OK)
        return qtm_fail(q, st, "%s", msg);
    if (p->due && (st = qtmi_money_parse(p->due, currency, due, msg, sizeof msg)) != QTM_OK)
        return qtm_fail(q, st, "%s", msg);
    if (p->amount && *amount == 0)
        return qtm_fail(q, QTM_EINVALID, "a payment must be more than 0 (for no charge, set "
                        "the status to waived)");
    if (p->due && *due == 0)
        return qtm_fail(q, QTM_EINVALID, "a due of 0 is no charge: set the status to waived");
    qtmi_money_format(MONEY_MAX_MINOR, currency, limit);
    if (!s->summed)
        return qtm_fail(q, QTM_ESTORAGE, "job %lld's payment ledger totals more than %s %s, "
                        "past the limit: run qtm verify", (long long)job_id, limit,
                        currency);
    if (p->amount && !qtmi_money_add(&total, *amount)) {
        qtmi_money_format(MONEY_MAX_MINOR - s->paid, currency, room);
        return qtm_fail(q, QTM_EINVALID, "job %lld's payments would total more than %s %s, the "
                        "most one job may carry (at most %s more)", (long long)job_id, limit,
                        currency, room);
    }
    return QTM_OK;
}

/* The settlement as this transaction wrote it must read back with the
 * total paid in C; otherwise the call rolls back (nothing is recorded). */
static qtm_status settle_read_back(qtm *q, int64_t job_id, int64_t paid)
{
    settlement s;
    store_rc rc = settlement_load(q, job_id, &s);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading the settlement back");
    if (!s.exists || !s.summed || s.paid != paid)
        return qtm_fail(q, QTM_ESTORAGE, "job %lld's payment ledger does not add up (written "
                        "outside qtm?); nothing was recorded: run qtm verify", (long long)job_id);
    return QTM_OK;
}

qtm_status qtm_settle(qtm *q, const char *actor_slug, int64_t job_id, const qtm_payment *p)
{
    if (!p->amount && !p->due && !p->waive)
        return qtm_fail(q, QTM_EUSAGE, "settle needs an amount, a due or the status waived");
    if (p->amount && (!p->method || !qtmi_money_method_valid(p->method)))
        return qtm_fail(q, QTM_EINVALID, "unknown payment method '%s' (cash, zelle, venmo, card, "
                        "wire, other)", p->method ? p->method : "");
    if (p->note && strlen(p->note) > 500)
        return qtm_fail(q, QTM_EINVALID, "the payment note is longer than 500 bytes");
    if (qtmi_text_check(q, "payment note", p->note) != QTM_OK)
        return QTM_EINVALID;
    actor a;
    job j;
    service_event se;
    settlement s;
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, &a, 1, "record payments")) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, &j)) != QTM_OK || (st = qtmi_se_load(q, job_id, &se)) != QTM_OK)
        goto done;
    if (a.role != QTM_ROLE_ADMIN && j.owner_id != a.id) {
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s cannot record payments for job %lld; only its "
                      "owner%s%s or an admin can", a.slug, (long long)job_id,
                      j.owner[0] ? " " : "", j.owner);
        goto done;
    }
    if (j.s->payment_timing == QTM_PAY_AFTER_COMPLETE && !se.complete) {
        st = qtm_fail(q, QTM_EREFUSED, "surface %s records payment after completion; job %lld's "
                      "ServiceEvent is not complete", j.s->slug, (long long)job_id);
        goto done;
    }
    store_rc rc = settlement_load(q, job_id, &s);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "reading the settlement");
        goto done;
    }
    const char *currency = p->currency ? p->currency : s.currency;
    if (qtmi_money_currency_exponent(currency) < 0) {
        st = qtm_fail(q, QTM_EINVALID, "unknown currency %s", currency);
        goto done;
    }
    if (s.exists && strcmp(currency, s.currency) != 0) {
        st = qtm_fail(q, QTM_EINVALID, "job %lld is settled in %s, not %s", (long long)job_id,
                      s.currency, currency);
        goto done;
    }
    int64_t amount = 0, due = 0;
    if ((st = settle_amounts(q, p, currency, &s, job_id, &amount, &due)) != QTM_OK)
        goto done;
    if (p->amount) {
        store_val args[7] = {SV_I(job_id), SV_I(amount), SV_S(currency), SV_S(p->method),
                             SV_S(p->note), SV_I(a.id), SV_S(q->now)};
        if ((rc = store_run(q->st, SQ_PAYMENT_INSERT, args, 7, NULL, NULL)) != STORE_OK) {
            st = qtm_store_fail(q, rc, "recording the payment");
            goto done;
        }
        qtmi_money_add(&s.paid, amount);  /* cannot fail: settle_amounts checked it */
    }
    if (p->due) {
        s.has_due = 1;
        s.due = due;
    }
    char old[16];
    snprintf(old, sizeof old, "%s", s.exists ? s.status : "unpaid");
    const char *status = qtmi_settlement_status(s.has_due, s.due, s.paid,
                                           p->waive || strcmp(s.status, "waived") == 0);
    store_val up[5] = {SV_I(job_id), SV_S(currency), s.has_due ? SV_I(s.due) : SV_N,
                       SV_S(status), SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_SETTLE_UPSERT, up, 5, NULL, NULL)) != STORE_OK) {
        st = qtm_store_fail(q, rc, "updating the settlement");
        goto done;
    }
    st = qtmi_audit_append(q, a.slug, "settlement", job_id,
                      p->amount ? "payment" : p->waive ? "waive" : "due", old, status, job_id);
    if (st == QTM_OK)
        st = settle_read_back(q, job_id, s.paid);
done:
    return qtmi_tx_end(q, st);
}

qtm_status qtmi_settlement_view(qtm *q, int64_t job_id, json_t **out)
{
    job j;
    qtm_status st;
    if ((st = qtmi_job_load(q, job_id, &j)) != QTM_OK)
        return st;
    *out = qtmi_settlement_json(q, job_id);
    return *out ? QTM_OK : q->err;
}

qtm_status qtm_settlement_show(qtm *q, int64_t job_id, json_t **out)
{
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    return qtmi_view_end(q, qtmi_settlement_view(q, job_id, out), out);
}

qtm_status qtmi_settlement_payments_view(qtm *q, int64_t job_id, const qtm_page *pg, json_t **out,
                                    int64_t *next_after)
{
    job j;
    qtm_status st;
    *out = NULL;
    *next_after = 0;
    if ((st = qtmi_job_load(q, job_id, &j)) != QTM_OK)
        return st;
    store_val arg = SV_I(job_id);
    st = qtmi_page_rows(q, SQ_PAYMENT_LIST, &arg, 1, payment_keys, "reading the ledger", pg, out,
                   next_after);
    payments_format(*out);
    return st;
}

qtm_status qtm_settlement_payments(qtm *q, int64_t job_id, const qtm_page *pg, json_t **out,
                                   int64_t *next_after)
{
    *out = NULL;
    *next_after = 0;
    unsigned limit;
    qtm_status st = qtmi_page_limit(q, pg, &limit);  /* a bad page opens no transaction */
    if (st != QTM_OK || (st = qtmi_tx_begin(q, 0)) != QTM_OK)
        return st;
    return qtmi_view_end(q, qtmi_settlement_payments_view(q, job_id, pg, out, next_after), out);
}

/* --- correcting entries (schema v5) --------------------------------------- */

typedef struct payment_row {
    int64_t id, job, amount;
    char currency[8], method[16];
    int64_t reversal_of, reversed_by;  /* 0: none */
} payment_row;

static int payment_by_id_row(void *arg, const store_val *c, int n)
{
    payment_row *p = arg;
    (void)n;
    p->id = c[0].i;
    p->job = c[1].i;
    p->amount = c[2].type == SV_INT ? c[2].i : 0;
    int bad = qtmi_col_text(p->currency, sizeof p->currency, &c[3]) |
              qtmi_col_text(p->method, sizeof p->method, &c[4]);
    p->reversal_of = c[5].type == SV_INT ? c[5].i : 0;
    p->reversed_by = c[6].type == SV_INT ? c[6].i : 0;
    return bad ? -1 : 1;
}

/* The rules of a reversal of payment pay_id on job j, in the caller's
 * transaction: *p is the payment to reverse, or the refusal. */
static qtm_status reversal_target(qtm *q, const job *j, int64_t pay_id, payment_row *p)
{
    memset(p, 0, sizeof *p);
    store_val arg = SV_I(pay_id);
    store_rc rc = store_run(q->st, SQ_PAYMENT_BY_ID, &arg, 1, payment_by_id_row, p);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading the payment");
    if (!p->id)
        return qtm_fail(q, QTM_ENOTFOUND, "no payment %lld", (long long)pay_id);
    if (p->job != j->id)
        return qtm_fail(q, QTM_EREFUSED, "payment %lld belongs to job %lld, not job %lld",
                        (long long)pay_id, (long long)p->job, (long long)j->id);
    if (p->reversal_of)
        return qtm_fail(q, QTM_EREFUSED, "payment %lld is itself the reversal of payment %lld: "
                        "record a new payment instead", (long long)pay_id,
                        (long long)p->reversal_of);
    if (p->reversed_by)
        return qtm_fail(q, QTM_EREFUSED, "payment %lld was already reversed by payment %lld",
                        (long long)pay_id, (long long)p->reversed_by);
    if (p->amount <= 0)
        return qtm_fail(q, QTM_EREFUSED, "payment %lld has no amount to reverse",
                        (long long)pay_id);
    return QTM_OK;
}

/* Writes the reversal of p on job_id and the settlement it leaves. */
static qtm_status reversal_write(qtm *q, const actor *a, int64_t job_id, const payment_row *p,
                                 const char *reason)
{
    settlement s;
    store_rc rc = settlement_load(q, job_id, &s);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading the settlement");
    if (!s.summed)
        return qtm_fail(q, QTM_ESTORAGE, "job %lld's payment ledger does not add up: run qtm "
                        "verify", (long long)job_id);
    store_val args[8] = {SV_I(job_id), SV_I(-p->amount), SV_S(p->currency), SV_S(p->method),
                         SV_I(a->id), SV_S(q->now), SV_I(p->id), SV_S(reason)};
    if ((rc = store_run(q->st, SQ_PAYMENT_REVERSE, args, 8, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "recording the reversal");
    s.paid -= p->amount;           /* cannot go below 0: p is in the total */
    char old[16];
    snprintf(old, sizeof old, "%s", s.exists ? s.status : "unpaid");
    const char *status = qtmi_settlement_status(s.has_due, s.due, s.paid,
                                                strcmp(s.status, "waived") == 0);
    store_val up[5] = {SV_I(job_id), SV_S(s.currency), s.has_due ? SV_I(s.due) : SV_N,
                       SV_S(status), SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_SETTLE_UPSERT, up, 5, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "updating the settlement");
    qtm_status st = qtmi_audit_append(q, a->slug, "settlement", job_id, "reverse", old, status,
                                      job_id);
    return st == QTM_OK ? settle_read_back(q, job_id, s.paid) : st;
}

qtm_status qtm_settle_reverse(qtm *q, const char *actor_slug, int64_t job_id, int64_t payment,
                              const char *reason)
{
    if (!reason || !*reason)
        return qtm_fail(q, QTM_EINVALID, "a reversal needs a reason");
    if (strlen(reason) > 500)
        return qtm_fail(q, QTM_EINVALID, "the reversal reason is longer than 500 bytes");
    if (qtmi_text_check(q, "reversal reason", reason) != QTM_OK)
        return QTM_EINVALID;
    if (payment <= 0)
        return qtm_fail(q, QTM_EUSAGE, "a reversal names the payment id it reverses");
    actor a;
    job j;
    payment_row p;
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_actor_may_act(q, actor_slug, &a, 1, "record payments")) != QTM_OK ||
        (st = qtmi_job_load(q, job_id, &j)) != QTM_OK)
        goto done;
    if (a.role != QTM_ROLE_ADMIN && j.owner_id != a.id) {
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s cannot correct payments of job %lld; only its "
                      "owner%s%s or an admin can", a.slug, (long long)job_id,
                      j.owner[0] ? " " : "", j.owner);
        goto done;
    }
    if ((st = reversal_target(q, &j, payment, &p)) == QTM_OK)
        st = reversal_write(q, &a, job_id, &p, reason);
done:
    return qtmi_tx_end(q, st);
}

/* --- the settlement list --------------------------------------------------- */

static const char *const settlement_list_keys[] = {"id", "surface", "status", "currency",
                                                   "due_minor", "paid_minor", "payment_count",
                                                   "updated_at", NULL};

/* due, paid and overpaid as decimal text beside their minor units. */
static void settlement_rows_format(json_t *rows)
{
    char buf[MONEY_TEXT_MAX];
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o) {
        const char *cur = json_string_value(json_object_get(o, "currency"));
        json_t *due = json_object_get(o, "due_minor"), *paid = json_object_get(o, "paid_minor");
        json_object_set_new(o, "job", json_integer(json_integer_value(json_object_get(o, "id"))));
        for (int k = 0; k < 2; k++) {
            json_t *v = k ? paid : due;
            if (json_is_integer(v))
                qtmi_money_format(json_integer_value(v), cur ? cur : "USD", buf);
            json_object_set_new(o, k ? "paid" : "due",
                                json_is_integer(v) ? json_string(buf) : json_null());
        }
        json_int_t over = json_is_integer(due) && json_is_integer(paid)
                              ? json_integer_value(paid) - json_integer_value(due) : 0;
        if (over > 0)
            qtmi_money_format(over, cur ? cur : "USD", buf);
        json_object_set_new(o, "overpaid", over > 0 ? json_string(buf) : json_null());
    }
}

qtm_status qtm_settlement_list_page(qtm *q, const char *status, const char *surface,
                                    const qtm_page *pg, json_t **out, int64_t *next_after)
{
    *out = NULL;
    *next_after = 0;
    if (status && qtm_vocab_find(qtm_settlement_state_names, QTM_SETTLEMENT_UNKNOWN, status) ==
                      QTM_SETTLEMENT_UNKNOWN)
        return qtm_fail(q, QTM_EUSAGE, "unknown settlement status '%s' ("
                        QTM_SETTLEMENT_STATES(QTM_WORD_X, ", ") ")", status);
    if (surface && !qtm_surface_find(surface))
        return qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", surface);
    store_val args[2] = {SV_S(status), SV_S(surface)};
    qtm_status st = qtmi_list_page(q, SQ_SETTLEMENT_LIST, args, 2, settlement_list_keys,
                                   "listing settlements", pg, out, next_after);
    if (st == QTM_OK)
        settlement_rows_format(*out);
    return st;
}
