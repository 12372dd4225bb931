/*
 * serve_static.c - finds the web desk's files, compiled into the binary.
 *
 * tools/embed.sh turns every file under web/ into web_assets[] (sorted by
 * path) at build time, so `qtm serve` needs nothing beside it and can
 * serve nothing but those files: a path is looked up, never opened, and
 * so "../" or an absolute path can only miss.
 */
#include "serve.h"

#include <string.h>

extern const web_asset web_assets[];
extern const unsigned web_asset_count;

const web_asset *web_asset_find(const char *path)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    unsigned lo = 0, hi = web_asset_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        int c = strcmp(path, web_assets[mid].path);
        if (c == 0)
            return &web_assets[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
