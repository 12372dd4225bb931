/*
 * parse.h - turn one .qsm source into an AST (flex + bison driver).
 *
 * The scanner and parser are reentrant: all state lives in parse_ctx, so
 * several files (or fuzzer iterations) can be parsed in one process.
 * Lexical and syntax errors go to the diag context; a syntax error right
 * after a lexical error on the same line is not reported (the first
 * precise error wins).
 */
#ifndef QTMC_PARSE_H
#define QTMC_PARSE_H

#include "ast.h"
#include "diag.h"

#define QSM_MAX_SOURCE (16u << 20)     /* bytes in one .qsm file */
#define QSM_MAX_IDENT 128              /* bytes in one identifier */
#define QSM_MAX_STRING 2000            /* bytes in one decoded string (C's
                                          4095-byte literal limit, escaped) */
#define QSM_MAX_NUMBER 1000000u        /* largest integer literal */

/* Error-recovery modes of the token filter (parse.c, qsm_lex). */
enum {
    SKIP_OFF = 0,                  /* pass every token */
    SKIP_BLOCK,                    /* swallow up to the `}` closing the block; return it */
    SKIP_GROUP                     /* swallow a whole `{ ... }` group, its `}` too */
};

/* What the scanner returns besides bison's tokens, in trivia mode only. */
enum {
    QSM_TOK_COMMENT = 0x4000,      /* `# ...` to the end of the line */
    QSM_TOK_BLANK                  /* a newline and at least one empty line after it */
};

typedef struct parse_ctx {
    arena *a;                      /* AST storage */
    diag_ctx *d;
    const source *src;
    void *scanner;                 /* yyscan_t */
    ast_surface *result;           /* set by the start rule; NULL on failure */
    char *sbuf;                    /* string literal being decoded */
    size_t slen, scap;
    src_loc sloc;                  /* where that string started */
    uint32_t line, col;            /* scanner position (1-based) */
    char cur[56];                  /* the newest token as messages show it */
    char prev[56];                 /* the token before it */
    src_loc cur_loc, prev_loc;     /* and where they are */
    uint32_t lex_error_line;       /* line of the last lexical error, or 0 */
    int depth;                     /* braces open at the newest token */
    int skip;                      /* error recovery, see qsm_lex: SKIP_* */
    int skip_depth;                /* ... until a `}` brings depth back to this */
    int trivia;                    /* scan in TRIVIA mode (parse_tokens) */
} parse_ctx;

/*
 * parse_source - parses s into an AST allocated in a.
 * Returns the surface, or NULL if any lexical or syntax error was reported
 * (all of them are in d).  Never aborts on bad input.
 */
ast_surface *parse_source(const source *s, arena *a, diag_ctx *d);

/* A token's class, as the formatter sees it. */
typedef enum qsm_class {
    QSM_WORD,                      /* a keyword or an identifier */
    QSM_STRING,
    QSM_NUMBER,
    QSM_PUNCT,                     /* { } [ ] ( ) : , -> */
    QSM_COMMENT,
    QSM_BLANK,                     /* empty lines between two tokens */
    QSM_END                        /* the end of the text */
} qsm_class;

/* One token of the real scanner, with its text as written. */
typedef struct qsm_token {
    qsm_class cls;
    uint32_t line;                 /* 1-based line where it starts */
    const char *text;              /* in the source's text (strings: quotes and
                                      escapes as written; comments from `#` to
                                      the end of the line) */
    size_t len;
} qsm_token;

/*
 * parse_tokens - scans s with the .qsm scanner in trivia mode: every token,
 * comments and blank-line runs included, ending with one QSM_END.  Sets
 * *out to a malloc'd array the caller frees and returns its length; 0
 * (and *out NULL) if the scanner reported an error into d.  Scratch
 * memory comes from a.
 */
size_t parse_tokens(const source *s, arena *a, diag_ctx *d, qsm_token **out);

/* Internal to the scanner/parser pair. */
/* Remembers a token for messages, quoted with q ('`' or '"'). */
void parse_remember_token(parse_ctx *p, const char *text, size_t len, char q, src_loc loc);

/* Lexer self-test hook: the display text of the token kind last returned. */
#endif
