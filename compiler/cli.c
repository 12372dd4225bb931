/*
 * cli.c - the qtmc command line: every option of qtmc, qtmc fmt, qtmc diff
 * and qtmc --explain is parsed here, and only here; the work is library
 * code (driver.h, emit.h, fmt.h, diff.h, explain.h).  Outputs come from
 * the emitter table: one row per file kind, all behind emit_fn.
 * Exit status: 0 ok, 1 diagnostics, 2 usage, 3 I/O (see cli.h).
 */
#include "cli.h"

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
#include "xalloc.h"
#include "qtm/qtm_surface.h"

#define QTMC_VERSION QTM_VERSION   /* one release string: qtm_surface.h */

enum { EMIT_C = 1, EMIT_DOT = 2, EMIT_JSON = 4, EMIT_DOC = 8, EMIT_PATHS = 16 };

/* One output file per model.  Rows of one kind are written in table order;
 * every kind but c may go to stdout (one input, no -o). */
typedef struct emitter {
    const char *kind;              /* --emit KIND */
    unsigned bit;
    const char *ext;               /* appended to the stem */
    int c_stem;                    /* stem: m->cname (a C identifier), else m->slug */
    emit_fn *fn;
} emitter;

static const emitter emitters[] = {
    {"c", EMIT_C, ".h", 1, emit_c_header},
    {"c", EMIT_C, ".c", 1, emit_c_source},
    {"dot", EMIT_DOT, ".dot", 0, emit_dot},
    {"json", EMIT_JSON, ".json", 0, emit_json},
    {"doc", EMIT_DOC, ".md", 0, emit_doc},
    {"paths", EMIT_PATHS, ".paths.json", 0, emit_paths},
};
#define NEMITTERS (sizeof emitters / sizeof emitters[0])

typedef struct qtmc_opts {
    const char *outdir;            /* NULL: none given */
    unsigned emit;                 /* EMIT_* bits */
    int check_only, dump_ast;
    const char **inputs;
    size_t ninputs;
} qtmc_opts;

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

static void fmt_usage(FILE *out)
{
    fputs("usage: qtmc fmt [--check] FILE.qsm...\n"
          "       qtmc fmt -            (stdin to stdout)\n"
          "\n"
          "Rewrites surface specs in the canonical layout; comments are kept and\n"
          "the model (its fingerprint) never changes.\n"
          "\n"
          "  --check   write nothing; print the files that are not formatted\n"
          "\n"
          "exit status: 0 ok, 1 syntax errors or (--check) unformatted files,\n"
          "2 usage, 3 I/O\n", out);
}

static void diff_usage(FILE *out)
{
    fputs("usage: qtmc diff [--json] OLD.qsm NEW.qsm\n"
          "\n"
          "Compiles both specs and lists what changed in meaning, each change tagged\n"
          "breaking (a job in flight under OLD could not simply go on under NEW) or\n"
          "compatible.\n"
          "\n"
          "  --json   one JSON object: old, new, changes[], breaking\n"
          "\n"
          "exit status: 0 no breaking change, 1 breaking changes, 2 usage or bad input\n",
          out);
}

/* Usage errors of every subcommand look alike; returns 2. */
static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    if (arg)
        fprintf(stderr, "qtmc: error: %s '%s'\n", msg, arg);
    else
        fprintf(stderr, "qtmc: error: %s\n", msg);
    fprintf(stderr, "Try 'qtmc%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
    return 2;
}

static int is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static int is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0';
}

static int fmt_cli(int argc, char **argv)
{
    int check = 0, status = 0, use_stdin = 0;
    const char **inputs = xcalloc((size_t)argc + 1, sizeof *inputs);
    size_t n = 0;
    for (int i = 1; i < argc && status == 0; i++) {
        if (is_help(argv[i])) {
            fmt_usage(stdout);
            goto cleanup;
        } else if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (is_option(argv[i])) {
            status = usage_error("fmt", "unknown fmt option", argv[i]);
        } else {
            use_stdin |= strcmp(argv[i], "-") == 0;
            inputs[n++] = argv[i];
        }
    }
    if (status == 0 && n == 0)
        status = usage_error("fmt", "no input files", NULL);
    else if (status == 0 && use_stdin && n > 1) {
        fputs("qtmc: error: '-' (stdin) must be the only input\n", stderr);
        status = 2;
    }
    if (status == 0)
        status = fmt_files(inputs, n, check);
cleanup:
    free(inputs);
    return status;
}

static int diff_cli(int argc, char **argv)
{
    int json = 0;
    const char *paths[2] = {NULL, NULL};
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            diff_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (npaths == 2) {
            return usage_error("diff", "diff takes two files; extra argument", argv[i]);
        } else if (is_option(argv[i])) {
            return usage_error("diff", "unknown diff option", argv[i]);
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (npaths != 2)
        return usage_error("diff", "diff needs OLD.qsm and NEW.qsm", NULL);
    return diff_files(paths[0], paths[1], json);
}

/* `--explain [CODE]`: argv holds the n arguments after it. */
static int explain_cli(int n, char *const *argv)
{
    if (n > 1) {
        fputs("qtmc: error: --explain takes one code, e.g. qtmc --explain Q402\n", stderr);
        return 2;
    }
    return explain_print(n ? argv[0] : NULL, stdout, stderr);
}

static int parse_emit(const char *arg, unsigned *emit)
{
    char buf[64];
    if (strlen(arg) >= sizeof buf)
        return -1;
    strcpy(buf, arg);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        unsigned bit = 0;
        for (size_t i = 0; i < NEMITTERS; i++)
            if (strcmp(tok, emitters[i].kind) == 0)
                bit = emitters[i].bit;
        if (!bit)
            return -1;
        *emit |= bit;
    }
    return 0;
}

/* An option that takes a value (argv[i + 1], known to exist). */
static int option_value(const char *arg, const char *val, qtmc_opts *o, diag_ctx *d)
{
    if (strcmp(arg, "-o") == 0) {
        o->outdir = val;
    } else if (strcmp(arg, "--emit") == 0) {
        if (parse_emit(val, &o->emit) != 0) {
            fprintf(stderr, "qtmc: error: unknown --emit kind '%s' (c, dot, json, doc, paths)\n",
                    val);
            return 2;
        }
    } else if (strcmp(arg, "--max-errors") == 0) {
        char *end;
        long n = strtol(val, &end, 10);
        if (*end || n < 1 || n > 100000) {
            fputs("qtmc: error: --max-errors takes 1..100000\n", stderr);
            return 2;
        }
        d->max_errors = (unsigned)n;
    } else if (strcmp(val, "json") == 0) {   /* --diagnostics-format */
        d->json = 1;
    } else if (strcmp(val, "text") != 0) {
        fprintf(stderr, "qtmc: error: unknown diagnostics format '%s' (text, json)\n", val);
        return 2;
    }
    return 0;
}

/* Parses the compile command's arguments into o and d.  Returns -1 to go
 * on compiling, or the exit status (--help, --version, --explain, usage). */
static int parse_args(int argc, char **argv, qtmc_opts *o, diag_ctx *d)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (is_help(arg)) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--explain") == 0) {
            return explain_cli(argc - i - 1, argv + i + 1);
        } else if (strcmp(arg, "--version") == 0) {
            printf("qtmc %s (surface ABI %d, spec %s)\n", QTMC_VERSION, QTM_SURFACE_ABI,
                   "surface-runtime-spec-v0.01");
            return 0;
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--emit") == 0 ||
                   strcmp(arg, "--diagnostics-format") == 0 ||
                   strcmp(arg, "--max-errors") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "qtmc: error: %s needs a value\n", arg);
                return 2;
            }
            int rc = option_value(arg, argv[++i], o, d);
            if (rc)
                return rc;
        } else if (strcmp(arg, "--check") == 0) {
            o->check_only = 1;
        } else if (strcmp(arg, "--dump-ast") == 0) {
            o->dump_ast = 1;
        } else if (strncmp(arg, "-W", 2) == 0) {
            if (diag_set_option(d, arg + 2) != 0) {
                fprintf(stderr, "qtmc: error: unknown warning option '%s'\n", arg);
                return 2;
            }
        } else if (is_option(arg)) {
            return usage_error(NULL, "unknown option", arg);
        } else {
            o->inputs[o->ninputs++] = arg;
        }
    }
    if (o->ninputs == 0)
        return usage_error(NULL, "no input files", NULL);
    if (!o->emit)
        o->emit = EMIT_C;
    unsigned text = o->emit & ~(unsigned)EMIT_C;
    if (!o->outdir && !o->check_only && !(o->emit & EMIT_C) && o->ninputs > 1) {
        fputs("qtmc: error: several inputs need -o DIR for dot, json or doc output\n", stderr);
        return 2;
    }
    if (!o->outdir && !(o->emit & EMIT_C) && (text & (text - 1))) {
        fputs("qtmc: error: --emit with several of dot, json, doc needs -o DIR\n", stderr);
        return 2;
    }
    return -1;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Every selected emitter over every current model, into out or stdout. */
static void emit_all(const qtmc_opts *o, model *const *models, size_t n, output_set *out)
{
    const char *dir = o->outdir ? o->outdir : ".";
    int to_stdout = !o->outdir && (o->emit & EMIT_C) == 0;
    for (size_t i = 0; i < n; i++) {
        const model *m = models[i];
        if (m->retained)
            continue;  /* older specs: only their tables, in qtm_history.c */
        for (size_t k = 0; k < NEMITTERS; k++) {
            const emitter *e = &emitters[k];
            if (!(o->emit & e->bit))
                continue;
            char *text = e->fn(m, base_name(m->src->path));
            if (to_stdout) {
                fputs(text, stdout);
                free(text);
                continue;
            }
            char *name = xstrcat2(e->c_stem ? m->cname : m->slug, e->ext);
            output_add(out, dir, name, text);
            free(name);
        }
    }
    if (o->emit & EMIT_C) {
        output_add(out, dir, "qtm_registry.c", emit_c_registry(models, n));
        output_add(out, dir, "qtm_history.c", emit_c_history(models, n));
    }
}

/* Writes what emit_all gathered; returns the exit status. */
static int write_all(const qtmc_opts *o, output_set *out)
{
    const char *dir = o->outdir ? o->outdir : ".";
    if (out->n) {
        if (output_mkdirs(dir) != 0) {
            fprintf(stderr, "qtmc: error: cannot create directory %s: %s\n", dir, strerror(errno));
            return 3;
        }
        if (output_commit(out) != 0)
            return 3;
    }
    if (!o->outdir && !(o->emit & EMIT_C) && fflush(stdout) != 0) {
        fprintf(stderr, "qtmc: error: cannot write to stdout: %s\n", strerror(errno));
        return 3;
    }
    return 0;
}

/* Loads, checks and emits; returns the exit status. */
static int compile(const qtmc_opts *o, arena *a, diag_ctx *d)
{
    int status = 0;
    source *srcs = xcalloc(o->ninputs, sizeof *srcs);
    size_t nloaded = 0;
    model **models = NULL;
    size_t nmodels = 0;
    output_set out = {0};

    for (; nloaded < o->ninputs; nloaded++) {
        if (driver_load(o->inputs[nloaded], &srcs[nloaded]) != 0) {
            fprintf(stderr, "qtmc: error: cannot read %s: %s\n", o->inputs[nloaded],
                    strerror(errno));
            status = 3;
            goto cleanup;
        }
    }
    if (o->dump_ast) {
        for (size_t i = 0; i < o->ninputs; i++) {
            ast_surface *s = parse_source(&srcs[i], a, d);
            if (s)
                ast_dump(s, stdout);
        }
        diag_print(d, stderr);
        status = diag_error_count(d) ? 1 : 0;
        goto cleanup;
    }
    models = driver_compile(srcs, o->ninputs, a, d, &nmodels);
    diag_print(d, stderr);
    if (diag_error_count(d)) {
        status = 1;
        goto cleanup;
    }
    if (o->check_only)
        goto cleanup;
    emit_all(o, models, nmodels, &out);
    status = write_all(o, &out);

cleanup:
    output_free(&out);
    for (size_t i = 0; i < nmodels; i++)
        model_release(models[i]);
    for (size_t i = 0; i < nloaded; i++)
        driver_unload(&srcs[i]);
    free(srcs);
    return status;
}

int qtmc_cli(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "fmt") == 0)
        return fmt_cli(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "diff") == 0)
        return diff_cli(argc - 1, argv + 1);
    qtmc_opts o;
    memset(&o, 0, sizeof o);
    arena a;
    diag_ctx d;
    arena_init(&a);
    diag_init(&d, &a);
    o.inputs = xcalloc((size_t)argc + 1, sizeof *o.inputs);
    int status = 3;
    if (sodium_init() < 0) {
        fputs("qtmc: fatal: cannot initialise\n", stderr);
        goto cleanup;
    }
    status = parse_args(argc, argv, &o, &d);
    if (status < 0)
        status = compile(&o, &a, &d);

cleanup:
    free(o.inputs);
    arena_free(&a);
    fflush(stderr);
    return status;
}
