/*
 * token.c - credentials: per-actor bearer tokens and the web desk's sessions.
 *
 * A token is "qtm_" plus 32 random bytes in URL-safe base64; it is printed
 * once and only its SHA-256 is stored, so a copy of the database does not
 * hand out credentials.  Tokens carry 256 bits of entropy, so a plain hash
 * (not a password KDF) is the right tool.  A session is another random
 * secret, also stored hashed, bound to the token that opened it: revoking
 * the token ends the session.  Issuing and revoking are audited; opening a
 * session is not (it changes no governed state).
 *
 * Times come from the handle's clock (q->now, stamped by qtmi_tx_begin), so the
 * tests run on theirs: token expiry and last use are ISO-8601 stamps of
 * whole seconds, compared as text; session expiry is Unix seconds.
 */
#include "qtm_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define TOKEN_PREFIX "qtm_"
#define TOUCH_EVERY 60             /* seconds between two stamps of a token's last use */
#define MAX_TOKEN_LIFE (100 * 366 * 86400LL)

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's
 * days_from_civil; timegm is not POSIX). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Unix seconds of this call's stamp; the system clock if it does not parse. */
static int64_t now_unix(const qtm *q)
{
    int y, mo, d, h, mi, sec;
    if (sscanf(q->now, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
        return (int64_t)time(NULL);
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

/* t as a stamp in the handle's format, to the second. */
static void stamp_of(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    /* range-limited by gmtime (and MAX_TOKEN_LIFE); the casts say so */
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.000Z",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u);
}

/* 32 random bytes as unpadded URL-safe base64 (43 characters) after prefix. */
static void random_secret(const char *prefix, char out[QTM_SECRET_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    size_t n = strlen(prefix);
    memcpy(out, prefix, n);
    sodium_bin2base64(out + n, QTM_SECRET_LEN - n, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

static void secret_hash(const char *secret, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* Secrets we hand out are short and printable; anything else is not ours. */
static int plausible_secret(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n < QTM_SECRET_LEN;
}

qtm_status qtm_token_issue(qtm *q, const char *slug, char token[QTM_SECRET_LEN])
{
    return qtm_token_issue_expiring(q, slug, 0, token);
}

qtm_status qtm_token_issue_expiring(qtm *q, const char *slug, int64_t seconds,
                                    char token[QTM_SECRET_LEN])
{
    token[0] = '\0';
    if (seconds < 0 || seconds > MAX_TOKEN_LIFE)
        return qtm_fail(q, QTM_EUSAGE, "a token lives from 1 second to 100 years (0: no expiry)");
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    actor a;
    if ((st = qtmi_actor_load(q, slug, &a)) != QTM_OK)
        goto done;
    char t[QTM_SECRET_LEN], h[65], expires[32];
    random_secret(TOKEN_PREFIX, t);
    secret_hash(t, h);
    stamp_of(now_unix(q) + seconds, expires);
    store_val args[4] = {SV_I(a.id), SV_S(h), SV_S(q->now), seconds ? SV_S(expires) : SV_N};
    store_rc rc = store_run(q->st, SQ_TOKEN_INSERT, args, 4, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "storing the token");
        goto done;
    }
    if ((st = qtmi_audit_append(q, qtmi_local_actor(q), "token", store_last_id(q->st), "issue", NULL,
                                a.slug, 0)) ==
        QTM_OK)
        memcpy(token, t, sizeof t);
    sodium_memzero(t, sizeof t);
done:
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        token[0] = '\0';
    return st;
}

qtm_status qtm_token_revoke(qtm *q, const char *slug, int *revoked)
{
    *revoked = 0;
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    actor a;
    if ((st = qtmi_actor_load(q, slug, &a)) != QTM_OK)
        goto done;
    store_val args[2] = {SV_S(q->now), SV_I(a.id)};
    store_rc rc = store_run(q->st, SQ_TOKEN_REVOKE, args, 2, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "revoking tokens");
        goto done;
    }
    *revoked = (int)store_changes(q->st);
    if (*revoked == 0) {
        st = qtm_fail(q, QTM_ENOTFOUND, "actor '%s' holds no live token", slug);
        goto done;
    }
    st = qtmi_audit_append(q, qtmi_local_actor(q), "actor", a.id, "revoke tokens", NULL, a.slug,
                           0);
done:
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        *revoked = 0;
    return st;
}

/* the columns of SQ_TOKEN_LIST, for this list and its paged variant (page.c) */
const char *const qtmi_token_keys[] = {"id",         "actor",        "created_at", "revoked_at",
                                  "expires_at", "last_used_at", NULL};

qtm_status qtm_token_list(qtm *q, json_t **out)
{
    return qtmi_list_all(q, SQ_TOKEN_LIST, qtmi_token_keys, "listing tokens", out);
}

typedef struct auth_row {
    int found;
    int64_t token;
    qtm_principal *p;
    char *csrf;                    /* session lookups only */
    char used[48];                 /* token lookups: last_used_at, "" if never */
    qtm_access_state access;       /* p->access's value */
    stored_bad bad;                /* a role or access the lists lack */
} auth_row;

/* The principal's words come from the name tables, not the row. */
static int principal_cols(auth_row *r, const store_val *c)
{
    qtm_principal *p = r->p;
    int bad = 0;
    bad |= qtmi_col_text(p->slug, sizeof p->slug, &c[0]);
    bad |= qtmi_col_text(p->name, sizeof p->name, &c[1]);
    qtm_role role = (qtm_role)qtmi_col_word(&r->bad, "role", qtm_role_names, QTM_ROLE_UNKNOWN, &c[2]);
    r->access = (qtm_access_state)qtmi_col_word(&r->bad, "access state", qtm_access_state_names,
                                           QTM_ACCESS_UNKNOWN, &c[3]);
    snprintf(p->role, sizeof p->role, "%s", qtmi_role_word(role));
    snprintf(p->access, sizeof p->access, "%s", qtmi_access_word(r->access));
    return bad;
}

/* The lookup's refusal of a row principal_cols read a word it lacks. */
static qtm_status principal_bad(qtm *q, const auth_row *r)
{
    return qtm_fail(q, QTM_ESTORAGE, "unknown %s '%s' stored for actor %s", r->bad.kind,
                    r->bad.word, r->p->slug);
}

static int token_auth_row(void *arg, const store_val *c, int n)
{
    auth_row *r = arg;
    (void)n;
    r->found = 1;
    r->token = c[0].i;
    int bad = principal_cols(r, c + 1);
    bad |= qtmi_col_text(r->used, sizeof r->used, &c[5]);
    return bad ? -1 : 1;
}

/* Looks a live (not revoked, not expired) token up inside the caller's
 * transaction; *r gets its id and last use. */
static qtm_status token_lookup(qtm *q, const char *token, qtm_principal *p, auth_row *r)
{
    memset(p, 0, sizeof *p);
    memset(r, 0, sizeof *r);
    r->p = p;
    if (!plausible_secret(token))
        return qtm_fail(q, QTM_ENOTFOUND, "unknown or revoked token");
    char h[65], now[32];
    secret_hash(token, h);
    stamp_of(now_unix(q), now);
    store_val args[2] = {SV_S(h), SV_S(now)};
    store_rc rc = store_run(q->st, SQ_TOKEN_AUTH, args, 2, token_auth_row, r);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "checking the token");
    if (!r->found)
        return qtm_fail(q, QTM_ENOTFOUND, "unknown or revoked token");
    if (r->bad.kind)
        return principal_bad(q, r);
    return QTM_OK;
}

/*
 * Stamps a token's last use, at most once a minute: a request pays a write
 * only when the stamp it read is a minute old (the UPDATE re-checks, so two
 * racing requests write once).  Outside a transaction (in_tx 0) it never
 * waits for the write lock: busy, or failing for any reason, it is skipped;
 * the stamp is advice, the request is what matters.
 */
static void token_touch(qtm *q, const auth_row *r, int in_tx)
{
    char now[32], cutoff[32];
    int64_t t = now_unix(q);
    stamp_of(t, now);
    stamp_of(t - TOUCH_EVERY, cutoff);
    if (r->used[0] && strcmp(r->used, cutoff) > 0)
        return;
    /* in a batch, a savepoint: a failed statement must not end the batch's
     * transaction (PostgreSQL aborts a transaction on any error) */
    if (in_tx ? store_savepoint(q->st) != STORE_OK : store_begin_nowait(q->st) != STORE_OK)
        return;
    store_val args[3] = {SV_S(now), SV_I(r->token), SV_S(cutoff)};
    store_rc rc = store_run(q->st, SQ_TOKEN_TOUCH, args, 3, NULL, NULL);
    if (in_tx) {
        if (rc == STORE_OK)
            store_release(q->st);
        else
            store_rollback_to(q->st);
        return;
    }
    if (rc == STORE_OK)
        store_commit(q->st);   /* rolls back by itself if it fails */
    else
        store_rollback(q->st);
}

qtm_status qtm_token_auth(qtm *q, const char *token, qtm_principal *p)
{
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    auth_row r;
    st = qtmi_tx_end(q, token_lookup(q, token, p, &r));
    if (st == QTM_OK)
        token_touch(q, &r, q->batch);  /* in a batch: inside its transaction */
    return st;
}

qtm_status qtm_session_open(qtm *q, const char *token, unsigned ttl, qtm_principal *p,
                            char sid[QTM_SECRET_LEN], char csrf[QTM_SECRET_LEN])
{
    sid[0] = csrf[0] = '\0';
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    auth_row r;
    if ((st = token_lookup(q, token, p, &r)) != QTM_OK)
        goto done;
    if (r.access == QTM_ACCESS_SUSPENDED) {
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot sign in", p->slug);
        goto done;
    }
    /* no sweep of expired sessions here: it would scan inside the one
     * write turn; qtm_session_purge does it off the request path.  The cap
     * keeps each token's rows few, so the eviction walks an index. */
    char s[QTM_SECRET_LEN], c[QTM_SECRET_LEN], h[65];
    random_secret("", s);
    random_secret("", c);
    secret_hash(s, h);
    store_val args[5] = {SV_S(h), SV_I(r.token), SV_S(c), SV_S(q->now),
                         SV_I(now_unix(q) + (int64_t)ttl)};
    store_val evict[2] = {SV_I(r.token), SV_I(QTM_SESSIONS_MAX)};
    store_rc rc = store_run(q->st, SQ_SESSION_INSERT, args, 5, NULL, NULL);
    if (rc == STORE_OK)
        rc = store_run(q->st, SQ_SESSION_EVICT, evict, 2, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "opening the session");
        goto done;
    }
    token_touch(q, &r, 1);
    memcpy(sid, s, sizeof s);
    memcpy(csrf, c, sizeof c);
done:
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        sid[0] = csrf[0] = '\0';
    return st;
}

static int session_row(void *arg, const store_val *c, int n)
{
    auth_row *r = arg;
    (void)n;
    r->found = 1;
    int bad = principal_cols(r, c);
    bad |= qtmi_col_text(r->csrf, QTM_SECRET_LEN, &c[4]);
    return bad ? -1 : 1;
}

qtm_status qtm_session_auth(qtm *q, const char *sid, qtm_principal *p,
                            char csrf[QTM_SECRET_LEN])
{
    memset(p, 0, sizeof *p);
    csrf[0] = '\0';
    if (!plausible_secret(sid))
        return qtm_fail(q, QTM_ENOTFOUND, "no such session (sign in again)");
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    char h[65], now[32];
    secret_hash(sid, h);
    int64_t t = now_unix(q);
    stamp_of(t, now);
    store_val args[3] = {SV_S(h), SV_I(t), SV_S(now)};
    auth_row r = {0, 0, p, csrf, "", QTM_ACCESS_UNKNOWN, {NULL, ""}};
    store_rc rc = store_run(q->st, SQ_SESSION_AUTH, args, 3, session_row, &r);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "checking the session");
    else if (!r.found)
        st = qtm_fail(q, QTM_ENOTFOUND, "no such session (sign in again)");
    else if (r.bad.kind)
        st = principal_bad(q, &r);
    return qtmi_tx_end(q, st);
}

qtm_status qtm_session_close(qtm *q, const char *sid)
{
    if (!plausible_secret(sid))
        return qtm_fail(q, QTM_ENOTFOUND, "no such session");
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    char h[65];
    secret_hash(sid, h);
    store_val key = SV_S(h);
    store_rc rc = store_run(q->st, SQ_SESSION_DELETE, &key, 1, NULL, NULL);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "closing the session");
    return qtmi_tx_end(q, st);
}

qtm_status qtm_session_purge(qtm *q, unsigned limit, unsigned *purged)
{
    *purged = 0;
    if (limit == 0)
        return qtm_fail(q, QTM_EUSAGE, "purge limit must be at least 1");
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    store_val args[2] = {SV_I(now_unix(q)), SV_I((int64_t)limit)};
    store_rc rc = store_run(q->st, SQ_SESSION_PURGE, args, 2, NULL, NULL);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "purging expired sessions");
    else
        *purged = (unsigned)store_changes(q->st);
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        *purged = 0;
    return st;
}
