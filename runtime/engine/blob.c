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
 * the blob: a reader who may not see it is told it does not exist.
 */
#include "blob.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* Default accepted types: photos; and a surface's evidence. */
#define PHOTO_TYPES ((1u << QTM_FILE_JPEG) | (1u << QTM_FILE_PNG) | (1u << QTM_FILE_WEBP) | \
                     (1u << QTM_FILE_HEIC))
#define FILE_MAX_DEFAULT (20LL * 1024 * 1024)

unsigned qtmi_surface_photo_types(const qtm_surface *s)
{
    (void)s;
    return PHOTO_TYPES;
}

unsigned qtmi_surface_evidence_types(const qtm_surface *s)
{
    (void)s;
    return PHOTO_TYPES;
}

int64_t qtmi_surface_file_max(const qtm_surface *s)
{
    (void)s;
    return FILE_MAX_DEFAULT;
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
} blob_row;

static int blob_row_fn(void *arg, const store_val *c, int n)
{
    blob_row *b = arg;
    (void)n;
    b->found = 1;
    b->id = c[0].i;
    b->size = c[2].i;
    b->actor = c[3].type == SV_INT ? c[3].i : 0;
    return qtmi_col_text(b->type, sizeof b->type, &c[1]) ? -1 : 1;
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
        return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "storing the file");
    }
    store_val a[5] = {SV_S(f->hash), SV_S(qtmi_file_mime(f->type)), SV_I(f->size),
                      actor_id ? SV_I(actor_id) : SV_N, SV_S(q->now)};
    if ((rc = store_run(q->st, SQ_BLOB_INSERT, a, 5, NULL, NULL)) != STORE_OK)
        return qtm_store_fail(q, rc, "storing the file");
    *id = store_last_id(q->st);
    if ((st = store_chunks(q, f, *id)) != QTM_OK)
        return st;
    if (f->thumb) {
        store_val t[3] = {SV_I(*id), SV_S("image/webp"), SV_B(f->thumb, f->thumb_len)};
        if ((rc = store_run(q->st, SQ_BLOB_THUMB_INSERT, t, 3, NULL, NULL)) != STORE_OK)
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

qtm_status qtm_blob_upload(qtm *q, const char *actor_slug, const char *surface, int fd,
                           qtm_blob_info *info)
{
    qtmi_blob_file f;
    const qtm_surface *s = NULL;
    if (info)
        memset(info, 0, sizeof *info);
    if (surface && !(s = qtm_surface_find(surface)))
        return qtm_fail(q, QTM_ENOTFOUND, "no surface '%s'", surface);
    unsigned accept = s ? qtmi_surface_photo_types(s) | qtmi_surface_evidence_types(s)
                        : qtmi_surface_photo_types(NULL);
    qtm_status st = qtmi_blob_prepare(q, fd, accept, qtmi_surface_file_max(s), "the upload", &f);
    if (st != QTM_OK)
        return st;
    if ((st = qtmi_tx_begin(q, 1)) != QTM_OK)
        goto out;
    actor a = {0};
    int64_t id = 0;
    if (actor_slug && *actor_slug &&
        (st = qtmi_actor_may_act(q, actor_slug, &a, 0, "upload files")) != QTM_OK)
        goto done;
    blob_row b;
    if ((st = blob_lookup(q, f.hash, &b)) != QTM_OK)
        goto done;
    if ((st = qtmi_blob_store(q, &f, a.id, &id)) != QTM_OK)
        goto done;
    if (info)
        info->created = !b.found;
done:
    st = qtmi_tx_end(q, st);
    if (st == QTM_OK)
        info_fill(info, f.hash, qtmi_file_mime(f.type), f.size);
out:
    qtmi_blob_file_free(&f);
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

/* --- verify ------------------------------------------------------------------ */

typedef struct vblob {
    json_t *findings;
    int64_t id, size, seen, blobs, bytes;
    int chunks;
    char hash[65];
    crypto_hash_sha256_state h;
} vblob;

static void vblob_finish(vblob *v)
{
    if (!v->id)
        return;
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[65], line[256];
    crypto_hash_sha256_final(&v->h, d);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    if (strcmp(hex, v->hash) != 0 || v->seen != v->size) {
        snprintf(line, sizeof line, "file sha256:%s (blob %lld) has changed: its %lld stored "
                 "bytes hash to %.16s...", v->hash, (long long)v->id, (long long)v->seen, hex);
        json_array_append_new(v->findings, json_string(line));
    }
    v->id = 0;
}

static int vblob_row(void *arg, const store_val *c, int n)
{
    vblob *v = arg;
    (void)n;
    if (c[0].i != v->id) {
        vblob_finish(v);
        v->id = c[0].i;
        v->size = c[2].i;
        v->seen = 0;
        v->blobs++;
        crypto_hash_sha256_init(&v->h);
        if (qtmi_col_text(v->hash, sizeof v->hash, &c[1]))
            v->hash[0] = '\0';
    }
    const store_val *d = &c[4];
    size_t len = d->type == SV_BLOB ? (size_t)d->i : d->type == SV_TEXT ? strlen(d->s) : 0;
    if (len)
        crypto_hash_sha256_update(&v->h, (const unsigned char *)d->s, len);
    v->seen += (int64_t)len;
    v->bytes += (int64_t)len;
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
    v.findings = findings;
    store_rc rc = store_run(q->st, SQ_VERIFY_BLOBS, NULL, 0, vblob_row, &v);
    if (rc == STORE_OK)
        vblob_finish(&v);
    if (rc == STORE_OK)
        rc = store_run(q->st, SQ_VERIFY_BLOB_REFS, NULL, 0, vref_row, findings);
    *blobs = v.blobs;
    *bytes = v.bytes;
    return rc == STORE_OK ? QTM_OK : qtm_store_fail(q, rc, "verifying files");
}
