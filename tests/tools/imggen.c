/*
 * imggen.c - makes the test images the file tests need, so none is
 * downloaded or kept as a binary: photos with libjpeg, libpng and libwebp
 * (a seeded pattern, so each seed gives other bytes), a JPEG whose EXIF
 * carries GPS (libexif), and says whether a JPEG still carries GPS.
 *
 *   qtm-imggen jpeg|png|webp W H SEED FILE [--gps]   write an image
 *   qtm-imggen noise W H SEED FILE                   a JPEG of noise (big files, for bench/)
 *   qtm-imggen hasgps FILE                           exit 0 if its EXIF has GPS, 1 if not
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
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

static int write_jpeg(const char *path, int w, int h, const unsigned char *rgb, int gps)
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
    jpeg_start_compress(&ci, TRUE);
    if (gps) {
        unsigned char *exif = NULL;
        unsigned n = 0;
        gps_exif(&exif, &n);
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

static int has_gps(const char *path)
{
    ExifData *ed = exif_data_new_from_file(path);
    int gps = ed && ed->ifd[EXIF_IFD_GPS]->count > 0;
    if (ed)
        exif_data_unref(ed);
    return gps ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "hasgps") == 0)
        return has_gps(argv[2]);
    if (argc < 6) {
        fprintf(stderr, "usage: qtm-imggen jpeg|png|webp W H SEED FILE [--gps] | hasgps FILE\n");
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]);
    unsigned seed = (unsigned)strtoul(argv[4], NULL, 10);
    int gps = argc > 6 && strcmp(argv[6], "--gps") == 0;
    if (w <= 0 || h <= 0 || w > 20000 || h > 20000)
        return 2;
    int noisy = strcmp(argv[1], "noise") == 0;
    unsigned char *rgb = noisy ? noise(w, h, seed) : pattern(w, h, seed);
    if (!rgb)
        return 1;
    int rc = strcmp(argv[1], "jpeg") == 0 || noisy ? write_jpeg(argv[5], w, h, rgb, gps)
             : strcmp(argv[1], "png") == 0 ? write_png(argv[5], w, h, rgb)
             : strcmp(argv[1], "webp") == 0 ? write_webp(argv[5], w, h, rgb)
                                            : 2;
    free(rgb);
    return rc;
}
