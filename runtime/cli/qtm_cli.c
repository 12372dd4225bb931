/*
 * qtm_cli.c - the `qtm` command: a thin client of libqtm.
 *
 * Parses arguments, calls one library function, prints the result as text
 * or (--json) as exactly one JSON object on stdout.  Errors print
 * "qtm: error: MESSAGE" on stderr (and {"error":{...}} on stdout with
 * --json) and exit with the status of their category (qtm.h): 2 usage,
 * 3 not found, 4 forbidden, 5 refused, 6 conflict, 7 invalid input,
 * 10 storage, 1 verify found problems.  This interface is a contract.
 * Text output never carries a terminal command: every value and message
 * reaches it through term_escape (control, bidi and invalid bytes shown
 * as \x1b, \u202e); --json output is jansson's, unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qtm/qtm.h"
#include "../serve/serve.h"
#include "qtm_config.h"       /* QTM_HAVE_PG, for --version */

#define MAX_INTAKE (1u << 20)      /* bytes read from --intake FILE */

/* the word lists in the usage text, from qtm_vocab.h */
#define ROLES QTM_ROLES(QTM_WORD_X, "|")
#define ACCESSES QTM_ACCESS_STATES(QTM_WORD_X, "|")
#define METHODS QTM_PAY_METHODS(QTM_WORD_X, " ")

typedef struct cli {
    const char *db;
    const char *as;
    int json;
    int argc;                      /* the command's own arguments */
    char **argv;
    qtm *q;
} cli;

static const char usage_text[] =
    "usage: qtm [--db PATH] [--as ACTOR] [--json] COMMAND ...\n"
    "       (the three options may also follow the command, anywhere on the line)\n"
    "\n"
    "  --db PATH    database file, or a postgresql:// URI (default $QTM_DB, else ./qtm.db)\n"
    "  --as ACTOR   the actor doing this (default $QTM_ACTOR)\n"
    "  --json       print exactly one JSON object on stdout\n"
    "\n"
    "setup:        init | actor add SLUG --role " ROLES " [--name TEXT]\n"
    "              actor set SLUG --access " ACCESSES " | actor list [PAGE]\n"
    "surfaces:     surfaces | surface show SLUG\n"
    "intake:       request submit SURFACE --intake FILE.json [--photo FILE]... [--key KEY]\n"
    "files:        blob put FILE [--surface SLUG] | blob get sha256:HEX [--out FILE] [--thumb]\n"
    "              blobs gc [--older-than DURATION]\n"
    "governance:   task list [--state STATE] [PAGE] | task show ID | task approve ID\n"
    "              task reject ID --reason TEXT | task assign ID --to OPERATOR | task close ID\n"
    "              job create --task ID\n"
    "execution:    desk [--operator SLUG] [--list queued|active|ready|completed] [PAGE]\n"
    "              job list [--state STATE] [--surface S] [--operator O] [--mine] [--phase P]\n"
    "                       [--q TEXT] [PAGE]\n"
    "              job show ID | job claim ID\n"
    "              job advance ID EVENT | job complete ID\n"
    "              job reassign ID --to OPERATOR [--reason TEXT] | job release ID [--reason TEXT]\n"
    "              job handover ID --to OPERATOR --reason TEXT | job cancel ID --reason TEXT\n"
    "              note add JOB --text TEXT\n"
    "              evidence add JOB CATEGORY FILE [--note TEXT]\n"
    "              participant add JOB --name TEXT --role TEXT [--contact TEXT]\n"
    "settlement:   settle JOB --amount DECIMAL --method METHOD [--currency CODE] [--note TEXT]\n"
    "                         [--due DECIMAL] [--status waived]\n"
    "              settle JOB --reverse PAYMENT --reason TEXT\n"
    "              settlement show JOB | settlement payments JOB [PAGE]\n"
    "              settlement list [--status unpaid|partial|paid|waived] [--surface S] [PAGE]\n"
    "records:      record show ID | record show --job ID | record list [PAGE]\n"
    "              record export --job ID [--out FILE] | record check FILE [--key PUBKEY]\n"
    "              key init [--key-file PATH] | key show\n"
    "audit:        log [--job ID] [PAGE] | verify\n"
    "storage:      backup FILE [--force] | db copy FROM TO\n"
    "versions:     migrate --check SURFACE | migrate SURFACE\n"
    "identity:     token issue SLUG [--expires DURATION] | token revoke SLUG | token list [PAGE]\n"
    "web desk:     serve [--listen HOST:PORT] [--threads N] [--intake-rate N] [--max-body BYTES]\n"
    "                    [--servers N]\n"
    "\n"
    "PAGE: --limit N (1 to 1000, default 100) --after ID (next_after of the page before;\n"
    "      text output ends with \"next: --after ID\" when there is more)\n"
    "exit status: 0 ok, 1 verify found problems, 2 usage, 3 not found, 4 forbidden,\n"
    "             5 refused by the lifecycle, 6 conflict, 7 invalid input, 10 storage\n"
    "`qtm COMMAND --help` describes one command; see also qtm(1).\n";

/* --- terminal-safe text ------------------------------------------------------ */

/* Where term_escape writes: a stream, a buffer (sized by a counting pass),
 * or nowhere (f and buf NULL: it only counts). */
typedef struct sink {
    FILE *f;
    char *buf;
    size_t len;                    /* bytes written (or counted) so far */
} sink;

static void sink_put(sink *k, const char *p, size_t n)
{
    if (k->f)
        fwrite(p, 1, n, k->f);
    else if (k->buf)
        memcpy(k->buf + k->len, p, n);
    k->len += n;
}

/* The length of the valid UTF-8 sequence at s and its code point in *cp;
 * 0 for an invalid one (stray, overlong, surrogate, past U+10FFFF, cut). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (s[0] >= 0xf5 || n == 0)
        return 0;
    uint32_t v = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)     /* also stops at the NUL */
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < least[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Code points a terminal obeys or that reorder what follows: C0, DEL, C1,
 * the bidi marks, embeddings, overrides and isolates, and the line and
 * paragraph separators (U+2028, U+2029 sit inside the U+2028-202E run). */
static int term_unsafe(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
           cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * term_escape - the one way text reaches the terminal: writes s to k with
 * every unsafe code point as \xNN (below U+0100) or \uNNNN and every byte of
 * invalid UTF-8 as \xNN; with `layout`, '\n' is kept (text jansson dumped,
 * whose strings carry their newlines escaped).  Every escape is longer
 * than what it replaces, so an unchanged length means nothing was escaped.
 */
static void term_escape(sink *k, const char *s, int layout)
{
    const unsigned char *p = (const unsigned char *)s;
    char esc[8];
    while (*p) {
        uint32_t cp = *p;
        size_t n = *p < 0x80 ? 1 : utf8_next(p, &cp);
        if (n == 0) {              /* not UTF-8: this byte alone */
            sink_put(k, esc, (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p));
            n = 1;
        } else if (term_unsafe(cp) && !(layout && cp == '\n'))
            sink_put(k, esc, (size_t)snprintf(esc, sizeof esc, cp < 0x80 ? "\\x%02x" : "\\u%04x",
                                              (unsigned)cp));
        else
            sink_put(k, (const char *)p, n);
        p += n;
    }
}

/* Prints s escaped (see term_escape) on f. */
static void put_text(FILE *f, const char *s, int layout)
{
    sink k = {f, NULL, 0};
    term_escape(&k, s ? s : "", layout);
}

/*
 * The string value v (of parent[key], or parent[index] when key is NULL)
 * made safe to print: when it needs escaping, the escaped text replaces it
 * in parent, so it lives as long as the parent does and a second read
 * finds nothing left to escape.  "" for a non-string; "?" out of memory.
 */
static const char *term_value(json_t *parent, const char *key, size_t index, json_t *v)
{
    const char *s = json_string_value(v);
    if (!s)
        return "";
    sink count = {NULL, NULL, 0};
    term_escape(&count, s, 0);
    if (count.len == strlen(s))
        return s;
    sink k = {NULL, malloc(count.len + 1), 0};
    if (!k.buf)
        return "?";
    term_escape(&k, s, 0);
    k.buf[k.len] = '\0';
    json_t *safe = json_string(k.buf);
    free(k.buf);
    if (!safe || (key ? json_object_set_new(parent, key, safe)
                      : json_array_set_new(parent, index, safe)) != 0)
        return "?";
    return json_string_value(safe);
}

/* --- output ---------------------------------------------------------------- */

static int fail(cli *c, qtm_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(cli *c, qtm_status st, const char *fmt, ...)
{
    char msg[2304];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* an intake refusal lists every problem, one a line: one error line each */
    int listed = st == QTM_EINVALID && strncmp(msg, "intake: ", 8) == 0 && strchr(msg, '\n');
    json_t *problems = listed ? json_array() : NULL;
    for (char *line = msg, *end; line; line = end) {
        end = listed ? strchr(line, '\n') : NULL;
        if (end)
            *end++ = '\0';
        fputs("qtm: error: ", stderr);
        put_text(stderr, line, 0);  /* messages quote input: a category, a method */
        fputc('\n', stderr);
        if (problems)
            json_array_append_new(problems, json_string(line));
        if (end)
            end[-1] = '\n';
    }
    if (c->json) {
        json_t *e = json_pack("{s:{s:s,s:s}}", "error", "category", qtm_category(st), "message",
                              msg);
        if (e && problems)
            json_object_set(json_object_get(e, "error"), "problems", problems);
        char *s = e ? json_dumps(e, JSON_COMPACT) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(e);
    }
    json_decref(problems);
    return (int)st;
}

static int lib_fail(cli *c, qtm_status st)
{
    return fail(c, st, "%s", c->q ? qtm_errmsg(c->q) : "cannot open the database");
}

/* Prints o (stolen) as one JSON object; returns 0. */
static int emit(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        puts(s);
    free(s);
    json_decref(o);
    return 0;
}

/* o[key] for a text view, escaped ("" if not a string).  Every string a
 * text view prints comes through str() or item(). */
static const char *str(json_t *o, const char *key)
{
    return term_value(o, key, 0, json_object_get(o, key));
}

/* "paid 10.00 USD[ of 45.00]" for a settlement's text view; a ledger libqtm
 * could not sum (rows written outside qtm: paid is null) says so instead
 * of showing an empty amount. */
static const char *paid_text(json_t *set)
{
    static char buf[256];
    json_t *due = json_object_get(set, "due");
    if (!json_is_string(json_object_get(set, "paid")))
        return "paid: (the ledger does not add up: run qtm verify)";
    snprintf(buf, sizeof buf, "paid %s %s", str(set, "paid"), str(set, "currency"));
    if (json_is_string(due))
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " of %s", str(set, "due"));
    return buf;
}

/* " (overpaid by 5.00 USD)" when more is paid than due, else "". */
static const char *overpaid_text(json_t *set)
{
    static char buf[128];
    if (!json_is_string(json_object_get(set, "overpaid")))
        return "";
    snprintf(buf, sizeof buf, " (overpaid by %s %s)", str(set, "overpaid"), str(set, "currency"));
    return buf;
}

/* a[i] for a text view, escaped ("" if not a string). */
static const char *item(json_t *a, size_t i)
{
    return term_value(a, NULL, i, json_array_get(a, i));
}

/* Prints json_dumps of o (indented) with its layout, escaped, and a newline. */
static void put_json(json_t *o, size_t flags)
{
    char *s = json_dumps(o, flags);
    if (s) {
        put_text(stdout, s, 1);
        putchar('\n');
    }
    free(s);
}

static long long num(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* --- argument helpers -------------------------------------------------------- */

/* Finds --name VALUE among the command's arguments; NULL if absent. */
static const char *opt(cli *c, const char *name)
{
    for (int i = 0; i + 1 < c->argc; i++)
        if (strcmp(c->argv[i], name) == 0)
            return c->argv[i + 1];
    return NULL;
}

static int has_flag(cli *c, const char *name)
{
    for (int i = 0; i < c->argc; i++)
        if (strcmp(c->argv[i], name) == 0)
            return 1;
    return 0;
}

/* The n-th positional argument (not an option or an option's value). */
static const char *pos(cli *c, int n, const char *const *valued)
{
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (a[0] == '-' && a[1] == '-') {
            for (const char *const *v = valued; v && *v; v++)
                if (strcmp(a, *v) == 0) {
                    i++;
                    break;
                }
            continue;
        }
        if (n-- == 0)
            return a;
    }
    return NULL;
}

/* Every option given must be one of `allowed` (with a value) or `flags`. */
static int check_opts(cli *c, const char *const *valued, const char *const *flags)
{
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (!(a[0] == '-' && a[1] == '-'))
            continue;
        int ok = 0;
        for (const char *const *v = valued; v && *v && !ok; v++)
            if (strcmp(a, *v) == 0) {
                if (i + 1 >= c->argc)
                    return fail(c, QTM_EUSAGE, "%s needs a value", a);
                ok = 1;
                i++;
            }
        for (const char *const *f = flags; f && *f && !ok; f++)
            ok = strcmp(a, *f) == 0;
        if (!ok)
            return fail(c, QTM_EUSAGE, "unknown option %s", a);
    }
    return 0;
}

static int parse_id(cli *c, const char *s, const char *what, int64_t *out)
{
    if (!s)
        return fail(c, QTM_EUSAGE, "missing %s id", what);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end || errno || v <= 0)
        return fail(c, QTM_EUSAGE, "'%s' is not a %s id (a positive number)", s, what);
    *out = v;
    return 0;
}

static void fake_clock(char out[32], void *arg)
{
    snprintf(out, 32, "%s", (const char *)arg);
}

/* QTM_DURABILITY: "full" (or unset) makes every change durable before it is
 * reported; "relaxed" is for throwaway databases.  -1: neither (refused). */
static int env_relaxed(cli *c)
{
    const char *d = getenv("QTM_DURABILITY");
    if (!d || !*d || strcmp(d, "full") == 0)
        return 0;
    if (strcmp(d, "relaxed") == 0)
        return 1;
    fail(c, QTM_EUSAGE, "QTM_DURABILITY must be full or relaxed, not '%s'", d);
    return -1;
}

static int open_db(cli *c, unsigned flags)
{
    int relaxed = env_relaxed(c);
    if (relaxed < 0)
        return QTM_EUSAGE;
    qtm_status st = qtm_open(c->db, flags | (relaxed ? QTM_OPEN_RELAXED : 0), &c->q);
    if (st != QTM_OK)
        return c->q ? lib_fail(c, st) : fail(c, QTM_ESTORAGE, "out of memory");
    /* deterministic stamps for tests and demos: QTM_FAKE_NOW=2026-01-01T00:00:00Z */
    const char *fake = getenv("QTM_FAKE_NOW");
    if (fake && *fake)
        qtm_set_clock(c->q, fake_clock, (void *)fake);
    return 0;
}

/* --db PATH, --as ACTOR and --json may also follow the command, anywhere
 * on the line: takes them out of the command's arguments (in place).  A
 * value spelled like one of them is read as that option. */
static int global_opts(cli *c)
{
    int w = 0;
    for (int r = 0; r < c->argc; r++) {
        const char *a = c->argv[r];
        if (strcmp(a, "--db") == 0 || strcmp(a, "--as") == 0) {
            if (r + 1 >= c->argc)
                return fail(c, QTM_EUSAGE, "%s needs a value", a);
            if (a[2] == 'd')
                c->db = c->argv[++r];
            else
                c->as = c->argv[++r];
        } else if (strcmp(a, "--json") == 0) {
            c->json = 1;
        } else {
            c->argv[w++] = c->argv[r];
        }
    }
    c->argc = w;
    return 0;
}

/* Names who does local administration (actor add/set, token issue/revoke)
 * in the audit log: --as (an admin) when given, else the OS user. */
static int local_actor(cli *c)
{
    struct passwd *pw = c->as ? NULL : getpwuid(geteuid());
    qtm_status st = qtm_set_local_actor(c->q, c->as, pw ? pw->pw_name : NULL);
    return st ? lib_fail(c, st) : 0;
}

/* --- commands ---------------------------------------------------------------- */

typedef struct command {
    const char *name;              /* "job claim" */
    int (*run)(cli *c);
    const char *help;              /* its usage line and a sentence */
} command;

static int show_job(cli *c, int64_t id, int changed);

/* With --as, what only admins read is refused to everyone else (the
 * holder of the database file, without --as, reads everything). */
static int admin_read(cli *c, const char *what)
{
    qtm_status st = c->as ? qtm_admin_read_as(c->q, c->as, what) : QTM_OK;
    return st ? lib_fail(c, st) : 0;
}

static int cmd_init(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    int rc = open_db(c, QTM_OPEN_CREATE);
    if (rc)
        return rc;
    if (c->json)
        return emit(json_pack("{s:s,s:i}", "database", qtm_db_label(c->q), "schema",
                              QTM_SCHEMA_VERSION));
    printf("initialised %s (schema %d)\n", qtm_db_label(c->q), QTM_SCHEMA_VERSION);
    return 0;
}

static int cmd_actor_add(cli *c)
{
    static const char *const v[] = {"--role", "--name", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    const char *slug = pos(c, 0, v), *role = opt(c, "--role");
    if (!slug || !role)
        return fail(c, QTM_EUSAGE, "usage: qtm actor add SLUG --role ROLE [--name TEXT]");
    int rc = open_db(c, 0);
    if (rc || (rc = local_actor(c)))
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_actor_add(c->q, slug, role, opt(c, "--name")));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:s,s:s}", "actor", slug, "role", role));
    printf("added %s %s\n", role, slug);
    return 0;
}

static int cmd_actor_set(cli *c)
{
    static const char *const v[] = {"--access", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    const char *slug = pos(c, 0, v), *access = opt(c, "--access");
    if (!slug || !access)
        return fail(c, QTM_EUSAGE, "usage: qtm actor set SLUG --access " ACCESSES);
    int rc = open_db(c, 0);
    if (rc || (rc = local_actor(c)))
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_actor_set_access(c->q, slug, access));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:s,s:s}", "actor", slug, "access", access));
    printf("%s is now %s\n", slug, access);
    return 0;
}

/* The tail every list command shares: status, then one JSON object
 * {key: [...]} or one printed row per element. */
static int print_list(cli *c, qtm_status st, json_t *a, const char *key, void (*row)(json_t *))
{
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:o}", key, a));
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o) row(o);
    json_decref(a);
    return 0;
}

static int opt_uint(cli *c, const char *name, unsigned long lo, unsigned long hi,
                    unsigned long *out);

/* The page of a list command: --limit N (1 to QTM_PAGE_MAX, default
 * QTM_PAGE_DEFAULT) and --after ID (the next_after of the page before). */
static int page_opts(cli *c, qtm_page *pg)
{
    unsigned long limit = QTM_PAGE_DEFAULT, after = 0;
    if (opt_uint(c, "--limit", 1, QTM_PAGE_MAX, &limit) ||
        opt_uint(c, "--after", 0, INT64_MAX, &after))
        return 2;
    pg->limit = (unsigned)limit;
    pg->after = (int64_t)after;
    return 0;
}

/* print_list for a page: next_after in the JSON object (null at the end);
 * in text, a last line naming the option that gives the next page. */
static int print_page(cli *c, qtm_status st, json_t *a, const char *key, void (*row)(json_t *),
                      int64_t next_after)
{
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:o,s:o}", key, a,
                              "next_after", next_after ? json_integer(next_after) : json_null()));
    print_list(c, st, a, key, row);
    if (next_after)
        printf("next: --after %lld\n", (long long)next_after);
    return 0;
}

static void print_actor(json_t *o)
{
    printf("%-16s %-9s %-10s %s\n", str(o, "slug"), str(o, "role"), str(o, "access"),
           str(o, "name"));
}

static const char *const page_valued[] = {"--limit", "--after", NULL};

typedef qtm_status (*page_fn)(qtm *q, const qtm_page *pg, json_t **out, int64_t *next_after);

/* A list command that takes only --limit and --after: reads one page with
 * fn (after the admin check when admin_what names what only admins read)
 * and prints it under key, a row each. */
static int paged_list(cli *c, const char *admin_what, page_fn fn, const char *key,
                      void (*row)(json_t *))
{
    qtm_page pg;
    if (check_opts(c, page_valued, NULL) || page_opts(c, &pg))
        return 2;
    int rc = open_db(c, 0);
    if (rc || (admin_what && (rc = admin_read(c, admin_what))))
        return rc;
    json_t *a = NULL;
    int64_t next = 0;
    qtm_status st = fn(c->q, &pg, &a, &next);
    return print_page(c, st, a, key, row, next);
}

static int cmd_actor_list(cli *c)
{
    return paged_list(c, "actors", qtm_actor_list_page, "actors", print_actor);
}

static void print_surface(json_t *o)
{
    printf("%-20s %-22s %-28s %-10s %.19s\n", str(o, "slug"), str(o, "name"), str(o, "spec"),
           str(o, "status"), str(o, "fingerprint"));
    size_t i;
    json_t *fp, *kept = json_object_get(o, "retained");
    json_array_foreach(kept, i, fp)  /* older specs kept */
        printf("%-20s %-22s %-28s %-10s %.19s\n", "", "", "", "retained", item(kept, i));
}

static int cmd_surfaces(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    json_t *a = NULL;
    qtm_status st = qtm_surfaces(c->q, &a);
    return print_list(c, st, a, "surfaces", print_surface);
}

static int cmd_surface_show(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    const char *slug = pos(c, 0, NULL);
    if (!slug)
        return fail(c, QTM_EUSAGE, "usage: qtm surface show SLUG");
    json_t *m;
    qtm_status st = qtm_surface_show(c->q, slug, &m);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(m);
    json_t *ex = json_object_get(m, "execution");
    printf("%s (%s)  %s  %s\n", str(m, "name"), str(m, "slug"), str(m, "spec"), str(m, "status"));
    printf("  fingerprint %s\n", str(m, "fingerprint"));
    printf("  claim %s, ownership %s, record %s, payment %s, completed jobs %s\n",
           str(ex, "claim"), str(ex, "ownership"), str(ex, "record"), str(ex, "payment_timing"),
           str(ex, "completed_jobs"));
    size_t i, k;
    json_t *o, *r;
    puts("  phases:");
    json_array_foreach(json_object_get(m, "phases"), i, o)
        printf("    %-14s %-28s%s%s\n", str(o, "name"), str(o, "label"),
               json_is_true(json_object_get(o, "initial")) ? " initial" : "",
               json_is_true(json_object_get(o, "final")) ? " final" : "");
    puts("  transitions:");
    json_array_foreach(json_object_get(m, "transitions"), i, o) {
        printf("    %s -> %s on %s by %s", str(o, "from"), str(o, "to"), str(o, "event"),
               str(o, "by"));
        json_t *req = json_object_get(o, "requires");
        json_array_foreach(req, k, r)
            printf("%s%s", k ? ", " : " requires ", item(req, k));
        putchar('\n');
    }
    json_t *ev = json_object_get(m, "evidence"), *cats = json_object_get(ev, "required");
    printf("  evidence: required [");
    json_array_foreach(cats, k, r)
        printf("%s%s", k ? ", " : "", item(cats, k));
    printf("], optional [");
    cats = json_object_get(ev, "optional");
    json_array_foreach(cats, k, r)
        printf("%s%s", k ? ", " : "", item(cats, k));
    printf("], at least %lld each\n", num(ev, "min_per_category"));
    json_t *in = json_object_get(m, "intake");
    printf("  intake (photos min %lld):\n", num(in, "photos_min"));
    json_array_foreach(json_object_get(in, "sections"), i, o) {
        json_t *f;
        json_array_foreach(json_object_get(o, "fields"), k, f)
            printf("    %s.%-20s %-8s%s\n", str(o, "name"), str(f, "name"), str(f, "type"),
                   json_is_true(json_object_get(f, "required")) ? " required" : "");
    }
    json_decref(m);
    return 0;
}

static char *read_file(cli *c, const char *path, int *rc)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        *rc = fail(c, QTM_EUSAGE, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_INTAKE + 2);
    size_t n = buf ? fread(buf, 1, MAX_INTAKE + 1, f) : 0;
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || err) {
        free(buf);
        *rc = fail(c, QTM_EUSAGE, "cannot read %s", path);
        return NULL;
    }
    if (n > MAX_INTAKE) {
        free(buf);
        *rc = fail(c, QTM_EINVALID, "intake: %s is larger than %u bytes", path, MAX_INTAKE);
        return NULL;
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        *rc = fail(c, QTM_EINVALID, "intake: %s contains a NUL byte", path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static int cmd_request_submit(cli *c)
{
    static const char *const v[] = {"--intake", "--photo", "--key", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    const char *surface = pos(c, 0, v), *file = opt(c, "--intake");
    if (!surface || !file)
        return fail(c, QTM_EUSAGE, "usage: qtm request submit SURFACE --intake FILE.json "
                    "[--photo FILE]... [--key KEY]");
    /* --photo may come again and again: every value is a file */
    const char **photos = calloc((size_t)c->argc + 1, sizeof *photos);
    size_t nphotos = 0;
    if (!photos)
        return fail(c, QTM_ESTORAGE, "out of memory");
    for (int i = 0; i + 1 < c->argc; i++)
        if (strcmp(c->argv[i], "--photo") == 0)
            photos[nphotos++] = c->argv[++i];
    int rc = 0;
    char *text = read_file(c, file, &rc);
    if (!text || (rc = open_db(c, 0)) != 0) {
        free(text);
        free(photos);
        return rc;
    }
    int64_t req, task;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_request_submit(c->q, c->as, surface, text, photos, nphotos,
                                           opt(c, "--key"), &req, &task));
    free(text);
    free(photos);
    if (st)
        return lib_fail(c, st);
    int replayed = qtm_request_replayed(c->q);
    if (c->json)
        return emit(json_pack("{s:I,s:I,s:b}", "request", (json_int_t)req, "task",
                              (json_int_t)task, "replayed", replayed));
    if (replayed)
        printf("already submitted as request %lld (task %lld); nothing new was stored\n",
               (long long)req, (long long)task);
    else
        printf("request %lld submitted; task %lld is waiting for review\n", (long long)req,
               (long long)task);
    return 0;
}

static int parse_duration(cli *c, const char *name, const char *s, int64_t *out);

/* qtm_write_fn onto a FILE. */
static int write_stream(void *arg, const void *data, size_t n)
{
    return fwrite(data, 1, n, arg) == n ? 0 : -1;
}

static int cmd_blob_get(cli *c)
{
    static const char *const v[] = {"--out", NULL}, *const f[] = {"--thumb", NULL};
    if (check_opts(c, v, f))
        return 2;
    const char *ref = pos(c, 0, v), *out = opt(c, "--out");
    if (!ref)
        return fail(c, QTM_EUSAGE, "usage: qtm blob get sha256:HEX [--out FILE] [--thumb]");
    if (!out && isatty(STDOUT_FILENO))
        return fail(c, QTM_EUSAGE, "qtm blob get writes a file: give --out FILE, or redirect "
                    "its output");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    /* a new file (never an existing one: no overwrite), private until done */
    FILE *fp = stdout;
    if (out) {
        int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || !(fp = fdopen(fd, "wb"))) {
            if (fd >= 0)
                close(fd);
            return fail(c, QTM_EUSAGE, "cannot create %s: %s", out, strerror(errno));
        }
    }
    qtm_blob_info info;
    qtm_status st = qtm_blob_read(c->q, c->as, ref, has_flag(c, "--thumb"), &info,
                                  write_stream, fp);
    int closed = out ? fclose(fp) : fflush(fp);
    if (st != QTM_OK || closed != 0) {
        if (out)
            unlink(out);
        return st ? lib_fail(c, st) : fail(c, QTM_ESTORAGE, "cannot write %s", out);
    }
    if (out && c->json)
        return emit(json_pack("{s:s,s:s,s:I,s:s}", "blob", info.ref, "type", info.type, "size",
                              (json_int_t)info.size, "out", out));
    if (out)
        printf("%s %s %lld bytes -> %s\n", info.ref, info.type, (long long)info.size, out);
    return 0;
}

static int cmd_blob_put(cli *c)
{
    static const char *const v[] = {"--surface", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    const char *path = pos(c, 0, v);
    if (!path)
        return fail(c, QTM_EUSAGE, "usage: qtm blob put FILE [--surface SLUG]");
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(c, QTM_EINVALID, "cannot open %s: %s", path, strerror(errno));
    int rc = open_db(c, 0);
    if (rc) {
        close(fd);
        return rc;
    }
    /* the file is read once (checked, cleaned); only its store is run again */
    qtm_blob_info info;
    qtm_upload *u = NULL;
    qtm_status st = qtm_upload_check(c->q, opt(c, "--surface"), fd, &u);
    close(fd);
    if (st == QTM_OK)
        QTM_RETRY(c->q, st, qtm_upload_store(c->q, c->as, u, &info));
    qtm_upload_free(u);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:s,s:s,s:I,s:b}", "blob", info.ref, "type", info.type, "size",
                              (json_int_t)info.size, "created", info.created));
    printf("%s %s %lld bytes%s\n", info.ref, info.type, (long long)info.size,
           info.created ? "" : " (already stored)");
    return 0;
}

static int cmd_blobs_gc(cli *c)
{
    static const char *const v[] = {"--older-than", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    int64_t grace = 24 * 3600, removed = 0;
    if (opt(c, "--older-than") && strcmp(opt(c, "--older-than"), "0") != 0 &&
        parse_duration(c, "--older-than", opt(c, "--older-than"), &grace))
        return 2;
    if (opt(c, "--older-than") && strcmp(opt(c, "--older-than"), "0") == 0)
        grace = 0;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    /* local administration: with --as, an admin's only (as actor and token
     * commands are); the holder of the database file, without --as, may */
    qtm_status st = c->as ? qtm_admin_act_as(c->q, c->as, "collect files") : QTM_OK;
    if (st == QTM_OK)
        QTM_RETRY(c->q, st, qtm_blob_gc(c->q, grace, &removed));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:I}", "removed", (json_int_t)removed));
    printf("%lld unreferenced file%s removed\n", (long long)removed, removed == 1 ? "" : "s");
    return 0;
}

static void print_task(json_t *t)
{
    char job[32] = "-";
    if (json_is_integer(json_object_get(t, "job")))
        snprintf(job, sizeof job, "%lld", num(t, "job"));
    printf("task %lld  %-18s %-9s assignee %-10s job %-6s", num(t, "id"), str(t, "surface"),
           str(t, "state"), json_is_string(json_object_get(t, "assignee")) ? str(t, "assignee")
                                                                          : "-",
           job);
    if (json_is_string(json_object_get(t, "settlement")))
        printf(" settlement %s", str(t, "settlement"));
    if (*str(t, "summary"))
        printf("  %s", str(t, "summary"));
    putchar('\n');
}

static int cmd_task_list(cli *c)
{
    static const char *const v[] = {"--state", "--limit", "--after", NULL};
    qtm_page pg;
    if (check_opts(c, v, NULL) || page_opts(c, &pg))
        return 2;
    int rc = open_db(c, 0);
    if (rc || (rc = admin_read(c, "tasks")))
        return rc;
    json_t *a = NULL;
    int64_t next = 0;
    qtm_status st = qtm_task_list_page(c->q, opt(c, "--state"), &pg, &a, &next);
    return print_page(c, st, a, "tasks", print_task, next);
}

static int show_task(cli *c, int64_t id)
{
    json_t *t;
    qtm_status st = qtm_task_show(c->q, id, &t);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(t);
    print_task(t);
    if (json_is_string(json_object_get(t, "reason")))
        printf("  reason: %s\n", str(t, "reason"));
    json_t *intake = json_object_get(json_object_get(t, "request"), "intake");
    if (intake) {
        fputs("  intake: ", stdout);
        put_json(intake, JSON_INDENT(2) | JSON_SORT_KEYS);
    }
    json_decref(t);
    return 0;
}

static int cmd_task_show(cli *c)
{
    int64_t id;
    if (check_opts(c, NULL, NULL) || parse_id(c, pos(c, 0, NULL), "task", &id))
        return 2;
    int rc = open_db(c, 0);
    if (rc || (rc = admin_read(c, "tasks")))
        return rc;
    return show_task(c, id);
}

/* task approve|close ID, task reject ID --reason, task assign ID --to */
static int task_verb(cli *c, const char *verb)
{
    static const char *const v[] = {"--reason", "--to", NULL};
    int64_t id;
    if (check_opts(c, v, NULL) || parse_id(c, pos(c, 0, v), "task", &id))
        return 2;
    if (strcmp(verb, "reject") == 0 && !opt(c, "--reason"))
        return fail(c, QTM_EUSAGE, "usage: qtm task reject ID --reason TEXT");
    if (strcmp(verb, "assign") == 0 && !opt(c, "--to"))
        return fail(c, QTM_EUSAGE, "usage: qtm task assign ID --to OPERATOR");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st;
    unsigned tries = 0;
    do {
        if (strcmp(verb, "approve") == 0)
            st = qtm_task_approve(c->q, c->as, id);
        else if (strcmp(verb, "reject") == 0)
            st = qtm_task_reject(c->q, c->as, id, opt(c, "--reason"));
        else if (strcmp(verb, "assign") == 0)
            st = qtm_task_assign(c->q, c->as, id, opt(c, "--to"));
        else
            st = qtm_task_close(c->q, c->as, id);
    } while (qtm_retry(c->q, st, &tries));
    if (st)
        return lib_fail(c, st);
    json_t *t;
    if ((st = qtm_task_show(c->q, id, &t)) != QTM_OK)
        return lib_fail(c, st);
    if (c->json)
        return emit(t);
    print_task(t);
    json_decref(t);
    return 0;
}

static int cmd_task_approve(cli *c) { return task_verb(c, "approve"); }
static int cmd_task_reject(cli *c) { return task_verb(c, "reject"); }
static int cmd_task_assign(cli *c) { return task_verb(c, "assign"); }
static int cmd_task_close(cli *c) { return task_verb(c, "close"); }

static int cmd_job_create(cli *c)
{
    static const char *const v[] = {"--task", NULL};
    int64_t task, job;
    if (check_opts(c, v, NULL) || parse_id(c, opt(c, "--task"), "task", &task))
        return 2;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_job_create(c->q, c->as, task, &job));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:I,s:I}", "job", (json_int_t)job, "task", (json_int_t)task));
    printf("job %lld created from task %lld; it is queued for its operator\n", (long long)job,
           (long long)task);
    return 0;
}

static void print_job_row(json_t *o)
{
    printf("#%-6lld %-20s %-9s %-28s", num(o, "id"), str(o, "surface"), str(o, "state"),
           str(o, "label"));
    if (json_is_string(json_object_get(o, "owner")))
        printf(" owner %-10s", str(o, "owner"));
    else if (json_is_string(json_object_get(o, "assignee")))
        printf(" for %-12s", str(o, "assignee"));
    else
        printf(" %-16s", "-");
    /* a cancelled job with nothing recorded has no settlement: "-" */
    json_t *settlement = json_object_get(o, "settlement");
    printf(" %-8s %s", json_is_string(settlement) ? str(o, "settlement") : "-",
           str(o, "created_at"));
    if (*str(o, "summary"))
        printf("  %s", str(o, "summary"));
    putchar('\n');
}

static int cmd_job_list(cli *c)
{
    static const char *const v[] = {"--state", "--surface", "--operator", "--phase", "--q",
                                     "--limit", "--after", NULL};
    static const char *const flags[] = {"--mine", NULL};
    qtm_page pg;
    if (check_opts(c, v, flags) || page_opts(c, &pg))
        return 2;
    if (pos(c, 0, v))
        return fail(c, QTM_EUSAGE, "job list takes no arguments, only options (see qtm job list "
                    "--help)");
    int mine = has_flag(c, "--mine");
    if (mine && !c->as)
        return fail(c, QTM_EUSAGE, "--mine needs --as ACTOR (whose jobs?)");
    qtm_job_filter f = {opt(c, "--state"), opt(c, "--surface"), opt(c, "--operator"),
                        opt(c, "--phase"), opt(c, "--q")};
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *a = NULL;
    int64_t next = 0;
    qtm_status st = c->as ? qtm_job_list_as(c->q, c->as, mine, &f, &pg, &a, &next)
                          : qtm_job_list_page(c->q, &f, &pg, &a, &next);
    return print_page(c, st, a, "jobs", print_job_row, next);
}

static void print_desk_job(json_t *o)
{
    printf("  #%-5lld %-20s %-28s", num(o, "id"), str(o, "surface"), str(o, "label"));
    if (json_is_string(json_object_get(o, "owner")))
        printf(" owner %s", str(o, "owner"));
    else if (json_is_string(json_object_get(o, "assignee")))
        printf(" for %s", str(o, "assignee"));
    if (json_is_string(json_object_get(o, "settlement")))
        printf("  %s", str(o, "settlement"));
    if (*str(o, "summary"))
        printf("  %s", str(o, "summary"));
    putchar('\n');
}

static int cmd_desk(cli *c)
{
    static const char *const v[] = {"--operator", "--list", "--limit", "--after", NULL};
    qtm_page pg;
    if (check_opts(c, v, NULL) || page_opts(c, &pg))
        return 2;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *d;
    qtm_status st = c->as ? qtm_desk_as(c->q, c->as, opt(c, "--operator"), opt(c, "--list"), &pg, &d)
                          : qtm_desk_page(c->q, opt(c, "--operator"), opt(c, "--list"), &pg, &d);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(d);
    static const char *const cols[][2] = {
        {"queued", "Queued"}, {"active", "Active"}, {"ready", "Ready to close"},
        {"completed", "Completed"}};
    for (size_t k = 0; k < countof(cols); k++) {
        json_t *a = json_object_get(d, cols[k][0]);
        if (!a)
            continue;              /* --list: the one list asked for */
        printf("%s (%zu)\n", cols[k][1], json_array_size(a));
        size_t i;
        json_t *o;
        json_array_foreach(a, i, o) print_desk_job(o);
        json_t *next = json_object_get(json_object_get(d, "next_after"), cols[k][0]);
        if (json_is_integer(next))
            printf("next: --list %s --after %lld\n", cols[k][0],
                   (long long)json_integer_value(next));
    }
    json_decref(d);
    return 0;
}

/* "  SLUG may: EVENT, ..., complete" (qtm_job_actions), or "nothing now". */
static void print_actions(const char *slug, json_t *acts)
{
    if (!acts)
        return;
    size_t i;
    json_t *o;
    int n = 0;
    printf("  %s may:", slug);
    json_array_foreach(json_object_get(acts, "actions"), i, o)
        printf("%s %s", n++ ? "," : "", str(o, "event"));
    if (json_is_true(json_object_get(acts, "can_complete")))
        printf("%s complete", n++ ? "," : "");
    static const char *const gov[][2] = {{"can_reassign", "reassign"}, {"can_handover", "handover"},
                                         {"can_release", "release"}, {"can_cancel", "cancel"},
                                         {"can_note", "note"}};
    for (size_t k = 0; k < countof(gov); k++)
        if (json_is_true(json_object_get(acts, gov[k][0])))
            printf("%s %s", n++ ? "," : "", gov[k][1]);
    puts(n ? "" : " nothing now");
}

/* A value of the intake as text: a string escaped, anything else as JSON. */
static void put_value(json_t *parent, json_t *v)
{
    if (json_is_string(v)) {
        fputs(str(parent, "value"), stdout);
        return;
    }
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    put_text(stdout, t ? t : "?", 0);
    free(t);
}

/* The scope of the work: the request's intake, section by section. */
static void print_request(json_t *req)
{
    size_t i, k;
    json_t *sec, *f;
    if (!json_is_object(req))
        return;
    printf("  request %lld:\n", num(req, "id"));
    json_array_foreach(json_object_get(req, "sections"), i, sec) {
        json_array_foreach(json_object_get(sec, "fields"), k, f) {
            printf("    %-8s %s: ", k ? "" : str(sec, "name"), str(f, "label"));
            put_value(f, json_object_get(f, "value"));
            putchar('\n');
        }
    }
}

/* Who held the job, in order, and its notes. */
static void print_governance(json_t *j)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, "owners"), i, o) {
        if (json_is_string(json_object_get(o, "operator")))
            printf("  owner: %s (%s", str(o, "operator"), str(o, "how"));
        else
            printf("  owner: nobody (released by %s", str(o, "from"));
        if (strcmp(str(o, "how"), "handover") == 0)
            printf(" by %s", str(o, "by"));
        if (json_is_string(json_object_get(o, "reason")))
            printf(": %s", str(o, "reason"));
        printf(", %s)\n", str(o, "at"));
    }
    json_array_foreach(json_object_get(j, "handoffs"), i, o)
        if (strcmp(str(o, "action"), "reassign") == 0 || strcmp(str(o, "action"), "cancel") == 0)
            printf("  %s: %s -> %s by %s%s%s, %s\n", str(o, "action"),
                   json_is_string(json_object_get(o, "from")) ? str(o, "from") : "-",
                   json_is_string(json_object_get(o, "to")) ? str(o, "to") : "-", str(o, "by"),
                   json_is_string(json_object_get(o, "reason")) ? ": " : "",
                   json_is_string(json_object_get(o, "reason")) ? str(o, "reason") : "",
                   str(o, "at"));
    json_array_foreach(json_object_get(j, "notes"), i, o)
        printf("  note: %s (%s, %s)\n", str(o, "text"), str(o, "author"), str(o, "at"));
}

/* The job as --as sees it (everything without --as).  After a change
 * (`changed`) that left the job out of the actor's sight, the change
 * still happened: say so, exit 0. */
static int show_job(cli *c, int64_t id, int changed)
{
    json_t *j;
    qtm_status st = c->as ? qtm_job_show_as(c->q, c->as, id, &j) : qtm_job_show(c->q, id, &j);
    if (st == QTM_ENOTFOUND && changed) {
        if (c->json)
            return emit(json_pack("{s:I}", "job", (json_int_t)id));
        printf("job %lld: done\n", (long long)id);
        return 0;
    }
    json_t *acts = NULL;
    if (st == QTM_OK && c->as && !changed && (st = qtm_job_actions(c->q, c->as, id, &acts)))
        json_decref(j);
    if (st)
        return lib_fail(c, st);
    if (c->json) {
        if (acts)
            json_object_update(j, acts);
        json_decref(acts);
        return emit(j);
    }
    printf("job %lld  %s  %s: %s  (%s)\n", num(j, "id"), str(j, "surface"), str(j, "state"),
           str(j, "label"), str(j, "phase"));
    if (*str(j, "summary"))
        printf("  %s\n", str(j, "summary"));
    json_t *sev = json_object_get(j, "service_event");
    if (json_is_string(json_object_get(sev, "outcome")))
        printf("  outcome: %s\n", str(sev, "outcome"));
    if (json_is_string(json_object_get(sev, "reason")))
        printf("  reason: %s\n", str(sev, "reason"));
    if (*str(j, "hint"))
        printf("  %s\n", str(j, "hint"));
    printf("  task %lld, assigned to %s, owner %s\n", num(j, "task"),
           json_is_string(json_object_get(j, "assignee")) ? str(j, "assignee") : "-",
           json_is_string(json_object_get(j, "owner")) ? str(j, "owner") : "-");
    size_t i, k;
    json_t *o, *r;
    if (strcmp(str(j, "state"), "ready") == 0)
        puts("  next: job complete (its ServiceEvent is complete)");
    json_array_foreach(json_object_get(j, "next"), i, o) {
        printf("  next: %s -> %s (by %s", str(o, "event"), str(o, "label"), str(o, "by"));
        json_t *req = json_object_get(o, "requires");
        json_array_foreach(req, k, r)
            printf("%s%s", k ? ", " : "; requires ", item(req, k));
        if (*str(o, "outcome"))
            printf("; outcome %s", str(o, "outcome"));
        puts(")");
    }
    print_actions(c->as, acts);
    json_decref(acts);
    print_request(json_object_get(j, "request"));
    print_governance(j);
    json_array_foreach(json_object_get(j, "evidence_missing"), i, o)
        printf("  evidence missing: %s (%lld of %lld)\n", str(o, "category"), num(o, "have"),
               num(o, "need"));
    json_array_foreach(json_object_get(j, "evidence"), i, o)
        printf("  evidence: %s %s %s%s%s\n", str(o, "category"), str(o, "ref"),
               json_is_string(json_object_get(o, "type")) ? str(o, "type") : "(no file)",
               json_is_string(json_object_get(o, "note")) ? " note: " : "",
               json_is_string(json_object_get(o, "note")) ? str(o, "note") : "");
    json_array_foreach(json_object_get(j, "participants"), i, o)
        printf("  participant: %s (%s)\n", str(o, "name"), str(o, "role"));
    json_t *set = json_object_get(j, "settlement");
    if (set)
        printf("  settlement: %s, %s, %lld payment%s\n", str(set, "status"), paid_text(set),
               num(set, "payment_count"), num(set, "payment_count") == 1 ? "" : "s");
    if (json_is_integer(json_object_get(j, "record")))
        printf("  record: composed (qtm record show --job %lld)\n", num(j, "id"));
    json_decref(j);
    return 0;
}

/* `job advance ID` with no event: the events --as may fire now, then the
 * usage status (2); the job must exist and be readable by --as. */
static int advance_usage(cli *c, int64_t id)
{
    if (!c->as)
        return fail(c, QTM_EUSAGE, "usage: qtm --as ACTOR job advance ID EVENT [--reason TEXT]");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *acts = NULL;
    qtm_status st = qtm_job_actions(c->q, c->as, id, &acts);
    if (st)
        return lib_fail(c, st);
    char list[768] = "";
    size_t off = 0, i, k;
    json_t *o, *r;
    json_array_foreach(json_object_get(acts, "actions"), i, o) {
        if (off < sizeof list)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                    str(o, "event"));
        json_t *req = json_object_get(o, "requires");
        json_array_foreach(req, k, r)
            if (off < sizeof list)
                off += (size_t)snprintf(list + off, sizeof list - off, "%s%s",
                                        k ? " and " : " (requires ", item(req, k));
        if (json_array_size(req) && off < sizeof list)
            off += (size_t)snprintf(list + off, sizeof list - off, ")");
    }
    json_decref(acts);
    if (!list[0])
        return fail(c, QTM_EUSAGE, "usage: qtm job advance ID EVENT; %s may fire no event on "
                    "job %lld now", c->as, (long long)id);
    return fail(c, QTM_EUSAGE, "usage: qtm job advance ID EVENT; %s may fire on job %lld now: %s",
                c->as, (long long)id, list);
}

static int job_verb(cli *c, int which)
{
    static const char *const v[] = {"--reason", NULL};
    int64_t id;
    if (check_opts(c, which == 2 ? v : NULL, NULL) ||
        parse_id(c, pos(c, 0, which == 2 ? v : NULL), "job", &id))
        return 2;
    const char *event = pos(c, 1, which == 2 ? v : NULL);
    if (which == 2 && !event)
        return advance_usage(c, id);
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st = QTM_OK;
    unsigned tries = 0;
    do {
        if (which == 1)
            st = qtm_job_claim(c->q, c->as, id);
        else if (which == 2)
            st = qtm_job_advance_reason(c->q, c->as, id, event, opt(c, "--reason"));
        else if (which == 3)
            st = qtm_job_complete(c->q, c->as, id);
    } while (qtm_retry(c->q, st, &tries));
    if (st)
        return lib_fail(c, st);
    return show_job(c, id, which != 0);
}

/* job reassign|handover ID --to OPERATOR, job release|cancel ID: the
 * governance of a job's work; --reason where the verb takes one. */
static int job_gov(cli *c, const char *verb)
{
    static const char *const v[] = {"--to", "--reason", NULL};
    static const char *const v_reason[] = {"--reason", NULL};
    int with_to = strcmp(verb, "reassign") == 0 || strcmp(verb, "handover") == 0;
    int needs_reason = strcmp(verb, "handover") == 0 || strcmp(verb, "cancel") == 0;
    const char *const *valued = with_to ? v : v_reason;
    int64_t id;
    if (check_opts(c, valued, NULL) || parse_id(c, pos(c, 0, valued), "job", &id))
        return 2;
    if (pos(c, 1, valued))
        return fail(c, QTM_EUSAGE, "job %s takes one job id", verb);
    if ((with_to && !opt(c, "--to")) || (needs_reason && !opt(c, "--reason")))
        return fail(c, QTM_EUSAGE, "usage: qtm job %s ID%s%s", verb,
                    with_to ? " --to OPERATOR" : "",
                    needs_reason ? " --reason TEXT" : " [--reason TEXT]");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    const char *to = opt(c, "--to"), *reason = opt(c, "--reason");
    qtm_status st;
    unsigned tries = 0;
    do {
        if (strcmp(verb, "reassign") == 0)
            st = qtm_job_reassign(c->q, c->as, id, to, reason);
        else if (strcmp(verb, "handover") == 0)
            st = qtm_job_handover(c->q, c->as, id, to, reason);
        else if (strcmp(verb, "release") == 0)
            st = qtm_job_release(c->q, c->as, id, reason);
        else
            st = qtm_job_cancel(c->q, c->as, id, reason);
    } while (qtm_retry(c->q, st, &tries));
    return st ? lib_fail(c, st) : show_job(c, id, 1);
}

static int cmd_job_reassign(cli *c) { return job_gov(c, "reassign"); }
static int cmd_job_handover(cli *c) { return job_gov(c, "handover"); }
static int cmd_job_release(cli *c) { return job_gov(c, "release"); }
static int cmd_job_cancel(cli *c) { return job_gov(c, "cancel"); }

static int cmd_note_add(cli *c)
{
    static const char *const v[] = {"--text", NULL};
    int64_t id;
    if (check_opts(c, v, NULL) || parse_id(c, pos(c, 0, v), "job", &id))
        return 2;
    if (!opt(c, "--text") || pos(c, 1, v))
        return fail(c, QTM_EUSAGE, "usage: qtm note add JOB --text TEXT");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_note_add(c->q, c->as, id, opt(c, "--text")));
    return st ? lib_fail(c, st) : show_job(c, id, 1);
}

static int cmd_job_show(cli *c) { return job_verb(c, 0); }
static int cmd_job_claim(cli *c) { return job_verb(c, 1); }
static int cmd_job_advance(cli *c) { return job_verb(c, 2); }
static int cmd_job_complete(cli *c) { return job_verb(c, 3); }

static int cmd_evidence_add(cli *c)
{
    static const char *const v[] = {"--note", NULL};
    int64_t id;
    if (check_opts(c, v, NULL) || parse_id(c, pos(c, 0, v), "job", &id))
        return 2;
    const char *cat = pos(c, 1, v), *ref = pos(c, 2, v);
    if (!cat || !ref)
        return fail(c, QTM_EUSAGE, "usage: qtm evidence add JOB CATEGORY FILE [--note TEXT]");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_evidence_add(c->q, c->as, id, cat, ref, opt(c, "--note")));
    return st ? lib_fail(c, st) : show_job(c, id, 1);
}

static int cmd_participant_add(cli *c)
{
    static const char *const v[] = {"--name", "--role", "--contact", NULL};
    int64_t id;
    if (check_opts(c, v, NULL) || parse_id(c, pos(c, 0, v), "job", &id))
        return 2;
    if (!opt(c, "--name") || !opt(c, "--role"))
        return fail(c, QTM_EUSAGE,
                    "usage: qtm participant add JOB --name TEXT --role TEXT [--contact TEXT]");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_participant_add(c->q, c->as, id, opt(c, "--name"), opt(c, "--role"),
                                            opt(c, "--contact")));
    return st ? lib_fail(c, st) : show_job(c, id, 1);
}

static int cmd_settle(cli *c)
{
    static const char *const v[] = {"--amount", "--method", "--currency", "--note", "--due",
                                     "--status", "--reverse", "--reason", NULL};
    int64_t id, reverse = 0;
    if (check_opts(c, v, NULL) || parse_id(c, pos(c, 0, v), "job", &id))
        return 2;
    if (opt(c, "--reverse") || opt(c, "--reason")) {
        if (!opt(c, "--reverse") || !opt(c, "--reason") || opt(c, "--amount") ||
            opt(c, "--due") || opt(c, "--status") || opt(c, "--method") ||
            opt(c, "--currency") || opt(c, "--note"))
            return fail(c, QTM_EUSAGE, "usage: qtm settle JOB --reverse PAYMENT --reason TEXT "
                        "(nothing else)");
        if (parse_id(c, opt(c, "--reverse"), "payment", &reverse))
            return 2;
    }
    const char *status = opt(c, "--status");
    if (status && strcmp(status, "waived") != 0)
        return fail(c, QTM_EUSAGE, "--status takes only 'waived' (other statuses follow from "
                    "the payments)");
    qtm_payment p = {opt(c, "--amount"), opt(c, "--currency"), opt(c, "--method"),
                     opt(c, "--note"), opt(c, "--due"), status != NULL};
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_status st;
    QTM_RETRY(c->q, st, reverse ? qtm_settle_reverse(c->q, c->as, id, reverse, opt(c, "--reason"))
                                : qtm_settle(c->q, c->as, id, &p));
    if (st)
        return lib_fail(c, st);
    /* committed: from here on nothing may report the call as failed */
    json_t *s = NULL;
    if ((c->as ? qtm_settlement_show_as(c->q, c->as, id, &s)
               : qtm_settlement_show(c->q, id, &s)) != QTM_OK) {
        fputs("qtm: warning: recorded, but reading the settlement back failed: ", stderr);
        put_text(stderr, qtm_errmsg(c->q), 0);
        fputc('\n', stderr);
        if (c->json)
            return emit(json_pack("{s:I,s:n}", "job", (json_int_t)id, "settlement"));
        printf("job %lld settlement recorded\n", (long long)id);
        return 0;
    }
    if (c->json)
        return emit(json_pack("{s:I,s:o}", "job", (json_int_t)id, "settlement", s));
    printf("job %lld settlement: %s, %s%s\n", (long long)id, str(s, "status"), paid_text(s),
           overpaid_text(s));
    json_decref(s);
    return 0;
}

static void print_payment(json_t *o);

static int cmd_settlement_show(cli *c)
{
    int64_t id;
    if (check_opts(c, NULL, NULL) || parse_id(c, pos(c, 0, NULL), "job", &id))
        return 2;
    if (pos(c, 1, NULL))
        return fail(c, QTM_EUSAGE, "usage: qtm settlement show JOB");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *s = NULL;
    qtm_status st = c->as ? qtm_settlement_show_as(c->q, c->as, id, &s)
                          : qtm_settlement_show(c->q, id, &s);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:I,s:o}", "job", (json_int_t)id, "settlement", s));
    printf("job %lld settlement: %s, %s%s", (long long)id, str(s, "status"), paid_text(s),
           overpaid_text(s));
    printf(", %lld payment%s\n", num(s, "payment_count"),
           num(s, "payment_count") == 1 ? "" : "s");
    json_t *p = json_object_get(s, "payments");
    size_t i;
    json_t *o;
    json_array_foreach(p, i, o) print_payment(o);
    if (num(s, "payment_count") > (long long)json_array_size(p))
        printf("(the last %zu; qtm settlement payments %lld has them all)\n", json_array_size(p),
               (long long)id);
    json_decref(s);
    return 0;
}

static void print_settlement_row(json_t *o)
{
    printf("job %-6lld %-20s %-8s paid %12s %s", num(o, "job"), str(o, "surface"),
           str(o, "status"), str(o, "paid"), str(o, "currency"));
    if (json_is_string(json_object_get(o, "due")))
        printf(" of %s", str(o, "due"));
    if (json_is_string(json_object_get(o, "overpaid")))
        printf(" (overpaid by %s)", str(o, "overpaid"));
    printf("  %lld payment%s\n", num(o, "payment_count"), num(o, "payment_count") == 1 ? "" : "s");
}

static int cmd_settlement_list(cli *c)
{
    static const char *const v[] = {"--status", "--surface", "--limit", "--after", NULL};
    qtm_page pg;
    if (check_opts(c, v, NULL) || page_opts(c, &pg))
        return 2;
    if (pos(c, 0, v))
        return fail(c, QTM_EUSAGE, "settlement list takes no arguments, only options");
    int rc = open_db(c, 0);
    if (rc || (rc = admin_read(c, "the settlement list")))
        return rc;
    json_t *a = NULL;
    int64_t next = 0;
    qtm_status st = qtm_settlement_list_page(c->q, opt(c, "--status"), opt(c, "--surface"), &pg,
                                             &a, &next);
    return print_page(c, st, a, "settlements", print_settlement_row, next);
}

static int cmd_record_show(cli *c)
{
    static const char *const v[] = {"--job", NULL};
    int64_t id;
    const char *job = opt(c, "--job"), *given = pos(c, 0, v);
    if (check_opts(c, v, NULL))
        return 2;
    if ((job && given) || pos(c, 1, v))
        return fail(c, QTM_EUSAGE, "usage: qtm record show ID | qtm record show --job ID");
    if (parse_id(c, job ? job : given, "job", &id))
        return 2;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *r;
    qtm_status st = c->as ? qtm_record_show_as(c->q, c->as, id, &r) : qtm_record_show(c->q, id, &r);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(r);
    printf("record %lld of job %lld (%s), sha256 %s\n", num(r, "id"), num(r, "job"),
           str(r, "surface"), str(r, "hash"));
    put_json(json_object_get(r, "body"), JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(r);
    return 0;
}

static void print_record(json_t *o)
{
    printf("record %lld  job %lld  %-20s %.16s  %s  settlement %s\n", num(o, "id"),
           num(o, "job"), str(o, "surface"), str(o, "hash"), str(o, "created_at"),
           str(o, "settlement"));
}

static int cmd_record_list(cli *c)
{
    return paged_list(c, "the record list", qtm_record_list_page, "records", print_record);
}

/* --- signed records ------------------------------------------------------------ */

static int cmd_key_init(cli *c)
{
    static const char *const v[] = {"--key-file", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *k = NULL;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_key_init(c->q, opt(c, "--key-file"), &k));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(k);
    printf("signing key %s created: private key in %s (mode 0600), public key in %s\n",
           str(k, "id"), str(k, "key_file"), qtm_db_label(c->q));
    printf("public key %s\n", str(k, "public_key"));
    json_decref(k);
    return 0;
}

static int cmd_key_show(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *a = NULL;
    qtm_status st = qtm_key_show(c->q, &a);
    if (st)
        return lib_fail(c, st);
    size_t n = json_array_size(a);
    if (n == 0) {
        json_decref(a);
        return fail(c, QTM_ENOTFOUND, "%s has no signing key (qtm key init creates one)",
                    qtm_db_label(c->q));
    }
    if (c->json)
        return emit(json_pack("{s:o}", "keys", a));
    for (size_t i = 0; i < n; i++) {
        json_t *k = json_array_get(a, i);
        printf("key %s  created %s%s\n  public key %s\n", str(k, "id"), str(k, "created_at"),
               i + 1 == n ? "  (signs new records)" : "", str(k, "public_key"));
    }
    json_decref(a);
    return 0;
}

/* Collects every file name ("sha256:HEX") a record body holds: its
 * evidence and its request's photos, once each. */
static void record_files(json_t *body, json_t *names)
{
    size_t i;
    json_t *v;
    json_t *lists[] = {json_object_get(json_object_get(body, "scope"), "photos"),
                       json_object_get(json_object_get(json_object_get(body, "request"),
                                                       "intake"), "photos")};
    json_array_foreach(json_object_get(body, "evidence"), i, v)
        if (json_is_string(json_object_get(v, "ref")) && json_is_string(json_object_get(v, "type")))
            json_object_set(names, json_string_value(json_object_get(v, "ref")), json_true());
    for (size_t k = 0; k < countof(lists); k++)
        json_array_foreach(lists[k], i, v)
            if (json_is_string(v))
                json_object_set(names, json_string_value(v), json_true());
}

/* The extension of a stored MIME type, for the exported file's name. */
static const char *mime_ext(const char *type)
{
    static const char *const map[][2] = {{"image/jpeg", "jpg"}, {"image/png", "png"},
                                         {"image/webp", "webp"}, {"image/heic", "heic"},
                                         {"application/pdf", "pdf"}};
    for (size_t i = 0; i < countof(map); i++)
        if (strcmp(map[i][0], type) == 0)
            return map[i][1];
    return "bin";
}

/* record export --dir: DIR (new) gets record.json, files/HEX.EXT for each
 * file the record names and SHA256SUMS over them (`sha256sum -c` checks
 * them without qtm). */
static int export_dir(cli *c, const char *dir, const char *text, json_t *d)
{
    char path[4096], sums[4096];
    json_t *names = json_object();
    const char *ref;
    json_t *v;
    FILE *sf = NULL;
    int rc = 0;
    if (mkdir(dir, 0700) != 0) {
        json_decref(names);
        return fail(c, QTM_EUSAGE, "cannot create %s: %s", dir, strerror(errno));
    }
    snprintf(path, sizeof path, "%s/record.json", dir);
    FILE *f = fopen(path, "wx");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0)
        ok = 0;
    snprintf(path, sizeof path, "%s/files", dir);
    snprintf(sums, sizeof sums, "%s/SHA256SUMS", dir);
    if (!ok || mkdir(path, 0700) != 0 || !(sf = fopen(sums, "wx"))) {
        json_decref(names);
        if (sf)
            fclose(sf);
        return fail(c, QTM_EUSAGE, "cannot write into %s: %s", dir, strerror(errno));
    }
    record_files(json_object_get(json_object_get(d, "record"), "body"), names);
    json_object_foreach(names, ref, v) {
        char tmp[4096], name[128];
        qtm_blob_info info;
        snprintf(tmp, sizeof tmp, "%s/files/.partial", dir);
        FILE *bf = fopen(tmp, "wx");
        qtm_status st = bf ? qtm_blob_read(c->q, c->as, ref, 0, &info, write_stream, bf)
                           : QTM_ESTORAGE;
        if (bf && fclose(bf) != 0 && st == QTM_OK)
            st = QTM_ESTORAGE;
        if (st == QTM_OK) {
            snprintf(name, sizeof name, "files/%.64s.%s", ref + 7, mime_ext(info.type));
            snprintf(path, sizeof path, "%s/%s", dir, name);
            if (rename(tmp, path) != 0 || fprintf(sf, "%.64s  %s\n", ref + 7, name) < 0)
                st = QTM_ESTORAGE;
        }
        if (st != QTM_OK) {
            unlink(tmp);
            rc = st == QTM_ESTORAGE && !qtm_errmsg(c->q)[0]
                     ? fail(c, QTM_ESTORAGE, "cannot write %s: %s", tmp, strerror(errno))
                     : lib_fail(c, st);
            break;
        }
    }
    if (fclose(sf) != 0 && !rc)
        rc = fail(c, QTM_ESTORAGE, "cannot write %s", sums);
    if (!rc && c->json)
        rc = emit(json_pack("{s:s,s:i}", "dir", dir, "files", (int)json_object_size(names)));
    else if (!rc)
        printf("record and %zu file%s written to %s (check: cd %s && sha256sum -c SHA256SUMS)\n",
               json_object_size(names), json_object_size(names) == 1 ? "" : "s", dir, dir);
    json_decref(names);
    return rc;
}

static int cmd_record_export(cli *c)
{
    static const char *const v[] = {"--job", "--out", "--dir", NULL};
    int64_t id;
    if (check_opts(c, v, NULL) || parse_id(c, opt(c, "--job"), "job", &id))
        return 2;
    if (opt(c, "--out") && opt(c, "--dir"))
        return fail(c, QTM_EUSAGE, "give --out FILE or --dir DIR, not both");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *d = NULL;
    qtm_status st = c->as ? qtm_record_export_as(c->q, c->as, id, &d) : qtm_record_export(c->q, id, &d);
    if (st)
        return lib_fail(c, st);
    char *text = qtm_record_export_text(d);
    if (text && opt(c, "--dir")) {
        rc = export_dir(c, opt(c, "--dir"), text, d);
        free(text);
        json_decref(d);
        return rc;
    }
    const char *out = opt(c, "--out");
    FILE *f = out ? fopen(out, "w") : stdout;
    int ok = text && f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && f != stdout && fclose(f) != 0)
        ok = 0;
    free(text);
    if (!ok) {
        json_decref(d);
        return fail(c, QTM_EUSAGE, "cannot write %s: %s", out ? out : "the export",
                    strerror(errno));
    }
    /* without --out the document itself is the output, --json or not */
    if (out && c->json)
        return emit(json_pack("{s:s,s:I,s:O}", "out", out, "job", (json_int_t)id, "key_id",
                              json_object_get(json_object_get(d, "signature"), "key_id")));
    if (out)
        printf("record of job %lld, signed by key %s, written to %s\n", (long long)id,
               str(json_object_get(d, "signature"), "key_id"), out);
    json_decref(d);
    return 0;
}

/* Opens no database: the document carries everything the check needs. */
static int cmd_record_check(cli *c)
{
    static const char *const v[] = {"--key", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    const char *file = pos(c, 0, v);
    if (!file)
        return fail(c, QTM_EUSAGE, "usage: qtm record check FILE [--key PUBKEY]");
    int rc = 0;
    char *text = read_file(c, file, &rc);
    if (!text)
        return 2;
    json_t *r = NULL;
    qtm_status st = qtm_record_check(text, opt(c, "--key"), &r);
    free(text);
    if (st == QTM_EUSAGE) {
        json_decref(r);
        return fail(c, st, "--key takes a public key (64 hex digits) or a key id (16)");
    }
    if (c->json) {
        emit(r);
        return st == QTM_OK ? 0 : 1;
    }
    if (st == QTM_OK)
        printf("valid: record %lld of job %lld\n", num(r, "record"), num(r, "job"));
    else
        printf("invalid: %s\n", str(r, "failed"));
    json_t *p = json_object_get(r, "proved"), *np = json_object_get(r, "not_proved");
    for (size_t i = 0; i < json_array_size(p); i++)
        printf("  proved: %s\n", item(p, i));
    for (size_t i = 0; i < json_array_size(np); i++)
        printf("  not proved: %s\n", item(np, i));
    json_decref(r);
    return st == QTM_OK ? 0 : 1;
}

static void print_payment(json_t *o)
{
    printf("%6lld %s %12s %s %-6s %-12s %s", num(o, "id"), str(o, "at"), str(o, "amount"),
           str(o, "currency"), str(o, "method"), str(o, "actor"), str(o, "note"));
    if (json_is_integer(json_object_get(o, "reverses")))
        printf("reverses payment %lld: %s", num(o, "reverses"), str(o, "reason"));
    if (json_is_integer(json_object_get(o, "reversed_by")))
        printf("(reversed by payment %lld)", num(o, "reversed_by"));
    putchar('\n');
}

static int cmd_settlement_payments(cli *c)
{
    qtm_page pg;
    int64_t id;
    if (check_opts(c, page_valued, NULL) || parse_id(c, pos(c, 0, page_valued), "job", &id) ||
        page_opts(c, &pg))
        return 2;
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *a = NULL;
    int64_t next = 0;
    qtm_status st = c->as ? qtm_settlement_payments_as(c->q, c->as, id, &pg, &a, &next)
                          : qtm_settlement_payments(c->q, id, &pg, &a, &next);
    return print_page(c, st, a, "payments", print_payment, next);
}

static void print_log_row(json_t *o)
{
    const char *from = str(o, "from"), *to = str(o, "to");
    printf("%4lld %s %-10s %-13s %-4lld %-9s %s%s%s\n", num(o, "id"), str(o, "at"),
           json_is_string(json_object_get(o, "actor")) ? str(o, "actor") : "-",
           str(o, "entity"), num(o, "entity_id"), str(o, "action"), from, *from ? " -> " : "",
           to);
}

static int cmd_log(cli *c)
{
    static const char *const v[] = {"--job", "--limit", "--after", NULL};
    int64_t job = 0;
    qtm_page pg;
    if (check_opts(c, v, NULL) || (opt(c, "--job") && parse_id(c, opt(c, "--job"), "job", &job)) ||
        page_opts(c, &pg))
        return 2;
    int rc = open_db(c, 0);
    if (rc || (rc = admin_read(c, "the audit log")))
        return rc;
    json_t *a = NULL;
    int64_t next = 0;
    qtm_status st = qtm_log_page(c->q, job, &pg, &a, &next);
    return print_page(c, st, a, "log", print_log_row, next);
}

static int cmd_verify(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    int rc = open_db(c, 0);
    if (rc || (rc = admin_read(c, "verify")))
        return rc;
    json_t *r = NULL;
    qtm_status st = qtm_verify(c->q, &r);
    if (!r)
        return lib_fail(c, st);
    size_t i;
    json_t *f;
    if (c->json) {
        emit(r);
        if (st)
            fprintf(stderr, "qtm: error: %s\n", qtm_errmsg(c->q));
        return (int)st;
    }
    json_t *all = json_object_get(r, "findings");
    json_array_foreach(all, i, f)
        printf("problem: %s\n", item(all, i));
    if (st == QTM_OK)
        printf("verify: ok (%lld audit rows chained, %lld jobs consistent)\n",
               num(r, "audit_rows"), num(r, "jobs"));
    json_decref(r);
    return st ? fail(c, st, "%s", qtm_errmsg(c->q)) : 0;
}

static int cmd_backup(cli *c)
{
    static const char *const flags[] = {"--force", NULL};
    if (check_opts(c, NULL, flags))
        return 2;
    const char *file = pos(c, 0, NULL);
    if (!file || pos(c, 1, NULL))
        return fail(c, QTM_EUSAGE, "usage: qtm backup FILE [--force]");
    int rc = open_db(c, 0);
    if (rc || (rc = admin_read(c, "backup")))
        return rc;
    json_t *r = NULL;
    qtm_status st = qtm_backup(c->q, file, has_flag(c, "--force") ? QTM_BACKUP_FORCE : 0, &r);
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(r);
    printf("backup: wrote %s (%lld bytes); verify: ok (%lld audit rows chained, %lld jobs "
           "consistent)\n", file, num(r, "bytes"), num(r, "audit_rows"), num(r, "jobs"));
    json_decref(r);
    return 0;
}

/* Opens no database of --db: FROM and TO name both.  No --as: an operator
 * copies two databases they hold. */
static int cmd_db_copy(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    const char *from = pos(c, 0, NULL), *to = pos(c, 1, NULL);
    if (!from || !to || pos(c, 2, NULL))
        return fail(c, QTM_EUSAGE, "usage: qtm db copy FROM TO");
    json_t *r = NULL;
    qtm_status st = qtm_db_copy(from, to, &r);
    json_t *v = json_object_get(r, "verify");
    if (st != QTM_OK && st != QTM_EVERIFY) {
        int rc = fail(c, st, "%s", r ? str(r, "error") : "out of memory");
        json_decref(r);
        return rc;
    }
    if (c->json) {
        emit(r);
        if (st)
            fprintf(stderr, "qtm: error: the copy does not verify (it is kept for inspection)\n");
        return (int)st;
    }
    json_t *all = json_object_get(v, "findings"), *f;
    size_t i;
    json_array_foreach(all, i, f)
        printf("problem: %s\n", item(all, i));
    printf("copied %lld rows in %zu tables; audit chain of %lld rows; verify: %s\n",
           num(r, "rows"), json_array_size(json_object_get(r, "tables")), num(r, "chain"),
           st == QTM_OK ? "ok" : "FAILED");
    if (st)
        fail(c, st, "%s", str(r, "error"));
    json_decref(r);
    return (int)st;
}

/* --- identity and the web desk ------------------------------------------- */

/* A duration: a whole number and one unit, s m h or d ("90d", "12h",
 * "30m"), more than zero, at most 100 years. */
static int parse_duration(cli *c, const char *name, const char *s, int64_t *out)
{
    static const char units[] = "smhd";
    static const int64_t secs[] = {1, 60, 3600, 86400};
    size_t n = strlen(s), digits = strspn(s, "0123456789");
    const char *u = n >= 2 && digits == n - 1 ? strchr(units, s[n - 1]) : NULL;
    if (u && *u && digits <= 9) {
        int64_t v = strtoll(s, NULL, 10) * secs[u - units];
        if (v > 0 && v <= 100 * 366 * 86400LL) {
            *out = v;
            return 0;
        }
    }
    return fail(c, QTM_EUSAGE, "%s takes a duration above zero and up to 100 years: a "
                "number and s, m, h or d (90d, 12h, 30m), not '%s'", name, s);
}

static int cmd_token_issue(cli *c)
{
    static const char *const v[] = {"--expires", NULL};
    if (check_opts(c, v, NULL))
        return 2;
    const char *slug = pos(c, 0, v);
    if (!slug || pos(c, 1, v))
        return fail(c, QTM_EUSAGE, "usage: qtm token issue SLUG [--expires DURATION]");
    int64_t life = 0;
    if (opt(c, "--expires") && parse_duration(c, "--expires", opt(c, "--expires"), &life))
        return 2;
    int rc = open_db(c, 0);
    if (rc || (rc = local_actor(c)))
        return rc;
    char token[QTM_SECRET_LEN];
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_token_issue_expiring(c->q, slug, life, token));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:s,s:s}", "actor", slug, "token", token));
    printf("%s\n", token);
    fprintf(stderr, "qtm: token for %s: shown once, stored only as a hash\n", slug);
    return 0;
}

static int cmd_token_revoke(cli *c)
{
    if (check_opts(c, NULL, NULL))
        return 2;
    const char *slug = pos(c, 0, NULL);
    if (!slug)
        return fail(c, QTM_EUSAGE, "usage: qtm token revoke SLUG");
    int rc = open_db(c, 0);
    if (rc || (rc = local_actor(c)))
        return rc;
    int n = 0;
    qtm_status st;
    QTM_RETRY(c->q, st, qtm_token_revoke(c->q, slug, &n));
    if (st)
        return lib_fail(c, st);
    if (c->json)
        return emit(json_pack("{s:s,s:i}", "actor", slug, "revoked", n));
    printf("revoked %d token%s of %s (and their sessions)\n", n, n == 1 ? "" : "s", slug);
    return 0;
}

static void print_token(json_t *o)
{
    static const char *const when[][2] = {
        {"revoked_at", "revoked"}, {"expires_at", "expires"}, {"last_used_at", "last used"}};
    printf("%4lld %-20s %s", num(o, "id"), str(o, "actor"), str(o, "created_at"));
    for (size_t i = 0; i < countof(when); i++)
        if (json_is_string(json_object_get(o, when[i][0])))
            printf("  %s %s", when[i][1], str(o, when[i][0]));
    putchar('\n');
}

static int cmd_token_list(cli *c)
{
    return paged_list(c, NULL, qtm_token_list_page, "tokens", print_token);
}

/* A whole number in [lo, hi] from an option, or the default. */
static int opt_uint(cli *c, const char *name, unsigned long lo, unsigned long hi,
                    unsigned long *out)
{
    const char *s = opt(c, name);
    if (!s)
        return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v < lo || v > hi)
        return fail(c, QTM_EUSAGE, "%s takes a whole number from %lu to %lu", name, lo, hi);
    *out = v;
    return 0;
}

/* --backup-dir DIR --backup-every DURATION [--backup-keep N]: all or none. */
static int backup_opts(cli *c, serve_opts *o)
{
    const char *dir = opt(c, "--backup-dir"), *every = opt(c, "--backup-every");
    unsigned long keep = 7;
    int64_t secs = 0;
    struct stat sb;
    if (!dir && !every && !opt(c, "--backup-keep"))
        return 0;
    if (!dir || !every)
        return fail(c, QTM_EUSAGE, "backups need both --backup-dir DIR and --backup-every "
                    "DURATION (e.g. --backup-every 1h)");
    if (parse_duration(c, "--backup-every", every, &secs) ||
        opt_uint(c, "--backup-keep", 1, 100000, &keep))
        return 2;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(dir, W_OK | X_OK) != 0)
        return fail(c, QTM_EUSAGE, "--backup-dir %s is not a directory this user can write: "
                    "create it first", dir);
    o->backup_dir = dir;
    o->backup_every = (unsigned)secs;
    o->backup_keep = (unsigned)keep;
    return 0;
}

static int cmd_serve(cli *c)
{
    static const char *const v[] = {"--listen", "--threads", "--intake-rate", "--intake-burst",
                                     "--max-body", "--per-ip", "--timeout", "--request-timeout",
                                     "--max-buffered", "--allowed-host", "--backup-dir",
                                     "--backup-every", "--backup-keep", "--durability", "--max-upload",
                                     "--upload-rate", "--upload-burst", "--max-unreferenced",
                                     "--servers", NULL};
    if (check_opts(c, v, NULL) || pos(c, 0, v))
        return pos(c, 0, v) ? fail(c, QTM_EUSAGE, "serve takes no arguments") : 2;
    /* one worker per CPU: a worker waiting for its turn to write holds its
     * connections, so more workers than cores only add switching (measured:
     * bench/http.sh, 2 cores: 2 workers 6,000 durable/s p99 18 ms, 8 workers
     * 4,200/s p99 41 ms) */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long threads = ncpu < 2 ? 2 : ncpu > 64 ? 64 : (unsigned long)ncpu, rate = 60, burst = 20, max_body = 1u << 20, per_ip = 32,
                  timeout = 30, request_timeout = 10, max_buffered = 32u << 20,
                  max_upload = 20u << 20, upload_rate = 120, upload_burst = 30,
                  max_unref = 2ul << 30, servers = 1;
    if (opt_uint(c, "--upload-rate", 0, 1000000, &upload_rate) ||
        opt_uint(c, "--servers", 1, 10000, &servers) ||
        opt_uint(c, "--upload-burst", 1, 1000000, &upload_burst) ||
        opt_uint(c, "--max-unreferenced", 0, 1ul << 50, &max_unref))
        return 2;
    if (opt_uint(c, "--threads", 1, 256, &threads) || opt_uint(c, "--intake-rate", 0, 1000000, &rate) ||
        opt_uint(c, "--intake-burst", 1, 1000000, &burst) ||
        opt_uint(c, "--max-body", 1024, 64u << 20, &max_body) ||
        opt_uint(c, "--per-ip", 1, 100000, &per_ip) || opt_uint(c, "--timeout", 1, 3600, &timeout) ||
        opt_uint(c, "--request-timeout", 1, 3600, &request_timeout) ||
        opt_uint(c, "--max-buffered", 1024, 1ul << 32, &max_buffered) ||
        opt_uint(c, "--max-upload", 1024, 1ul << 30, &max_upload))
        return 2;
    if (max_buffered < max_body)
        return fail(c, QTM_EUSAGE, "--max-buffered (%lu) must be at least --max-body (%lu)",
                    max_buffered, max_body);
    /* --allowed-host may come again and again: every value counts */
    static const char *hosts[33];
    size_t nhosts = 0;
    for (int i = 0; i + 1 < c->argc; i++) {
        if (strcmp(c->argv[i], "--allowed-host") != 0)
            continue;
        const char *h = c->argv[++i];
        if (nhosts + 1 >= sizeof hosts / sizeof hosts[0])
            return fail(c, QTM_EUSAGE, "at most %zu --allowed-host names",
                        sizeof hosts / sizeof hosts[0] - 1);
        if (!*h || strpbrk(h, " /\t\r\n,"))
            return fail(c, QTM_EUSAGE, "--allowed-host takes a host name, e.g. qtm.example.org "
                                       "or qtm.example.org:8443, not '%s'", h);
        hosts[nhosts++] = h;
    }
    static char host[64];
    const char *listen = opt(c, "--listen");
    if (!listen)
        listen = "127.0.0.1:8080";
    const char *colon = strrchr(listen, ':');
    char *end;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host || !colon[1] ||
        *end || port > 65535)
        return fail(c, QTM_EUSAGE, "--listen takes HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any)");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    const char *dur = opt(c, "--durability");
    if (dur && strcmp(dur, "full") != 0 && strcmp(dur, "relaxed") != 0)
        return fail(c, QTM_EUSAGE, "--durability takes full or relaxed, not '%s'", dur);
    int relaxed = dur ? strcmp(dur, "relaxed") == 0 : env_relaxed(c);
    if (relaxed < 0)
        return QTM_EUSAGE;
    /* the database's own refusals (a name that is no file, no database)
     * with their exit status, before serve opens its handles */
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    qtm_close(c->q);
    c->q = NULL;
    serve_opts o = {c->db, host, (unsigned)port, (unsigned)threads, 4096, (unsigned)per_ip,
                    (unsigned)timeout, (size_t)max_body, (size_t)max_upload, (unsigned)rate,
                    (unsigned)burst,
                    12 * 3600, (unsigned)request_timeout, (size_t)max_buffered, hosts,
                    NULL, 0, 0, relaxed, (unsigned)upload_rate, (unsigned)upload_burst,
                    (uint64_t)max_unref, (unsigned)servers};
    if ((rc = backup_opts(c, &o)) != 0)
        return rc;
    return serve_run(&o);
}


/* One line per job of a migration plan. */
static void print_plan(json_t *r)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(r, "jobs"), i, o) {
        const char *action = str(o, "action");
        printf("job %-4lld %.19s  %-14s ", num(o, "job"), str(o, "fingerprint"),
               str(o, "phase"));
        if (strcmp(action, "migrate") == 0)
            printf("migrate -> %s\n", str(o, "to"));
        else if (strcmp(action, "current") == 0)
            puts("current (nothing to do)");
        else
            printf("%s: %s\n", action, str(o, "reason"));
    }
}

static int cmd_migrate(cli *c)
{
    static const char *const flags[] = {"--check", NULL};
    if (check_opts(c, NULL, flags))
        return 2;
    const char *slug = pos(c, 0, NULL);
    if (!slug)
        return fail(c, QTM_EUSAGE, "missing SURFACE");
    if (pos(c, 1, NULL))
        return fail(c, QTM_EUSAGE, "migrate takes one SURFACE");
    int check = has_flag(c, "--check");
    int rc = open_db(c, 0);
    if (rc)
        return rc;
    json_t *r = NULL;
    qtm_status st;
    /* a busy try may have left its plan in r: each try starts without one */
    QTM_RETRY(c->q, st, (json_decref(r), r = NULL,
                         qtm_migrate(c->q, check ? NULL : c->as, slug, !check, &r)));
    if (st != QTM_OK) {
        json_decref(r);
        return lib_fail(c, st);
    }
    if (c->json)
        return emit(r);
    print_plan(r);
    if (!json_array_size(json_object_get(r, "jobs")))
        printf("no jobs in flight on %s\n", str(r, "surface"));
    if (check)
        printf("%lld to migrate, %lld cannot migrate (current %s)\n", num(r, "migrate"),
               num(r, "cannot"), str(r, "current"));
    else
        printf("migrated %lld job%s to %s\n", num(r, "migrate"), num(r, "migrate") == 1 ? "" : "s",
               str(r, "current"));
    json_decref(r);
    return 0;
}

static const command commands[] = {
    {"init", cmd_init, "qtm init\n  Creates the database (schema and audit log)."},
    {"actor add", cmd_actor_add,
     "qtm actor add SLUG --role " ROLES " [--name TEXT]\n  Adds an actor."},
    {"actor set", cmd_actor_set,
     "qtm actor set SLUG --access " ACCESSES "\n"
     "  Sets an actor's access: limited may view but not change execution; suspended nothing."},
    {"actor list", cmd_actor_list,
     "qtm actor list [--limit N] [--after ID]\n  Lists actors, by id, a page at a time."},
    {"surfaces", cmd_surfaces, "qtm surfaces\n  Lists the compiled surfaces."},
    {"surface show", cmd_surface_show,
     "qtm surface show SLUG\n  Shows a surface's contract, phases, transitions, evidence and "
     "intake schema."},
    {"request submit", cmd_request_submit,
     "qtm request submit SURFACE --intake FILE.json [--photo FILE]... [--key KEY]\n"
     "  Submits an intake packet (public: --as is optional) and opens its review task.\n"
     "  A retry with the same --key returns the first request."},
    {"task list", cmd_task_list,
     "qtm task list [--state STATE] [--limit N] [--after ID]\n  Lists governance tasks, a page "
     "at a time."},
    {"task show", cmd_task_show, "qtm task show ID\n  Shows a task and its request."},
    {"task approve", cmd_task_approve, "qtm --as ADMIN task approve ID\n  Approves a task in review."},
    {"task reject", cmd_task_reject,
     "qtm --as ADMIN task reject ID --reason TEXT\n  Rejects a task in review."},
    {"task assign", cmd_task_assign,
     "qtm --as ADMIN task assign ID --to OPERATOR\n  Assigns an approved task to an operator."},
    {"task close", cmd_task_close, "qtm --as ADMIN task close ID\n  Closes a task."},
    {"job create", cmd_job_create,
     "qtm --as ADMIN job create --task ID\n"
     "  The explicit handoff: creates the job of an approved, assigned task."},
    {"desk", cmd_desk,
     "qtm desk [--operator SLUG] [--list queued|active|ready|completed] [--limit N]\n"
     "    [--after ID]\n"
     "  Queued, active, ready-to-close (job complete is next) and completed jobs, each list\n"
     "  a page of at most N (default 100); --list with --after pages one list."},
    {"job list", cmd_job_list,
     "qtm [--as ACTOR] job list [--state queued|active|ready|complete|cancelled] [--surface S]\n"
     "    [--operator O] [--mine] [--phase P] [--q TEXT] [--limit N] [--after ID]\n"
     "  Jobs by id, filtered, a page at a time. --operator: the jobs O holds (owns, or is\n"
     "  assigned while nobody owns them); --q: text in the intake (3 characters or more,\n"
     "  any case). With --as an operator lists only their own jobs."},
    {"job show", cmd_job_show, "qtm [--as ACTOR] job show ID\n"
     "  Shows a job, its phase and its next actions; with --as, the ones ACTOR may take now."},
    {"job claim", cmd_job_claim, "qtm --as OPERATOR job claim ID\n  Claims a queued job."},
    {"job advance", cmd_job_advance,
     "qtm --as OPERATOR job advance ID EVENT\n  Fires EVENT on the job's ServiceEvent."},
    {"job complete", cmd_job_complete,
     "qtm --as OPERATOR job complete ID\n  Completes a job whose ServiceEvent is complete."},
    {"job reassign", cmd_job_reassign,
     "qtm --as ADMIN job reassign ID --to OPERATOR [--reason TEXT]\n"
     "  Moves a queued job (and its task's assignment) to another operator, who claims it."},
    {"job handover", cmd_job_handover,
     "qtm --as ADMIN job handover ID --to OPERATOR --reason TEXT\n"
     "  Moves an active job's single owner to another operator; its phases stay. Once the\n"
     "  ServiceEvent is final (ready) it is refused: job complete is next."},
    {"job release", cmd_job_release,
     "qtm --as OPERATOR job release ID [--reason TEXT]\n"
     "  The owner gives the job back while it is still in the phase the claim entered;\n"
     "  it is queued again for its assignee."},
    {"job cancel", cmd_job_cancel,
     "qtm --as ADMIN job cancel ID --reason TEXT\n"
     "  Cancels a job nobody has claimed: state cancelled, no ServiceEvent work, no record."},
    {"note add", cmd_note_add,
     "qtm --as ACTOR note add JOB --text TEXT\n"
     "  Adds a note (context, never a condition) to a job: its owner or an admin."},
    {"evidence add", cmd_evidence_add,
     "qtm --as OPERATOR evidence add JOB CATEGORY FILE [--note TEXT]\n  Records a file "
     "(a photo, or a PDF where the surface takes documents) as evidence."},
    {"blob put", cmd_blob_put,
     "qtm blob put FILE [--surface SLUG]\n  Checks and stores a file, unreferenced until a "
     "request or evidence item names it."},
    {"blob get", cmd_blob_get,
     "qtm blob get sha256:HEX [--out FILE] [--thumb]\n  Writes a stored file (or its "
     "thumbnail) to a new FILE or to standard output."},
    {"blobs gc", cmd_blobs_gc,
     "qtm blobs gc [--older-than DURATION]\n  Deletes files nothing references, uploaded "
     "longer ago than DURATION (default 24h)."},
    {"participant add", cmd_participant_add,
     "qtm --as OPERATOR participant add JOB --name TEXT --role TEXT [--contact TEXT]\n"
     "  Records a participant (vendor, venue contact...) as context data."},
    {"settle", cmd_settle,
     "qtm --as OWNER|ADMIN settle JOB --amount DECIMAL --method METHOD [--currency CODE]\n"
     "    [--note TEXT] [--due DECIMAL] [--status waived]\n"
     "qtm --as OWNER|ADMIN settle JOB --reverse PAYMENT --reason TEXT\n"
     "  Records a payment (" METHODS ") or the amount due, or appends the\n"
     "  correcting entry of a payment (minus its amount; nothing is edited). Never changes\n"
     "  the job, its ServiceEvent or its record."},
    {"settlement show", cmd_settlement_show,
     "qtm [--as ACTOR] settlement show JOB\n"
     "  The job's settlement: status, paid of due, overpaid, the last payments."},
    {"settlement list", cmd_settlement_list,
     "qtm settlement list [--status unpaid|partial|paid|waived] [--surface S] [--limit N]\n"
     "    [--after ID]\n"
     "  Every job's settlement by job id, a page at a time (admins, with --as)."},
    {"settlement payments", cmd_settlement_payments,
     "qtm settlement payments JOB [--limit N] [--after ID]\n"
     "  The job's whole payment ledger, by payment id, a page at a time."},
    {"record show", cmd_record_show,
     "qtm record show ID | qtm record show --job ID\n  Shows a job's record (ID: the job's)."},
    {"record list", cmd_record_list,
     "qtm record list [--limit N] [--after ID]\n  Lists records, a page at a time."},
    {"record export", cmd_record_export,
     "qtm [--as ACTOR] record export --job ID [--out FILE | --dir DIR]\n"
     "  Writes the job's signed record as one canonical JSON document: the record, its hash,\n"
     "  its audit row, the signature and the public key.  --dir: a new DIR with record.json,\n"
     "  files/ (every photo and evidence file it names) and SHA256SUMS."},
    {"record check", cmd_record_check,
     "qtm record check FILE [--key PUBKEY]\n"
     "  Checks an exported record with no database; says what it proved and what it does not\n"
     "  (exit 0 valid, 1 invalid, 2 usage). --key: the public key (or key id) to expect."},
    {"key init", cmd_key_init,
     "qtm key init [--key-file PATH]\n"
     "  Creates an Ed25519 signing key: the private key in PATH (default DB.key, mode 0600,\n"
     "  never overwritten), the public key in the database. Every record composed after it\n"
     "  is signed; the key is read from $QTM_SIGNING_KEY, else DB.key."},
    {"key show", cmd_key_show, "qtm key show\n  Prints the database's public signing keys."},
    {"log", cmd_log,
     "qtm log [--job ID] [--limit N] [--after ID]\n  The audit log, a page at a time."},
    {"verify", cmd_verify,
     "qtm verify\n  Checks the audit chain and the cross-layer invariants (exit 1 on problems)."},
    {"backup", cmd_backup,
     "qtm backup FILE [--force]\n"
     "  Writes a consistent copy of the database to FILE while others write (mode 0600,\n"
     "  fsynced), then verifies it (exit 1, and no FILE, if it does not). An existing FILE is\n"
     "  refused unless --force. Restore: stop qtm serve and copy FILE back."},
    {"db copy", cmd_db_copy,
     "qtm db copy FROM TO\n"
     "  Copies the whole database FROM into TO (an SQLite path or a postgresql:// URI, either\n"
     "  way round): every row verbatim, in one transaction each, then verifies TO (exit 1 if\n"
     "  it does not; the copy stays). TO must hold no qtm data: a new file, or a database\n"
     "  without qtm rows (exit 6 otherwise, nothing written). --db and --as are not used."},
    {"token issue", cmd_token_issue,
     "qtm token issue SLUG [--expires DURATION]\n"
     "  Prints a new credential for the actor, once; only its hash is kept. With --expires\n"
     "  (90d, 12h, 30m, 45s) it stops working that long from now, and its sessions with it."},
    {"token revoke", cmd_token_revoke,
     "qtm token revoke SLUG\n  Revokes every token of the actor and ends their web sessions."},
    {"token list", cmd_token_list,
     "qtm token list [--limit N] [--after ID]\n  Lists tokens (never their value): created, revoked, expires, last used."},
    {"serve", cmd_serve,
     "qtm serve [--listen HOST:PORT] [--threads N] [--intake-rate PER_MIN] [--intake-burst N]\n"
     "          [--max-body BYTES] [--per-ip N] [--timeout SECONDS] [--request-timeout SECONDS]\n"
     "          [--max-buffered BYTES] [--allowed-host NAME]... [--durability full|relaxed]\n"
     "          [--max-upload BYTES] [--upload-rate PER_MIN] [--upload-burst N]\n"
     "          [--max-unreferenced BYTES] [--servers N]\n"
     "  Serves the JSON API and the web desk (default 127.0.0.1:8080, a thread per CPU; public\n"
     "  intake 60 a minute per address, bursts of 20; bodies up to 1 MiB, 32 MiB in flight;\n"
     "  32 connections per address, 10 s to send each request). Writes are group-committed:\n"
     "  a change is answered once it is on disk (--durability relaxed, or QTM_DURABILITY=\n"
     "  relaxed, skips the fsync: for throwaway databases). Stops cleanly on SIGINT or SIGTERM.\n"
     "  GET /healthz: the process is up; GET /readyz: the database answers (503 when not).\n"
     "  On a database server (PostgreSQL), --servers N (default 1) is how many qtm serve\n"
     "  processes share it: at start, N x (2 x threads + 2) + 5 connections must fit its\n"
     "  max_connections (\"connections: need N of M\"), else qtm serve refuses to start."},

    {"migrate", cmd_migrate,
     "qtm migrate --check SURFACE | qtm --as ADMIN migrate SURFACE\n"
     "  Lists the jobs in flight by spec fingerprint and phase and what migrating does to\n"
     "  each (--check), or moves them all to the current spec in one transaction, one\n"
     "  audit row per job. Refused (exit 5, nothing changes) if any job cannot migrate."},
};

int main(int argc, char **argv)
{
    /* SQLite's statement journals grow and shrink the heap on every write;
     * keep the top of the heap instead of trimming it each time */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
    cli c = {getenv("QTM_DB"), getenv("QTM_ACTOR"), 0, 0, NULL, NULL};
    if (!c.db)   /* QTM_DB="" is refused by qtm_open, as --db "" is */
        c.db = "qtm.db";
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0 || strcmp(a, "--as") == 0) {
            if (i + 1 >= argc)
                return fail(&c, QTM_EUSAGE, "%s needs a value", a);
            if (a[2] == 'd')
                c.db = argv[++i];
            else
                c.as = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            c.json = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("qtm %s (schema %d, surface ABI %d, storage: sqlite%s)\n", QTM_VERSION,
                   QTM_SCHEMA_VERSION, QTM_SURFACE_ABI, QTM_HAVE_PG ? ", postgresql" : "");
            return 0;
        } else if (a[0] == '-') {
            return fail(&c, QTM_EUSAGE, "unknown option %s (try qtm --help)", a);
        } else {
            break;
        }
    }
    if (i >= argc) {
        fputs(usage_text, stderr);
        return 2;
    }
    /* the command is one or two words: "desk", "job claim" */
    const command *cmd = NULL;
    int words = 0;
    for (size_t k = 0; k < countof(commands) && !cmd; k++) {
        const char *n = commands[k].name, *sp = strchr(n, ' ');
        if (!sp && strcmp(argv[i], n) == 0) {
            cmd = &commands[k];
            words = 1;
        } else if (sp && i + 1 < argc && strlen(argv[i]) == (size_t)(sp - n) &&
                   strncmp(argv[i], n, (size_t)(sp - n)) == 0 && strcmp(argv[i + 1], sp + 1) == 0) {
            cmd = &commands[k];
            words = 2;
        }
    }
    if (!cmd) {
        /* `qtm job --help`: list that noun's commands */
        int any = 0;
        for (size_t k = 0; k < countof(commands); k++) {
            const char *n = commands[k].name, *sp = strchr(n, ' ');
            if (sp && strlen(argv[i]) == (size_t)(sp - n) && strncmp(argv[i], n, (size_t)(sp - n)) == 0) {
                if (!any && i + 1 < argc && strcmp(argv[i + 1], "--help") != 0)
                    fprintf(stderr, "qtm: error: unknown command '%s %s'\n", argv[i], argv[i + 1]);
                printf("%s\n", commands[k].help);
                any = 1;
            }
        }
        if (any)
            return i + 1 < argc && strcmp(argv[i + 1], "--help") == 0 ? 0 : 2;
        return fail(&c, QTM_EUSAGE, "unknown command '%s' (try qtm --help)", argv[i]);
    }
    c.argc = argc - i - words;
    c.argv = argv + i + words;
    if (global_opts(&c) != 0)
        return 2;
    if (has_flag(&c, "--help") || has_flag(&c, "-h")) {
        printf("usage: %s\n", cmd->help);
        return 0;
    }
    int rc;
    if (strncmp(cmd->name, "surface", 7) == 0) {
        /* compiled-in data: a handle without a database */
        if (qtm_open(NULL, 0, &c.q) != QTM_OK)
            return fail(&c, QTM_ESTORAGE, "out of memory");
    }
    rc = cmd->run(&c);
    qtm_close(c.q);
    return rc;
}
