/*
 * imggen.c - makes the test images the file tests need, so none is
 * downloaded or kept as a binary: photos with libjpeg, libpng and libwebp
 * (a seeded pattern, so each seed gives other bytes), HEIC with libheif,
 * a JPEG whose EXIF carries GPS (libexif), and says whether a file still
 * carries GPS anywhere in its bytes.
 *
 *   qtm-imggen jpeg|pjpeg|png|webp W H SEED FILE [--gps|--gps-odd]
 *       write an image; --gps-odd: the GPS Exif segment's header is
 *       "Exif\0" and a byte other than \0 (which lenient readers accept);
 *       pjpeg: a progressive JPEG
 *   qtm-imggen heic W H SEED FILE [--gps|--gps-xmp|--gps-second]
 *       a HEIC: GPS in the primary's Exif, in an XMP block, or in the Exif
 *       of a second image
 *   qtm-imggen noise W H SEED FILE                   a JPEG of noise (big files, for bench/)
 *   qtm-imggen hasgps FILE                           exit 0 if it has GPS, 1 if not: every
 *       Exif header anywhere in the file (any "Exif\0"), and XMP's exif:GPS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <libheif/heif.h>
#include <libexif/exif-data.h>
#include <png.h>
#include <webp/encode.h>

static unsigned char *noise(int w, int h, unsigned seed)
{
    unsigned char *rgb = malloc((size_t)w * (size_t)h * 3);
    unsigned x = seed * 2654435761u + 7;
    for (size_t i = 0; rgb && i < (size_t)w * (size_t)h * 3; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        rgb[i] = (unsigned char)x;
    }
    return rgb;
}

static unsigned char *pattern(int w, int h, unsigned seed)
{
    unsigned char *rgb = malloc((size_t)w * (size_t)h * 3);
    unsigned x = seed * 2654435761u + 1;
    for (size_t i = 0; rgb && i < (size_t)w * (size_t)h; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t px = i % (size_t)w, py = i / (size_t)w;
        rgb[3 * i] = (unsigned char)(px * 255 / (size_t)w);
        rgb[3 * i + 1] = (unsigned char)(py * 255 / (size_t)h);
        rgb[3 * i + 2] = (unsigned char)((x & 63) + seed * 37);
    }
    return rgb;
}

static ExifEntry *add(ExifData *ed, ExifIfd ifd, ExifTag tag, ExifFormat fmt, unsigned n)
{
    ExifEntry *e = exif_entry_new();
    e->tag = tag;
    e->format = fmt;
    e->components = n;
    e->size = exif_format_get_size(fmt) * n;
    e->data = calloc(1, e->size);
    exif_content_add_entry(ed->ifd[ifd], e);
    exif_entry_unref(e);
    return e;
}

/* An APP1 Exif payload with a camera make and a GPS position. */
static void gps_exif(unsigned char **buf, unsigned *len)
{
    ExifData *ed = exif_data_new();
    exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_INTEL);
    ExifEntry *make = add(ed, EXIF_IFD_0, EXIF_TAG_MAKE, EXIF_FORMAT_ASCII, 9);
    memcpy(make->data, "qtm-test", 9);
    ExifEntry *ref = add(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF, EXIF_FORMAT_ASCII, 2);
    memcpy(ref->data, "N", 2);
    ExifEntry *lat = add(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE, EXIF_FORMAT_RATIONAL, 3);
    ExifRational r[3] = {{40, 1}, {26, 1}, {4619, 100}};
    for (int i = 0; i < 3; i++)
        exif_set_rational(lat->data + 8 * i, EXIF_BYTE_ORDER_INTEL, r[i]);
    exif_data_save_data(ed, buf, len);
    exif_data_unref(ed);
}

static int write_jpeg(const char *path, int w, int h, const unsigned char *rgb, int gps,
                      int odd, int progressive)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr err;
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    ci.err = jpeg_std_error(&err);
    jpeg_create_compress(&ci);
    jpeg_stdio_dest(&ci, f);
    ci.image_width = (JDIMENSION)w;
    ci.image_height = (JDIMENSION)h;
    ci.input_components = 3;
    ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 90, TRUE);
    if (progressive)
        jpeg_simple_progression(&ci);   /* many scans, tables between them */
    jpeg_start_compress(&ci, TRUE);
    if (gps) {
        unsigned char *exif = NULL;
        unsigned n = 0;
        gps_exif(&exif, &n);
        if (odd)
            exif[5] = 'X';
        jpeg_write_marker(&ci, JPEG_APP0 + 1, exif, n);
        free(exif);
    }
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)ci.next_scanline * (size_t)w * 3);
        jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    return fclose(f) != 0;
}

static int write_png(const char *path, int w, int h, const unsigned char *rgb)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    img.format = PNG_FORMAT_RGB;
    return !png_image_write_to_file(&img, path, 0, rgb, 0, NULL);
}

static int write_webp(const char *path, int w, int h, const unsigned char *rgb)
{
    uint8_t *out = NULL;
    size_t n = WebPEncodeRGB(rgb, w, h, w * 3, 80, &out);
    FILE *f = fopen(path, "wb");
    int bad = !n || !f || fwrite(out, 1, n, f) != n;
    if (f)
        bad |= fclose(f) != 0;
    WebPFree(out);
    return bad;
}

/* Encodes rgb into cx as a new image (x265 through libheif); *hd its handle. */
static int heic_add(struct heif_context *cx, int w, int h, const unsigned char *rgb,
                    struct heif_image_handle **hd)
{
    struct heif_encoder *enc = NULL;
    struct heif_image *img = NULL;
    int stride = 0, bad = 1;
    if (heif_context_get_encoder_for_format(cx, heif_compression_HEVC, &enc).code ||
        heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img).code ||
        heif_image_add_plane(img, heif_channel_interleaved, w, h, 8).code)
        goto out;
    uint8_t *pl = heif_image_get_plane(img, heif_channel_interleaved, &stride);
    for (int y = 0; y < h; y++)
        memcpy(pl + (size_t)y * (size_t)stride, rgb + (size_t)y * (size_t)w * 3, (size_t)w * 3);
    heif_encoder_set_lossy_quality(enc, 60);
    bad = heif_context_encode_image(cx, img, enc, NULL, hd).code != heif_error_Ok;
out:
    heif_image_release(img);
    if (enc)
        heif_encoder_release(enc);
    return bad;
}

static int write_heic(const char *path, int w, int h, const unsigned char *rgb, const char *how)
{
    static const char xmp[] =
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/"
        "22-rdf-syntax-ns#'><rdf:Description xmlns:exif='http://ns.adobe.com/exif/1.0/' "
        "exif:GPSLatitude='40,26.7698N' exif:GPSLongitude='79,58.9336W'/></rdf:RDF></x:xmpmeta>";
    struct heif_context *cx = heif_context_alloc();
    struct heif_image_handle *hd = NULL, *second = NULL;
    unsigned char *exif = NULL;
    unsigned n = 0;
    int bad = heic_add(cx, w, h, rgb, &hd);
    if (!bad && strcmp(how, "--gps-second") == 0)
        bad = heic_add(cx, w, h, rgb, &second);
    if (!bad && strcmp(how, "") != 0 && strcmp(how, "--gps-xmp") != 0) {
        gps_exif(&exif, &n);
        bad = heif_context_add_exif_metadata(cx, second ? second : hd, exif, (int)n).code != 0;
    }
    if (!bad && strcmp(how, "--gps-xmp") == 0)
        bad = heif_context_add_XMP_metadata(cx, hd, xmp, (int)sizeof xmp - 1).code != 0;
    if (!bad)
        bad = heif_context_write_to_file(cx, path).code != heif_error_Ok;
    free(exif);
    heif_image_handle_release(second);
    heif_image_handle_release(hd);
    heif_context_free(cx);
    return bad;
}

/* 1 if an Exif block at p (its "Exif\0" header and any sixth byte) has GPS. */
static int exif_gps_at(const unsigned char *p, size_t n)
{
    unsigned char *copy = malloc(n);
    if (!copy)
        return 1;
    memcpy(copy, p, n);
    copy[5] = 0;
    ExifData *ed = exif_data_new();
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed, copy, (unsigned)n);
    int gps = ed->ifd[EXIF_IFD_GPS]->count > 0;
    exif_data_unref(ed);
    free(copy);
    return gps;
}

/* Every place in the file's bytes that may hold a position: each "Exif\0"
 * (a JPEG's APP1, an Exif block of any image after the first, a HEIC's
 * Exif item) and XMP's exif:GPS properties. */
static int has_gps(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 2;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = len > 0 ? malloc((size_t)len) : NULL;
    size_t n = buf ? fread(buf, 1, (size_t)len, f) : 0;
    fclose(f);
    int gps = 0;
    for (size_t i = 0; i + 6 < n && !gps; i++) {
        if (memcmp(buf + i, "Exif", 5) == 0)
            gps = exif_gps_at(buf + i, n - i);
        else if (i + 8 <= n && memcmp(buf + i, "exif:GPS", 8) == 0)
            gps = 1;
    }
    free(buf);
    return gps ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "hasgps") == 0)
        return has_gps(argv[2]);
    if (argc < 6) {
        fprintf(stderr, "usage: qtm-imggen jpeg|png|webp|heic W H SEED FILE [--gps...] | hasgps FILE\n");
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]);
    unsigned seed = (unsigned)strtoul(argv[4], NULL, 10);
    const char *opt = argc > 6 ? argv[6] : "";
    int gps = strncmp(opt, "--gps", 5) == 0, odd = strcmp(opt, "--gps-odd") == 0;
    if (w <= 0 || h <= 0 || w > 20000 || h > 20000)
        return 2;
    int noisy = strcmp(argv[1], "noise") == 0;
    unsigned char *rgb = noisy ? noise(w, h, seed) : pattern(w, h, seed);
    if (!rgb)
        return 1;
    int prog = strcmp(argv[1], "pjpeg") == 0;
    int rc = strcmp(argv[1], "jpeg") == 0 || noisy || prog
                 ? write_jpeg(argv[5], w, h, rgb, gps, odd, prog)
             : strcmp(argv[1], "heic") == 0 ? write_heic(argv[5], w, h, rgb, opt)
             : strcmp(argv[1], "png") == 0 ? write_png(argv[5], w, h, rgb)
             : strcmp(argv[1], "webp") == 0 ? write_webp(argv[5], w, h, rgb)
                                            : 2;
    free(rgb);
    return rc;
}
