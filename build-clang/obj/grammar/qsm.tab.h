/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison interface for Yacc-like parsers in C

   Copyright (C) 1984, 1989-1990, 2000-2015, 2018-2021 Free Software Foundation,
   Inc.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* As a special exception, you may create a larger work that contains
   part or all of the Bison parser skeleton and distribute that work
   under terms of your choice, so long as that work isn't itself a
   parser generator using the skeleton or a modified version thereof
   as a parser skeleton.  Alternatively, if you modify or redistribute
   the parser skeleton itself, you may (at your option) remove this
   special exception, which will cause the skeleton and the resulting
   Bison output files to be licensed under the GNU General Public
   License without this special exception.

   This special exception was added by the Free Software Foundation in
   version 2.2 of Bison.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

#ifndef YY_QSM_BUILD_CLANG_OBJ_GRAMMAR_QSM_TAB_H_INCLUDED
# define YY_QSM_BUILD_CLANG_OBJ_GRAMMAR_QSM_TAB_H_INCLUDED
/* Debug traces.  */
#ifndef QSM_DEBUG
# if defined YYDEBUG
#if YYDEBUG
#   define QSM_DEBUG 1
#  else
#   define QSM_DEBUG 0
#  endif
# else /* ! defined YYDEBUG */
#  define QSM_DEBUG 0
# endif /* ! defined YYDEBUG */
#endif  /* ! defined QSM_DEBUG */
#if QSM_DEBUG
extern int qsm_debug;
#endif
/* "%code requires" blocks.  */
#line 23 "grammar/qsm.y"

#include "ast.h"
#include "parse.h"
#include "strmap.h"
typedef struct qsm_num { uint32_t value; src_loc loc; } qsm_num;

#line 64 "build-clang/obj/grammar/qsm.tab.h"

/* Token kinds.  */
#ifndef QSM_TOKENTYPE
# define QSM_TOKENTYPE
  enum qsm_tokentype
  {
    QSM_EMPTY = -2,
    QSM_EOF = 0,                   /* "end of file"  */
    QSM_error = 256,               /* error  */
    QSM_UNDEF = 257,               /* "invalid token"  */
    SURFACE = 258,                 /* "`surface`"  */
    EXECUTION = 259,               /* "`execution`"  */
    INTAKE = 260,                  /* "`intake`"  */
    LIFECYCLE = 261,               /* "`lifecycle`"  */
    TRANSITIONS = 262,             /* "`transitions`"  */
    EVIDENCE = 263,                /* "`evidence`"  */
    RECORD = 264,                  /* "`record`"  */
    ON = 265,                      /* "`on`"  */
    BY = 266,                      /* "`by`"  */
    REQUIRES = 267,                /* "`requires`"  */
    INITIAL_KW = 268,              /* "`initial`"  */
    FINAL = 269,                   /* "`final`"  */
    HINT = 270,                    /* "`hint`"  */
    MIGRATE = 271,                 /* "`migrate`"  */
    FROM = 272,                    /* "`from`"  */
    REQUIRED = 273,                /* "`required`"  */
    ONE_OF = 274,                  /* "`one_of`"  */
    MAX = 275,                     /* "`max`"  */
    PHOTOS = 276,                  /* "`photos`"  */
    MIN = 277,                     /* "`min`"  */
    TYPES = 278,                   /* "`types`"  */
    OUTCOME = 279,                 /* "`outcome`"  */
    SUMMARY = 280,                 /* "`summary`"  */
    ARROW = 281,                   /* "`->`"  */
    IDENT = 282,                   /* "identifier"  */
    STRING = 283,                  /* "string"  */
    NUMBER = 284                   /* "number"  */
  };
  typedef enum qsm_tokentype qsm_token_kind_t;
#endif

/* Value type.  */
#if ! defined QSM_STYPE && ! defined QSM_STYPE_IS_DECLARED
union QSM_STYPE
{
#line 49 "grammar/qsm.y"

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

#line 128 "build-clang/obj/grammar/qsm.tab.h"

};
typedef union QSM_STYPE QSM_STYPE;
# define QSM_STYPE_IS_TRIVIAL 1
# define QSM_STYPE_IS_DECLARED 1
#endif

/* Location type.  */
#if ! defined QSM_LTYPE && ! defined QSM_LTYPE_IS_DECLARED
typedef struct QSM_LTYPE QSM_LTYPE;
struct QSM_LTYPE
{
  int first_line;
  int first_column;
  int last_line;
  int last_column;
};
# define QSM_LTYPE_IS_DECLARED 1
# define QSM_LTYPE_IS_TRIVIAL 1
#endif




int qsm_parse (void *scanner, parse_ctx *p);

/* "%code provides" blocks.  */
#line 30 "grammar/qsm.y"

int qsm_lex(QSM_STYPE *yylval, QSM_LTYPE *yylloc, void *scanner);

#line 160 "build-clang/obj/grammar/qsm.tab.h"

#endif /* !YY_QSM_BUILD_CLANG_OBJ_GRAMMAR_QSM_TAB_H_INCLUDED  */
