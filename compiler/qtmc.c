/*
 * qtmc.c - the qtmc command: check .qsm surfaces and generate their tables.
 *
 * Exit status: 0 ok, 1 diagnostics (errors, or warnings under -Werror),
 * 2 usage, 3 I/O.  Nothing is written unless every input checked clean.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "diff.h"
#include "driver.h"
#include "emit.h"
#include "explain.h"
#include "fmt.h"
#include "output.h"
#include "parse.h"
#include "sema.h"
#include "../runtime/qtm_surface.h"

#define QTMC_VERSION QTM_VERSION   /* one release string: qtm_surface.h */

enum { EMIT_C = 1, EMIT_DOT = 2, EMIT_JSON = 4, EMIT_DOC = 8, EMIT_PATHS = 16 };
#define EMIT_TEXT (EMIT_DOT | EMIT_JSON | EMIT_DOC | EMIT_PATHS)  /* may go to stdout */

static void usage(FILE *out)
{
    fputs("usage: qtmc [options] FILE.qsm...\n"
          "       qtmc fmt [--check] FILE.qsm... | -   (rewrite in the canonical layout)\n"
          "       qtmc diff [--json] OLD.qsm NEW.qsm  (what changed; exit 1 if breaking)\n"
          "\n"
          "Checks surface specs and generates their runtime tables.\n"
          "\n"
          "options:\n"
          "  -o DIR                  write outputs into DIR (created if missing; default .)\n"
          "  --emit KIND[,KIND]      c (default): NAME.c, NAME.h, qtm_registry.c and\n"
          "                          qtm_history.c (tables of older specs kept for\n"
          "                          jobs in flight: see `migrate from`)\n"
          "                          dot: SLUG.dot (Graphviz); json: SLUG.json (the model)\n"
          "                          doc: SLUG.md (Markdown operator guide)\n"
          "                          paths: SLUG.paths.json (model-based test paths)\n"
          "                          without -o, dot, json or doc of one input go to stdout\n"
          "  --check                 check only; write nothing\n"
          "  --diagnostics-format F  text (default) or json\n"
          "  --max-errors N          stop printing after N errors (default 50)\n"
          "  -W<name>, -Wno-<name>   enable or disable a warning:\n"
          "                            missing-label, empty-section, unused-category\n"
          "  -Werror[=<name>]        treat all (or one) warnings as errors\n"
          "  --dump-ast              print the syntax tree of each input and stop\n"
          "  --explain [CODE]        explain a diagnostic code (e.g. Q402); no CODE: list all\n"
          "  --help, --version\n"
          "\n"
          "exit status: 0 ok, 1 diagnostics, 2 usage, 3 I/O\n", out);
}

static int parse_emit(const char *arg, unsigned *emit)
{
    char buf[64];
    if (strlen(arg) >= sizeof buf)
        return -1;
    strcpy(buf, arg);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (strcmp(tok, "c") == 0)
            *emit |= EMIT_C;
        else if (strcmp(tok, "dot") == 0)
            *emit |= EMIT_DOT;
        else if (strcmp(tok, "json") == 0)
            *emit |= EMIT_JSON;
        else if (strcmp(tok, "doc") == 0)
            *emit |= EMIT_DOC;
        else if (strcmp(tok, "paths") == 0)
            *emit |= EMIT_PATHS;
        else
            return -1;
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static char *file_name(const char *stem, const char *ext)
{
    size_t n = strlen(stem) + strlen(ext) + 1;
    char *s = malloc(n);
    if (!s) {
        fputs("qtmc: fatal: out of memory\n", stderr);
        exit(3);
    }
    snprintf(s, n, "%s%s", stem, ext);
    return s;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "fmt") == 0)
        return fmt_main(argc - 1, argv + 1);   /* qtmc fmt: see fmt.h */
    if (argc > 1 && strcmp(argv[1], "diff") == 0)
        return diff_main(argc - 1, argv + 1);  /* qtmc diff: see diff.h */
    int status = 0;
    const char *outdir = NULL;
    unsigned emit = 0;
    int check_only = 0, dump_ast = 0;
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    size_t ninputs = 0;
    source *srcs = NULL;
    size_t nloaded = 0;
    model **models = NULL;
    size_t nmodels = 0;
    output_set out = {0};

    /* diagnostics are written a character at a time; batch them */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    if (!inputs || sodium_init() < 0) {
        fputs("qtmc: fatal: cannot initialise\n", stderr);
        return 3;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            goto cleanup;
        } else if (strcmp(arg, "--explain") == 0) {
            status = explain_main(argc - i - 1, argv + i + 1, stdout, stderr);
            goto cleanup;
        } else if (strcmp(arg, "--version") == 0) {
            printf("qtmc %s (surface ABI %d, spec %s)\n", QTMC_VERSION, QTM_SURFACE_ABI,
                   "surface-runtime-spec-v0.01");
            goto cleanup;
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--emit") == 0 ||
                   strcmp(arg, "--diagnostics-format") == 0 ||
                   strcmp(arg, "--max-errors") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "qtmc: error: %s needs a value\n", arg);
                status = 2;
                goto cleanup;
            }
            const char *val = argv[++i];
            if (arg[1] == 'o') {
                outdir = val;
            } else if (strcmp(arg, "--emit") == 0) {
                if (parse_emit(val, &emit) != 0) {
                    fprintf(stderr, "qtmc: error: unknown --emit kind '%s' (c, dot, json, doc, paths)\n", val);
                    status = 2;
                    goto cleanup;
                }
            } else if (strcmp(arg, "--max-errors") == 0) {
                char *end;
                long n = strtol(val, &end, 10);
                if (*end || n < 1 || n > 100000) {
                    fprintf(stderr, "qtmc: error: --max-errors takes 1..100000\n");
                    status = 2;
                    goto cleanup;
                }
                d.max_errors = (unsigned)n;
            } else if (strcmp(val, "json") == 0) {
                d.json = 1;
            } else if (strcmp(val, "text") != 0) {
                fprintf(stderr, "qtmc: error: unknown diagnostics format '%s' (text, json)\n", val);
                status = 2;
                goto cleanup;
            }
        } else if (strcmp(arg, "--check") == 0) {
            check_only = 1;
        } else if (strcmp(arg, "--dump-ast") == 0) {
            dump_ast = 1;
        } else if (strncmp(arg, "-W", 2) == 0) {
            if (diag_set_option(&d, arg + 2) != 0) {
                fprintf(stderr, "qtmc: error: unknown warning option '%s'\n", arg);
                status = 2;
                goto cleanup;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "qtmc: error: unknown option '%s'\n", arg);
            fputs("Try 'qtmc --help'.\n", stderr);
            status = 2;
            goto cleanup;
        } else {
            inputs[ninputs++] = arg;
        }
    }
    if (ninputs == 0) {
        fputs("qtmc: error: no input files\n", stderr);
        fputs("Try 'qtmc --help'.\n", stderr);
        status = 2;
        goto cleanup;
    }
    if (!emit)
        emit = EMIT_C;
    if (!outdir && !check_only && (emit & EMIT_C) == 0 && ninputs > 1) {
        fputs("qtmc: error: several inputs need -o DIR for dot, json or doc output\n", stderr);
        status = 2;
        goto cleanup;
    }
    if (!outdir && (emit & EMIT_C) == 0 && ((emit & EMIT_TEXT) & ((emit & EMIT_TEXT) - 1))) {
        fputs("qtmc: error: --emit with several of dot, json, doc needs -o DIR\n", stderr);
        status = 2;
        goto cleanup;
    }

    srcs = calloc(ninputs, sizeof *srcs);
    if (!srcs) {
        fputs("qtmc: fatal: out of memory\n", stderr);
        status = 3;
        goto cleanup;
    }
    for (size_t i = 0; i < ninputs; i++, nloaded++) {
        if (driver_load(inputs[i], &srcs[i]) != 0) {
            fprintf(stderr, "qtmc: error: cannot read %s: %s\n", inputs[i], strerror(errno));
            status = 3;
            goto cleanup;
        }
    }

    if (dump_ast) {
        for (size_t i = 0; i < ninputs; i++) {
            ast_surface *s = parse_source(&srcs[i], &a, &d);
            if (s)
                ast_dump(s, stdout);
        }
        diag_print(&d, stderr);
        status = diag_error_count(&d) ? 1 : 0;
        goto cleanup;
    }

    models = driver_compile(srcs, ninputs, &a, &d, &nmodels);
    diag_print(&d, stderr);
    if (diag_error_count(&d)) {
        status = 1;
        goto cleanup;
    }
    if (check_only)
        goto cleanup;

    const char *dir = outdir ? outdir : ".";
    int to_stdout = !outdir && (emit & EMIT_C) == 0;
    for (size_t i = 0; i < nmodels; i++) {
        const model *m = models[i];
        const char *in = base_name(m->src->path);
        if (m->retained)
            continue;  /* older specs: only their tables, in qtm_history.c */
        if (emit & EMIT_C) {
            char *h = file_name(m->cname, ".h"), *c = file_name(m->cname, ".c");
            output_add(&out, dir, h, emit_c_header(m, in));
            output_add(&out, dir, c, emit_c_source(m, in));
            free(h);
            free(c);
        }
        if (emit & EMIT_DOT) {
            char *text = emit_dot(m, in);
            if (to_stdout) {
                fputs(text, stdout);
                free(text);
            } else {
                char *n = file_name(m->slug, ".dot");
                output_add(&out, dir, n, text);
                free(n);
            }
        }
        if (emit & EMIT_JSON) {
            char *text = emit_json(m);
            if (to_stdout) {
                fputs(text, stdout);
                free(text);
            } else {
                char *n = file_name(m->slug, ".json");
                output_add(&out, dir, n, text);
                free(n);
            }
        }
        if (emit & EMIT_DOC) {
            char *text = emit_doc(m, in);
            if (to_stdout) {
                fputs(text, stdout);
                free(text);
            } else {
                char *n = file_name(m->slug, ".md");
                output_add(&out, dir, n, text);
                free(n);
            }
        }
        if (emit & EMIT_PATHS) {
            char *text = emit_paths(m);
            if (to_stdout) {
                fputs(text, stdout);
                free(text);
            } else {
                char *n = file_name(m->slug, ".paths.json");
                output_add(&out, dir, n, text);
                free(n);
            }
        }
    }
    if (emit & EMIT_C) {
        output_add(&out, dir, "qtm_registry.c", emit_c_registry(models, nmodels));
        output_add(&out, dir, "qtm_history.c", emit_c_history(models, nmodels));
    }
    if (out.n) {
        if (output_mkdirs(dir) != 0) {
            fprintf(stderr, "qtmc: error: cannot create directory %s: %s\n", dir, strerror(errno));
            status = 3;
            goto cleanup;
        }
        if (output_commit(&out) != 0) {
            status = 3;
            goto cleanup;
        }
    }
    if (to_stdout && fflush(stdout) != 0) {
        fprintf(stderr, "qtmc: error: cannot write to stdout: %s\n", strerror(errno));
        status = 3;
    }

cleanup:
    output_free(&out);
    for (size_t i = 0; i < nmodels; i++)
        model_release(models[i]);
    for (size_t i = 0; i < nloaded; i++)
        driver_unload(&srcs[i]);
    free(srcs);
    free(inputs);
    arena_free(&a);
    return status;
}
