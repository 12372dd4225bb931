/*
 * sign.c - signed records: the signing key, the signature written in each
 * record's composing transaction, the export of one record as a single
 * canonical JSON document and its offline check (no database), and the
 * verify pass over every stored signature.
 *
 * What is signed (Ed25519, libsodium crypto_sign_detached) is signed_text():
 * the record's id, job, surface, created_at and body hash, and the audit
 * row that composed it (seq, at, actor, prev_hash, hash), one per line.
 * The private key lives in a file (mode 0600) outside the database; the
 * database keeps only public keys (table keys), the newest of which signs.
 */
#include "qtm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define KEY_FILE_TAG "qtm-ed25519-seed "
#define EXPORT_FORMAT "qtm-signed-record/1"
#define PK_HEX (crypto_sign_PUBLICKEYBYTES * 2 + 1)
#define SIG_HEX (crypto_sign_BYTES * 2 + 1)

/* The key id: the first 8 bytes of SHA-256(public key), in hex. */
static void key_fingerprint(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                            char id[QTM_KEY_ID_LEN])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
    sodium_bin2hex(id, QTM_KEY_ID_LEN, h, (QTM_KEY_ID_LEN - 1) / 2);
}

/* The fields a signature covers.  Every value is a slug, a stamp, a number
 * or hex, none of which holds a newline (record_check refuses one), so the
 * text reads back into exactly one set of fields. */
typedef struct signed_fields {
    int64_t record, job, seq;
    const char *surface, *created_at, *hash, *at, *actor, *prev_hash, *audit_hash;
} signed_fields;

static char *signed_text(const signed_fields *f)
{
    char *out = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&out, &n);
    if (!m)
        return NULL;
    fprintf(m, "qtm-record/1\nrecord %lld\njob %lld\nsurface %s\ncreated_at %s\nsha256 %s\n"
               "audit %lld\naudit_at %s\naudit_actor %s\naudit_prev %s\naudit_hash %s\n",
            (long long)f->record, (long long)f->job, f->surface, f->created_at, f->hash,
            (long long)f->seq, f->at, f->actor ? f->actor : "", f->prev_hash, f->audit_hash);
    fclose(m);
    return out;
}

/* Reads a key file into q's signing key.  A file others may read is
 * refused: the key would no longer be the holder's alone. */
static qtm_status load_key(qtm *q, const char *path)
{
    q->sign_loaded = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return qtm_fail(q, QTM_EREFUSED, "cannot read signing key %s: %s", path, strerror(errno));
    char buf[128];
    struct stat sb;
    ssize_t n = -1;
    qtm_status st = QTM_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = qtm_fail(q, QTM_EREFUSED, "signing key %s is not a regular file", path);
        goto cleanup;
    }
    if (sb.st_mode & 077) {
        st = qtm_fail(q, QTM_EREFUSED, "signing key %s is readable by others (mode %04o): "
                      "chmod 600 %s", path, (unsigned)(sb.st_mode & 0777), path);
        goto cleanup;
    }
    n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    size_t tag = strlen(KEY_FILE_TAG), got = 0;
    if (n < 0 || strncmp(buf, KEY_FILE_TAG, tag) != 0 ||
        sodium_hex2bin(seed, sizeof seed, buf + tag, strlen(buf + tag), "\n", &got, NULL) != 0 ||
        got != sizeof seed) {
        st = qtm_fail(q, QTM_EREFUSED, "%s is not a qtm signing key (qtm key init writes one)",
                      path);
        goto cleanup;
    }
    crypto_sign_seed_keypair(pk, q->sign_sk, seed);
    sodium_memzero(seed, sizeof seed);
    key_fingerprint(pk, q->sign_id);
    q->sign_loaded = 1;
cleanup:
    sodium_memzero(buf, sizeof buf);
    close(fd);
    return st;
}

/* Where the signing key is read from when no qtm_set_signing_key was
 * made: $QTM_SIGNING_KEY, else DB.key beside the database; NULL for a
 * database on a server (a URI), which has no directory beside it. */
static const char *default_key_path(qtm *q, char *buf, size_t n)
{
    const char *env = getenv("QTM_SIGNING_KEY");
    if (env && *env)
        return env;
    if (q->path && strstr(q->path, "://"))
        return NULL;
    snprintf(buf, n, "%s.key", q->path ? q->path : "qtm.db");
    return buf;
}

#define NO_KEY_FILE "a database on a server has no file beside it for its key: set " \
                    "QTM_SIGNING_KEY (or give --key-file PATH)"

qtm_status qtm_set_signing_key(qtm *q, const char *path)
{
    free(q->sign_file);
    q->sign_file = path ? strdup(path) : NULL;
    if (path && !q->sign_file)
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    if (!path) {
        q->sign_loaded = 0;
        return qtm_ok(q);
    }
    return load_key(q, path) == QTM_OK ? qtm_ok(q) : q->err;
}

typedef struct key_row {
    char id[QTM_KEY_ID_LEN];
    char pk[PK_HEX];
} key_row;

static int key_cb(void *arg, const store_val *c, int n)
{
    (void)n;
    key_row *k = arg;
    return qtmi_col_text(k->id, sizeof k->id, &c[0]) < 0 ||
                   qtmi_col_text(k->pk, sizeof k->pk, &c[1]) < 0
               ? -1
               : 1;
}

/* Makes q's signing key the database's current one (id), loading it
 * where qtm_set_signing_key or the default says. */
static qtm_status ready_key(qtm *q, const char *id)
{
    if (q->sign_loaded && strcmp(q->sign_id, id) == 0)
        return QTM_OK;
    char buf[1100];
    const char *path = q->sign_file ? q->sign_file : default_key_path(q, buf, sizeof buf);
    if (!path)
        return qtm_fail(q, QTM_EREFUSED, "the database signs its records with key %s, and no "
                        "record is stored unsigned: " NO_KEY_FILE, id);
    if ((!q->sign_loaded || !q->sign_file) && load_key(q, path) != QTM_OK) {
        char why[sizeof q->msg];
        memcpy(why, q->msg, sizeof why);   /* qtm_fail writes q->msg */
        return qtm_fail(q, QTM_EREFUSED, "the database signs its records with key %s, and no "
                        "record is stored unsigned: %s (set QTM_SIGNING_KEY)", id, why);
    }
    if (strcmp(q->sign_id, id) != 0)
        return qtm_fail(q, QTM_EREFUSED, "signing key %s holds key %s, but the database signs "
                        "with key %s", path, q->sign_id, id);
    return QTM_OK;
}

typedef struct audit_row {
    char at[48], actor[64], prev[65], hash[65];
} audit_row;

static int audit_cb(void *arg, const store_val *c, int n)
{
    (void)n;
    audit_row *a = arg;
    return qtmi_col_text(a->at, sizeof a->at, &c[0]) < 0 ||
                   qtmi_col_text(a->actor, sizeof a->actor, &c[1]) < 0 ||
                   qtmi_col_text(a->prev, sizeof a->prev, &c[2]) < 0 ||
                   qtmi_col_text(a->hash, sizeof a->hash, &c[3]) < 0
               ? -1
               : 1;
}

qtm_status qtmi_record_sign(qtm *q, int64_t record_id, const job *j, const char *hash,
                            int64_t audit_id)
{
    key_row k = {{0}, {0}};
    audit_row a = {{0}, {0}, {0}, {0}};
    store_rc rc = store_run(q->st, SQ_KEY_CURRENT, NULL, 0, key_cb, &k);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading the signing key");
    if (!k.id[0])
        return QTM_OK;             /* no key yet: records are not signed */
    qtm_status st = ready_key(q, k.id);
    if (st != QTM_OK)
        return st;
    store_val arg = SV_I(audit_id);
    if ((rc = store_run(q->st, SQ_AUDIT_ROW, &arg, 1, audit_cb, &a)) != STORE_OK)
        return qtm_store_fail(q, rc, "reading the record's audit row");
    signed_fields f = {record_id, j->id, audit_id, j->surface, q->now, hash,
                       a.at, a.actor, a.prev, a.hash};
    char *text = signed_text(&f);
    if (!text)
        return qtm_fail(q, QTM_ESTORAGE, "out of memory signing the record");
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)text, strlen(text), q->sign_sk);
    free(text);
    char hex[SIG_HEX];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    store_val args[3] = {SV_I(record_id), SV_S(k.id), SV_S(hex)};
    rc = store_run(q->st, SQ_SIGNATURE_INSERT, args, 3, NULL, NULL);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "storing the record's signature");
}

/* --- keys ---------------------------------------------------------------- */

/* Writes the seed to a new file, mode 0600, never over an existing one. */
static qtm_status write_key_file(qtm *q, const char *path, const unsigned char *seed)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST
                   ? qtm_fail(q, QTM_ECONFLICT, "%s already exists: a key file is never "
                              "overwritten (give --key-file PATH for a new key)", path)
                   : qtm_fail(q, QTM_EUSAGE, "cannot create %s: %s", path, strerror(errno));
    char text[sizeof KEY_FILE_TAG + crypto_sign_SEEDBYTES * 2 + 2];
    size_t tag = strlen(KEY_FILE_TAG);
    memcpy(text, KEY_FILE_TAG, tag);
    sodium_bin2hex(text + tag, crypto_sign_SEEDBYTES * 2 + 1, seed, crypto_sign_SEEDBYTES);
    strcat(text, "\n");
    size_t len = strlen(text);
    int ok = fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    sodium_memzero(text, sizeof text);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return qtm_fail(q, QTM_ESTORAGE, "cannot write %s: %s", path, strerror(errno));
    }
    return QTM_OK;
}

qtm_status qtm_key_init(qtm *q, const char *key_file, json_t **out)
{
    *out = NULL;
    char buf[1100];
    const char *path = key_file ? key_file : default_key_path(q, buf, sizeof buf);
    if (!path)
        return qtm_fail(q, QTM_EUSAGE, "%s", NO_KEY_FILE);
    unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    char id[QTM_KEY_ID_LEN], pkhex[PK_HEX];
    int wrote = 0;
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
    key_fingerprint(pk, id);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    if ((st = write_key_file(q, path, seed)) != QTM_OK)
        goto cleanup;
    wrote = 1;
    store_val args[3] = {SV_S(id), SV_S(pkhex), SV_S(q->now)};
    store_rc rc = store_run(q->st, SQ_KEY_INSERT, args, 3, NULL, NULL);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "storing the public key");
        goto cleanup;
    }
    st = qtmi_audit_append(q, NULL, "key", store_last_id(q->st), "create", NULL, id, 0);
    if (st == QTM_OK)
        *out = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "public_key", pkhex, "key_file", path,
                         "created_at", q->now);
cleanup:
    sodium_memzero(seed, sizeof seed);
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK) {
        if (wrote)
            unlink(path);      /* the database has no such key: its file would be a stray */
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

static const char *const key_keys[] = {"id", "public_key", "created_at", NULL};

qtm_status qtm_key_show(qtm *q, json_t **out)
{
    return qtmi_list_all(q, SQ_KEY_LIST, key_keys, "listing signing keys", out);
}

/* --- export ---------------------------------------------------------------- */

static int export_cb(void *arg, const store_val *c, int n)
{
    (void)n;
    json_t *body = c[3].type == SV_TEXT ? json_loads(c[3].s, 0, NULL) : NULL;
    /* keys in sorted order at every depth (the body's text is sorted), so a
     * plain compact dump, as qtm serve answers, is the canonical text */
    *(json_t **)arg = json_pack(
        "{s:{s:o,s:o,s:o,s:o,s:o},s:s,s:{s:o,s:o,s:o,s:o,s:o,s:o},s:{s:s,s:o,s:o,s:o}}",
        "audit", "actor", qtmi_json_col(&c[11]), "at", qtmi_json_col(&c[10]), "hash",
        qtmi_json_col(&c[13]), "prev_hash", qtmi_json_col(&c[12]), "seq", qtmi_json_col(&c[9]),
        "format", EXPORT_FORMAT,
        "record", "body", body ? body : json_null(), "created_at", qtmi_json_col(&c[5]), "hash",
        qtmi_json_col(&c[4]), "id", qtmi_json_col(&c[0]), "job", qtmi_json_col(&c[1]), "surface",
        qtmi_json_col(&c[2]),
        "signature", "algorithm", "ed25519", "key_id", qtmi_json_col(&c[6]), "public_key",
        qtmi_json_col(&c[8]), "value", qtmi_json_col(&c[7]));
    return 1;
}

qtm_status qtmi_record_export_view(qtm *q, int64_t job_id, json_t **out)
{
    json_t *rec = NULL;
    qtm_status st = qtmi_record_view(q, job_id, &rec);   /* the job and its record exist */
    json_decref(rec);
    if (st != QTM_OK)
        return st;
    store_val arg = SV_I(job_id);
    store_rc rc = store_run(q->st, SQ_RECORD_EXPORT, &arg, 1, export_cb, out);
    if (rc != STORE_OK || !*out)
        return qtm_store_fail(q, rc != STORE_OK ? rc : STORE_ERROR, "exporting the record");
    if (!json_is_string(json_object_get(json_object_get(*out, "signature"), "value")))
        return qtm_fail(q, QTM_EREFUSED, "the record of job %lld is not signed (it was composed "
                        "before the database had a signing key): it cannot be exported",
                        (long long)job_id);
    return QTM_OK;
}

qtm_status qtm_record_export(qtm *q, int64_t job_id, json_t **out)
{
    *out = NULL;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    return qtmi_view_end(q, qtmi_record_export_view(q, job_id, out), out);
}

char *qtm_record_export_text(const json_t *doc)
{
    char *t = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    return t;
}

/* --- the offline check ------------------------------------------------------ */

/* A text field of o, or NULL when absent, not a string, or holding a
 * control character (which could make two field sets sign alike). */
static const char *field_text(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    for (const char *p = s; p && *p; p++)
        if ((unsigned char)*p < 0x20)
            return NULL;
    return s;
}

static int hex_eq(const char *a, const char *b)
{
    return a && b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
}

typedef struct check {
    json_t *proved, *not_proved;
    const char *failed;
} check;

/* The body hashes to the stated hash, in the canonical form compose used. */
static int check_body(check *k, const json_t *rec, const char *hash)
{
    const json_t *body = json_object_get(rec, "body");
    char *text = json_is_object(body) ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char want[65];
    if (text)
        qtmi_record_hash(text, want);
    int ok = text && hex_eq(want, hash);
    free(text);
    if (!ok) {
        k->failed = "the record body does not hash to the record's hash";
        return 0;
    }
    json_array_append_new(k->proved, json_sprintf("the record body (canonical JSON) hashes "
                                                  "to sha256 %s", hash));
    return 1;
}

/* The public key's fingerprint is the key id, and the signature over the
 * signed fields verifies under it. */
static int check_signature(check *k, const json_t *doc, const signed_fields *f,
                           unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
    const json_t *sg = json_object_get(doc, "signature");
    const char *alg = field_text(sg, "algorithm"), *id = field_text(sg, "key_id");
    const char *pkhex = field_text(sg, "public_key"), *value = field_text(sg, "value");
    unsigned char sig[crypto_sign_BYTES];
    size_t got = 0;
    char want[QTM_KEY_ID_LEN];
    if (!alg || strcmp(alg, "ed25519") != 0 || !pkhex || !value || !id ||
        sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, pkhex, strlen(pkhex), NULL, &got, NULL) ||
        got != crypto_sign_PUBLICKEYBYTES || strlen(pkhex) != PK_HEX - 1) {
        k->failed = "the signature block is missing or malformed";
        return 0;
    }
    key_fingerprint(pk, want);
    if (!hex_eq(want, id)) {
        k->failed = "the key id is not the fingerprint of the public key";
        return 0;
    }
    if (sodium_hex2bin(sig, sizeof sig, value, strlen(value), NULL, &got, NULL) ||
        got != sizeof sig || strlen(value) != SIG_HEX - 1) {
        k->failed = "the signature is malformed";
        return 0;
    }
    char *text = signed_text(f);
    int ok = text && crypto_sign_verify_detached(sig, (const unsigned char *)text, strlen(text),
                                                 pk) == 0;
    free(text);
    if (!ok) {
        k->failed = "the signature does not verify under the public key";
        return 0;
    }
    json_array_append_new(k->proved, json_sprintf("key %s (public key %s) signed this record "
                                                  "(id, job, surface, created_at, hash) and its "
                                                  "audit row (seq, at, actor, prev_hash, hash)",
                                                  id, pkhex));
    return 1;
}

/* Reads the signed fields out of the document; 0 when one is missing. */
static int doc_fields(const json_t *doc, signed_fields *f)
{
    const json_t *rec = json_object_get(doc, "record"), *au = json_object_get(doc, "audit");
    const json_t *ri = json_object_get(rec, "id"), *rj = json_object_get(rec, "job");
    const json_t *as = json_object_get(au, "seq"), *act = json_object_get(au, "actor");
    f->surface = field_text(rec, "surface");
    f->created_at = field_text(rec, "created_at");
    f->hash = field_text(rec, "hash");
    f->at = field_text(au, "at");
    f->actor = field_text(au, "actor");
    f->prev_hash = field_text(au, "prev_hash");
    f->audit_hash = field_text(au, "hash");
    if (!json_is_integer(ri) || !json_is_integer(rj) || !json_is_integer(as) || !f->surface ||
        !f->created_at || !f->hash || !f->at || !f->prev_hash || !f->audit_hash ||
        !(json_is_null(act) || f->actor))
        return 0;
    f->record = json_integer_value(ri);
    f->job = json_integer_value(rj);
    f->seq = json_integer_value(as);
    return 1;
}

/* --key: a public key (64 hex digits) or a key id (16); -1 for neither. */
static int check_named_key(check *k, const char *key, const unsigned char *pk, const char *id)
{
    char pkhex[PK_HEX];
    sodium_bin2hex(pkhex, sizeof pkhex, pk, crypto_sign_PUBLICKEYBYTES);
    size_t n = strlen(key);
    if (n != PK_HEX - 1 && n != QTM_KEY_ID_LEN - 1)
        return -1;
    if (!hex_eq(key, n == PK_HEX - 1 ? pkhex : id)) {
        k->failed = "the document is signed by another key than the one --key names";
        return 0;
    }
    json_array_append_new(k->proved, json_sprintf("key %s is the key you named (--key, %s)", id,
                                                  n == PK_HEX - 1 ? "its public key" :
                                                  "its id only: a 64-bit fingerprint"));
    return 1;
}

static void not_proved(check *k, int named, const signed_fields *f)
{
    if (!named)
        json_array_append_new(k->not_proved, json_string(
            "that the signing key is the database's: pass --key with the public key "
            "`qtm key show` prints"));
    json_array_append_new(k->not_proved, json_string(
        "that the record is still in the database, or was not followed by another"));
    json_array_append_new(k->not_proved, json_sprintf(
        "that the audit chain around row %lld is intact (qtm verify on the database proves it)",
        (long long)f->seq));
    json_array_append_new(k->not_proved, json_string(
        "that the private key was never taken: a signature proves the key, not the person"));
}

qtm_status qtm_record_check(const char *doc_text, const char *key, json_t **report)
{
    *report = NULL;
    if (sodium_init() < 0)
        return QTM_ESTORAGE;
    check k = {json_array(), json_array(), NULL};
    signed_fields f;
    memset(&f, 0, sizeof f);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    int named = 0;
    qtm_status st = QTM_OK;
    json_t *doc = json_loads(doc_text, JSON_REJECT_DUPLICATES, NULL);
    const char *format = field_text(doc, "format");
    if (!json_is_object(doc) || !format || strcmp(format, EXPORT_FORMAT) != 0)
        k.failed = "not a qtm signed record export (" EXPORT_FORMAT ")";
    else if (!doc_fields(doc, &f))
        k.failed = "the record or its audit row is missing a field";
    else if (check_body(&k, json_object_get(doc, "record"), f.hash) &&
             check_signature(&k, doc, &f, pk) && key) {
        const char *id = field_text(json_object_get(doc, "signature"), "key_id");
        named = check_named_key(&k, key, pk, id);
        if (named < 0)
            st = QTM_EUSAGE;
    }
    if (k.failed && st == QTM_OK)
        st = QTM_EVERIFY;
    if (st == QTM_OK)
        not_proved(&k, named, &f);
    *report = json_object();
    json_object_set_new(*report, "valid", json_boolean(st == QTM_OK));
    if (st == QTM_EUSAGE)
        json_object_set_new(*report, "error", json_string(
            "--key takes a public key (64 hex digits) or a key id (16)"));
    if (k.failed)
        json_object_set_new(*report, "failed", json_string(k.failed));
    if (f.record) {
        json_object_set_new(*report, "record", json_integer(f.record));
        json_object_set_new(*report, "job", json_integer(f.job));
    }
    json_object_set_new(*report, "proved", k.proved);
    json_object_set_new(*report, "not_proved", k.not_proved);
    json_decref(doc);
    return st;
}

/* --- verify: every stored signature -------------------------------------- */

static int verify_cb(void *arg, const store_val *c, int n)
{
    (void)n;
    json_t *findings = arg;
    long long rid = (long long)c[0].i, jid = (long long)c[1].i;
    const char *sig = c[7].type == SV_TEXT ? c[7].s : NULL;
    const char *pkhex = c[8].type == SV_TEXT ? c[8].s : NULL;
    if (!sig) {
        json_array_append_new(findings, json_sprintf("record %lld (job %lld) was composed after "
                                                     "the first signing key and is unsigned",
                                                     rid, jid));
        return 0;
    }
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], bin[crypto_sign_BYTES];
    size_t gp = 0, gs = 0;
    signed_fields f = {c[0].i, c[1].i, c[9].i, c[2].s, c[5].s, c[4].s, c[10].s, c[11].s,
                       c[12].s, c[13].s};
    char *text = NULL;
    int ok = pkhex && c[9].type == SV_INT && c[10].type == SV_TEXT && c[12].type == SV_TEXT &&
             c[13].type == SV_TEXT &&
             sodium_hex2bin(pk, sizeof pk, pkhex, strlen(pkhex), NULL, &gp, NULL) == 0 &&
             gp == sizeof pk &&
             sodium_hex2bin(bin, sizeof bin, sig, strlen(sig), NULL, &gs, NULL) == 0 &&
             gs == sizeof bin && (text = signed_text(&f)) != NULL &&
             crypto_sign_verify_detached(bin, (const unsigned char *)text, strlen(text), pk) == 0;
    free(text);
    if (!ok)
        json_array_append_new(findings, json_sprintf("record %lld (job %lld): its signature by "
                                                     "key %s does not verify", rid, jid,
                                                     c[6].type == SV_TEXT ? c[6].s : "?"));
    return 0;
}

qtm_status qtmi_verify_signatures(qtm *q, json_t *findings)
{
    store_rc rc = store_run(q->st, SQ_VERIFY_SIGNATURES, NULL, 0, verify_cb, findings);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "verifying record signatures");
}
