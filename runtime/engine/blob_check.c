/*
 * blob_check.c - what an uploaded file is, from its bytes, and its cleaning.
 *
 * The type comes from libmagic on the file's first bytes, never from a
 * name.  Photos are then copied to a temporary file with their location
 * metadata left out, by rewriting only the metadata containers: a JPEG's
 * APP1 Exif segment goes through libexif with its GPS IFD emptied, its XMP
 * segments are dropped; a PNG loses its eXIf chunk and XMP/raw-profile
 * text chunks; a WebP loses its EXIF and XMP chunks (libwebpmux).  The
 * image data is copied untouched (no re-encode).  A HEIC that carries
 * EXIF GPS is refused: its metadata cannot be rewritten without
 * re-encoding.  The cleaned copy is decoded whole (libjpeg, libpng,
 * libwebp, libheif; a decoder warning counts as damage), so a truncated
 * photo is refused; the decode yields the thumbnail (libwebp's rescaler
 * and encoder).  A PDF is checked by its header and its %%EOF trailer.
 * Nothing here touches the database.
 */
#include "blob.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <libexif/exif-data.h>
#include <libheif/heif.h>
#include <magic.h>
#include <png.h>
#include <sodium.h>
#include <webp/decode.h>
#include <webp/encode.h>
#include <webp/mux.h>

/* the most pixels a photo may have (decoders allocate by it) */
#define MAX_PIXELS (100LL * 1000 * 1000)
/* a PNG is decoded whole (libpng's simplified reader): fewer pixels */
#define MAX_PNG_PIXELS (24LL * 1000 * 1000)
#define HEAD_BYTES 8192

/* ORDER: QTM_FILE_TYPES */
static const char *const mimes[] = {"image/jpeg", "image/png", "image/webp", "image/heic",
                                    "application/pdf"};
_Static_assert(countof(mimes) == QTM_FILE_UNKNOWN, "a MIME type per file type");

const char *qtmi_file_mime(qtm_file_type t)
{
    return t < QTM_FILE_UNKNOWN ? mimes[t] : "application/octet-stream";
}

qtm_file_type qtmi_file_type_of(const char *mime)
{
    for (unsigned i = 0; mime && i < QTM_FILE_UNKNOWN; i++)
        if (strcmp(mimes[i], mime) == 0)
            return (qtm_file_type)i;
    /* libmagic names HEIF stills either way */
    if (mime && strcmp(mime, "image/heif") == 0)
        return QTM_FILE_HEIC;
    return QTM_FILE_UNKNOWN;
}

int qtmi_tmpfd(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    char path[4096];
    if (snprintf(path, sizeof path, "%s/qtm-blob-XXXXXX", dir) >= (int)sizeof path)
        return -1;
    fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

void qtmi_blob_magic_close(qtm *q)
{
    if (q->magic)
        magic_close(q->magic);
    q->magic = NULL;
}

void qtmi_blob_file_free(qtmi_blob_file *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    free(f->thumb);
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

/* --- reading and writing whole buffers ------------------------------------ */

static int read_full(int fd, void *buf, size_t n, size_t *got)
{
    size_t o = 0;
    while (o < n) {
        ssize_t r = read(fd, (char *)buf + o, n - o);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        o += (size_t)r;
    }
    *got = o;
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The file at fd (size bytes, > 0) mapped read-only: its pages come
 * from the page cache, not the heap, and go back to it; NULL on failure. */
static unsigned char *map_fd(int fd, int64_t size)
{
    void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void unmap(unsigned char *p, int64_t size)
{
    if (p)
        munmap(p, (size_t)size);
}

/* --- the thumbnail: libwebp rescales and encodes -------------------------- */

/* A WebP of rgb (w x h, 3 bytes a pixel) fitted into QTMI_THUMB_BOX and
 * under QTMI_THUMB_MAX bytes; 0, or -1 when libwebp fails. */
static int thumb_encode(const unsigned char *rgb, int w, int h, qtmi_blob_file *out)
{
    static const struct { int box; float quality; } tries[] = {
        {QTMI_THUMB_BOX, 70}, {QTMI_THUMB_BOX, 45}, {QTMI_THUMB_BOX / 2, 50}, {96, 40}};
    for (size_t t = 0; t < countof(tries); t++) {
        WebPPicture pic;
        WebPConfig cfg;
        WebPMemoryWriter wr;
        if (!WebPPictureInit(&pic) || !WebPConfigInit(&cfg))
            return -1;
        cfg.quality = tries[t].quality;
        pic.use_argb = 1;
        pic.width = w;
        pic.height = h;
        int box = tries[t].box;
        int tw = w >= h ? (w > box ? box : w) : 0, th = w >= h ? 0 : (h > box ? box : h);
        WebPMemoryWriterInit(&wr);
        pic.writer = WebPMemoryWrite;
        pic.custom_ptr = &wr;
        int ok = WebPPictureImportRGB(&pic, rgb, w * 3) && WebPPictureRescale(&pic, tw, th) &&
                 WebPEncode(&cfg, &pic);
        WebPPictureFree(&pic);
        if (ok && wr.size <= QTMI_THUMB_MAX) {
            out->thumb = wr.mem;
            out->thumb_len = wr.size;
            return 0;
        }
        WebPMemoryWriterClear(&wr);
        if (!ok)
            return -1;
    }
    return -1;
}

/* --- JPEG ------------------------------------------------------------------ */

typedef struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char why[JMSG_LENGTH_MAX];
} jpeg_fail;

static void jpeg_exit(j_common_ptr cinfo)
{
    jpeg_fail *f = (jpeg_fail *)cinfo->err;
    f->mgr.format_message(cinfo, f->why);
    longjmp(f->jump, 1);
}

/* a warning (premature end, corrupt data) is damage too */
static void jpeg_note(j_common_ptr cinfo, int level)
{
    if (level < 0)
        jpeg_exit(cinfo);
}

/* Decodes the JPEG at fd whole, scaled down by libjpeg near the thumbnail
 * box, and makes the thumbnail.  0, or -1 with why set. */
static int jpeg_decode(int fd, qtmi_blob_file *out, char *why, size_t whylen)
{
    struct jpeg_decompress_struct ci;
    jpeg_fail jf;
    unsigned char *volatile rgb = NULL;
    FILE *volatile in = NULL;
    int dup_fd = dup(fd);
    if (dup_fd < 0 || lseek(dup_fd, 0, SEEK_SET) != 0 || !(in = fdopen(dup_fd, "rb"))) {
        if (dup_fd >= 0)
            close(dup_fd);
        snprintf(why, whylen, "cannot read it back");
        return -1;
    }
    ci.err = jpeg_std_error(&jf.mgr);
    jf.mgr.error_exit = jpeg_exit;
    jf.mgr.emit_message = jpeg_note;
    if (setjmp(jf.jump)) {
        snprintf(why, whylen, "the JPEG is damaged or cut short (%s)", jf.why);
        jpeg_destroy_decompress(&ci);
        free(rgb);
        fclose(in);
        return -1;
    }
    jpeg_create_decompress(&ci);
    jpeg_stdio_src(&ci, in);
    jpeg_read_header(&ci, TRUE);
    if ((long long)ci.image_width * ci.image_height > MAX_PIXELS) {
        snprintf(jf.why, sizeof jf.why, "more than %lld pixels", MAX_PIXELS);
        longjmp(jf.jump, 1);
    }
    ci.out_color_space = JCS_RGB;
    ci.scale_num = 1;
    ci.scale_denom = 1;
    unsigned small = ci.image_width < ci.image_height ? ci.image_width : ci.image_height;
    while (ci.scale_denom < 8 && small / (ci.scale_denom * 2) >= QTMI_THUMB_BOX)
        ci.scale_denom *= 2;
    jpeg_start_decompress(&ci);
    size_t stride = (size_t)ci.output_width * 3;
    rgb = malloc(stride * ci.output_height);
    if (!rgb) {
        snprintf(jf.why, sizeof jf.why, "out of memory");
        longjmp(jf.jump, 1);
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = rgb + stride * ci.output_scanline;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    int rc = thumb_encode(rgb, (int)ci.output_width, (int)ci.output_height, out);
    jpeg_destroy_decompress(&ci);
    free(rgb);
    fclose(in);
    if (rc != 0)
        snprintf(why, whylen, "its thumbnail could not be made");
    return rc;
}

/* An APP1 Exif payload without its GPS IFD (libexif), in *outp (malloc'd,
 * caller frees); 1 when rewritten, 0 when there was no GPS (keep it as it
 * is), -1 when libexif cannot read it (drop the segment). */
static int exif_without_gps(const unsigned char *p, size_t n, unsigned char **outp,
                            unsigned *outn)
{
    ExifData *ed = exif_data_new();
    if (!ed)
        return -1;
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed, p, (unsigned)n);
    ExifContent *gps = ed->ifd[EXIF_IFD_GPS];
    int rc = 0;
    if (!ed->ifd[EXIF_IFD_0] || (!ed->ifd[EXIF_IFD_0]->count && !gps->count)) {
        rc = -1;
    } else if (gps->count) {
        while (gps->count)
            exif_content_remove_entry(gps, gps->entries[0]);
        exif_data_save_data(ed, outp, outn);
        rc = *outp && *outn + 2 <= 0xFFFF ? 1 : -1;
    }
    exif_data_unref(ed);
    return rc;
}

static int starts(const unsigned char *p, size_t n, const char *lit, size_t ln)
{
    return n >= ln && memcmp(p, lit, ln) == 0;
}

/* Writes one JPEG marker segment (marker, payload) to fd. */
static int put_segment(int fd, unsigned marker, const unsigned char *p, size_t n)
{
    unsigned char hd[4] = {0xFF, (unsigned char)marker, (unsigned char)((n + 2) >> 8),
                           (unsigned char)((n + 2) & 0xFF)};
    return write_full(fd, hd, 4) || write_full(fd, p, n) ? -1 : 0;
}

/* Rewrites the JPEG buf (n bytes) into fd: segments before the scan are
 * copied, APP1 Exif without GPS, XMP dropped; from the first SOS on,
 * every byte as it was.  0, or -1 with why set. */
static int jpeg_clean(const unsigned char *buf, size_t n, int fd, char *why, size_t whylen)
{
    static const char exif[] = "Exif\0\0", xmp[] = "http://ns.adobe.com/xap/1.0/",
                      xmpx[] = "http://ns.adobe.com/xmp/extension/";
    size_t o = 2;
    if (write_full(fd, buf, 2) != 0)
        goto io;
    while (o + 4 <= n) {
        if (buf[o] != 0xFF) {
            snprintf(why, whylen, "the JPEG's segments are damaged");
            return -1;
        }
        unsigned m = buf[o + 1];
        if (m == 0xFF) {           /* fill byte */
            o++;
            continue;
        }
        if (m == 0xDA || m == 0xD9)   /* the scan, or an image with none */
            return write_full(fd, buf + o, n - o) == 0 ? 0 : -1;
        size_t len = ((size_t)buf[o + 2] << 8) | buf[o + 3];
        if (len < 2 || o + 2 + len > n)
            break;
        const unsigned char *p = buf + o + 4;
        size_t pn = len - 2;
        o += 2 + len;
        if (m == 0xE1 && starts(p, pn, exif, 6)) {
            unsigned char *clean = NULL;
            unsigned cn = 0;
            int rc = exif_without_gps(p, pn, &clean, &cn);
            int w = rc == 0 ? put_segment(fd, m, p, pn) : rc > 0 ? put_segment(fd, m, clean, cn) : 0;
            free(clean);
            if (w != 0)
                goto io;
        } else if (m == 0xE1 && (starts(p, pn, xmp, sizeof xmp - 1) ||
                                 starts(p, pn, xmpx, sizeof xmpx - 1))) {
            continue;              /* XMP may hold exif:GPS* too */
        } else if (put_segment(fd, m, p, pn) != 0) {
            goto io;
        }
    }
    snprintf(why, whylen, "the JPEG is cut short before its image data");
    return -1;
io:
    snprintf(why, whylen, "cannot write the cleaned copy: %s", strerror(errno));
    return -1;
}

/* --- PNG ------------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A text chunk (tEXt, zTXt, iTXt) that carries XMP or raw EXIF. */
static int png_meta_text(const unsigned char *type, const unsigned char *d, size_t n)
{
    if (memcmp(type, "tEXt", 4) && memcmp(type, "zTXt", 4) && memcmp(type, "iTXt", 4))
        return 0;
    return starts(d, n, "XML:com.adobe.xmp", 17) || starts(d, n, "Raw profile type", 16);
}

/* Copies the PNG buf into fd chunk by chunk up to IEND, leaving out eXIf
 * and metadata text; 0, or -1 with why set (a chunk cut short). */
static int png_clean(const unsigned char *buf, size_t n, int fd, char *why, size_t whylen)
{
    size_t o = 8;
    if (write_full(fd, buf, 8) != 0)
        goto io;
    while (o + 12 <= n) {
        size_t len = be32(buf + o);
        const unsigned char *type = buf + o + 4;
        if (len > n - o - 12)
            break;
        size_t whole = len + 12;
        int drop = memcmp(type, "eXIf", 4) == 0 || png_meta_text(type, buf + o + 8, len);
        if (!drop && write_full(fd, buf + o, whole) != 0)
            goto io;
        o += whole;
        if (memcmp(type, "IEND", 4) == 0)
            return 0;
    }
    snprintf(why, whylen, "the PNG is cut short");
    return -1;
io:
    snprintf(why, whylen, "cannot write the cleaned copy: %s", strerror(errno));
    return -1;
}

/* Decodes the PNG at fd whole (libpng) and makes the thumbnail. */
static int png_decode(int fd, qtmi_blob_file *out, char *why, size_t whylen)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    unsigned char *data = map_fd(fd, out->size), *rgb = NULL;
    int rc = -1;
    if (!data || !png_image_begin_read_from_memory(&img, data, (size_t)out->size)) {
        snprintf(why, whylen, "the PNG is damaged (%s)", data ? img.message : "out of memory");
        goto cleanup;
    }
    if ((long long)img.width * img.height > MAX_PNG_PIXELS) {
        snprintf(why, whylen, "the PNG has more than %lld pixels", MAX_PNG_PIXELS);
        goto cleanup;
    }
    img.format = PNG_FORMAT_RGB;
    if (!(rgb = malloc(PNG_IMAGE_SIZE(img))) ||
        !png_image_finish_read(&img, NULL, rgb, 0, NULL) || PNG_IMAGE_FAILED(img)) {
        snprintf(why, whylen, "the PNG is damaged or cut short (%s)", img.message);
        goto cleanup;
    }
    if ((rc = thumb_encode(rgb, (int)img.width, (int)img.height, out)) != 0)
        snprintf(why, whylen, "its thumbnail could not be made");
cleanup:
    png_image_free(&img);
    free(rgb);
    unmap(data, out->size);
    return rc;
}

/* --- WebP ------------------------------------------------------------------ */

/* Drops EXIF and XMP (libwebpmux), decodes the rest scaled to the
 * thumbnail box (libwebp reads the whole bitstream) and writes the
 * cleaned file to fd. */
static int webp_clean(const unsigned char *buf, size_t n, int fd, qtmi_blob_file *out,
                      char *why, size_t whylen)
{
    WebPData in = {buf, n}, clean = {NULL, 0};
    WebPMux *mux = WebPMuxCreate(&in, 0);
    WebPDecoderConfig cfg;
    int rc = -1;
    if (!mux || !WebPInitDecoderConfig(&cfg)) {
        snprintf(why, whylen, "the WebP is damaged");
        goto cleanup;
    }
    WebPMuxDeleteChunk(mux, "EXIF");
    WebPMuxDeleteChunk(mux, "XMP ");
    if (WebPMuxAssemble(mux, &clean) != WEBP_MUX_OK ||
        WebPGetFeatures(clean.bytes, clean.size, &cfg.input) != VP8_STATUS_OK) {
        snprintf(why, whylen, "the WebP is damaged");
        goto cleanup;
    }
    int w = cfg.input.width, h = cfg.input.height;
    if (cfg.input.has_animation || (long long)w * h > MAX_PIXELS) {
        snprintf(why, whylen, cfg.input.has_animation ? "an animated WebP is not a photo"
                                                      : "the WebP has too many pixels");
        goto cleanup;
    }
    cfg.options.use_scaling = 1;
    cfg.options.scaled_width = w >= h ? (w > QTMI_THUMB_BOX ? QTMI_THUMB_BOX : w) : 0;
    cfg.options.scaled_height = w >= h ? 0 : (h > QTMI_THUMB_BOX ? QTMI_THUMB_BOX : h);
    if (!cfg.options.scaled_width)
        cfg.options.scaled_width = (int)((long long)w * cfg.options.scaled_height / h + 1);
    if (!cfg.options.scaled_height)
        cfg.options.scaled_height = (int)((long long)h * cfg.options.scaled_width / w + 1);
    cfg.output.colorspace = MODE_RGB;
    if (WebPDecode(clean.bytes, clean.size, &cfg) != VP8_STATUS_OK) {
        snprintf(why, whylen, "the WebP is damaged or cut short");
        goto cleanup;
    }
    if (write_full(fd, clean.bytes, clean.size) != 0) {
        snprintf(why, whylen, "cannot write the cleaned copy: %s", strerror(errno));
    } else if (thumb_encode(cfg.output.u.RGBA.rgba, cfg.output.width, cfg.output.height,
                            out) != 0) {
        snprintf(why, whylen, "its thumbnail could not be made");
    } else {
        rc = 0;
    }
    WebPFreeDecBuffer(&cfg.output);
cleanup:
    WebPDataClear(&clean);
    WebPMuxDelete(mux);
    return rc;
}

/* --- HEIC ------------------------------------------------------------------ */

/* 1 when the handle's EXIF blocks hold GPS entries (or cannot be read). */
static int heic_has_gps(struct heif_image_handle *hd)
{
    heif_item_id ids[8];
    int n = heif_image_handle_get_list_of_metadata_block_IDs(hd, "Exif", ids, 8), gps = 0;
    for (int i = 0; i < n && !gps; i++) {
        size_t sz = heif_image_handle_get_metadata_size(hd, ids[i]);
        unsigned char *raw = malloc(sz + 6);
        if (!raw || sz < 4)
            gps = sz >= 4;     /* no memory: assume the worst */
        else if (heif_image_handle_get_metadata(hd, ids[i], raw + 6).code != heif_error_Ok)
            gps = 1;
        else {
            uint32_t skip = be32(raw + 6);
            if (skip > sz - 4) {
                gps = 1;
            } else {
                /* libexif wants "Exif\0\0" then the TIFF header */
                unsigned char *tiff = raw + 6 + 4 + skip - 6;
                memcpy(tiff, "Exif\0\0", 6);
                unsigned char *clean = NULL;
                unsigned cn = 0;
                gps = exif_without_gps(tiff, sz - 4 - skip + 6, &clean, &cn) != 0;
                free(clean);
            }
        }
        free(raw);
    }
    return gps;
}

/* Decodes a HEIC's primary image (libheif), refuses one with GPS and makes
 * the thumbnail; the file is stored as it came. */
static int heic_check(const unsigned char *buf, size_t n, qtmi_blob_file *out, char *why,
                      size_t whylen)
{
    struct heif_context *cx = heif_context_alloc();
    struct heif_image_handle *hd = NULL;
    struct heif_image *img = NULL, *small = NULL;
    int rc = -1;
    if (!cx || heif_context_read_from_memory_without_copy(cx, buf, n, NULL).code ||
        heif_context_get_primary_image_handle(cx, &hd).code) {
        snprintf(why, whylen, "the HEIC is damaged");
        goto cleanup;
    }
    if (heic_has_gps(hd)) {
        snprintf(why, whylen, "the HEIC photo carries its location (EXIF GPS), which qtm cannot "
                 "remove without re-encoding: send it as JPEG, or turn location off");
        goto cleanup;
    }
    int w = heif_image_handle_get_width(hd), h = heif_image_handle_get_height(hd);
    if ((long long)w * h > MAX_PIXELS || w <= 0 || h <= 0 ||
        heif_decode_image(hd, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL).code) {
        snprintf(why, whylen, "the HEIC is damaged or cut short");
        goto cleanup;
    }
    int tw = w >= h ? (w > QTMI_THUMB_BOX ? QTMI_THUMB_BOX : w) : 0;
    int th = w >= h ? (int)((long long)h * tw / w) : (h > QTMI_THUMB_BOX ? QTMI_THUMB_BOX : h);
    if (!tw)
        tw = (int)((long long)w * th / h);
    int stride = 0;
    const uint8_t *px = NULL;
    if (heif_image_scale_image(img, &small, tw ? tw : 1, th ? th : 1, NULL).code ||
        !(px = heif_image_get_plane_readonly(small, heif_channel_interleaved, &stride))) {
        snprintf(why, whylen, "its thumbnail could not be made");
        goto cleanup;
    }
    unsigned char *rgb = malloc((size_t)tw * (size_t)th * 3 + 1);
    for (int y = 0; rgb && y < th; y++)
        memcpy(rgb + (size_t)y * (size_t)tw * 3, px + (size_t)y * (size_t)stride, (size_t)tw * 3);
    rc = rgb ? thumb_encode(rgb, tw, th, out) : -1;
    free(rgb);
    if (rc != 0)
        snprintf(why, whylen, "its thumbnail could not be made");
cleanup:
    heif_image_release(small);
    heif_image_release(img);
    heif_image_handle_release(hd);
    heif_context_free(cx);
    return rc;
}

/* --- detection and the whole check ----------------------------------------- */

/* The type libmagic reads in head, or QTM_FILE_UNKNOWN with mime set. */
static qtm_file_type detect(qtm *q, const unsigned char *head, size_t n, char *mime,
                            size_t mimelen)
{
    if (!q->magic) {
        q->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (q->magic && magic_load(q->magic, NULL) != 0) {
            magic_close(q->magic);
            q->magic = NULL;
        }
    }
    const char *m = q->magic ? magic_buffer(q->magic, head, n) : NULL;
    snprintf(mime, mimelen, "%s", m ? m : "an unknown type");
    return qtmi_file_type_of(m);
}

/* The cleaned copy of buf (its type t) in a new temp file out->fd, with
 * its thumbnail; 0, or -1 with why set. */
static int clean_and_decode(const unsigned char *buf, size_t n, qtm_file_type t,
                            qtmi_blob_file *out, char *why, size_t whylen)
{
    if ((out->fd = qtmi_tmpfd()) < 0) {
        snprintf(why, whylen, "cannot make a temporary file: %s", strerror(errno));
        return -1;
    }
    switch (t) {
    case QTM_FILE_JPEG:
        if (jpeg_clean(buf, n, out->fd, why, whylen) != 0)
            return -1;
        out->size = lseek(out->fd, 0, SEEK_END);
        return jpeg_decode(out->fd, out, why, whylen);
    case QTM_FILE_PNG:
        if (png_clean(buf, n, out->fd, why, whylen) != 0)
            return -1;
        out->size = lseek(out->fd, 0, SEEK_END);
        return png_decode(out->fd, out, why, whylen);
    case QTM_FILE_WEBP:
        return webp_clean(buf, n, out->fd, out, why, whylen);
    case QTM_FILE_HEIC:
        if (heic_check(buf, n, out, why, whylen) != 0)
            return -1;
        return write_full(out->fd, buf, n);
    case QTM_FILE_PDF: {
        size_t tail = n < 1024 ? n : 1024;
        const char *eof = "%%EOF";
        int found = 0;
        for (size_t i = n - tail; i + 5 <= n && !found; i++)
            found = memcmp(buf + i, eof, 5) == 0;
        if (!found) {
            snprintf(why, whylen, "the PDF is cut short (no %%%%EOF at its end)");
            return -1;
        }
        return write_full(out->fd, buf, n);
    }
    default:
        snprintf(why, whylen, "an unknown type");
        return -1;
    }
}

/* The SHA-256 and size of fd's whole content; 0 or -1. */
static int hash_fd(int fd, qtmi_blob_file *out)
{
    unsigned char chunk[65536], digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    if (lseek(fd, 0, SEEK_SET) != 0)
        return -1;
    int64_t total = 0;
    for (;;) {
        size_t got = 0;
        if (read_full(fd, chunk, sizeof chunk, &got) != 0)
            return -1;
        if (!got)
            break;
        crypto_hash_sha256_update(&h, chunk, got);
        total += (int64_t)got;
    }
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out->hash, sizeof out->hash, digest, sizeof digest);
    out->size = total;
    return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1;
}

static void accepted_list(unsigned accept, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < QTM_FILE_UNKNOWN && o < n; i++)
        if (accept & (1u << i))
            o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", qtm_file_type_names[i]);
}

qtm_status qtmi_blob_prepare(qtm *q, int fd, unsigned accept, int64_t max, const char *what,
                             qtmi_blob_file *out)
{
    unsigned char *buf = NULL;
    char mime[96], why[256], list[64];
    struct stat sb;
    memset(out, 0, sizeof *out);
    out->fd = -1;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return qtm_fail(q, QTM_EINVALID, "%s is not a regular file", what);
    if (sb.st_size == 0)
        return qtm_fail(q, QTM_EINVALID, "%s is empty", what);
    if (sb.st_size > max)
        return qtm_fail(q, QTM_EINVALID, "%s is %lld bytes, more than the %lld allowed", what,
                        (long long)sb.st_size, (long long)max);
    if (!(buf = map_fd(fd, sb.st_size)))
        return qtm_fail(q, QTM_ESTORAGE, "cannot read %s: %s", what, strerror(errno));
    qtm_file_type t = detect(q, buf, sb.st_size < HEAD_BYTES ? (size_t)sb.st_size : HEAD_BYTES,
                             mime, sizeof mime);
    accepted_list(accept, list, sizeof list);
    qtm_status st = QTM_OK;
    if (t == QTM_FILE_UNKNOWN || !(accept & (1u << t)))
        st = qtm_fail(q, QTM_EINVALID, "%s is %s, not one of the accepted types (%s)", what,
                      t == QTM_FILE_UNKNOWN ? mime : qtm_file_type_names[t], list);
    else if (clean_and_decode(buf, (size_t)sb.st_size, t, out, why, sizeof why) != 0)
        st = qtm_fail(q, QTM_EINVALID, "%s is refused: %s", what, why);
    else if (hash_fd(out->fd, out) != 0)
        st = qtm_fail(q, QTM_ESTORAGE, "cannot read back %s: %s", what, strerror(errno));
    unmap(buf, sb.st_size);
    out->type = t;
    if (st != QTM_OK)
        qtmi_blob_file_free(out);
    return st;
}
