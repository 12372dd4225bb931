/*
 * sema_fixture.c - the helpers of the check-layer tests; see sema_fixture.h.
 * Not a test binary itself (not named test_*): linked into each test_sema_*.
 */
#include "sema_fixture.h"

const char *const base_lines[NLINES] = {
    [L_HEAD] = "surface demo {",
    [L_SET] = "  name \"Demo\" spec \"surface-runtime-spec-v0.01\" status active",
    [L_EXEC] = "  execution { claim required ownership assigned record service_event "
               "payment_timing independent completed_jobs visible }",
    [L_INTAKE] = "  intake { contact { name: text required max 200 "
                 "method: one_of(email, call) } photos min 0 }",
    [L_LIFE] = "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done \"Done\" final }",
    [L_TRANS] = "  transitions { queued -> claimed on claim by operator "
                "claimed -> done on finish by owner outcome delivered }",
    [L_EVID] = "  evidence { required [] optional [] min_per_category 0 }",
    [L_REC] = "  record { job operator outcome }",
    [L_END] = "}",
};

const char *const missing_label_life =
    "  lifecycle { queued \"Queued\" initial claimed \"Claimed\" done final }";

int sema_setup(void **state)
{
    return QTMC_SETUP(state, fixture);
}

int sema_teardown(void **state)
{
    fixture *f = *state;
    if (f->m)
        model_release(f->m);
    if (f->m2)
        model_release(f->m2);
    return QTMC_TEARDOWN(state, fixture);
}

/* The base spec with lines replaced: spec(f, L_X, "text", L_Y, "text", 0). */
const char *spec(fixture *f, ...)
{
    for (int i = 1; i < NLINES; i++)
        f->lines[i] = base_lines[i];
    va_list ap;
    va_start(ap, f);
    for (int l = va_arg(ap, int); l; l = va_arg(ap, int))
        f->lines[l] = va_arg(ap, const char *);
    va_end(ap);
    char *s = arena_strdup(&f->a, "");
    for (int i = 1; i < NLINES; i++)
        s = arena_printf(&f->a, "%s%s\n", s, f->lines[i]);
    return s;
}

/* The execution line with the three settings checks care about. */
const char *exec_line(fixture *f, const char *claim, const char *ownership,
                             const char *payment)
{
    return arena_printf(&f->a,
                        "  execution { claim %s ownership %s record service_event "
                        "payment_timing %s completed_jobs visible }",
                        claim, ownership, payment);
}

/* 1-based column of the n-th (1-based) occurrence of needle on line l. */
uint32_t col_nth(fixture *f, int l, const char *needle, int n)
{
    const char *p = f->lines[l];
    for (int i = 0; p; i++) {
        p = strstr(p, needle);
        if (p && i == n - 1)
            return (uint32_t)(p - f->lines[l]) + 1;
        if (p)
            p++;
    }
    fail_msg("\"%s\" not %d times on line %d", needle, n, l);
    return 0;
}

/* Every kept diagnostic as "Q101@5:20 message | ...", for failure messages. */
const char *listing(fixture *f)
{
    char *s = arena_strdup(&f->a, "");
    for (size_t i = 0; i < f->d.list.n; i++) {
        const diag *g = f->d.list.v[i];
        s = arena_printf(&f->a, "%s%s@%u:%u %s | ", s, g->code, g->loc.line, g->loc.col,
                         g->msg);
    }
    return s;
}

/* Parses (which must succeed) and checks text; returns the model or NULL. */
model *compile(fixture *f, const char *text)
{
    f->src.path = "test.qsm";
    f->src.text = text;
    f->src.size = strlen(text);
    ast_surface *ast = parse_source(&f->src, &f->a, &f->d);
    if (!ast)
        fail_msg("the spec does not parse: %s", listing(f));
    f->m = sema_check(ast, &f->a, &f->d);
    return f->m;
}

const diag *find(fixture *f, const char *code)
{
    for (size_t i = 0; i < f->d.list.n; i++) {
        const diag *g = f->d.list.v[i];
        if (strcmp(g->code, code) == 0)
            return g;
    }
    fail_msg("no %s among: %s", code, listing(f));
    return NULL;
}

const diag *find_nth(fixture *f, const char *code, int n)
{
    for (size_t i = 0; i < f->d.list.n; i++) {
        const diag *g = f->d.list.v[i];
        if (strcmp(g->code, code) == 0 && --n == 0)
            return g;
    }
    fail_msg("too few %s among: %s", code, listing(f));
    return NULL;
}

int count(fixture *f, const char *code)
{
    int n = 0;
    for (size_t i = 0; i < f->d.list.n; i++)
        n += strcmp(((const diag *)f->d.list.v[i])->code, code) == 0;
    return n;
}

/* The note of g whose text contains `text`, or fails. */
const diag_remark *note(const diag *g, const char *text)
{
    for (const diag_remark *n = g->notes; n; n = n->next)
        if (strstr(n->msg, text))
            return n;
    fail_msg("no note \"%s\" on %s \"%s\"", text, g->code, g->msg);
    return NULL;
}

int has_note(const diag *g, const char *text)
{
    for (const diag_remark *n = g->notes; n; n = n->next)
        if (strstr(n->msg, text))
            return 1;
    return 0;
}

/* Asserts the code is diagnosed at line l, column c (0: any column). */
const diag *expect_at(fixture *f, const char *code, uint32_t l, uint32_t c)
{
    const diag *g = find(f, code);
    if (g->loc.line != l || (c && g->loc.col != c))
        fail_msg("%s at %u:%u, want %u:%u (%s)", code, g->loc.line, g->loc.col, l, c, g->msg);
    assert_ptr_equal(g->src, &f->src);
    return g;
}
