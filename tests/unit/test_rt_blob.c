/*
 * test_rt_blob.c - files in the envelope: stored once by content, refused
 * by content (empty, a text file named .jpg, cut short, too large, a type
 * not accepted) with the database unchanged, location metadata removed
 * before hashing, read only by those who may see them, collected when
 * nothing references them after their grace period, re-hashed by verify.
 * The images are written by the tests (libpng), never kept or downloaded.
 */
#include "rt_fixture.h"

#include <fcntl.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void path_in(rt_fx *f, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", f->dir, name);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* The whole file at path (caller frees), its length in *n. */
static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return buf;
}

static qtm_status upload_path(rt_fx *f, const char *actor, const char *path, qtm_blob_info *info)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    qtm_status st = qtm_blob_upload(f->q, actor, NULL, fd, info);
    close(fd);
    return st;
}

/* Collects what qtm_blob_read sends. */
typedef struct sink {
    unsigned char *buf;
    size_t len;
} sink;

static int to_sink(void *arg, const void *data, size_t n)
{
    sink *s = arg;
    unsigned char *b = realloc(s->buf, s->len + n + 1);
    if (!b)
        return -1;
    memcpy(b + s->len, data, n);
    s->buf = b;
    s->len += n;
    return 0;
}

static void test_blob_stored_once(void **state)
{
    rt_fx *f = *state;
    qtm_blob_info a, b;
    OK(upload_path(f, NULL, rt_photo(f, 1), &a));
    assert_int_equal(a.created, 1);
    assert_string_equal(a.type, "image/png");
    assert_int_equal(strncmp(a.ref, "sha256:", 7), 0);
    OK(upload_path(f, "cli", rt_photo(f, 1), &b));
    assert_int_equal(b.created, 0);
    assert_string_equal(a.ref, b.ref);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), 1);
    /* the bytes read back are the bytes named */
    sink s = {NULL, 0};
    OK(qtm_blob_read(f->q, NULL, a.ref, 0, &b, to_sink, &s));
    assert_int_equal(s.len, (size_t)a.size);
    unsigned char d[32];
    char hex[65];
    crypto_hash_sha256(d, s.buf, s.len);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    assert_string_equal(hex, a.ref + 7);
    free(s.buf);
}

static void test_blob_refused_by_content(void **state)
{
    rt_fx *f = *state;
    char path[256];
    qtm_blob_info info;
    path_in(f, "empty.jpg", path, sizeof path);
    write_bytes(path, "", 0);
    UNCHANGED(QTM_EINVALID, upload_path(f, NULL, path, &info));
    EXPECT_MSG(QTM_EINVALID, "the upload is empty", upload_path(f, NULL, path, &info));

    path_in(f, "x.jpg", path, sizeof path);
    write_bytes(path, "just some text, not a photo\n", 28);
    UNCHANGED(QTM_EINVALID, upload_path(f, NULL, path, &info));
    EXPECT_MSG(QTM_EINVALID, "text/plain, not one of the accepted types",
               upload_path(f, NULL, path, &info));

    /* a PNG cut short in its image data */
    size_t n;
    unsigned char *png = read_bytes(rt_photo(f, 2), &n);
    path_in(f, "cut.png", path, sizeof path);
    write_bytes(path, png, n - 40);
    free(png);
    UNCHANGED(QTM_EINVALID, upload_path(f, NULL, path, &info));
    EXPECT_MSG(QTM_EINVALID, "the PNG", upload_path(f, NULL, path, &info));

    /* larger than the limit: refused by its size, before it is read */
    path_in(f, "big.png", path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 21 * 1024 * 1024), 0);
    close(fd);
    UNCHANGED(QTM_EINVALID, upload_path(f, NULL, path, &info));
    EXPECT_MSG(QTM_EINVALID, "more than the 20971520 allowed", upload_path(f, NULL, path, &info));

    /* a document is no photo */
    static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    path_in(f, "doc.pdf", path, sizeof path);
    write_bytes(path, pdf, sizeof pdf - 1);
    UNCHANGED(QTM_EINVALID, upload_path(f, NULL, path, &info));
    EXPECT_MSG(QTM_EINVALID, "is pdf, not one of", upload_path(f, NULL, path, &info));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), 0);
}

/* What a surface declares is what it takes: doc-evidence (tests/surfaces/)
 * takes PDF and JPEG evidence and JPEG and PNG photos, of at most 1 MiB;
 * auto-detailing declares the defaults. */
static void test_blob_surface_declared_types(void **state)
{
    rt_fx *f = *state;
    static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    char path[256];
    qtm_blob_info info;
    const qtm_surface *de = qtm_surface_find("doc-evidence");
    const qtm_surface *ad = qtm_surface_find("auto-detailing");
    assert_non_null(de);
    assert_non_null(ad);
    assert_int_equal(de->ev_types, (1u << QTM_FILE_PDF) | (1u << QTM_FILE_JPEG));
    assert_int_equal(de->photo_types, (1u << QTM_FILE_JPEG) | (1u << QTM_FILE_PNG));
    assert_true(de->ev_max == 1024 * 1024 && de->photo_max == 1024 * 1024);
    assert_int_equal(ad->photo_types, QTM_FILE_PHOTO_TYPES);
    assert_true(ad->ev_max == QTM_FILE_MAX_DEFAULT);

    path_in(f, "doc.pdf", path, sizeof path);
    write_bytes(path, pdf, sizeof pdf - 1);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    UNCHANGED(QTM_EINVALID, qtm_blob_upload(f->q, NULL, "auto-detailing", fd, &info));
    EXPECT_MSG(QTM_EINVALID, "is pdf, not one of the accepted types (jpeg, png, webp, heic)",
               qtm_blob_upload(f->q, NULL, "auto-detailing", fd, &info));
    OK(qtm_blob_upload(f->q, NULL, "doc-evidence", fd, &info));
    assert_string_equal(info.type, "application/pdf");
    assert_int_equal(info.created, 1);
    close(fd);

    /* its limit: 1 MiB, refused by size before it is read */
    path_in(f, "big.png", path, sizeof path);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 1024 * 1024 + 1), 0);
    UNCHANGED(QTM_EINVALID, qtm_blob_upload(f->q, NULL, "doc-evidence", fd, &info));
    EXPECT_MSG(QTM_EINVALID, "more than the 1048576 allowed",
               qtm_blob_upload(f->q, NULL, "doc-evidence", fd, &info));
    close(fd);
    EXPECT_MSG(QTM_ENOTFOUND, "no surface 'nope'", qtm_blob_upload(f->q, NULL, "nope", 0, &info));
}

/* The check needs no database; two checks of the same bytes stored one
 * after the other (as two uploads racing for the writer's turn) make one
 * blob, the second answered created = 0. */
static void test_blob_check_then_store(void **state)
{
    rt_fx *f = *state;
    qtm_upload *u1, *u2;
    qtm_blob_info a, b;
    int fd = open(rt_photo(f, 3), O_RDONLY);
    assert_true(fd >= 0);
    OK(qtm_upload_check(f->q, NULL, fd, &u1));
    OK(qtm_upload_check(f->q, NULL, fd, &u2));
    close(fd);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), 0);
    OK(qtm_upload_store(f->q, "cli", u1, &a));
    OK(qtm_upload_store(f->q, NULL, u2, &b));
    assert_int_equal(a.created, 1);
    assert_int_equal(b.created, 0);
    assert_string_equal(a.ref, b.ref);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), 1);
    qtm_upload_free(u1);
    qtm_upload_free(u2);
    qtm_upload_free(NULL);
    /* a refused check leaves nothing to store */
    static const char text[] = "not a photo\n";
    char path[256];
    path_in(f, "t.jpg", path, sizeof path);
    write_bytes(path, text, sizeof text - 1);
    fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    u1 = (qtm_upload *)&a;         /* must be cleared */
    EXPECT_MSG(QTM_EINVALID, "not one of the accepted types", qtm_upload_check(f->q, NULL, fd, &u1));
    assert_null(u1);
    close(fd);
    EXPECT_MSG(QTM_EUSAGE, "no checked upload", qtm_upload_store(f->q, NULL, NULL, &a));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), 1);
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* A PNG's eXIf chunk (where a phone puts its GPS) is not stored. */
static void test_blob_png_exif_removed(void **state)
{
    rt_fx *f = *state;
    size_t n;
    unsigned char *png = read_bytes(rt_photo(f, 3), &n);
    static const char marker[] = "MM\0*GPS-POSITION-40.4461N";
    size_t cn = sizeof marker - 1, at = 8 + 25;     /* after the signature and IHDR */
    unsigned char *out = malloc(n + cn + 12);
    memcpy(out, png, at);
    put32(out + at, (uint32_t)cn);
    memcpy(out + at + 4, "eXIf", 4);
    memcpy(out + at + 8, marker, cn);
    put32(out + at + 8 + cn, crc32_of(out + at + 4, cn + 4));
    memcpy(out + at + 12 + cn, png + at, n - at);
    char path[256];
    path_in(f, "exif.png", path, sizeof path);
    write_bytes(path, out, n + cn + 12);
    qtm_blob_info info, plain;
    OK(upload_path(f, NULL, path, &info));
    sink s = {NULL, 0};
    OK(qtm_blob_read(f->q, NULL, info.ref, 0, NULL, to_sink, &s));
    assert_int_equal(s.len, n);
    assert_memory_equal(s.buf, png, n);   /* exactly the PNG without the chunk */
    /* and so the same file as the PNG that never had it */
    OK(upload_path(f, NULL, rt_photo(f, 3), &plain));
    assert_string_equal(plain.ref, info.ref);
    free(s.buf);
    free(out);
    free(png);
}

static void test_blob_thumbnail(void **state)
{
    rt_fx *f = *state;
    qtm_blob_info info, th;
    OK(upload_path(f, NULL, rt_photo(f, 4), &info));
    sink s = {NULL, 0};
    OK(qtm_blob_read(f->q, NULL, info.ref, 1, &th, to_sink, &s));
    assert_string_equal(th.type, "image/webp");
    assert_true(s.len > 12 && s.len <= 30 * 1024);
    assert_memory_equal(s.buf + 8, "WEBP", 4);
    free(s.buf);
}

/* Evidence photos: the job's owner and admins read them; another operator,
 * a vendor, a client who did not submit it: not found, as for no file. */
static void test_blob_read_rule(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana");
    OK(qtm_evidence_add(f->q, "ana", j, "arrival", rt_photo(f, 5), NULL));
    json_t *o = rt_job_show(f, j);
    const char *ref = rt_js(json_array_get(json_object_get(o, "evidence"), 0), "ref");
    assert_non_null(ref);
    char msgbuf[256];
    sink s = {NULL, 0};
    OK(qtm_blob_read(f->q, "ana", ref, 0, NULL, to_sink, &s));
    OK(qtm_blob_read(f->q, "ada", ref, 1, NULL, to_sink, &s));
    OK(qtm_blob_read(f->q, NULL, ref, 0, NULL, to_sink, &s));
    EXPECT_EXACT(QTM_ENOTFOUND, MSGF("no file %s visible to bo", ref),
                 qtm_blob_read(f->q, "bo", ref, 0, NULL, to_sink, &s));
    EXPECT(QTM_ENOTFOUND, qtm_blob_read(f->q, "vic", ref, 0, NULL, to_sink, &s));
    EXPECT(QTM_ENOTFOUND, qtm_blob_read(f->q, "cli", ref, 0, NULL, to_sink, &s));
    /* the intake photo: its submitter (cli) and the job's owner read it */
    char *intake = rt_db_text(f, "SELECT 'sha256:' || b.hash FROM request_photos p"
                                 " JOIN blobs b ON b.id = p.blob_id LIMIT 1");
    OK(qtm_blob_read(f->q, "cli", intake, 0, NULL, to_sink, &s));
    OK(qtm_blob_read(f->q, "ana", intake, 0, NULL, to_sink, &s));
    EXPECT(QTM_ENOTFOUND, qtm_blob_read(f->q, "bo", intake, 0, NULL, to_sink, &s));
    EXPECT(QTM_ENOTFOUND, qtm_blob_read(f->q, "ada", "sha256:0000000000000000000000000000000000"
                                                     "000000000000000000000000000000", 0, NULL,
                                        to_sink, &s));
    EXPECT(QTM_EINVALID, qtm_blob_read(f->q, "ada", "photos/a.jpg", 0, NULL, to_sink, &s));
    free(intake);
    free(s.buf);
    json_decref(o);
}

/* A FIFO (or anything but a regular file) is refused at once, not waited
 * on: the alarm ends the test if the open blocks. */
static void test_blob_fifo_refused(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana"), r, t;
    char path[256];
    path_in(f, "pipe.jpg", path, sizeof path);
    assert_int_equal(mkfifo(path, 0600), 0);
    const char *photos[] = {path};
    alarm(30);
    UNCHANGED(QTM_EINVALID, qtm_evidence_add(f->q, "ana", j, "arrival", path, NULL));
    EXPECT_MSG(QTM_EINVALID, "the evidence file is not a regular file",
               qtm_evidence_add(f->q, "ana", j, "arrival", path, NULL));
    EXPECT_MSG(QTM_EINVALID, "photo 1 is not a regular file",
               qtm_request_submit(f->q, "cli", AD, AD_PACKET, photos, 1, NULL, &r, &t));
    alarm(0);
}

/* Another operator's job: refused, and the file is not stored either. */
static void test_blob_evidence_refused_stores_nothing(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_claimed(f, AD, "ana");
    int64_t before = rt_db_int(f, "SELECT count(*) FROM blobs");
    UNCHANGED(QTM_EFORBIDDEN, qtm_evidence_add(f->q, "bo", j, "arrival", rt_photo(f, 6), NULL));
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), before);
    UNCHANGED(QTM_EINVALID,
              qtm_evidence_add_blob(f->q, "ana", j, "arrival",
                                    "sha256:0000000000000000000000000000000000000000000000000000"
                                    "000000000000", NULL));
}

static void test_blob_intake_names_stored_photos(void **state)
{
    rt_fx *f = *state;
    int64_t r, t;
    json_t *p = json_loads(AD_PACKET, 0, NULL);
    json_object_set_new(p, "photos", json_pack("[s]", "sha256:00000000000000000000000000000000"
                                                      "00000000000000000000000000000000"));
    char *text = json_dumps(p, JSON_COMPACT);
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli", AD, text, NULL, 0, NULL, &r, &t));
    EXPECT_MSG(QTM_EINVALID, "no stored file sha256:0000",
               qtm_request_submit(f->q, "cli", AD, text, NULL, 0, NULL, &r, &t));
    free(text);
    /* uploaded first, then named: the same photo twice counts once */
    qtm_blob_info info;
    OK(upload_path(f, "cli", rt_photo(f, 7), &info));
    json_object_set_new(p, "photos", json_pack("[s,s]", info.ref, info.ref));
    text = json_dumps(p, JSON_COMPACT);
    OK(qtm_request_submit(f->q, "cli", AD, text, NULL, 0, NULL, &r, &t));
    assert_int_equal(rt_db_int(f, "SELECT photos FROM requests ORDER BY id DESC LIMIT 1"), 1);
    free(text);
    json_decref(p);
}

/* A packet naming photos p (NULL-ended refs), compact JSON (caller frees). */
static char *packet_with(const char *const *p)
{
    json_t *o = json_loads(AD_PACKET, 0, NULL), *a = json_array();
    for (; *p; p++)
        json_array_append_new(a, json_string(*p));
    json_object_set_new(o, "photos", a);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* Knowing a hash is not having the file: another client may not name
 * cli's upload in its request, nor an operator attach it as evidence, and
 * the refusal is the one for a file not stored.  Whoever uploaded the same
 * bytes, or may read what holds them, may. */
static void test_blob_reference_needs_the_file(void **state)
{
    SQLITE_ONLY("orders by SQLite's rowid");
    rt_fx *f = *state;
    int64_t r, t, j = rt_job_claimed(f, AD, "ana");
    OK(qtm_actor_add(f->q, "cli2", "client", "Cli Two"));
    qtm_blob_info x;
    OK(upload_path(f, "cli", rt_photo(f, 21), &x));
    const char *px[] = {x.ref, NULL};
    char *text = packet_with(px), want[160];
    snprintf(want, sizeof want, "intake: photos: no stored file %s (upload it first)", x.ref);
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, "cli2", AD, text, NULL, 0, NULL, &r, &t));
    EXPECT_EXACT(QTM_EINVALID, want,
                 qtm_request_submit(f->q, "cli2", AD, text, NULL, 0, NULL, &r, &t));
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, NULL, AD, text, NULL, 0, NULL, &r, &t));
    snprintf(want, sizeof want, "evidence: no stored file %s (upload it first)", x.ref);
    UNCHANGED(QTM_EINVALID, qtm_evidence_add_blob(f->q, "ana", j, "arrival", x.ref, NULL));
    EXPECT_EXACT(QTM_EINVALID, want, qtm_evidence_add_blob(f->q, "ana", j, "arrival", x.ref,
                                                          NULL));
    sink s = {NULL, 0};
    EXPECT(QTM_ENOTFOUND, qtm_blob_read(f->q, "cli2", x.ref, 0, NULL, to_sink, &s));
    /* cli2 uploads the same bytes: now it has them, and may */
    OK(upload_path(f, "cli2", rt_photo(f, 21), &x));
    OK(qtm_blob_read(f->q, "cli2", x.ref, 0, NULL, to_sink, &s));
    OK(qtm_request_submit(f->q, "cli2", AD, text, NULL, 0, NULL, &r, &t));
    /* ana's job holds its intake photo: she may attach that one */
    char *intake = rt_db_text(f, "SELECT 'sha256:' || b.hash FROM request_photos p"
                                 " JOIN blobs b ON b.id = p.blob_id ORDER BY p.rowid LIMIT 1");
    OK(qtm_evidence_add_blob(f->q, "ana", j, "arrival", intake, NULL));
    free(intake);
    free(text);
    free(s.buf);
}

/* An anonymous intake names only an anonymous upload nobody references
 * yet, within the grace period. */
static void test_blob_anonymous_reference(void **state)
{
    rt_fx *f = *state;
    int64_t r, t;
    qtm_blob_info a, b, c;
    OK(upload_path(f, NULL, rt_photo(f, 22), &a));
    OK(upload_path(f, NULL, rt_photo(f, 23), &b));
    OK(upload_path(f, "cli", rt_photo(f, 24), &c));
    const char *pa[] = {a.ref, NULL}, *pb[] = {b.ref, NULL}, *pc[] = {c.ref, NULL};
    char *ta = packet_with(pa), *tb = packet_with(pb), *tc = packet_with(pc);
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, NULL, AD, tc, NULL, 0, NULL, &r, &t));
    OK(qtm_request_submit(f->q, NULL, AD, ta, NULL, 0, NULL, &r, &t));
    /* referenced now: a second anonymous request may not name it */
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, NULL, AD, ta, NULL, 0, NULL, &r, &t));
    /* past the grace period of its upload */
    DB_OK("UPDATE blobs SET uploaded_at = '2000-01-01T00:00:00.000Z'");
    UNCHANGED(QTM_EINVALID, qtm_request_submit(f->q, NULL, AD, tb, NULL, 0, NULL, &r, &t));
    free(ta);
    free(tb);
    free(tc);
}

static void test_blob_gc_grace_and_references(void **state)
{
    rt_fx *f = *state;
    int64_t removed = -1;
    qtm_blob_info loose;
    rt_submit(f, AD);                          /* its photo is referenced */
    OK(upload_path(f, NULL, rt_photo(f, 8), &loose));
    OK(qtm_blob_gc(f->q, 3600, &removed));
    assert_int_equal(removed, 0);              /* within its grace period */
    OK(qtm_blob_gc(f->q, 0, &removed));
    assert_int_equal(removed, 1);              /* the loose one only */
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blobs"), 1);
    assert_int_equal(rt_db_int(f, "SELECT count(*) FROM blob_chunks WHERE blob_id NOT IN"
                                  " (SELECT id FROM blobs)"), 0);
    OK(qtm_verify(f->q, &f->held));
}

/* verify re-hashes every file: one changed byte is a finding; so is an
 * evidence item whose file was deleted with foreign keys off. */
static void test_blob_verify_sees_a_changed_byte(void **state)
{
    rt_fx *f = *state;
    int64_t j = rt_job_done(f, AD, "ana");
    (void)j;
    OK(qtm_verify(f->q, &f->held));
    json_decref(f->held);
    f->held = NULL;
    sqlite3 *db = rt_db_open(f);
    sqlite3_stmt *rd = NULL, *wr = NULL;
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER blob_chunks_no_update", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT data FROM blob_chunks LIMIT 1", -1, &rd,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(rd), SQLITE_ROW);
    int n = sqlite3_column_bytes(rd, 0);
    unsigned char *d = malloc((size_t)n);
    memcpy(d, sqlite3_column_blob(rd, 0), (size_t)n);
    sqlite3_finalize(rd);
    d[n / 2] ^= 0x01;
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE blob_chunks SET data = ?1 WHERE rowid ="
                                        " (SELECT rowid FROM blob_chunks LIMIT 1)", -1, &wr,
                                        NULL), SQLITE_OK);
    sqlite3_bind_blob(wr, 1, d, n, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(wr), SQLITE_DONE);
    sqlite3_finalize(wr);
    free(d);
    sqlite3_close(db);
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &f->held));
    char *all = json_dumps(json_object_get(f->held, "findings"), 0);
    assert_non_null(strstr(all, "has changed"));
    free(all);
    json_decref(f->held);
    f->held = NULL;
    DB_OK("PRAGMA foreign_keys = OFF; DELETE FROM blob_chunks; DELETE FROM blob_thumbs;"
          " DELETE FROM blobs WHERE id IN (SELECT blob_id FROM evidence)");
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &f->held));
    all = json_dumps(json_object_get(f->held, "findings"), 0);
    assert_non_null(strstr(all, "names a file that is not stored"));
    free(all);
}

/* The findings of a verify expected to fail, as one string (caller frees). */
static char *verify_findings(rt_fx *f)
{
    json_decref(f->held);
    f->held = NULL;
    EXPECT(QTM_EVERIFY, qtm_verify(f->q, &f->held));
    char *all = json_dumps(json_object_get(f->held, "findings"), 0);
    json_decref(f->held);
    f->held = NULL;
    return all;
}

/* verify sees a changed type, a changed thumbnail byte and a changed size
 * (each with its immutability trigger dropped), and says which. */
static void test_blob_verify_type_thumb_size(void **state)
{
    SQLITE_ONLY("its tampering SQL is SQLite's (zeroblob)");
    rt_fx *f = *state;
    qtm_blob_info info;
    OK(upload_path(f, "cli", rt_photo(f, 31), &info));
    OK(qtm_verify(f->q, &f->held));
    DB_OK("DROP TRIGGER blob_thumbs_no_update;"
          " UPDATE blob_thumbs SET data = CAST(zeroblob(length(data)) AS BLOB)");
    char *all = verify_findings(f);
    assert_non_null(strstr(all, "the thumbnail of file sha256:"));
    free(all);
    DB_OK("DROP TRIGGER blobs_no_update; UPDATE blobs SET type = 'image/webp'");
    all = verify_findings(f);
    assert_non_null(strstr(all, "its row says image/webp, its bytes are image/png"));
    free(all);
    DB_OK("UPDATE blobs SET type = 'image/png', size = size + 1");
    all = verify_findings(f);
    char want[96];
    snprintf(want, sizeof want, "%lld bytes are stored, its row says %lld", (long long)info.size,
             (long long)info.size + 1);
    assert_non_null(strstr(all, want));
    assert_null(strstr(all, "hash to"));
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_blob_stored_once),
        TEST(test_blob_refused_by_content),
        TEST(test_blob_surface_declared_types),
        TEST(test_blob_check_then_store),
        TEST(test_blob_png_exif_removed),
        TEST(test_blob_thumbnail),
        TEST(test_blob_read_rule),
        TEST(test_blob_evidence_refused_stores_nothing),
        TEST(test_blob_fifo_refused),
        TEST(test_blob_intake_names_stored_photos),
        TEST(test_blob_reference_needs_the_file),
        TEST(test_blob_anonymous_reference),
        TEST(test_blob_gc_grace_and_references),
        TEST(test_blob_verify_sees_a_changed_byte),
        TEST(test_blob_verify_type_thumb_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
