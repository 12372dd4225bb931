/*
 * blob.c - content-addressed files in the database: store, read, collect,
 * verify.
 *
 * A blob is stored once per distinct content (its SHA-256), its bytes in
 * QTMI_BLOB_CHUNK chunks, in the transaction of the call that brings it:
 * an upload on its own (nothing references it yet), or the request or
 * evidence item that references it, so a reference never commits without
 * its file, whatever happens to the process.  What nothing references is
 * deleted by qtm_blob_gc once its grace period (since its last upload) is
 * over.  Reading follows access.c's rule through the rows that reference
 * the blob (and blob_uploaders: whoever sent the bytes has them): a reader
 * who may not see it is told it does not exist.  Referencing by hash
 * (qtmi_blob_find_for) asks the same question, so a hash alone never
 * gives its holder a file.
 */
#include "blob.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* What a surface accepts is in its tables (qtmc fills the defaults of
 * qtm_surface.h in when the spec does not say); no surface: the defaults. */
unsigned qtmi_surface_photo_types(const qtm_surface *s)
{
    return s ? s->photo_types : QTM_FILE_PHOTO_TYPES;
}

unsigned qtmi_surface_evidence_types(const qtm_surface *s)
{
    return s ? s->ev_types : QTM_FILE_PHOTO_TYPES;
}

int64_t qtmi_surface_photo_max(const qtm_surface *s)
{
    return s ? s->photo_max : QTM_FILE_MAX_DEFAULT;
}

int64_t qtmi_surface_evidence_max(const qtm_surface *s)
{
    return s ? s->ev_max : QTM_FILE_MAX_DEFAULT;
}

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The stamp `secs` seconds before q->now (same format); 0, or -1 when
 * q->now cannot be read or the result would precede year 1. */
static int stamp_minus(const qtm *q, int64_t secs, char *out, size_t n)
{
    unsigned y, mo, d, h, mi, se, ms;
    if (sscanf(q->now, "%4u-%2u-%2uT%2u:%2u:%2u.%3uZ", &y, &mo, &d, &h, &mi, &se, &ms) != 7)
        return -1;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    if (secs > t + 62135596800LL)
        return -1;
    t -= secs;
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, rem = t - days * 86400;
    /* civil_from_days */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1, mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t yy = (int64_t)yoe + era * 400 + (mm <= 2);
    if (yy < 1)
        return -1;
    snprintf(out, n, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)yy, mm, dd,
             (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), ms);
    return 0;
}

int qtmi_blob_ref(const char *ref, char hex[65])
{
    if (!ref || strncmp(ref, "sha256:", 7) != 0 || strlen(ref) != 71)
        return -1;
    for (int i = 0; i < 64; i++) {
        char c = ref[7 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return -1;
        hex[i] = c;
    }
    hex[64] = '\0';
    return 0;
}

typedef struct blob_row {
    int found;
    int64_t id, size, actor;
    char type[64];
    char uploaded_at[48];
} blob_row;

static int blob_row_fn(void *arg, const store_val *c, int n)
{
    blob_row *b = arg;
    (void)n;
    b->found = 1;
    b->id = c[0].i;
    b->size = c[2].i;
    b->actor = c[3].type == SV_INT ? c[3].i : 0;
    int bad = qtmi_col_text(b->uploaded_at, sizeof b->uploaded_at, &c[4]);
    return qtmi_col_text(b->type, sizeof b->type, &c[1]) || bad ? -1 : 1;
}

static qtm_status blob_lookup(qtm *q, const char *hex, blob_row *b)
{
    memset(b, 0, sizeof *b);
    store_val k = SV_S(hex);
    store_rc rc = store_run(q->st, SQ_BLOB_BY_HASH, &k, 1, blob_row_fn, b);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "reading files");
}

qtm_status qtmi_blob_find(qtm *q, const char *hex, int64_t *id, qtm_file_type *type,
                          int64_t *size)
{
    blob_row b;
    qtm_status st = blob_lookup(q, hex, &b);
    if (st != QTM_OK)
        return st;
    if (!b.found)
        return qtm_fail(q, QTM_ENOTFOUND, "no file sha256:%s", hex);
    *id = b.id;
    *type = qtmi_file_type_of(b.type);
    *size = b.size;
    return QTM_OK;
}

/* Copies the cleaned file into chunks of blob id. */
static qtm_status store_chunks(qtm *q, const qtmi_blob_file *f, int64_t id)
{
    unsigned char *buf = malloc(QTMI_BLOB_CHUNK);
    qtm_status st = QTM_OK;
    if (!buf)
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    if (lseek(f->fd, 0, SEEK_SET) != 0)
        st = qtm_fail(q, QTM_ESTORAGE, "cannot read the file back: %s", strerror(errno));
    int64_t seq = 0, left = f->size;
    while (st == QTM_OK && left > 0) {
        size_t want = left < QTMI_BLOB_CHUNK ? (size_t)left : QTMI_BLOB_CHUNK, got = 0;
        while (got < want) {
            ssize_t r = read(f->fd, buf + got, want - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got != want) {
            st = qtm_fail(q, QTM_ESTORAGE, "the file changed while it was stored");
            break;
        }
        store_val a[3] = {SV_I(id), SV_I(seq++), SV_B(buf, got)};
        store_rc rc = store_run(q->st, SQ_BLOB_CHUNK_INSERT, a, 3, NULL, NULL);
        if (rc != STORE_OK)
            st = qtm_store_fail(q, rc, "storing the file");
        left -= (int64_t)got;
    }
    free(buf);
    return st;
}

/* Records that actor_id (0: anonymous) uploaded blob id's bytes. */
static qtm_status uploader_add(qtm *q, int64_t id, int64_t actor_id)
{
    store_val a[2] = {SV_I(id), actor_id ? SV_I(actor_id) : SV_N};
    store_rc rc = store_run(q->st, SQ_BLOB_UPLOADER_ADD, a, 2, NULL, NULL);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "storing the file");
}

static int one_row(void *arg, const store_val *c, int n)
{
    (void)c, (void)n;
    *(int *)arg = 1;
    return 1;
}

/* *yes: actor_id (0: anonymous) uploaded blob id's bytes. */
static qtm_status uploaded_by(qtm *q, int64_t id, int64_t actor_id, int *yes)
{
    store_val a[2] = {SV_I(id), SV_I(actor_id)};
    *yes = 0;
    store_rc rc = store_run(q->st, SQ_BLOB_UPLOADED_BY, a, 2, one_row, yes);
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "reading files");
}

static void sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, p, n);
    sodium_bin2hex(hex, 65, d, sizeof d);
}

qtm_status qtmi_blob_store(qtm *q, const qtmi_blob_file *f, int64_t actor_id, int64_t *id)
{
    blob_row b;
    qtm_status st = blob_lookup(q, f->hash, &b);
    store_rc rc;
    if (st != QTM_OK)
        return st;
    if (b.found) {                 /* the same bytes: stored once */
        *id = b.id;
        store_val a[2] = {SV_S(q->now), SV_I(b.id)};
        rc = store_run(q->st, SQ_BLOB_TOUCH, a, 2, NULL, NULL);
        return rc == STORE_OK ? uploader_add(q, b.id, actor_id)
                              : qtm_store_fail(q, rc, "storing the file");
    }
    store_val a[5] = {SV_S(f->hash), SV_S(qtmi_file_mime(f->type)), SV_I(f->size),
                      actor_id ? SV_I(actor_id) : SV_N, SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_BLOB_INSERT, a, 5, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "storing the file");
    *id = store_last_id(q->st);
    if ((st = store_chunks(q, f, *id)) != QTM_OK || (st = uploader_add(q, *id, actor_id)) != QTM_OK)
        return st;
    if (f->thumb) {
        char th[65];
        sha256_hex(f->thumb, f->thumb_len, th);
        store_val t[4] = {SV_I(*id), SV_S("image/webp"), SV_B(f->thumb, f->thumb_len), SV_S(th)};
        if ((rc = store_run(q->st, SQ_BLOB_THUMB_INSERT, t, 4, NULL, NULL)) != STORE_OK)
            return qtm_store_fail(q, rc, "storing the thumbnail");
    }
    return QTM_OK;
}

static void info_fill(qtm_blob_info *info, const char *hex, const char *type, int64_t size)
{
    if (!info)
        return;
    snprintf(info->ref, sizeof info->ref, "sha256:%s", hex);
    snprintf(info->type, sizeof info->type, "%.31s", type);
    info->size = size;
}

/* A checked upload: the cleaned file, outside any transaction. */
struct qtm_upload {
    qtmi_blob_file f;
};

qtm_status qtm_upload_check(qtm *q, const char *surface, int fd, qtm_upload **out)
{
    const qtm_surface *s = NULL;
    *out = NULL;
    if (surface && !(s = qtm_surface_find(surface)))
        return qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", surface);
    qtm_upload *u = calloc(1, sizeof *u);
    if (!u)
        return qtm_fail(q, QTM_ESTORAGE, "out of memory");
    /* one upload may become a photo or evidence: either's types, the larger limit */
    unsigned accept = qtmi_surface_photo_types(s) | (s ? qtmi_surface_evidence_types(s) : 0);
    int64_t max = qtmi_surface_photo_max(s), emax = qtmi_surface_evidence_max(s);
    qtm_status st = qtmi_blob_prepare(q, fd, accept, s && emax > max ? emax : max,
                                      "the upload", &u->f);
    if (st != QTM_OK) {
        free(u);
        return st;
    }
    *out = u;
    return QTM_OK;
}

void qtm_upload_free(qtm_upload *u)
{
    if (!u)
        return;
    qtmi_blob_file_free(&u->f);
    free(u);
}

qtm_status qtm_upload_store(qtm *q, const char *actor_slug, const qtm_upload *u,
                            qtm_blob_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (!u)
        return qtm_fail(q, QTM_EUSAGE, "no checked upload to store");
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    actor a = {0};
    int64_t id = 0;
    blob_row b;
    /* the lookup is inside the write transaction: of two uploads of the
     * same bytes, the second to take the turn finds the first's blob */
    if (actor_slug && *actor_slug &&
        (st = qtmi_actor_may_act(q, actor_slug, &a, 0, "upload files")) != QTM_OK)
        goto done;
    if ((st = blob_lookup(q, u->f.hash, &b)) != QTM_OK)
        goto done;
    if ((st = qtmi_blob_store(q, &u->f, a.id, &id)) != QTM_OK)
        goto done;
    if (info)
        info->created = !b.found;
done:
    st = qtmi_tx_end(q, st);
    if (st == QTM_OK)
        info_fill(info, u->f.hash, qtmi_file_mime(u->f.type), u->f.size);
    else if (info)
        info->created = 0;
    return st;
}

qtm_status qtm_blob_upload(qtm *q, const char *actor_slug, const char *surface, int fd,
                           qtm_blob_info *info)
{
    qtm_upload *u;
    if (info)
        memset(info, 0, sizeof *info);
    qtm_status st = qtm_upload_check(q, surface, fd, &u);
    if (st == QTM_OK)
        st = qtm_upload_store(q, actor_slug, u, info);
    qtm_upload_free(u);
    return st;
}

/* --- reading ---------------------------------------------------------------- */

typedef struct blob_use {
    int evidence;                  /* 1: an evidence item; 0: an intake photo */
    int64_t job;                   /* 0: its request has no job yet */
    int64_t submitter;             /* the request's actor, 0: none */
} blob_use;

typedef struct uses {
    blob_use u[64];
    int n;
} uses;

static int use_row(void *arg, const store_val *c, int n)
{
    uses *us = arg;
    (void)n;
    if (us->n >= (int)countof(us->u))
        return 1;
    blob_use *u = &us->u[us->n++];
    u->evidence = c[0].type == SV_TEXT && strcmp(c[0].s, "evidence") == 0;
    u->job = c[1].type == SV_INT ? c[1].i : 0;
    u->submitter = c[2].type == SV_INT ? c[2].i : 0;
    return 0;
}

/* May reader a see blob b?  Its uploader and admins may; otherwise a
 * request's submitter, or a reader of a job it belongs to (full access
 * for an intake photo, as for the intake itself; a pool preview shows
 * evidence, as the job view does). */
static qtm_status blob_visible(qtm *q, const actor *a, const blob_row *b, int *yes)
{
    uses us;
    us.n = 0;
    *yes = a->role == QTM_ROLE_ADMIN || (b->actor && b->actor == a->id);
    if (*yes || a->access == QTM_ACCESS_SUSPENDED)
        return QTM_OK;
    qtm_status st0 = a->id ? uploaded_by(q, b->id, a->id, yes) : QTM_OK;
    if (st0 != QTM_OK || *yes)
        return st0;
    store_val k = SV_I(b->id);
    store_rc rc = store_run(q->st, SQ_BLOB_USES, &k, 1, use_row, &us);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading files");
    for (int i = 0; i < us.n && !*yes; i++) {
        job j;
        if (us.u[i].submitter && us.u[i].submitter == a->id) {
            *yes = 1;
            break;
        }
        if (!us.u[i].job)
            continue;
        qtm_status st = qtmi_job_load(q, us.u[i].job, &j);
        if (st == QTM_ESTORAGE)
            return st;
        if (st != QTM_OK)
            continue;
        qtm_access lv = qtmi_access_job(a, &j);
        *yes = lv == QTM_ACCESS_FULL || (lv == QTM_ACCESS_PREVIEW && us.u[i].evidence);
    }
    qtm_ok(q);
    return QTM_OK;
}

/* May an anonymous caller reference b?  Only a file uploaded anonymously
 * that nothing references yet, within the grace period of its upload. */
static qtm_status blob_anon_referable(qtm *q, const blob_row *b, int *yes)
{
    char cutoff[48];
    uses us;
    us.n = 0;
    qtm_status st = uploaded_by(q, b->id, 0, yes);
    if (st != QTM_OK || !*yes)
        return st;
    store_val k = SV_I(b->id);
    store_rc rc = store_run(q->st, SQ_BLOB_USES, &k, 1, use_row, &us);
    if (rc != STORE_OK)
        return qtm_store_fail(q, rc, "reading files");
    *yes = us.n == 0 && stamp_minus(q, QTMI_BLOB_GRACE, cutoff, sizeof cutoff) == 0 &&
           strcmp(b->uploaded_at, cutoff) >= 0;
    return QTM_OK;
}

qtm_status qtmi_blob_find_for(qtm *q, const actor *a, const char *hex, int64_t *id,
                              qtm_file_type *type, int64_t *size)
{
    blob_row b;
    int yes = 0;
    qtm_status st = blob_lookup(q, hex, &b);
    if (st == QTM_OK && b.found)
        st = a && a->id ? blob_visible(q, a, &b, &yes) : blob_anon_referable(q, &b, &yes);
    if (st != QTM_OK)
        return st;
    if (!b.found || !yes)          /* the same answer: a hash is not the file */
        return qtm_fail(q, QTM_ENOTFOUND, "no file sha256:%s", hex);
    *id = b.id;
    *type = qtmi_file_type_of(b.type);
    *size = b.size;
    return QTM_OK;
}

typedef struct reader_out {
    qtm_write_fn fn;
    void *arg;
    int failed;
    char type[64];
    int64_t bytes;
} reader_out;

static int chunk_out(void *arg, const store_val *c, int n)
{
    reader_out *r = arg;
    const store_val *d = &c[n - 1];
    if (n == 2 && c[0].type == SV_TEXT && r->type[0] == '\0')
        snprintf(r->type, sizeof r->type, "%s", c[0].s);  /* SQ_BLOB_THUMB: type, data */
    if (d->type != SV_BLOB && d->type != SV_TEXT)
        return 0;
    size_t len = d->type == SV_BLOB ? (size_t)d->i : strlen(d->s);
    r->bytes += (int64_t)len;
    if (r->fn(r->arg, d->s, len) != 0) {
        r->failed = 1;
        return 1;
    }
    return 0;
}

qtm_status qtm_blob_read(qtm *q, const char *reader, const char *ref, int thumb,
                         qtm_blob_info *info, qtm_write_fn fn, void *arg)
{
    char hex[65];
    blob_row b;
    actor a;
    if (info)
        memset(info, 0, sizeof *info);
    if (qtmi_blob_ref(ref, hex) != 0)
        return qtm_fail(q, QTM_EINVALID, "a file is named sha256: and 64 lowercase hex digits");
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    if ((st = blob_lookup(q, hex, &b)) != QTM_OK)
        goto done;
    int yes = 1;
    if (reader && *reader) {
        if ((st = qtmi_actor_load(q, reader, &a)) != QTM_OK)
            goto done;
        if (b.found && (st = blob_visible(q, &a, &b, &yes)) != QTM_OK)
            goto done;
    }
    if (!b.found || !yes) {
        st = reader && *reader
                 ? qtm_fail(q, QTM_ENOTFOUND, "no file sha256:%s visible to %s", hex, a.slug)
                 : qtm_fail(q, QTM_ENOTFOUND, "no file sha256:%s", hex);
        goto done;
    }
    reader_out r = {fn, arg, 0, "", 0};
    store_val k = SV_I(b.id);
    store_rc rc = store_run(q->st, thumb ? SQ_BLOB_THUMB : SQ_BLOB_CHUNKS, &k, 1, chunk_out, &r);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "reading the file");
    else if (r.failed)
        st = qtm_fail(q, QTM_ESTORAGE, "cannot write the file out: %s", strerror(errno));
    else if (thumb && !r.type[0])
        st = qtm_fail(q, QTM_ENOTFOUND, "file sha256:%s has no thumbnail (%s)", hex, b.type);
    if (st == QTM_OK)
        info_fill(info, hex, thumb ? r.type : b.type, thumb ? r.bytes : b.size);
done:
    return qtmi_tx_end(q, st);
}

/* --- collecting ------------------------------------------------------------ */

qtm_status qtm_blob_gc(qtm *q, int64_t older_than_s, int64_t *removed)
{
    *removed = 0;
    if (older_than_s < 0)
        return qtm_fail(q, QTM_EUSAGE, "the grace period cannot be negative");
    qtm_status st = qtmi_tx_begin(q, 1);
    if (st != QTM_OK)
        return st;
    /* q->now is this call's stamp: ISO-8601 UTC, which sorts as time does */
    char cutoff[48];
    if (stamp_minus(q, older_than_s, cutoff, sizeof cutoff) != 0) {
        st = qtm_fail(q, QTM_EUSAGE, "the grace period is too long");
        return qtmi_tx_end(q, st);
    }
    store_val a = SV_S(cutoff);
    store_rc rc = store_run(q->st, SQ_BLOB_GC, &a, 1, NULL, NULL);
    if (rc != STORE_OK)
        st = qtm_store_fail(q, rc, "collecting files");
    else
        *removed = store_changes(q->st);
    st = qtmi_tx_end(q, st);
    if (st != QTM_OK)
        *removed = 0;
    return st;
}

static int int_row(void *arg, const store_val *c, int n)
{
    (void)n;
    *(int64_t *)arg = c[0].type == SV_INT ? c[0].i : 0;
    return 1;
}

qtm_status qtm_blob_unreferenced_bytes(qtm *q, int64_t *bytes)
{
    *bytes = 0;
    qtm_status st = qtmi_tx_begin(q, 0);
    if (st != QTM_OK)
        return st;
    store_rc rc = store_run(q->st, SQ_BLOB_UNREFERENCED_BYTES, NULL, 0, int_row, bytes);
    return qtmi_tx_end(q, rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "reading files"));
}

/* --- verify ------------------------------------------------------------------ */

typedef struct vblob {
    qtm *q;
    json_t *findings;
    int64_t id, size, seen, blobs, bytes;
    qtm_file_type detected;        /* from the first chunk's bytes */
    char hash[65], type[64];
    crypto_hash_sha256_state h;
} vblob;

static void vblob_finding(vblob *v, const char *what)
{
    char line[320];
    snprintf(line, sizeof line, "file sha256:%s (blob %lld) has changed: %s", v->hash,
             (long long)v->id, what);
    json_array_append_new(v->findings, json_string(line));
}

static void vblob_finish(vblob *v)
{
    if (!v->id)
        return;
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[65], what[192];
    crypto_hash_sha256_final(&v->h, d);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    if (v->seen != v->size) {
        snprintf(what, sizeof what, "%lld bytes are stored, its row says %lld",
                 (long long)v->seen, (long long)v->size);
        vblob_finding(v, what);
    } else if (strcmp(hex, v->hash) != 0) {
        snprintf(what, sizeof what, "its %lld stored bytes hash to %.16s...", (long long)v->seen,
                 hex);
        vblob_finding(v, what);
    }
    /* the type is what the bytes are, as they were detected at upload */
    qtm_file_type t = qtmi_file_type_of(v->type);
    if (t == QTM_FILE_UNKNOWN || t != v->detected) {
        snprintf(what, sizeof what, "its row says %.40s, its bytes are %s", v->type,
                 v->detected == QTM_FILE_UNKNOWN ? "none of the stored types"
                                                 : qtmi_file_mime(v->detected));
        vblob_finding(v, what);
    }
    v->id = 0;
}

static int vblob_row(void *arg, const store_val *c, int n)
{
    vblob *v = arg;
    (void)n;
    const store_val *d = &c[4];
    size_t len = d->type == SV_BLOB ? (size_t)d->i : d->type == SV_TEXT ? strlen(d->s) : 0;
    if (c[0].i != v->id) {
        vblob_finish(v);
        v->id = c[0].i;
        v->size = c[2].i;
        v->seen = 0;
        v->blobs++;
        crypto_hash_sha256_init(&v->h);
        if (qtmi_col_text(v->hash, sizeof v->hash, &c[1]))
            v->hash[0] = '\0';
        if (qtmi_col_text(v->type, sizeof v->type, &c[5]))
            v->type[0] = '\0';
        v->detected = len ? qtmi_blob_detect(v->q, (const unsigned char *)d->s, len)
                          : QTM_FILE_UNKNOWN;
    }
    if (len)
        crypto_hash_sha256_update(&v->h, (const unsigned char *)d->s, len);
    v->seen += (int64_t)len;
    v->bytes += (int64_t)len;
    return 0;
}

/* Each thumbnail against the digest stored beside it. */
static int vthumb_row(void *arg, const store_val *c, int n)
{
    (void)n;
    char hex[65], line[256];
    const store_val *d = &c[3];
    size_t len = d->type == SV_BLOB ? (size_t)d->i : d->type == SV_TEXT ? strlen(d->s) : 0;
    sha256_hex(d->s ? d->s : "", len, hex);
    if (c[2].type != SV_TEXT || strcmp(c[2].s, hex) != 0) {
        snprintf(line, sizeof line, "the thumbnail of file sha256:%.64s (blob %lld) has changed",
                 c[1].type == SV_TEXT ? c[1].s : "?", (long long)c[0].i);
        json_array_append_new(arg, json_string(line));
    }
    return 0;
}

static int vref_row(void *arg, const store_val *c, int n)
{
    (void)n;
    char line[192];
    const char *what = c[0].type == SV_TEXT ? c[0].s : "?";
    if (strcmp(what, "evidence") == 0)
        snprintf(line, sizeof line, "evidence %lld (job %lld) names a file that is not stored "
                 "as it says", (long long)c[1].i, (long long)(c[2].type == SV_INT ? c[2].i : 0));
    else
        snprintf(line, sizeof line, "request %lld's photos are not the files its packet lists",
                 (long long)c[1].i);
    json_array_append_new(arg, json_string(line));
    return 0;
}

qtm_status qtmi_verify_blobs(qtm *q, json_t *findings, int64_t *blobs, int64_t *bytes)
{
    vblob v;
    memset(&v, 0, sizeof v);
    v.q = q;
    v.findings = findings;
    store_rc rc = store_run(q->st, SQ_VERIFY_BLOBS, NULL, 0, vblob_row, &v);
    if (rc == STORE_OK)
        vblob_finish(&v);
    if (rc == STORE_OK)
        rc = store_run(q->st, SQ_VERIFY_BLOB_THUMBS, NULL, 0, vthumb_row, findings);
    if (rc == STORE_OK)
        rc = store_run(q->st, SQ_VERIFY_BLOB_REFS, NULL, 0, vref_row, findings);
    *blobs = v.blobs;
    *bytes = v.bytes;
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "verifying files");
}
