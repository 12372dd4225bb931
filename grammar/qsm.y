/*
 * qsm.y - the .qsm grammar (bison, pure, with locations).
 *
 * Actions only build the AST (one ast_* call or list append each); every
 * rule about meaning lives in compiler/sema_*.c.  Error recovery resyncs at
 * the `}` closing a block, so independent mistakes in different blocks are
 * all reported in one run.  Syntax errors are worded by
 * yyreport_syntax_error below: "expected `->` after `queued`, found `{`".
 * The AST lives in an arena, so no %destructor is needed: discarded
 * semantic values are freed with the arena.
 */
%require "3.8"
%define api.pure full
%define api.prefix {qsm_}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%param {void *scanner}
%parse-param {parse_ctx *p}

%code requires {
#include "ast.h"
#include "parse.h"
#include "strmap.h"
typedef struct qsm_num { uint32_t value; src_loc loc; } qsm_num;
}

%code provides {
int qsm_lex(QSM_STYPE *yylval, QSM_LTYPE *yylloc, void *scanner);
}

%code {
#include <stdio.h>
#include <string.h>

static src_loc L(const QSM_LTYPE *l)
{
    src_loc s = {(uint32_t)l->first_line, (uint32_t)l->first_column,
                 l->last_line == l->first_line && l->last_column > l->first_column
                     ? (uint32_t)(l->last_column - l->first_column) : 1};
    return s;
}
static void qsm_error(QSM_LTYPE *loc, void *scanner, parse_ctx *p, const char *msg);
#define A (p->a)
}

%union {
    ast_ident id;
    src_loc loc;
    qsm_num num;
    ast_surface *surface;
    ast_block *block;
    ast_setting *setting;
    ast_phase *phase;
    ast_attr *attr;
    ast_transition *transition;
    ast_section *section;
    ast_field *field;
    ast_mapping *mapping;
    ast_summary *summary;
    ast_sumpart *sumpart;
    ptrvec list;
}

%token <loc> SURFACE "`surface`" EXECUTION "`execution`" INTAKE "`intake`"
%token <loc> LIFECYCLE "`lifecycle`" TRANSITIONS "`transitions`"
%token <loc> EVIDENCE "`evidence`" RECORD "`record`"
%token <loc> ON "`on`" BY "`by`" REQUIRES "`requires`"
%token <loc> INITIAL_KW "`initial`" FINAL "`final`" HINT "`hint`"
%token <loc> MIGRATE "`migrate`" FROM "`from`"
%token <id>  REQUIRED "`required`"
%token <loc> ONE_OF "`one_of`" MAX "`max`" PHOTOS "`photos`" MIN "`min`" TYPES "`types`"
%token <loc> OUTCOME "`outcome`" SUMMARY "`summary`"
%token <loc> ARROW "`->`"
%token <loc> '{' "`{`" '}' "`}`" '[' "`[`" ']' "`]`" '(' "`(`" ')' "`)`"
%token <loc> ':' "`:`" ',' "`,`" '.' "`.`"
%token <id>  IDENT "identifier" STRING "string"
%token <num> NUMBER "number"

%type <surface> surface
%type <block> block setting_block exec_items evidence_items intake_items
%type <block> lifecycle_items transition_items record_items migrate_items
%type <mapping> mapping
%type <summary> summary_items
%type <sumpart> summary_part
%type <setting> setting inner_setting value file_size
%type <list> file_opts
%type <phase> phase
%type <attr> attr
%type <transition> transition
%type <section> section
%type <field> field field_opts
%type <list> word_list word_list_ne choices requires_opt cond_list
%type <id> word fword pword vword kw key choice outcome_opt

%start file

%%

/*** file: surface SLUG { items } ***/

file:
    surface                       { p->result = $1; }
  ;

surface:
    SURFACE IDENT '{'             { $<surface>$ = ast_surface_new(A, $2, $1); }
      blocks '}'                  { $$ = $<surface>4; }
  ;

blocks:
    %empty
  | blocks block                  { ptrvec_push(A, &$<surface>0->blocks, $2); }
  | blocks error                  /* resyncs at the next token that can start an item */
  ;

/* A block with an error inside ends at its own `}`, and parsing goes on
 * with the next block: that is what lets one run report every block's
 * mistakes.  (Recovering inside the item list instead would eat the
 * block's `}` and read the rest of the file as items.) */
block:
    setting_block
  | EXECUTION '{' exec_items '}'         { $$ = $3; $$->loc = $1; }
  | EXECUTION '{' exec_items error '}'   { $$ = $3; $$->loc = $1; p->skip = SKIP_OFF; }
  | INTAKE '{' intake_items '}'          { $$ = $3; $$->loc = $1; }
  | INTAKE '{' intake_items error '}'    { $$ = $3; $$->loc = $1; p->skip = SKIP_OFF; }
  | LIFECYCLE '{' lifecycle_items '}'    { $$ = $3; $$->loc = $1; }
  | LIFECYCLE '{' lifecycle_items error '}' { $$ = $3; $$->loc = $1; p->skip = SKIP_OFF; }
  | TRANSITIONS '{' transition_items '}' { $$ = $3; $$->loc = $1; }
  | TRANSITIONS '{' transition_items error '}' { $$ = $3; $$->loc = $1; p->skip = SKIP_OFF; }
  | EVIDENCE '{' evidence_items '}'      { $$ = $3; $$->loc = $1; }
  | EVIDENCE '{' evidence_items error '}' { $$ = $3; $$->loc = $1; p->skip = SKIP_OFF; }
  | RECORD '{' record_items '}'          { $$ = $3; $$->loc = $1; }
  | RECORD '{' record_items error '}'    { $$ = $3; $$->loc = $1; p->skip = SKIP_OFF; }
  | MIGRATE FROM STRING '{' migrate_items '}' { $$ = $5; $$->loc = $1; $$->from = $3; }
  | MIGRATE FROM STRING '{' migrate_items error '}' {
                                         $$ = $5; $$->loc = $1; $$->from = $3; p->skip = SKIP_OFF; }
  ;

/*** settings: name "Text" / status active / min_per_category 1 / required [a, b] ***/

setting_block:
    setting                       { $$ = ast_block_new(A, BLK_SETTING, $1->key.loc); $$->setting = $1; }
  ;

setting:
    key value                     { $$ = $2; $$->key = $1; }
  ;

key:
    IDENT
  | REQUIRED
  ;

/* inside a block any word can be a key: `record service_event` */
inner_setting:
    word value                    { $$ = $2; $$->key = $1; }
  ;

value:
    vword                         { $$ = ast_setting_new(A, $1); $$->kind = VAL_WORD; $$->value = $1; }
  | STRING                        { $$ = ast_setting_new(A, $1); $$->kind = VAL_STRING; $$->value = $1; }
  | NUMBER                        { ast_ident n = {"", $1.loc};
                                    $$ = ast_setting_new(A, n); $$->kind = VAL_NUMBER;
                                    $$->number = $1.value; $$->value = n; }
  | '[' word_list ']'             { ast_ident n = {"", $1};
                                    $$ = ast_setting_new(A, n); $$->kind = VAL_LIST;
                                    $$->list = $2; $$->value = n; }
  ;

exec_items:
    %empty                        { $$ = ast_block_new(A, BLK_EXECUTION, L(&@$)); }
  | exec_items inner_setting      { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  ;

/* evidence { required [a] ... types [jpeg, pdf] max 10 MiB }: `types` is
 * a setting like any; `max` takes a unit, so it has its own rule */
evidence_items:
    %empty                        { $$ = ast_block_new(A, BLK_EVIDENCE, L(&@$)); }
  | evidence_items inner_setting  { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  | evidence_items file_size      { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  ;

/* max N UNIT: the size limit of one file */
file_size:
    MAX NUMBER IDENT              { ast_ident k = {"max", $1};
                                    $$ = ast_setting_new(A, k); $$->kind = VAL_SIZE;
                                    $$->number = $2.value; $$->value.loc = $2.loc;
                                    $$->unit = $3; }
  ;

/* after `photos min N`: types [jpeg, png] and max N UNIT, in any order */
file_opts:
    %empty                        { ptrvec v = {0}; $$ = v; }
  | file_opts TYPES '[' word_list ']' {
                                    ast_ident k = {"types", $2}, n = {"", $3};
                                    ast_setting *s = ast_setting_new(A, k);
                                    s->kind = VAL_LIST; s->list = $4; s->value = n;
                                    $$ = $1; ptrvec_push(A, &$$, s); }
  | file_opts file_size           { $$ = $1; ptrvec_push(A, &$$, $2); }
  ;

/*** intake { section { field: type [required] [max N] ... }
 *            photos min N [types [jpeg, ...]] [max N UNIT] } ***/

intake_items:
    %empty                        { $$ = ast_block_new(A, BLK_INTAKE, L(&@$)); }
  | intake_items section          { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  | intake_items SUMMARY '{' summary_items '}' {
                                    $4->loc = $2; $$ = $1; ptrvec_push(A, &$$->summaries, $4); }
  | intake_items PHOTOS MIN NUMBER file_opts {
                                    ast_ident k = {"photos", $2};
                                    ast_setting *s = ast_setting_new(A, k);
                                    s->kind = VAL_NUMBER; s->number = $4.value;
                                    s->value.loc = $4.loc; s->opts = $5;
                                    $$ = $1; ptrvec_push(A, &$$->photos, s); }
  ;

/* summary { section.field "text" ... }: the one-line summary of a request */
summary_items:
    %empty                        { $$ = ast_summary_new(A, L(&@$)); }
  | summary_items summary_part    { $$ = $1; ptrvec_push(A, &$$->parts, $2); }
  ;

summary_part:
    STRING                        { $$ = ast_sumpart_new(A, $1, (ast_ident){NULL, $1.loc}, 1); }
  | fword '.' fword               { $$ = ast_sumpart_new(A, $1, $3, 0); }
  ;

section:
    IDENT '{'                     { $<section>$ = ast_section_new(A, $1); }
      section_end                 { $$ = $<section>3; }
  ;

section_end:
    fields '}'
  | fields error '}'              { p->skip = SKIP_OFF; }
  ;

fields:
    %empty
  | fields field                  { ptrvec_push(A, &$<section>0->fields, $2); }
  ;

field:
    fword ':' IDENT field_opts    { $$ = $4; $$->name = $1; $$->type = $3; }
  | fword ':' ONE_OF '(' choices ')' field_opts {
                                    ast_ident t = {"one_of", $3};
                                    $$ = $7; $$->name = $1; $$->type = t; $$->choices = $5; }
  ;

field_opts:
    %empty                        { ast_ident none = {"", {0, 0, 0}};
                                    $$ = ast_field_new(A, none, none); }
  | field_opts REQUIRED           { $$ = $1; $$->required++; $$->required_loc = $2.loc; }
  | field_opts MAX NUMBER         { $$ = $1; if (!$$->has_max++) $$->max = $3.value; $$->max_loc = $2; }
  | field_opts MIN NUMBER         { $$ = $1; if (!$$->has_min++) $$->min = $3.value; $$->min_loc = $2; }
  ;

choices:
    choice                        { ptrvec v = {0}; ptrvec_push(A, &v, arena_alloc(A, sizeof(ast_ident)));
                                    *(ast_ident *)v.v[0] = $1; $$ = v; }
  | choices ',' choice            { ast_ident *c = arena_alloc(A, sizeof *c); *c = $3;
                                    $$ = $1; ptrvec_push(A, &$$, c); }
  ;

choice:
    word
  | STRING
  ;

/*** lifecycle { phase "Label" [hint "Text"] [initial] [final] ... } ***/

lifecycle_items:
    %empty                        { $$ = ast_block_new(A, BLK_LIFECYCLE, L(&@$)); }
  | lifecycle_items phase         { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  ;

phase:
    pword                         { $$ = ast_phase_new(A, $1); }
  | phase attr                    { $$ = $1; ptrvec_push(A, &$$->attrs, $2); }
  ;

attr:
    STRING                        { $$ = ast_attr_new(A, ATTR_LABEL, $1); }
  | HINT STRING                   { $$ = ast_attr_new(A, ATTR_HINT, $2); }
  | INITIAL_KW                    { ast_ident k = {"initial", $1}; $$ = ast_attr_new(A, ATTR_INITIAL, k); }
  | FINAL                         { ast_ident k = {"final", $1}; $$ = ast_attr_new(A, ATTR_FINAL, k); }
  ;

/*** transitions { from -> to on EVENT by WHO [requires COND, ...] } ***/

transition_items:
    %empty                        { $$ = ast_block_new(A, BLK_TRANSITIONS, L(&@$)); }
  | transition_items transition   { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  ;

transition:
    pword ARROW pword ON word BY IDENT requires_opt outcome_opt {
                                    $$ = ast_transition_new(A, $1, $3, $5, $7);
                                    $$->requires = $8; $$->outcome = $9; }
  ;

/* outcome NAME: what a transition into a final phase means (delivered, closed) */
outcome_opt:
    %empty                        { $$ = (ast_ident){NULL, {0, 0, 0}}; }
  | OUTCOME word                  { $$ = $2; }
  ;

requires_opt:
    %empty                        { ptrvec v = {0}; $$ = v; }
  | REQUIRES cond_list            { $$ = $2; }
  ;

cond_list:
    word                          { ptrvec v = {0}; ast_ident *c = arena_alloc(A, sizeof *c);
                                    *c = $1; ptrvec_push(A, &v, c); $$ = v; }
  | cond_list ',' word            { ast_ident *c = arena_alloc(A, sizeof *c); *c = $3;
                                    $$ = $1; ptrvec_push(A, &$$, c); }
  ;

/*** migrate from "sha256:..." { old_phase -> new_phase ... } ***/

migrate_items:
    %empty                        { $$ = ast_block_new(A, BLK_MIGRATE, L(&@$)); }
  | migrate_items mapping         { $$ = $1; ptrvec_push(A, &$$->items, $2); }
  ;

mapping:
    pword ARROW pword             { $$ = ast_mapping_new(A, $1, $3); }
  ;

/*** record { field field ... } ***/

record_items:
    %empty                        { $$ = ast_block_new(A, BLK_RECORD, L(&@$)); }
  | record_items word             { ast_ident *w = arena_alloc(A, sizeof *w); *w = $2;
                                    $$ = $1; ptrvec_push(A, &$$->items, w); }
  ;

/*** shared pieces ***/

word_list:
    %empty                        { ptrvec v = {0}; $$ = v; }
  | word_list_ne
  | word_list_ne ','
  ;

word_list_ne:
    word                          { ptrvec v = {0}; ast_ident *w = arena_alloc(A, sizeof *w);
                                    *w = $1; ptrvec_push(A, &v, w); $$ = v; }
  | word_list_ne ',' word         { ast_ident *w = arena_alloc(A, sizeof *w); *w = $3;
                                    $$ = $1; ptrvec_push(A, &$$, w); }
  ;

/* An identifier where keywords cannot be confused with syntax. */
word:
    fword
  | REQUIRED
  | MIN                           { $$ = (ast_ident){"min", $1}; }
  ;

/* ... where `required` could still be a flag (intake field names); not
 * `min` either, which a flag `min N` could start */
fword:
    IDENT
  | kw
  | ON                            { $$ = (ast_ident){"on", $1}; }
  | BY                            { $$ = (ast_ident){"by", $1}; }
  | INITIAL_KW                    { $$ = (ast_ident){"initial", $1}; }
  | FINAL                         { $$ = (ast_ident){"final", $1}; }
  | HINT                          { $$ = (ast_ident){"hint", $1}; }
  | FROM                          { $$ = (ast_ident){"from", $1}; }
  ;

/* ... where phase attributes could follow (phase names); block keywords
 * are left out so that a missing `}` is reported where the next block starts */
pword:
    IDENT
  | REQUIRED
  | EVIDENCE                      { $$ = (ast_ident){"evidence", $1}; }
  | RECORD                        { $$ = (ast_ident){"record", $1}; }
  | PHOTOS                        { $$ = (ast_ident){"photos", $1}; }
  | TYPES                         { $$ = (ast_ident){"types", $1}; }
  | MIN                           { $$ = (ast_ident){"min", $1}; }
  | FROM                          { $$ = (ast_ident){"from", $1}; }
  ;

/* ... a setting's value */
vword:
    IDENT
  | REQUIRED
  ;

/* keywords that read as plain names wherever a name is expected */
kw:
    SURFACE                       { $$ = (ast_ident){"surface", $1}; }
  | EXECUTION                     { $$ = (ast_ident){"execution", $1}; }
  | INTAKE                        { $$ = (ast_ident){"intake", $1}; }
  | LIFECYCLE                     { $$ = (ast_ident){"lifecycle", $1}; }
  | TRANSITIONS                   { $$ = (ast_ident){"transitions", $1}; }
  | EVIDENCE                      { $$ = (ast_ident){"evidence", $1}; }
  | RECORD                        { $$ = (ast_ident){"record", $1}; }
  | PHOTOS                        { $$ = (ast_ident){"photos", $1}; }
  | TYPES                         { $$ = (ast_ident){"types", $1}; }
  | MIGRATE                       { $$ = (ast_ident){"migrate", $1}; }
  | OUTCOME                       { $$ = (ast_ident){"outcome", $1}; }
  | SUMMARY                       { $$ = (ast_ident){"summary", $1}; }
  ;

%%

/* Token names as users know them: strip bison's quotes around aliases. */
static const char *tok_name(yysymbol_kind_t k, char *buf, size_t n)
{
    const char *s = yysymbol_name(k);
    size_t len = strlen(s);
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        snprintf(buf, n, "%.*s", (int)(len - 2), s + 1);
        return buf;
    }
    if (k == YYSYMBOL_YYEOF)
        return "end of file";
    return s;
}

/* Describes the unexpected token: its text when that says more than its kind. */
static void found_text(const parse_ctx *p, yysymbol_kind_t k, char *buf, size_t n)
{
    char tmp[64];
    if (k == YYSYMBOL_YYEOF)
        snprintf(buf, n, "end of file");
    else if (k == YYSYMBOL_IDENT || k == YYSYMBOL_NUMBER || k == YYSYMBOL_STRING)
        snprintf(buf, n, "%s", p->cur);
    else
        snprintf(buf, n, "%s", tok_name(k, tmp, sizeof tmp));
}

static int is_block_keyword(const char *shown)
{
    static const char *const kw[] = {"`execution`", "`intake`", "`lifecycle`",
                                     "`transitions`", "`evidence`", "`record`", "`migrate`"};
    for (int i = 0; i < 7; i++)
        if (strcmp(shown, kw[i]) == 0)
            return 1;
    return 0;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, parse_ctx *p)
{
    (void)scanner;
    const QSM_LTYPE *loc = yypcontext_location(ctx);
    src_loc at = L(loc);
    yysymbol_kind_t expected[6];
    int n = yypcontext_expected_tokens(ctx, expected, 6);
    yysymbol_kind_t got = yypcontext_token(ctx);
    char tmp0[64];
    const char *got_name = tok_name(got, tmp0, sizeof tmp0);
    /* end of file is never remembered: the last token is p->cur */
    const char *before = got == YYSYMBOL_YYEOF ? p->cur : p->prev;

    /* choose how the token filter helps recovery (see qsm_lex in parse.c):
     * the block the error is in ends at its own `}` */
    int open_brace = strcmp(got_name, "`{`") == 0;
    int block = p->depth - open_brace + (strcmp(got_name, "`}`") == 0);
    if (strcmp(got_name, "`}`") == 0) {
        p->skip = SKIP_OFF;            /* the `}` itself ends the block */
    } else if (block >= 2) {
        p->skip = SKIP_BLOCK;
        p->skip_depth = block - 1;
    } else if (open_brace) {
        p->skip = SKIP_GROUP;          /* `lifecyle { ... }`: skip the whole group */
        p->skip_depth = block;
    } else if (is_block_keyword(before)) {
        p->skip = SKIP_GROUP;          /* `execution claim ... }`: `{` is missing */
        p->skip_depth = block - 1;
    } else {
        p->skip = SKIP_OFF;
    }

    /* the first precise error wins: a lexical error already explained it */
    if (p->lex_error_line && p->lex_error_line == at.line)
        return 0;
    char found[96], list[256] = "", tmp[64];
    found_text(p, got, found, sizeof found);

    /* `lifecyle {`: a misspelt block name reads as a setting key */
    static const char *const blocks[] = {"execution", "intake", "lifecycle", "transitions",
                                         "evidence", "record", "migrate"};
    const char *blk = NULL;
    if (strcmp(got_name, "`{`") == 0 && before[0] == '`' && strlen(before) > 2) {
        char word[56];
        snprintf(word, sizeof word, "%.*s", (int)strlen(before) - 2, before + 1);
        blk = suggest_closest(word, blocks, 7);
    }
    if (blk) {
        diag_error(p->d, p->src, p->prev_loc, "Q004", "unknown block %s", before);
        diag_note(p->d, NULL, (src_loc){0, 0, 0}, "Did you mean `%s`?", blk);
        return 0;
    }
    if (n > 0 && n <= 4) {
        size_t off = 0;
        for (int i = 0; i < n; i++) {
            const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", sep,
                                    tok_name(expected[i], tmp, sizeof tmp));
            if (off >= sizeof list)
                break;
        }
        if (before[0])
            diag_error(p->d, p->src, at, "Q004", "expected %s after %s, found %s",
                       list, before, found);
        else
            diag_error(p->d, p->src, at, "Q004", "expected %s, found %s", list, found);
    } else if (before[0]) {
        diag_error(p->d, p->src, at, "Q004", "unexpected %s after %s", found, before);
    } else {
        diag_error(p->d, p->src, at, "Q004", "unexpected %s", found);
    }
    /* a block keyword where an item was expected: the previous block is open */
    if (block >= 2 && is_block_keyword(found) && strcmp(before, "`}`") != 0)
        diag_note(p->d, NULL, (src_loc){0, 0, 0},
                  "A new block starts here; is the `}` of the block before it missing?");
    return 0;
}

static void qsm_error(QSM_LTYPE *loc, void *scanner, parse_ctx *p, const char *msg)
{
    (void)scanner;
    /* only bison's own failures reach here: memory exhausted, stack overflow */
    diag_error(p->d, p->src, L(loc), "Q005", "%s", msg);
}
