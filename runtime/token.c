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
 */
#include "qtm_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define TOKEN_PREFIX "qtm_"

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
    token[0] = '\0';
    qtm_status st = tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    actor a;
    if ((st = actor_load(q, slug, &a)) != QTM_OK)
        goto done;
    char t[QTM_SECRET_LEN], h[65];
    random_secret(TOKEN_PREFIX, t);
    secret_hash(t, h);
    store_val args[3] = {SV_I(a.id), SV_S(h), SV_S(q->now)};
    store_rc rc = store_run(q->st, SQ_TOKEN_INSERT, args, 3, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "storing the token");
        goto done;
    }
    if ((st = audit_append(q, NULL, "token", store_last_id(q->st), "issue", NULL, a.slug, 0)) ==
        QTM_OK)
        memcpy(token, t, sizeof t);
    sodium_memzero(t, sizeof t);
done:
    st = tx_end(q, st);
    if (st != QTM_OK)
        token[0] = '\0';
    return st;
}

qtm_status qtm_token_revoke(qtm *q, const char *slug, int *revoked)
{
    *revoked = 0;
    qtm_status st = tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    actor a;
    if ((st = actor_load(q, slug, &a)) != QTM_OK)
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
    st = audit_append(q, NULL, "actor", a.id, "revoke tokens", NULL, a.slug, 0);
done:
    st = tx_end(q, st);
    if (st != QTM_OK)
        *revoked = 0;
    return st;
}

qtm_status qtm_token_list(qtm *q, json_t **out)
{
    static const char *const keys[] = {"id", "actor", "created_at", "revoked_at", NULL};
    return list_all(q, SQ_TOKEN_LIST, keys, "listing tokens", out);
}

typedef struct auth_row {
    int found;
    int64_t token;
    qtm_principal *p;
    char *csrf;                    /* session lookups only */
} auth_row;

static void principal_cols(qtm_principal *p, const store_val *c)
{
    col_text(p->slug, sizeof p->slug, &c[0]);
    col_text(p->name, sizeof p->name, &c[1]);
    col_text(p->role, sizeof p->role, &c[2]);
    col_text(p->access, sizeof p->access, &c[3]);
}

static int token_auth_row(void *arg, const store_val *c, int n)
{
    auth_row *r = arg;
    (void)n;
    r->found = 1;
    r->token = c[0].i;
    principal_cols(r->p, c + 1);
    return 1;
}

/* Looks a live token up inside the caller's transaction. */
static qtm_status token_lookup(qtm *q, const char *token, qtm_principal *p, int64_t *id)
{
    memset(p, 0, sizeof *p);
    if (!plausible_secret(token))
        return qtm_fail(q, QTM_ENOTFOUND, "unknown or revoked token");
    char h[65];
    secret_hash(token, h);
    store_val key = SV_S(h);
    auth_row r = {0, 0, p, NULL};
    store_rc rc = store_run(q->st, SQ_TOKEN_AUTH, &key, 1, token_auth_row, &r);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "checking the token");
    if (!r.found)
        return qtm_fail(q, QTM_ENOTFOUND, "unknown or revoked token");
    *id = r.token;
    return QTM_OK;
}

qtm_status qtm_token_auth(qtm *q, const char *token, qtm_principal *p)
{
    qtm_status st = tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    int64_t id;
    return tx_end(q, token_lookup(q, token, p, &id));
}

qtm_status qtm_session_open(qtm *q, const char *token, unsigned ttl, qtm_principal *p,
                            char sid[QTM_SECRET_LEN], char csrf[QTM_SECRET_LEN])
{
    sid[0] = csrf[0] = '\0';
    qtm_status st = tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    int64_t id;
    if ((st = token_lookup(q, token, p, &id)) != QTM_OK)
        goto done;
    if (strcmp(p->access, "suspended") == 0) {
        st = qtm_fail(q, QTM_EFORBIDDEN, "%s is suspended and cannot sign in", p->slug);
        goto done;
    }
    int64_t now = (int64_t)time(NULL);
    store_val purge = SV_I(now);
    store_rc rc = store_run(q->st, SQ_SESSION_PURGE, &purge, 1, NULL, NULL);
    char s[QTM_SECRET_LEN], c[QTM_SECRET_LEN], h[65];
    random_secret("", s);
    random_secret("", c);
    secret_hash(s, h);
    store_val args[5] = {SV_S(h), SV_I(id), SV_S(c), SV_S(q->now), SV_I(now + (int64_t)ttl)};
    if (rc == STORE_OK)
        rc = store_run(q->st, SQ_SESSION_INSERT, args, 5, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "opening the session");
        goto done;
    }
    memcpy(sid, s, sizeof s);
    memcpy(csrf, c, sizeof c);
done:
    st = tx_end(q, st);
    if (st != QTM_OK)
        sid[0] = csrf[0] = '\0';
    return st;
}

static int session_row(void *arg, const store_val *c, int n)
{
    auth_row *r = arg;
    (void)n;
    r->found = 1;
    principal_cols(r->p, c);
    col_text(r->csrf, QTM_SECRET_LEN, &c[4]);
    return 1;
}

qtm_status qtm_session_auth(qtm *q, const char *sid, qtm_principal *p,
                            char csrf[QTM_SECRET_LEN])
{
    memset(p, 0, sizeof *p);
    csrf[0] = '\0';
    if (!plausible_secret(sid))
        return qtm_fail(q, QTM_ENOTFOUND, "no such session (sign in again)");
    qtm_status st = tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    char h[65];
    secret_hash(sid, h);
    store_val args[2] = {SV_S(h), SV_I((int64_t)time(NULL))};
    auth_row r = {0, 0, p, csrf};
    store_rc rc = store_run(q->st, SQ_SESSION_AUTH, args, 2, session_row, &r);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "checking the session");
    else if (!r.found)
        st = qtm_fail(q, QTM_ENOTFOUND, "no such session (sign in again)");
    return tx_end(q, st);
}

qtm_status qtm_session_close(qtm *q, const char *sid)
{
    if (!plausible_secret(sid))
        return qtm_fail(q, QTM_ENOTFOUND, "no such session");
    qtm_status st = tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    char h[65];
    secret_hash(sid, h);
    store_val key = SV_S(h);
    store_rc rc = store_run(q->st, SQ_SESSION_DELETE, &key, 1, NULL, NULL);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "closing the session");
    return tx_end(q, st);
}
