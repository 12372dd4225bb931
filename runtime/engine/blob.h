/*
 * blob.h - files inside the envelope (internal to libqtm).
 *
 * blob_check.c decides what a file is from its bytes (libmagic), checks
 * its structure by decoding it (libjpeg, libpng, libwebp, libheif; a PDF
 * by its header and trailer), removes location metadata from photos and
 * makes the desk's thumbnail; it touches no database.  blob.c stores the
 * result content-addressed (store.h's v5 queries), reads it back to those
 * who may see it, collects what nothing references and re-hashes it all
 * for verify.  The invariant both keep: a blob's name is the SHA-256 of
 * exactly the bytes stored, and those bytes are the cleaned file.
 */
#ifndef QTM_BLOB_H
#define QTM_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "qtm_int.h"

/* Bytes per stored chunk (blob_chunks.data): what one query moves. */
#define QTMI_BLOB_CHUNK (256 * 1024)
/* The thumbnail's box (pixels) and the size it must stay under. */
#define QTMI_THUMB_BOX 320
#define QTMI_THUMB_MAX (30 * 1024)

/* A checked, cleaned file, ready to store. */
typedef struct qtmi_blob_file {
    int fd;                        /* the cleaned bytes (unlinked temp file), -1: none */
    int64_t size;                  /* its length, > 0 */
    char hash[65];                 /* lowercase hex SHA-256 of those bytes */
    qtm_file_type type;            /* detected from the bytes */
    unsigned char *thumb;          /* a WebP of at most QTMI_THUMB_MAX bytes, or NULL (PDF) */
    size_t thumb_len;
} qtmi_blob_file;

/*
 * qtmi_blob_prepare - reads the file open on fd (from its start; fd is not
 * closed), refuses it unless it is non-empty, at most max bytes, of a type
 * in the accept mask (bit 1 << qtm_file_type) and whole (it decodes), and
 * fills *out with its cleaned copy: EXIF GPS and XMP removed from a JPEG
 * (the segments rewritten; the image data copied as it was), eXIf and XMP
 * chunks dropped from a PNG, EXIF and XMP chunks from a WebP (libwebpmux).
 * `what` names the file in messages ("photo 2").  QTM_OK, or QTM_EINVALID
 * (or QTM_ESTORAGE for I/O) with q's message set and *out empty.
 */
qtm_status qtmi_blob_prepare(qtm *q, int fd, unsigned accept, int64_t max, const char *what,
                             qtmi_blob_file *out);
/* Closes and frees what qtmi_blob_prepare filled; safe on an empty one. */
void qtmi_blob_file_free(qtmi_blob_file *f);
/* The MIME type stored for a file type ("image/jpeg"). */
const char *qtmi_file_mime(qtm_file_type t);
/* The file type of a stored MIME type; QTM_FILE_UNKNOWN if none. */
qtm_file_type qtmi_file_type_of(const char *mime);
/* An unlinked read-write temporary file ($TMPDIR, else /tmp), or -1. */
int qtmi_tmpfd(void);
/* Frees the libmagic handle q caches (core.c's qtm_close). */
void qtmi_blob_magic_close(qtm *q);

/*
 * qtmi_blob_store - in the caller's write transaction: stores f unless a
 * blob of its hash exists (then only its grace period restarts), with
 * actor_id (0: anonymous) as first uploader.  *id is the blob's id.
 */
qtm_status qtmi_blob_store(qtm *q, const qtmi_blob_file *f, int64_t actor_id, int64_t *id);
/*
 * qtmi_blob_ref - parses "sha256:HEX" (64 lowercase hex digits) into hex;
 * 0 on success, -1 if ref is not one.
 */
int qtmi_blob_ref(const char *ref, char hex[65]);
/* In the caller's transaction: the blob named hex (id, type, size); QTM_ENOTFOUND
 * "no file sha256:..." when there is none. */
qtm_status qtmi_blob_find(qtm *q, const char *hex, int64_t *id, qtm_file_type *type,
                          int64_t *size);
/* Adds verify's findings about blobs: every blob re-hashed, every
 * reference to one checked against the governed rows. */
qtm_status qtmi_verify_blobs(qtm *q, json_t *findings, int64_t *blobs, int64_t *bytes);
/* The accepted types of intake photos and of evidence files for s, and
 * the size limit of one file (the surface's declaration, else defaults). */
unsigned qtmi_surface_photo_types(const qtm_surface *s);
unsigned qtmi_surface_evidence_types(const qtm_surface *s);
int64_t qtmi_surface_file_max(const qtm_surface *s);

#endif
