/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison implementation for Yacc-like parsers in C

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

/* C LALR(1) parser skeleton written by Richard Stallman, by
   simplifying the original so-called "semantic" parser.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

/* All symbols defined below should begin with yy or YY, to avoid
   infringing on user name space.  This should be done even for local
   variables, as they might otherwise be expanded by user macros.
   There are some unavoidable exceptions within include files to
   define necessary library symbols; they are noted "INFRINGES ON
   USER NAME SPACE" below.  */

/* Identify Bison output, and Bison version.  */
#define YYBISON 30802

/* Bison version string.  */
#define YYBISON_VERSION "3.8.2"

/* Skeleton name.  */
#define YYSKELETON_NAME "yacc.c"

/* Pure parsers.  */
#define YYPURE 2

/* Push parsers.  */
#define YYPUSH 0

/* Pull parsers.  */
#define YYPULL 1

/* Substitute the type names.  */
#define YYSTYPE         QSM_STYPE
#define YYLTYPE         QSM_LTYPE
/* Substitute the variable and function names.  */
#define yyparse         qsm_parse
#define yylex           qsm_lex
#define yyerror         qsm_error
#define yydebug         qsm_debug
#define yynerrs         qsm_nerrs


# ifndef YY_CAST
#  ifdef __cplusplus
#   define YY_CAST(Type, Val) static_cast<Type> (Val)
#   define YY_REINTERPRET_CAST(Type, Val) reinterpret_cast<Type> (Val)
#  else
#   define YY_CAST(Type, Val) ((Type) (Val))
#   define YY_REINTERPRET_CAST(Type, Val) ((Type) (Val))
#  endif
# endif
# ifndef YY_NULLPTR
#  if defined __cplusplus
#   if 201103L <= __cplusplus
#    define YY_NULLPTR nullptr
#   else
#    define YY_NULLPTR 0
#   endif
#  else
#   define YY_NULLPTR ((void*)0)
#  endif
# endif

#include "qsm.tab.h"
/* Symbol kind.  */
enum yysymbol_kind_t
{
  YYSYMBOL_YYEMPTY = -2,
  YYSYMBOL_YYEOF = 0,                      /* "end of file"  */
  YYSYMBOL_YYerror = 1,                    /* error  */
  YYSYMBOL_YYUNDEF = 2,                    /* "invalid token"  */
  YYSYMBOL_SURFACE = 3,                    /* "`surface`"  */
  YYSYMBOL_EXECUTION = 4,                  /* "`execution`"  */
  YYSYMBOL_INTAKE = 5,                     /* "`intake`"  */
  YYSYMBOL_LIFECYCLE = 6,                  /* "`lifecycle`"  */
  YYSYMBOL_TRANSITIONS = 7,                /* "`transitions`"  */
  YYSYMBOL_EVIDENCE = 8,                   /* "`evidence`"  */
  YYSYMBOL_RECORD = 9,                     /* "`record`"  */
  YYSYMBOL_ON = 10,                        /* "`on`"  */
  YYSYMBOL_BY = 11,                        /* "`by`"  */
  YYSYMBOL_REQUIRES = 12,                  /* "`requires`"  */
  YYSYMBOL_INITIAL_KW = 13,                /* "`initial`"  */
  YYSYMBOL_FINAL = 14,                     /* "`final`"  */
  YYSYMBOL_HINT = 15,                      /* "`hint`"  */
  YYSYMBOL_MIGRATE = 16,                   /* "`migrate`"  */
  YYSYMBOL_FROM = 17,                      /* "`from`"  */
  YYSYMBOL_REQUIRED = 18,                  /* "`required`"  */
  YYSYMBOL_ONE_OF = 19,                    /* "`one_of`"  */
  YYSYMBOL_MAX = 20,                       /* "`max`"  */
  YYSYMBOL_PHOTOS = 21,                    /* "`photos`"  */
  YYSYMBOL_MIN = 22,                       /* "`min`"  */
  YYSYMBOL_TYPES = 23,                     /* "`types`"  */
  YYSYMBOL_OUTCOME = 24,                   /* "`outcome`"  */
  YYSYMBOL_SUMMARY = 25,                   /* "`summary`"  */
  YYSYMBOL_ARROW = 26,                     /* "`->`"  */
  YYSYMBOL_27_ = 27,                       /* "`{`"  */
  YYSYMBOL_28_ = 28,                       /* "`}`"  */
  YYSYMBOL_29_ = 29,                       /* "`[`"  */
  YYSYMBOL_30_ = 30,                       /* "`]`"  */
  YYSYMBOL_31_ = 31,                       /* "`(`"  */
  YYSYMBOL_32_ = 32,                       /* "`)`"  */
  YYSYMBOL_33_ = 33,                       /* "`:`"  */
  YYSYMBOL_34_ = 34,                       /* "`,`"  */
  YYSYMBOL_35_ = 35,                       /* "`.`"  */
  YYSYMBOL_IDENT = 36,                     /* "identifier"  */
  YYSYMBOL_STRING = 37,                    /* "string"  */
  YYSYMBOL_NUMBER = 38,                    /* "number"  */
  YYSYMBOL_YYACCEPT = 39,                  /* $accept  */
  YYSYMBOL_file = 40,                      /* file  */
  YYSYMBOL_surface = 41,                   /* surface  */
  YYSYMBOL_42_1 = 42,                      /* @1  */
  YYSYMBOL_blocks = 43,                    /* blocks  */
  YYSYMBOL_block = 44,                     /* block  */
  YYSYMBOL_setting_block = 45,             /* setting_block  */
  YYSYMBOL_setting = 46,                   /* setting  */
  YYSYMBOL_key = 47,                       /* key  */
  YYSYMBOL_inner_setting = 48,             /* inner_setting  */
  YYSYMBOL_value = 49,                     /* value  */
  YYSYMBOL_exec_items = 50,                /* exec_items  */
  YYSYMBOL_evidence_items = 51,            /* evidence_items  */
  YYSYMBOL_file_size = 52,                 /* file_size  */
  YYSYMBOL_file_opts = 53,                 /* file_opts  */
  YYSYMBOL_intake_items = 54,              /* intake_items  */
  YYSYMBOL_summary_items = 55,             /* summary_items  */
  YYSYMBOL_summary_part = 56,              /* summary_part  */
  YYSYMBOL_section = 57,                   /* section  */
  YYSYMBOL_58_2 = 58,                      /* @2  */
  YYSYMBOL_section_end = 59,               /* section_end  */
  YYSYMBOL_fields = 60,                    /* fields  */
  YYSYMBOL_field = 61,                     /* field  */
  YYSYMBOL_field_opts = 62,                /* field_opts  */
  YYSYMBOL_choices = 63,                   /* choices  */
  YYSYMBOL_choice = 64,                    /* choice  */
  YYSYMBOL_lifecycle_items = 65,           /* lifecycle_items  */
  YYSYMBOL_phase = 66,                     /* phase  */
  YYSYMBOL_attr = 67,                      /* attr  */
  YYSYMBOL_transition_items = 68,          /* transition_items  */
  YYSYMBOL_transition = 69,                /* transition  */
  YYSYMBOL_outcome_opt = 70,               /* outcome_opt  */
  YYSYMBOL_requires_opt = 71,              /* requires_opt  */
  YYSYMBOL_cond_list = 72,                 /* cond_list  */
  YYSYMBOL_migrate_items = 73,             /* migrate_items  */
  YYSYMBOL_mapping = 74,                   /* mapping  */
  YYSYMBOL_record_items = 75,              /* record_items  */
  YYSYMBOL_word_list = 76,                 /* word_list  */
  YYSYMBOL_word_list_ne = 77,              /* word_list_ne  */
  YYSYMBOL_word = 78,                      /* word  */
  YYSYMBOL_fword = 79,                     /* fword  */
  YYSYMBOL_pword = 80,                     /* pword  */
  YYSYMBOL_vword = 81,                     /* vword  */
  YYSYMBOL_kw = 82                         /* kw  */
};
typedef enum yysymbol_kind_t yysymbol_kind_t;



/* Unqualified %code blocks.  */
#line 34 "grammar/qsm.y"

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

#line 208 "build-clang/obj/grammar/qsm.tab.c"

#ifdef short
# undef short
#endif

/* On compilers that do not define __PTRDIFF_MAX__ etc., make sure
   <limits.h> and (if available) <stdint.h> are included
   so that the code can choose integer types of a good width.  */

#ifndef __PTRDIFF_MAX__
# include <limits.h> /* INFRINGES ON USER NAME SPACE */
# if defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stdint.h> /* INFRINGES ON USER NAME SPACE */
#  define YY_STDINT_H
# endif
#endif

/* Narrow types that promote to a signed type and that can represent a
   signed or unsigned integer of at least N bits.  In tables they can
   save space and decrease cache pressure.  Promoting to a signed type
   helps avoid bugs in integer arithmetic.  */

#ifdef __INT_LEAST8_MAX__
typedef __INT_LEAST8_TYPE__ yytype_int8;
#elif defined YY_STDINT_H
typedef int_least8_t yytype_int8;
#else
typedef signed char yytype_int8;
#endif

#ifdef __INT_LEAST16_MAX__
typedef __INT_LEAST16_TYPE__ yytype_int16;
#elif defined YY_STDINT_H
typedef int_least16_t yytype_int16;
#else
typedef short yytype_int16;
#endif

/* Work around bug in HP-UX 11.23, which defines these macros
   incorrectly for preprocessor constants.  This workaround can likely
   be removed in 2023, as HPE has promised support for HP-UX 11.23
   (aka HP-UX 11i v2) only through the end of 2022; see Table 2 of
   <https://h20195.www2.hpe.com/V2/getpdf.aspx/4AA4-7673ENW.pdf>.  */
#ifdef __hpux
# undef UINT_LEAST8_MAX
# undef UINT_LEAST16_MAX
# define UINT_LEAST8_MAX 255
# define UINT_LEAST16_MAX 65535
#endif

#if defined __UINT_LEAST8_MAX__ && __UINT_LEAST8_MAX__ <= __INT_MAX__
typedef __UINT_LEAST8_TYPE__ yytype_uint8;
#elif (!defined __UINT_LEAST8_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST8_MAX <= INT_MAX)
typedef uint_least8_t yytype_uint8;
#elif !defined __UINT_LEAST8_MAX__ && UCHAR_MAX <= INT_MAX
typedef unsigned char yytype_uint8;
#else
typedef short yytype_uint8;
#endif

#if defined __UINT_LEAST16_MAX__ && __UINT_LEAST16_MAX__ <= __INT_MAX__
typedef __UINT_LEAST16_TYPE__ yytype_uint16;
#elif (!defined __UINT_LEAST16_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST16_MAX <= INT_MAX)
typedef uint_least16_t yytype_uint16;
#elif !defined __UINT_LEAST16_MAX__ && USHRT_MAX <= INT_MAX
typedef unsigned short yytype_uint16;
#else
typedef int yytype_uint16;
#endif

#ifndef YYPTRDIFF_T
# if defined __PTRDIFF_TYPE__ && defined __PTRDIFF_MAX__
#  define YYPTRDIFF_T __PTRDIFF_TYPE__
#  define YYPTRDIFF_MAXIMUM __PTRDIFF_MAX__
# elif defined PTRDIFF_MAX
#  ifndef ptrdiff_t
#   include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  endif
#  define YYPTRDIFF_T ptrdiff_t
#  define YYPTRDIFF_MAXIMUM PTRDIFF_MAX
# else
#  define YYPTRDIFF_T long
#  define YYPTRDIFF_MAXIMUM LONG_MAX
# endif
#endif

#ifndef YYSIZE_T
# ifdef __SIZE_TYPE__
#  define YYSIZE_T __SIZE_TYPE__
# elif defined size_t
#  define YYSIZE_T size_t
# elif defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  define YYSIZE_T size_t
# else
#  define YYSIZE_T unsigned
# endif
#endif

#define YYSIZE_MAXIMUM                                  \
  YY_CAST (YYPTRDIFF_T,                                 \
           (YYPTRDIFF_MAXIMUM < YY_CAST (YYSIZE_T, -1)  \
            ? YYPTRDIFF_MAXIMUM                         \
            : YY_CAST (YYSIZE_T, -1)))

#define YYSIZEOF(X) YY_CAST (YYPTRDIFF_T, sizeof (X))


/* Stored state numbers (used for stacks). */
typedef yytype_uint8 yy_state_t;

/* State numbers in computations.  */
typedef int yy_state_fast_t;

#ifndef YY_
# if defined YYENABLE_NLS && YYENABLE_NLS
#  if ENABLE_NLS
#   include <libintl.h> /* INFRINGES ON USER NAME SPACE */
#   define YY_(Msgid) dgettext ("bison-runtime", Msgid)
#  endif
# endif
# ifndef YY_
#  define YY_(Msgid) Msgid
# endif
#endif


#ifndef YY_ATTRIBUTE_PURE
# if defined __GNUC__ && 2 < __GNUC__ + (96 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_PURE __attribute__ ((__pure__))
# else
#  define YY_ATTRIBUTE_PURE
# endif
#endif

#ifndef YY_ATTRIBUTE_UNUSED
# if defined __GNUC__ && 2 < __GNUC__ + (7 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_UNUSED __attribute__ ((__unused__))
# else
#  define YY_ATTRIBUTE_UNUSED
# endif
#endif

/* Suppress unused-variable warnings by "using" E.  */
#if ! defined lint || defined __GNUC__
# define YY_USE(E) ((void) (E))
#else
# define YY_USE(E) /* empty */
#endif

/* Suppress an incorrect diagnostic about yylval being uninitialized.  */
#if defined __GNUC__ && ! defined __ICC && 406 <= __GNUC__ * 100 + __GNUC_MINOR__
# if __GNUC__ * 100 + __GNUC_MINOR__ < 407
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")
# else
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")              \
    _Pragma ("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
# endif
# define YY_IGNORE_MAYBE_UNINITIALIZED_END      \
    _Pragma ("GCC diagnostic pop")
#else
# define YY_INITIAL_VALUE(Value) Value
#endif
#ifndef YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_END
#endif
#ifndef YY_INITIAL_VALUE
# define YY_INITIAL_VALUE(Value) /* Nothing. */
#endif

#if defined __cplusplus && defined __GNUC__ && ! defined __ICC && 6 <= __GNUC__
# define YY_IGNORE_USELESS_CAST_BEGIN                          \
    _Pragma ("GCC diagnostic push")                            \
    _Pragma ("GCC diagnostic ignored \"-Wuseless-cast\"")
# define YY_IGNORE_USELESS_CAST_END            \
    _Pragma ("GCC diagnostic pop")
#endif
#ifndef YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_END
#endif


#define YY_ASSERT(E) ((void) (0 && (E)))

#if 1

/* The parser invokes alloca or malloc; define the necessary symbols.  */

# ifdef YYSTACK_ALLOC
   /* Pacify GCC's 'empty if-body' warning.  */
#  define YYSTACK_FREE(Ptr) do { /* empty */; } while (0)
#  ifndef YYSTACK_ALLOC_MAXIMUM
    /* The OS might guarantee only one guard page at the bottom of the stack,
       and a page size can be as small as 4096 bytes.  So we cannot safely
       invoke alloca (N) if N exceeds 4096.  Use a slightly smaller number
       to allow for a few compiler-allocated temporary stack slots.  */
#   define YYSTACK_ALLOC_MAXIMUM 4032 /* reasonable circa 2006 */
#  endif
# else
#  define YYSTACK_ALLOC YYMALLOC
#  define YYSTACK_FREE YYFREE
#  ifndef YYSTACK_ALLOC_MAXIMUM
#   define YYSTACK_ALLOC_MAXIMUM YYSIZE_MAXIMUM
#  endif
#  if (defined __cplusplus && ! defined EXIT_SUCCESS \
       && ! ((defined YYMALLOC || defined malloc) \
             && (defined YYFREE || defined free)))
#   include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
#   ifndef EXIT_SUCCESS
#    define EXIT_SUCCESS 0
#   endif
#  endif
#  ifndef YYMALLOC
#   define YYMALLOC malloc
#   if ! defined malloc && ! defined EXIT_SUCCESS
void *malloc (YYSIZE_T); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
#  ifndef YYFREE
#   define YYFREE free
#   if ! defined free && ! defined EXIT_SUCCESS
void free (void *); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
# endif
# define YYCOPY_NEEDED 1
#endif /* 1 */

#if (! defined yyoverflow \
     && (! defined __cplusplus \
         || (defined QSM_LTYPE_IS_TRIVIAL && QSM_LTYPE_IS_TRIVIAL \
             && defined QSM_STYPE_IS_TRIVIAL && QSM_STYPE_IS_TRIVIAL)))

/* A type that is properly aligned for any stack member.  */
union yyalloc
{
  yy_state_t yyss_alloc;
  YYSTYPE yyvs_alloc;
  YYLTYPE yyls_alloc;
};

/* The size of the maximum gap between one aligned stack and the next.  */
# define YYSTACK_GAP_MAXIMUM (YYSIZEOF (union yyalloc) - 1)

/* The size of an array large to enough to hold all stacks, each with
   N elements.  */
# define YYSTACK_BYTES(N) \
     ((N) * (YYSIZEOF (yy_state_t) + YYSIZEOF (YYSTYPE) \
             + YYSIZEOF (YYLTYPE)) \
      + 2 * YYSTACK_GAP_MAXIMUM)

# define YYCOPY_NEEDED 1

/* Relocate STACK from its old location to the new one.  The
   local variables YYSIZE and YYSTACKSIZE give the old and new number of
   elements in the stack, and YYPTR gives the new location of the
   stack.  Advance YYPTR to a properly aligned location for the next
   stack.  */
# define YYSTACK_RELOCATE(Stack_alloc, Stack)                           \
    do                                                                  \
      {                                                                 \
        YYPTRDIFF_T yynewbytes;                                         \
        YYCOPY (&yyptr->Stack_alloc, Stack, yysize);                    \
        Stack = &yyptr->Stack_alloc;                                    \
        yynewbytes = yystacksize * YYSIZEOF (*Stack) + YYSTACK_GAP_MAXIMUM; \
        yyptr += yynewbytes / YYSIZEOF (*yyptr);                        \
      }                                                                 \
    while (0)

#endif

#if defined YYCOPY_NEEDED && YYCOPY_NEEDED
/* Copy COUNT objects from SRC to DST.  The source and destination do
   not overlap.  */
# ifndef YYCOPY
#  if defined __GNUC__ && 1 < __GNUC__
#   define YYCOPY(Dst, Src, Count) \
      __builtin_memcpy (Dst, Src, YY_CAST (YYSIZE_T, (Count)) * sizeof (*(Src)))
#  else
#   define YYCOPY(Dst, Src, Count)              \
      do                                        \
        {                                       \
          YYPTRDIFF_T yyi;                      \
          for (yyi = 0; yyi < (Count); yyi++)   \
            (Dst)[yyi] = (Src)[yyi];            \
        }                                       \
      while (0)
#  endif
# endif
#endif /* !YYCOPY_NEEDED */

/* YYFINAL -- State number of the termination state.  */
#define YYFINAL  5
/* YYLAST -- Last index in YYTABLE.  */
#define YYLAST   393

/* YYNTOKENS -- Number of terminals.  */
#define YYNTOKENS  39
/* YYNNTS -- Number of nonterminals.  */
#define YYNNTS  44
/* YYNRULES -- Number of rules.  */
#define YYNRULES  124
/* YYNSTATES -- Number of states.  */
#define YYNSTATES  190

/* YYMAXUTOK -- Last valid token kind.  */
#define YYMAXUTOK   284


/* YYTRANSLATE(TOKEN-NUM) -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex, with out-of-bounds checking.  */
#define YYTRANSLATE(YYX)                                \
  (0 <= (YYX) && (YYX) <= YYMAXUTOK                     \
   ? YY_CAST (yysymbol_kind_t, yytranslate[YYX])        \
   : YYSYMBOL_YYUNDEF)

/* YYTRANSLATE[TOKEN-NUM] -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex.  */
static const yytype_int8 yytranslate[] =
{
       0,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
      31,    32,     2,     2,    34,     2,    35,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,    33,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,    29,     2,    30,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    27,     2,    28,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     1,     2,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17,    18,    19,    20,    21,    22,    23,    24,
      25,    26,    36,    37,    38
};

#if QSM_DEBUG
/* YYRLINE[YYN] -- Source line where rule number YYN was defined.  */
static const yytype_int16 yyrline[] =
{
       0,   105,   105,   109,   109,   114,   115,   116,   124,   125,
     126,   127,   128,   129,   130,   131,   132,   133,   134,   135,
     136,   137,   138,   145,   149,   153,   154,   159,   163,   164,
     165,   168,   174,   175,   181,   182,   183,   188,   196,   197,
     202,   209,   210,   211,   213,   223,   224,   228,   229,   233,
     233,   238,   239,   243,   244,   248,   249,   255,   257,   258,
     259,   263,   265,   270,   271,   277,   278,   282,   283,   287,
     288,   289,   290,   296,   297,   301,   308,   309,   313,   314,
     318,   320,   327,   328,   332,   338,   339,   346,   347,   348,
     352,   354,   360,   361,   362,   368,   369,   370,   371,   372,
     373,   374,   375,   381,   382,   383,   384,   385,   386,   387,
     388,   393,   394,   399,   400,   401,   402,   403,   404,   405,
     406,   407,   408,   409,   410
};
#endif

/** Accessing symbol of state STATE.  */
#define YY_ACCESSING_SYMBOL(State) YY_CAST (yysymbol_kind_t, yystos[State])

#if 1
/* The user-facing name of the symbol whose (internal) number is
   YYSYMBOL.  No bounds checking.  */
static const char *yysymbol_name (yysymbol_kind_t yysymbol) YY_ATTRIBUTE_UNUSED;

static const char *
yysymbol_name (yysymbol_kind_t yysymbol)
{
  static const char *const yy_sname[] =
  {
  "end of file", "error", "invalid token", "`surface`", "`execution`",
  "`intake`", "`lifecycle`", "`transitions`", "`evidence`", "`record`",
  "`on`", "`by`", "`requires`", "`initial`", "`final`", "`hint`",
  "`migrate`", "`from`", "`required`", "`one_of`", "`max`", "`photos`",
  "`min`", "`types`", "`outcome`", "`summary`", "`->`", "`{`", "`}`",
  "`[`", "`]`", "`(`", "`)`", "`:`", "`,`", "`.`", "identifier", "string",
  "number", "$accept", "file", "surface", "@1", "blocks", "block",
  "setting_block", "setting", "key", "inner_setting", "value",
  "exec_items", "evidence_items", "file_size", "file_opts", "intake_items",
  "summary_items", "summary_part", "section", "@2", "section_end",
  "fields", "field", "field_opts", "choices", "choice", "lifecycle_items",
  "phase", "attr", "transition_items", "transition", "outcome_opt",
  "requires_opt", "cond_list", "migrate_items", "mapping", "record_items",
  "word_list", "word_list_ne", "word", "fword", "pword", "vword", "kw", YY_NULLPTR
  };
  return yy_sname[yysymbol];
}
#endif

#define YYPACT_NINF (-112)

#define yypact_value_is_default(Yyn) \
  ((Yyn) == YYPACT_NINF)

#define YYTABLE_NINF (-1)

#define yytable_value_is_error(Yyn) \
  0

/* YYPACT[STATE-NUM] -- Index in YYTABLE of the portion describing
   STATE-NUM.  */
static const yytype_int16 yypact[] =
{
      28,     1,    51,  -112,    12,  -112,  -112,  -112,   170,  -112,
      44,    46,    53,    56,    57,    58,    49,  -112,  -112,  -112,
    -112,  -112,  -112,    41,  -112,  -112,  -112,  -112,  -112,  -112,
      50,  -112,   333,  -112,  -112,  -112,  -112,  -112,    39,   220,
     182,   206,     5,    87,    62,  -112,  -112,  -112,  -112,  -112,
    -112,  -112,  -112,  -112,  -112,  -112,  -112,  -112,  -112,  -112,
    -112,  -112,  -112,  -112,  -112,  -112,    69,    47,  -112,  -112,
    -112,    85,  -112,  -112,    41,    86,    94,    90,  -112,    91,
    -112,    92,  -112,  -112,  -112,  -112,  -112,  -112,  -112,  -112,
    -112,    21,  -112,    93,  -112,  -112,    96,    97,    81,  -112,
    -112,  -112,    98,  -112,  -112,  -112,  -112,   333,  -112,  -112,
    -112,    89,  -112,  -112,  -112,  -112,  -112,    95,  -112,  -112,
    -112,   274,  -112,    88,  -112,   229,  -112,  -112,   298,  -112,
    -112,   119,  -112,   103,  -112,  -112,   107,    45,  -112,  -112,
    -112,    99,  -112,   145,   333,  -112,   274,   106,  -112,   357,
     108,  -112,  -112,   104,   127,  -112,   333,  -112,  -112,   -12,
     109,   110,   111,  -112,   131,  -112,   263,    54,   333,   115,
    -112,   -31,  -112,  -112,  -112,   125,   126,   123,  -112,   333,
    -112,  -112,   263,  -112,  -112,   333,  -112,    54,  -112,  -112
};

/* YYDEFACT[STATE-NUM] -- Default reduction number in state STATE-NUM.
   Performed when YYTABLE does not specify something else to do.  Zero
   means the default is an error.  */
static const yytype_int8 yydefact[] =
{
       0,     0,     0,     2,     0,     1,     3,     5,     0,     7,
       0,     0,     0,     0,     0,     0,     0,    26,     4,    25,
       6,     8,    23,     0,    32,    41,    65,    73,    34,    85,
       0,   112,    87,   111,    29,    30,    24,    28,     0,     0,
       0,     0,     0,     0,     0,   113,   114,   115,   116,   117,
     118,   119,    97,    98,    99,   100,   101,   122,   102,    93,
     120,    94,   121,   123,   124,    95,     0,    88,    90,    92,
      96,     0,     9,    33,     0,     0,     0,     0,    11,     0,
      42,     0,   105,   106,   110,   104,   107,   109,   108,    13,
     103,    66,    67,     0,    15,    74,     0,     0,     0,    17,
      35,    36,     0,    19,    86,    82,    31,    89,    10,    27,
      12,     0,    45,    49,    14,    71,    72,     0,    69,    68,
      16,     0,    18,     0,    20,     0,    91,    38,     0,    53,
      70,     0,    37,     0,    21,    83,     0,    44,    43,    47,
      46,     0,    50,     0,     0,    22,     0,     0,    40,     0,
       0,    51,    54,     0,     0,    84,    87,    48,    52,     0,
       0,     0,     0,    57,    78,    39,     0,    55,     0,    76,
      64,     0,    61,    63,    58,     0,     0,    79,    80,     0,
      75,    57,     0,    59,    60,     0,    77,    56,    62,    81
};

/* YYPGOTO[NTERM-NUM].  */
static const yytype_int16 yypgoto[] =
{
    -112,  -112,  -112,  -112,  -112,  -112,  -112,  -112,  -112,   130,
     113,  -112,  -112,    30,  -112,  -112,  -112,  -112,  -112,  -112,
    -112,  -112,  -112,   -16,  -112,    -2,  -112,  -112,  -112,  -112,
    -112,  -112,  -112,  -112,  -112,  -112,  -112,    26,  -112,   -38,
    -111,   -39,  -112,  -112
};

/* YYDEFGOTO[NTERM-NUM].  */
static const yytype_uint8 yydefgoto[] =
{
       0,     2,     3,     7,     8,    20,    21,    22,    23,    73,
      36,    38,    42,   101,   137,    39,   128,   140,    80,   129,
     142,   143,   152,   167,   171,   172,    40,    91,   119,    41,
      95,   180,   169,   177,   125,   135,    43,    66,    67,    68,
      69,    92,    37,    70
};

/* YYTABLE[YYPACT[STATE-NUM]] -- What to do in state STATE-NUM.  If
   positive, shift that token.  If negative, reduce the rule whose
   number is the opposite.  If YYTABLE_NINF, syntax error.  */
static const yytype_uint8 yytable[] =
{
      74,   181,    96,   182,    74,   104,    97,   162,    45,    46,
      47,    48,    49,    50,    51,    52,    53,   141,    54,    55,
      56,    57,    58,    59,   163,    98,    60,    61,    62,    63,
      64,     1,   153,    99,   115,   116,   117,     4,   157,     6,
      71,    65,    45,    46,    47,    48,    49,    50,    51,    52,
      53,     5,    54,    55,    56,    57,    58,    59,   118,    31,
      60,    61,    62,    63,    64,    98,    30,    72,   147,   126,
      32,    24,   174,    25,   175,    65,   176,    33,    34,    35,
      26,   107,   131,    27,    28,    29,   136,    44,   102,   105,
      45,    46,    47,    48,    49,    50,    51,    52,    53,   106,
      54,    55,    56,    57,    58,    59,   154,   155,    60,    61,
      62,    63,    64,   108,   110,   103,   111,   112,   113,   123,
     114,   120,   121,    65,   132,   122,   124,   127,   173,   144,
     178,   145,   130,   146,   149,   156,   158,   159,   160,   179,
     165,   186,   166,   168,   173,   164,   150,   189,    45,    46,
      47,    48,    49,    50,    51,    52,    53,   185,    54,    55,
      56,    57,    58,   183,   184,   187,    60,   148,    62,    63,
      64,     9,   100,   151,    10,    11,    12,    13,    14,    15,
     188,    65,   161,    81,     0,     0,    16,   109,    17,     0,
      82,    83,     0,     0,     0,     0,     0,     0,    18,    84,
      85,     0,     0,    86,    87,    88,    19,    93,     0,     0,
      89,     0,     0,     0,    82,    83,     0,     0,    90,     0,
       0,    75,     0,    84,    85,     0,     0,    86,    87,    88,
     133,     0,     0,     0,    94,     0,     0,    82,    83,     0,
       0,    76,    90,     0,     0,    77,    84,    85,    78,     0,
      86,    87,    88,     0,     0,     0,    79,   134,     0,     0,
       0,     0,     0,     0,     0,    90,    45,    46,    47,    48,
      49,    50,    51,    52,    53,     0,    54,    55,    56,    57,
      58,    59,    82,    83,    60,    61,    62,    63,    64,     0,
       0,    84,    85,     0,     0,    86,    87,    88,     0,    65,
     170,    45,    46,    47,    48,    49,    50,    51,    52,    53,
      90,    54,    55,    56,    57,    58,     0,     0,     0,    60,
       0,    62,    63,    64,     0,     0,   138,     0,     0,     0,
       0,     0,     0,     0,    65,   139,    45,    46,    47,    48,
      49,    50,    51,    52,    53,     0,    54,    55,    56,    57,
      58,    59,     0,     0,    60,    61,    62,    63,    64,     0,
      45,    46,    47,    48,    49,    50,    51,    52,    53,    65,
      54,    55,    56,    57,    58,     0,     0,     0,    60,     0,
      62,    63,    64,     0,     0,     0,     0,     0,     0,     0,
       0,     0,     0,    65
};

static const yytype_int16 yycheck[] =
{
      38,    32,    41,    34,    42,    43,     1,    19,     3,     4,
       5,     6,     7,     8,     9,    10,    11,   128,    13,    14,
      15,    16,    17,    18,    36,    20,    21,    22,    23,    24,
      25,     3,   143,    28,    13,    14,    15,    36,   149,    27,
       1,    36,     3,     4,     5,     6,     7,     8,     9,    10,
      11,     0,    13,    14,    15,    16,    17,    18,    37,    18,
      21,    22,    23,    24,    25,    20,    17,    28,    23,   107,
      29,    27,    18,    27,    20,    36,    22,    36,    37,    38,
      27,    34,   121,    27,    27,    27,   125,    37,     1,    27,
       3,     4,     5,     6,     7,     8,     9,    10,    11,    30,
      13,    14,    15,    16,    17,    18,   144,   146,    21,    22,
      23,    24,    25,    28,    28,    28,    22,    27,    27,    38,
      28,    28,    26,    36,    36,    28,    28,    38,   166,    10,
     168,    28,    37,    26,    35,    29,    28,    33,    11,    24,
      30,   179,    31,    12,   182,    36,     1,   185,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    34,    13,    14,
      15,    16,    17,    38,    38,   181,    21,   137,    23,    24,
      25,     1,    42,    28,     4,     5,     6,     7,     8,     9,
     182,    36,   156,     1,    -1,    -1,    16,    74,    18,    -1,
       8,     9,    -1,    -1,    -1,    -1,    -1,    -1,    28,    17,
      18,    -1,    -1,    21,    22,    23,    36,     1,    -1,    -1,
      28,    -1,    -1,    -1,     8,     9,    -1,    -1,    36,    -1,
      -1,     1,    -1,    17,    18,    -1,    -1,    21,    22,    23,
       1,    -1,    -1,    -1,    28,    -1,    -1,     8,     9,    -1,
      -1,    21,    36,    -1,    -1,    25,    17,    18,    28,    -1,
      21,    22,    23,    -1,    -1,    -1,    36,    28,    -1,    -1,
      -1,    -1,    -1,    -1,    -1,    36,     3,     4,     5,     6,
       7,     8,     9,    10,    11,    -1,    13,    14,    15,    16,
      17,    18,     8,     9,    21,    22,    23,    24,    25,    -1,
      -1,    17,    18,    -1,    -1,    21,    22,    23,    -1,    36,
      37,     3,     4,     5,     6,     7,     8,     9,    10,    11,
      36,    13,    14,    15,    16,    17,    -1,    -1,    -1,    21,
      -1,    23,    24,    25,    -1,    -1,    28,    -1,    -1,    -1,
      -1,    -1,    -1,    -1,    36,    37,     3,     4,     5,     6,
       7,     8,     9,    10,    11,    -1,    13,    14,    15,    16,
      17,    18,    -1,    -1,    21,    22,    23,    24,    25,    -1,
       3,     4,     5,     6,     7,     8,     9,    10,    11,    36,
      13,    14,    15,    16,    17,    -1,    -1,    -1,    21,    -1,
      23,    24,    25,    -1,    -1,    -1,    -1,    -1,    -1,    -1,
      -1,    -1,    -1,    36
};

/* YYSTOS[STATE-NUM] -- The symbol kind of the accessing symbol of
   state STATE-NUM.  */
static const yytype_int8 yystos[] =
{
       0,     3,    40,    41,    36,     0,    27,    42,    43,     1,
       4,     5,     6,     7,     8,     9,    16,    18,    28,    36,
      44,    45,    46,    47,    27,    27,    27,    27,    27,    27,
      17,    18,    29,    36,    37,    38,    49,    81,    50,    54,
      65,    68,    51,    75,    37,     3,     4,     5,     6,     7,
       8,     9,    10,    11,    13,    14,    15,    16,    17,    18,
      21,    22,    23,    24,    25,    36,    76,    77,    78,    79,
      82,     1,    28,    48,    78,     1,    21,    25,    28,    36,
      57,     1,     8,     9,    17,    18,    21,    22,    23,    28,
      36,    66,    80,     1,    28,    69,    80,     1,    20,    28,
      48,    52,     1,    28,    78,    27,    30,    34,    28,    49,
      28,    22,    27,    27,    28,    13,    14,    15,    37,    67,
      28,    26,    28,    38,    28,    73,    78,    38,    55,    58,
      37,    80,    36,     1,    28,    74,    80,    53,    28,    37,
      56,    79,    59,    60,    10,    28,    26,    23,    52,    35,
       1,    28,    61,    79,    78,    80,    29,    79,    28,    33,
      11,    76,    19,    36,    36,    30,    31,    62,    12,    71,
      37,    63,    64,    78,    18,    20,    22,    72,    78,    24,
      70,    32,    34,    38,    38,    34,    78,    62,    64,    78
};

/* YYR1[RULE-NUM] -- Symbol kind of the left-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr1[] =
{
       0,    39,    40,    42,    41,    43,    43,    43,    44,    44,
      44,    44,    44,    44,    44,    44,    44,    44,    44,    44,
      44,    44,    44,    45,    46,    47,    47,    48,    49,    49,
      49,    49,    50,    50,    51,    51,    51,    52,    53,    53,
      53,    54,    54,    54,    54,    55,    55,    56,    56,    58,
      57,    59,    59,    60,    60,    61,    61,    62,    62,    62,
      62,    63,    63,    64,    64,    65,    65,    66,    66,    67,
      67,    67,    67,    68,    68,    69,    70,    70,    71,    71,
      72,    72,    73,    73,    74,    75,    75,    76,    76,    76,
      77,    77,    78,    78,    78,    79,    79,    79,    79,    79,
      79,    79,    79,    80,    80,    80,    80,    80,    80,    80,
      80,    81,    81,    82,    82,    82,    82,    82,    82,    82,
      82,    82,    82,    82,    82
};

/* YYR2[RULE-NUM] -- Number of symbols on the right-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr2[] =
{
       0,     2,     1,     0,     6,     0,     2,     2,     1,     4,
       5,     4,     5,     4,     5,     4,     5,     4,     5,     4,
       5,     6,     7,     1,     2,     1,     1,     2,     1,     1,
       1,     3,     0,     2,     0,     2,     2,     3,     0,     5,
       2,     0,     2,     5,     5,     0,     2,     1,     3,     0,
       4,     2,     3,     0,     2,     4,     7,     0,     2,     3,
       3,     1,     3,     1,     1,     0,     2,     1,     2,     1,
       2,     1,     1,     0,     2,     9,     0,     2,     0,     2,
       1,     3,     0,     2,     3,     0,     2,     0,     1,     2,
       1,     3,     1,     1,     1,     1,     1,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     1,     1,     1,
       1,     1,     1,     1,     1,     1,     1,     1,     1,     1,
       1,     1,     1,     1,     1
};


enum { YYENOMEM = -2 };

#define yyerrok         (yyerrstatus = 0)
#define yyclearin       (yychar = QSM_EMPTY)

#define YYACCEPT        goto yyacceptlab
#define YYABORT         goto yyabortlab
#define YYERROR         goto yyerrorlab
#define YYNOMEM         goto yyexhaustedlab


#define YYRECOVERING()  (!!yyerrstatus)

#define YYBACKUP(Token, Value)                                    \
  do                                                              \
    if (yychar == QSM_EMPTY)                                        \
      {                                                           \
        yychar = (Token);                                         \
        yylval = (Value);                                         \
        YYPOPSTACK (yylen);                                       \
        yystate = *yyssp;                                         \
        YY_LAC_DISCARD ("YYBACKUP");                              \
        goto yybackup;                                            \
      }                                                           \
    else                                                          \
      {                                                           \
        yyerror (&yylloc, scanner, p, YY_("syntax error: cannot back up")); \
        YYERROR;                                                  \
      }                                                           \
  while (0)

/* Backward compatibility with an undocumented macro.
   Use QSM_error or QSM_UNDEF. */
#define YYERRCODE QSM_UNDEF

/* YYLLOC_DEFAULT -- Set CURRENT to span from RHS[1] to RHS[N].
   If N is 0, then set CURRENT to the empty location which ends
   the previous symbol: RHS[0] (always defined).  */

#ifndef YYLLOC_DEFAULT
# define YYLLOC_DEFAULT(Current, Rhs, N)                                \
    do                                                                  \
      if (N)                                                            \
        {                                                               \
          (Current).first_line   = YYRHSLOC (Rhs, 1).first_line;        \
          (Current).first_column = YYRHSLOC (Rhs, 1).first_column;      \
          (Current).last_line    = YYRHSLOC (Rhs, N).last_line;         \
          (Current).last_column  = YYRHSLOC (Rhs, N).last_column;       \
        }                                                               \
      else                                                              \
        {                                                               \
          (Current).first_line   = (Current).last_line   =              \
            YYRHSLOC (Rhs, 0).last_line;                                \
          (Current).first_column = (Current).last_column =              \
            YYRHSLOC (Rhs, 0).last_column;                              \
        }                                                               \
    while (0)
#endif

#define YYRHSLOC(Rhs, K) ((Rhs)[K])


/* Enable debugging if requested.  */
#if QSM_DEBUG

# ifndef YYFPRINTF
#  include <stdio.h> /* INFRINGES ON USER NAME SPACE */
#  define YYFPRINTF fprintf
# endif

# define YYDPRINTF(Args)                        \
do {                                            \
  if (yydebug)                                  \
    YYFPRINTF Args;                             \
} while (0)


/* YYLOCATION_PRINT -- Print the location on the stream.
   This macro was not mandated originally: define only if we know
   we won't break user code: when these are the locations we know.  */

# ifndef YYLOCATION_PRINT

#  if defined YY_LOCATION_PRINT

   /* Temporary convenience wrapper in case some people defined the
      undocumented and private YY_LOCATION_PRINT macros.  */
#   define YYLOCATION_PRINT(File, Loc)  YY_LOCATION_PRINT(File, *(Loc))

#  elif defined QSM_LTYPE_IS_TRIVIAL && QSM_LTYPE_IS_TRIVIAL

/* Print *YYLOCP on YYO.  Private, do not rely on its existence. */

YY_ATTRIBUTE_UNUSED
static int
yy_location_print_ (FILE *yyo, YYLTYPE const * const yylocp)
{
  int res = 0;
  int end_col = 0 != yylocp->last_column ? yylocp->last_column - 1 : 0;
  if (0 <= yylocp->first_line)
    {
      res += YYFPRINTF (yyo, "%d", yylocp->first_line);
      if (0 <= yylocp->first_column)
        res += YYFPRINTF (yyo, ".%d", yylocp->first_column);
    }
  if (0 <= yylocp->last_line)
    {
      if (yylocp->first_line < yylocp->last_line)
        {
          res += YYFPRINTF (yyo, "-%d", yylocp->last_line);
          if (0 <= end_col)
            res += YYFPRINTF (yyo, ".%d", end_col);
        }
      else if (0 <= end_col && yylocp->first_column < end_col)
        res += YYFPRINTF (yyo, "-%d", end_col);
    }
  return res;
}

#   define YYLOCATION_PRINT  yy_location_print_

    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT(File, Loc)  YYLOCATION_PRINT(File, &(Loc))

#  else

#   define YYLOCATION_PRINT(File, Loc) ((void) 0)
    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT  YYLOCATION_PRINT

#  endif
# endif /* !defined YYLOCATION_PRINT */


# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)                    \
do {                                                                      \
  if (yydebug)                                                            \
    {                                                                     \
      YYFPRINTF (stderr, "%s ", Title);                                   \
      yy_symbol_print (stderr,                                            \
                  Kind, Value, Location, scanner, p); \
      YYFPRINTF (stderr, "\n");                                           \
    }                                                                     \
} while (0)


/*-----------------------------------.
| Print this symbol's value on YYO.  |
`-----------------------------------*/

static void
yy_symbol_value_print (FILE *yyo,
                       yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, void *scanner, parse_ctx *p)
{
  FILE *yyoutput = yyo;
  YY_USE (yyoutput);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (p);
  if (!yyvaluep)
    return;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/*---------------------------.
| Print this symbol on YYO.  |
`---------------------------*/

static void
yy_symbol_print (FILE *yyo,
                 yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, void *scanner, parse_ctx *p)
{
  YYFPRINTF (yyo, "%s %s (",
             yykind < YYNTOKENS ? "token" : "nterm", yysymbol_name (yykind));

  YYLOCATION_PRINT (yyo, yylocationp);
  YYFPRINTF (yyo, ": ");
  yy_symbol_value_print (yyo, yykind, yyvaluep, yylocationp, scanner, p);
  YYFPRINTF (yyo, ")");
}

/*------------------------------------------------------------------.
| yy_stack_print -- Print the state stack from its BOTTOM up to its |
| TOP (included).                                                   |
`------------------------------------------------------------------*/

static void
yy_stack_print (yy_state_t *yybottom, yy_state_t *yytop)
{
  YYFPRINTF (stderr, "Stack now");
  for (; yybottom <= yytop; yybottom++)
    {
      int yybot = *yybottom;
      YYFPRINTF (stderr, " %d", yybot);
    }
  YYFPRINTF (stderr, "\n");
}

# define YY_STACK_PRINT(Bottom, Top)                            \
do {                                                            \
  if (yydebug)                                                  \
    yy_stack_print ((Bottom), (Top));                           \
} while (0)


/*------------------------------------------------.
| Report that the YYRULE is going to be reduced.  |
`------------------------------------------------*/

static void
yy_reduce_print (yy_state_t *yyssp, YYSTYPE *yyvsp, YYLTYPE *yylsp,
                 int yyrule, void *scanner, parse_ctx *p)
{
  int yylno = yyrline[yyrule];
  int yynrhs = yyr2[yyrule];
  int yyi;
  YYFPRINTF (stderr, "Reducing stack by rule %d (line %d):\n",
             yyrule - 1, yylno);
  /* The symbols being reduced.  */
  for (yyi = 0; yyi < yynrhs; yyi++)
    {
      YYFPRINTF (stderr, "   $%d = ", yyi + 1);
      yy_symbol_print (stderr,
                       YY_ACCESSING_SYMBOL (+yyssp[yyi + 1 - yynrhs]),
                       &yyvsp[(yyi + 1) - (yynrhs)],
                       &(yylsp[(yyi + 1) - (yynrhs)]), scanner, p);
      YYFPRINTF (stderr, "\n");
    }
}

# define YY_REDUCE_PRINT(Rule)          \
do {                                    \
  if (yydebug)                          \
    yy_reduce_print (yyssp, yyvsp, yylsp, Rule, scanner, p); \
} while (0)

/* Nonzero means print parse trace.  It is left uninitialized so that
   multiple parsers can coexist.  */
int yydebug;
#else /* !QSM_DEBUG */
# define YYDPRINTF(Args) ((void) 0)
# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)
# define YY_STACK_PRINT(Bottom, Top)
# define YY_REDUCE_PRINT(Rule)
#endif /* !QSM_DEBUG */


/* YYINITDEPTH -- initial size of the parser's stacks.  */
#ifndef YYINITDEPTH
# define YYINITDEPTH 200
#endif

/* YYMAXDEPTH -- maximum size the stacks can grow to (effective only
   if the built-in stack extension method is used).

   Do not make this value too large; the results are undefined if
   YYSTACK_ALLOC_MAXIMUM < YYSTACK_BYTES (YYMAXDEPTH)
   evaluated with infinite-precision integer arithmetic.  */

#ifndef YYMAXDEPTH
# define YYMAXDEPTH 10000
#endif


/* Given a state stack such that *YYBOTTOM is its bottom, such that
   *YYTOP is either its top or is YYTOP_EMPTY to indicate an empty
   stack, and such that *YYCAPACITY is the maximum number of elements it
   can hold without a reallocation, make sure there is enough room to
   store YYADD more elements.  If not, allocate a new stack using
   YYSTACK_ALLOC, copy the existing elements, and adjust *YYBOTTOM,
   *YYTOP, and *YYCAPACITY to reflect the new capacity and memory
   location.  If *YYBOTTOM != YYBOTTOM_NO_FREE, then free the old stack
   using YYSTACK_FREE.  Return 0 if successful or if no reallocation is
   required.  Return YYENOMEM if memory is exhausted.  */
static int
yy_lac_stack_realloc (YYPTRDIFF_T *yycapacity, YYPTRDIFF_T yyadd,
#if QSM_DEBUG
                      char const *yydebug_prefix,
                      char const *yydebug_suffix,
#endif
                      yy_state_t **yybottom,
                      yy_state_t *yybottom_no_free,
                      yy_state_t **yytop, yy_state_t *yytop_empty)
{
  YYPTRDIFF_T yysize_old =
    *yytop == yytop_empty ? 0 : *yytop - *yybottom + 1;
  YYPTRDIFF_T yysize_new = yysize_old + yyadd;
  if (*yycapacity < yysize_new)
    {
      YYPTRDIFF_T yyalloc = 2 * yysize_new;
      yy_state_t *yybottom_new;
      /* Use YYMAXDEPTH for maximum stack size given that the stack
         should never need to grow larger than the main state stack
         needs to grow without LAC.  */
      if (YYMAXDEPTH < yysize_new)
        {
          YYDPRINTF ((stderr, "%smax size exceeded%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (YYMAXDEPTH < yyalloc)
        yyalloc = YYMAXDEPTH;
      yybottom_new =
        YY_CAST (yy_state_t *,
                 YYSTACK_ALLOC (YY_CAST (YYSIZE_T,
                                         yyalloc * YYSIZEOF (*yybottom_new))));
      if (!yybottom_new)
        {
          YYDPRINTF ((stderr, "%srealloc failed%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (*yytop != yytop_empty)
        {
          YYCOPY (yybottom_new, *yybottom, yysize_old);
          *yytop = yybottom_new + (yysize_old - 1);
        }
      if (*yybottom != yybottom_no_free)
        YYSTACK_FREE (*yybottom);
      *yybottom = yybottom_new;
      *yycapacity = yyalloc;
    }
  return 0;
}

/* Establish the initial context for the current lookahead if no initial
   context is currently established.

   We define a context as a snapshot of the parser stacks.  We define
   the initial context for a lookahead as the context in which the
   parser initially examines that lookahead in order to select a
   syntactic action.  Thus, if the lookahead eventually proves
   syntactically unacceptable (possibly in a later context reached via a
   series of reductions), the initial context can be used to determine
   the exact set of tokens that would be syntactically acceptable in the
   lookahead's place.  Moreover, it is the context after which any
   further semantic actions would be erroneous because they would be
   determined by a syntactically unacceptable token.

   YY_LAC_ESTABLISH should be invoked when a reduction is about to be
   performed in an inconsistent state (which, for the purposes of LAC,
   includes consistent states that don't know they're consistent because
   their default reductions have been disabled).  Iff there is a
   lookahead token, it should also be invoked before reporting a syntax
   error.  This latter case is for the sake of the debugging output.

   For parse.lac=full, the implementation of YY_LAC_ESTABLISH is as
   follows.  If no initial context is currently established for the
   current lookahead, then check if that lookahead can eventually be
   shifted if syntactic actions continue from the current context.
   Report a syntax error if it cannot.  */
#define YY_LAC_ESTABLISH                                                \
do {                                                                    \
  if (!yy_lac_established)                                              \
    {                                                                   \
      YYDPRINTF ((stderr,                                               \
                  "LAC: initial context established for %s\n",          \
                  yysymbol_name (yytoken)));                            \
      yy_lac_established = 1;                                           \
      switch (yy_lac (yyesa, &yyes, &yyes_capacity, yyssp, yytoken))    \
        {                                                               \
        case YYENOMEM:                                                  \
          YYNOMEM;                                                      \
        case 1:                                                         \
          goto yyerrlab;                                                \
        }                                                               \
    }                                                                   \
} while (0)

/* Discard any previous initial lookahead context because of Event,
   which may be a lookahead change or an invalidation of the currently
   established initial context for the current lookahead.

   The most common example of a lookahead change is a shift.  An example
   of both cases is syntax error recovery.  That is, a syntax error
   occurs when the lookahead is syntactically erroneous for the
   currently established initial context, so error recovery manipulates
   the parser stacks to try to find a new initial context in which the
   current lookahead is syntactically acceptable.  If it fails to find
   such a context, it discards the lookahead.  */
#if QSM_DEBUG
# define YY_LAC_DISCARD(Event)                                           \
do {                                                                     \
  if (yy_lac_established)                                                \
    {                                                                    \
      YYDPRINTF ((stderr, "LAC: initial context discarded due to "       \
                  Event "\n"));                                          \
      yy_lac_established = 0;                                            \
    }                                                                    \
} while (0)
#else
# define YY_LAC_DISCARD(Event) yy_lac_established = 0
#endif

/* Given the stack whose top is *YYSSP, return 0 iff YYTOKEN can
   eventually (after perhaps some reductions) be shifted, return 1 if
   not, or return YYENOMEM if memory is exhausted.  As preconditions and
   postconditions: *YYES_CAPACITY is the allocated size of the array to
   which *YYES points, and either *YYES = YYESA or *YYES points to an
   array allocated with YYSTACK_ALLOC.  yy_lac may overwrite the
   contents of either array, alter *YYES and *YYES_CAPACITY, and free
   any old *YYES other than YYESA.  */
static int
yy_lac (yy_state_t *yyesa, yy_state_t **yyes,
        YYPTRDIFF_T *yyes_capacity, yy_state_t *yyssp, yysymbol_kind_t yytoken)
{
  yy_state_t *yyes_prev = yyssp;
  yy_state_t *yyesp = yyes_prev;
  /* Reduce until we encounter a shift and thereby accept the token.  */
  YYDPRINTF ((stderr, "LAC: checking lookahead %s:", yysymbol_name (yytoken)));
  if (yytoken == YYSYMBOL_YYUNDEF)
    {
      YYDPRINTF ((stderr, " Always Err\n"));
      return 1;
    }
  while (1)
    {
      int yyrule = yypact[+*yyesp];
      if (yypact_value_is_default (yyrule)
          || (yyrule += yytoken) < 0 || YYLAST < yyrule
          || yycheck[yyrule] != yytoken)
        {
          /* Use the default action.  */
          yyrule = yydefact[+*yyesp];
          if (yyrule == 0)
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
        }
      else
        {
          /* Use the action from yytable.  */
          yyrule = yytable[yyrule];
          if (yytable_value_is_error (yyrule))
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
          if (0 < yyrule)
            {
              YYDPRINTF ((stderr, " S%d\n", yyrule));
              return 0;
            }
          yyrule = -yyrule;
        }
      /* By now we know we have to simulate a reduce.  */
      YYDPRINTF ((stderr, " R%d", yyrule - 1));
      {
        /* Pop the corresponding number of values from the stack.  */
        YYPTRDIFF_T yylen = yyr2[yyrule];
        /* First pop from the LAC stack as many tokens as possible.  */
        if (yyesp != yyes_prev)
          {
            YYPTRDIFF_T yysize = yyesp - *yyes + 1;
            if (yylen < yysize)
              {
                yyesp -= yylen;
                yylen = 0;
              }
            else
              {
                yyesp = yyes_prev;
                yylen -= yysize;
              }
          }
        /* Only afterwards look at the main stack.  */
        if (yylen)
          yyesp = yyes_prev -= yylen;
      }
      /* Push the resulting state of the reduction.  */
      {
        yy_state_fast_t yystate;
        {
          const int yylhs = yyr1[yyrule] - YYNTOKENS;
          const int yyi = yypgoto[yylhs] + *yyesp;
          yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyesp
                     ? yytable[yyi]
                     : yydefgoto[yylhs]);
        }
        if (yyesp == yyes_prev)
          {
            yyesp = *yyes;
            YY_IGNORE_USELESS_CAST_BEGIN
            *yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        else
          {
            if (yy_lac_stack_realloc (yyes_capacity, 1,
#if QSM_DEBUG
                                      " (", ")",
#endif
                                      yyes, yyesa, &yyesp, yyes_prev))
              {
                YYDPRINTF ((stderr, "\n"));
                return YYENOMEM;
              }
            YY_IGNORE_USELESS_CAST_BEGIN
            *++yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        YYDPRINTF ((stderr, " G%d", yystate));
      }
    }
}

/* Context of a parse error.  */
typedef struct
{
  yy_state_t *yyssp;
  yy_state_t *yyesa;
  yy_state_t **yyes;
  YYPTRDIFF_T *yyes_capacity;
  yysymbol_kind_t yytoken;
  YYLTYPE *yylloc;
} yypcontext_t;

/* Put in YYARG at most YYARGN of the expected tokens given the
   current YYCTX, and return the number of tokens stored in YYARG.  If
   YYARG is null, return the number of expected tokens (guaranteed to
   be less than YYNTOKENS).  Return YYENOMEM on memory exhaustion.
   Return 0 if there are more than YYARGN expected tokens, yet fill
   YYARG up to YYARGN. */
static int
yypcontext_expected_tokens (const yypcontext_t *yyctx,
                            yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;

  int yyx;
  for (yyx = 0; yyx < YYNTOKENS; ++yyx)
    {
      yysymbol_kind_t yysym = YY_CAST (yysymbol_kind_t, yyx);
      if (yysym != YYSYMBOL_YYerror && yysym != YYSYMBOL_YYUNDEF)
        switch (yy_lac (yyctx->yyesa, yyctx->yyes, yyctx->yyes_capacity, yyctx->yyssp, yysym))
          {
          case YYENOMEM:
            return YYENOMEM;
          case 1:
            continue;
          default:
            if (!yyarg)
              ++yycount;
            else if (yycount == yyargn)
              return 0;
            else
              yyarg[yycount++] = yysym;
          }
    }
  if (yyarg && yycount == 0 && 0 < yyargn)
    yyarg[0] = YYSYMBOL_YYEMPTY;
  return yycount;
}




/* The kind of the lookahead of this context.  */
static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx)
{
  return yyctx->yytoken;
}

/* The location of the lookahead of this context.  */
static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx)
{
  return yyctx->yylloc;
}

/* User defined function to report a syntax error.  */
static int
yyreport_syntax_error (const yypcontext_t *yyctx, void *scanner, parse_ctx *p);

/*-----------------------------------------------.
| Release the memory associated to this symbol.  |
`-----------------------------------------------*/

static void
yydestruct (const char *yymsg,
            yysymbol_kind_t yykind, YYSTYPE *yyvaluep, YYLTYPE *yylocationp, void *scanner, parse_ctx *p)
{
  YY_USE (yyvaluep);
  YY_USE (yylocationp);
  YY_USE (scanner);
  YY_USE (p);
  if (!yymsg)
    yymsg = "Deleting";
  YY_SYMBOL_PRINT (yymsg, yykind, yyvaluep, yylocationp);

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}






/*----------.
| yyparse.  |
`----------*/

int
yyparse (void *scanner, parse_ctx *p)
{
/* Lookahead token kind.  */
int yychar;


/* The semantic value of the lookahead symbol.  */
/* Default value used for initialization, for pacifying older GCCs
   or non-GCC compilers.  */
YY_INITIAL_VALUE (static YYSTYPE yyval_default;)
YYSTYPE yylval YY_INITIAL_VALUE (= yyval_default);

/* Location data for the lookahead symbol.  */
static YYLTYPE yyloc_default
# if defined QSM_LTYPE_IS_TRIVIAL && QSM_LTYPE_IS_TRIVIAL
  = { 1, 1, 1, 1 }
# endif
;
YYLTYPE yylloc = yyloc_default;

    /* Number of syntax errors so far.  */
    int yynerrs = 0;

    yy_state_fast_t yystate = 0;
    /* Number of tokens to shift before error messages enabled.  */
    int yyerrstatus = 0;

    /* Refer to the stacks through separate pointers, to allow yyoverflow
       to reallocate them elsewhere.  */

    /* Their size.  */
    YYPTRDIFF_T yystacksize = YYINITDEPTH;

    /* The state stack: array, bottom, top.  */
    yy_state_t yyssa[YYINITDEPTH];
    yy_state_t *yyss = yyssa;
    yy_state_t *yyssp = yyss;

    /* The semantic value stack: array, bottom, top.  */
    YYSTYPE yyvsa[YYINITDEPTH];
    YYSTYPE *yyvs = yyvsa;
    YYSTYPE *yyvsp = yyvs;

    /* The location stack: array, bottom, top.  */
    YYLTYPE yylsa[YYINITDEPTH];
    YYLTYPE *yyls = yylsa;
    YYLTYPE *yylsp = yyls;

    yy_state_t yyesa[20];
    yy_state_t *yyes = yyesa;
    YYPTRDIFF_T yyes_capacity = 20 < YYMAXDEPTH ? 20 : YYMAXDEPTH;

  /* Whether LAC context is established.  A Boolean.  */
  int yy_lac_established = 0;
  int yyn;
  /* The return value of yyparse.  */
  int yyresult;
  /* Lookahead symbol kind.  */
  yysymbol_kind_t yytoken = YYSYMBOL_YYEMPTY;
  /* The variables used to return semantic value and location from the
     action routines.  */
  YYSTYPE yyval;
  YYLTYPE yyloc;

  /* The locations where the error started and ended.  */
  YYLTYPE yyerror_range[3];



#define YYPOPSTACK(N)   (yyvsp -= (N), yyssp -= (N), yylsp -= (N))

  /* The number of symbols on the RHS of the reduced rule.
     Keep to zero when no symbol should be popped.  */
  int yylen = 0;

  YYDPRINTF ((stderr, "Starting parse\n"));

  yychar = QSM_EMPTY; /* Cause a token to be read.  */

  yylsp[0] = yylloc;
  goto yysetstate;


/*------------------------------------------------------------.
| yynewstate -- push a new state, which is found in yystate.  |
`------------------------------------------------------------*/
yynewstate:
  /* In all cases, when you get here, the value and location stacks
     have just been pushed.  So pushing a state here evens the stacks.  */
  yyssp++;


/*--------------------------------------------------------------------.
| yysetstate -- set current state (the top of the stack) to yystate.  |
`--------------------------------------------------------------------*/
yysetstate:
  YYDPRINTF ((stderr, "Entering state %d\n", yystate));
  YY_ASSERT (0 <= yystate && yystate < YYNSTATES);
  YY_IGNORE_USELESS_CAST_BEGIN
  *yyssp = YY_CAST (yy_state_t, yystate);
  YY_IGNORE_USELESS_CAST_END
  YY_STACK_PRINT (yyss, yyssp);

  if (yyss + yystacksize - 1 <= yyssp)
#if !defined yyoverflow && !defined YYSTACK_RELOCATE
    YYNOMEM;
#else
    {
      /* Get the current used size of the three stacks, in elements.  */
      YYPTRDIFF_T yysize = yyssp - yyss + 1;

# if defined yyoverflow
      {
        /* Give user a chance to reallocate the stack.  Use copies of
           these so that the &'s don't force the real ones into
           memory.  */
        yy_state_t *yyss1 = yyss;
        YYSTYPE *yyvs1 = yyvs;
        YYLTYPE *yyls1 = yyls;

        /* Each stack pointer address is followed by the size of the
           data in use in that stack, in bytes.  This used to be a
           conditional around just the two extra args, but that might
           be undefined if yyoverflow is a macro.  */
        yyoverflow (YY_("memory exhausted"),
                    &yyss1, yysize * YYSIZEOF (*yyssp),
                    &yyvs1, yysize * YYSIZEOF (*yyvsp),
                    &yyls1, yysize * YYSIZEOF (*yylsp),
                    &yystacksize);
        yyss = yyss1;
        yyvs = yyvs1;
        yyls = yyls1;
      }
# else /* defined YYSTACK_RELOCATE */
      /* Extend the stack our own way.  */
      if (YYMAXDEPTH <= yystacksize)
        YYNOMEM;
      yystacksize *= 2;
      if (YYMAXDEPTH < yystacksize)
        yystacksize = YYMAXDEPTH;

      {
        yy_state_t *yyss1 = yyss;
        union yyalloc *yyptr =
          YY_CAST (union yyalloc *,
                   YYSTACK_ALLOC (YY_CAST (YYSIZE_T, YYSTACK_BYTES (yystacksize))));
        if (! yyptr)
          YYNOMEM;
        YYSTACK_RELOCATE (yyss_alloc, yyss);
        YYSTACK_RELOCATE (yyvs_alloc, yyvs);
        YYSTACK_RELOCATE (yyls_alloc, yyls);
#  undef YYSTACK_RELOCATE
        if (yyss1 != yyssa)
          YYSTACK_FREE (yyss1);
      }
# endif

      yyssp = yyss + yysize - 1;
      yyvsp = yyvs + yysize - 1;
      yylsp = yyls + yysize - 1;

      YY_IGNORE_USELESS_CAST_BEGIN
      YYDPRINTF ((stderr, "Stack size increased to %ld\n",
                  YY_CAST (long, yystacksize)));
      YY_IGNORE_USELESS_CAST_END

      if (yyss + yystacksize - 1 <= yyssp)
        YYABORT;
    }
#endif /* !defined yyoverflow && !defined YYSTACK_RELOCATE */


  if (yystate == YYFINAL)
    YYACCEPT;

  goto yybackup;


/*-----------.
| yybackup.  |
`-----------*/
yybackup:
  /* Do appropriate processing given the current state.  Read a
     lookahead token if we need one and don't already have one.  */

  /* First try to decide what to do without reference to lookahead token.  */
  yyn = yypact[yystate];
  if (yypact_value_is_default (yyn))
    goto yydefault;

  /* Not known => get a lookahead token if don't already have one.  */

  /* YYCHAR is either empty, or end-of-input, or a valid lookahead.  */
  if (yychar == QSM_EMPTY)
    {
      YYDPRINTF ((stderr, "Reading a token\n"));
      yychar = yylex (&yylval, &yylloc, scanner);
    }

  if (yychar <= QSM_EOF)
    {
      yychar = QSM_EOF;
      yytoken = YYSYMBOL_YYEOF;
      YYDPRINTF ((stderr, "Now at end of input.\n"));
    }
  else if (yychar == QSM_error)
    {
      /* The scanner already issued an error message, process directly
         to error recovery.  But do not keep the error token as
         lookahead, it is too special and may lead us to an endless
         loop in error recovery. */
      yychar = QSM_UNDEF;
      yytoken = YYSYMBOL_YYerror;
      yyerror_range[1] = yylloc;
      goto yyerrlab1;
    }
  else
    {
      yytoken = YYTRANSLATE (yychar);
      YY_SYMBOL_PRINT ("Next token is", yytoken, &yylval, &yylloc);
    }

  /* If the proper action on seeing token YYTOKEN is to reduce or to
     detect an error, take that action.  */
  yyn += yytoken;
  if (yyn < 0 || YYLAST < yyn || yycheck[yyn] != yytoken)
    {
      YY_LAC_ESTABLISH;
      goto yydefault;
    }
  yyn = yytable[yyn];
  if (yyn <= 0)
    {
      if (yytable_value_is_error (yyn))
        goto yyerrlab;
      yyn = -yyn;
      YY_LAC_ESTABLISH;
      goto yyreduce;
    }

  /* Count tokens shifted since error; after three, turn off error
     status.  */
  if (yyerrstatus)
    yyerrstatus--;

  /* Shift the lookahead token.  */
  YY_SYMBOL_PRINT ("Shifting", yytoken, &yylval, &yylloc);
  yystate = yyn;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END
  *++yylsp = yylloc;

  /* Discard the shifted token.  */
  yychar = QSM_EMPTY;
  YY_LAC_DISCARD ("shift");
  goto yynewstate;


/*-----------------------------------------------------------.
| yydefault -- do the default action for the current state.  |
`-----------------------------------------------------------*/
yydefault:
  yyn = yydefact[yystate];
  if (yyn == 0)
    goto yyerrlab;
  goto yyreduce;


/*-----------------------------.
| yyreduce -- do a reduction.  |
`-----------------------------*/
yyreduce:
  /* yyn is the number of a rule to reduce with.  */
  yylen = yyr2[yyn];

  /* If YYLEN is nonzero, implement the default value of the action:
     '$$ = $1'.

     Otherwise, the following line sets YYVAL to garbage.
     This behavior is undocumented and Bison
     users should not rely upon it.  Assigning to YYVAL
     unconditionally makes the parser a bit smaller, and it avoids a
     GCC warning that YYVAL may be used uninitialized.  */
  yyval = yyvsp[1-yylen];

  /* Default location. */
  YYLLOC_DEFAULT (yyloc, (yylsp - yylen), yylen);
  yyerror_range[1] = yyloc;
  YY_REDUCE_PRINT (yyn);
  {
    int yychar_backup = yychar;
    switch (yyn)
      {
  case 2: /* file: surface  */
#line 105 "grammar/qsm.y"
                                  { p->result = (yyvsp[0].surface); }
#line 1770 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 3: /* @1: %empty  */
#line 109 "grammar/qsm.y"
                                  { (yyval.surface) = ast_surface_new(A, (yyvsp[-1].id), (yyvsp[-2].loc)); }
#line 1776 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 4: /* surface: "`surface`" "identifier" "`{`" @1 blocks "`}`"  */
#line 110 "grammar/qsm.y"
                                  { (yyval.surface) = (yyvsp[-2].surface); }
#line 1782 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 6: /* blocks: blocks block  */
#line 115 "grammar/qsm.y"
                                  { ptrvec_push(A, &(yyvsp[-2].surface)->blocks, (yyvsp[0].block)); }
#line 1788 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 9: /* block: "`execution`" "`{`" exec_items "`}`"  */
#line 125 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-3].loc); }
#line 1794 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 10: /* block: "`execution`" "`{`" exec_items error "`}`"  */
#line 126 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-4].loc); p->skip = SKIP_OFF; }
#line 1800 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 11: /* block: "`intake`" "`{`" intake_items "`}`"  */
#line 127 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-3].loc); }
#line 1806 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 12: /* block: "`intake`" "`{`" intake_items error "`}`"  */
#line 128 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-4].loc); p->skip = SKIP_OFF; }
#line 1812 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 13: /* block: "`lifecycle`" "`{`" lifecycle_items "`}`"  */
#line 129 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-3].loc); }
#line 1818 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 14: /* block: "`lifecycle`" "`{`" lifecycle_items error "`}`"  */
#line 130 "grammar/qsm.y"
                                            { (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-4].loc); p->skip = SKIP_OFF; }
#line 1824 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 15: /* block: "`transitions`" "`{`" transition_items "`}`"  */
#line 131 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-3].loc); }
#line 1830 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 16: /* block: "`transitions`" "`{`" transition_items error "`}`"  */
#line 132 "grammar/qsm.y"
                                               { (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-4].loc); p->skip = SKIP_OFF; }
#line 1836 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 17: /* block: "`evidence`" "`{`" evidence_items "`}`"  */
#line 133 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-3].loc); }
#line 1842 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 18: /* block: "`evidence`" "`{`" evidence_items error "`}`"  */
#line 134 "grammar/qsm.y"
                                          { (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-4].loc); p->skip = SKIP_OFF; }
#line 1848 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 19: /* block: "`record`" "`{`" record_items "`}`"  */
#line 135 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-3].loc); }
#line 1854 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 20: /* block: "`record`" "`{`" record_items error "`}`"  */
#line 136 "grammar/qsm.y"
                                         { (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-4].loc); p->skip = SKIP_OFF; }
#line 1860 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 21: /* block: "`migrate`" "`from`" "string" "`{`" migrate_items "`}`"  */
#line 137 "grammar/qsm.y"
                                              { (yyval.block) = (yyvsp[-1].block); (yyval.block)->loc = (yyvsp[-5].loc); (yyval.block)->from = (yyvsp[-3].id); }
#line 1866 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 22: /* block: "`migrate`" "`from`" "string" "`{`" migrate_items error "`}`"  */
#line 138 "grammar/qsm.y"
                                                    {
                                         (yyval.block) = (yyvsp[-2].block); (yyval.block)->loc = (yyvsp[-6].loc); (yyval.block)->from = (yyvsp[-4].id); p->skip = SKIP_OFF; }
#line 1873 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 23: /* setting_block: setting  */
#line 145 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_SETTING, (yyvsp[0].setting)->key.loc); (yyval.block)->setting = (yyvsp[0].setting); }
#line 1879 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 24: /* setting: key value  */
#line 149 "grammar/qsm.y"
                                  { (yyval.setting) = (yyvsp[0].setting); (yyval.setting)->key = (yyvsp[-1].id); }
#line 1885 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 27: /* inner_setting: word value  */
#line 159 "grammar/qsm.y"
                                  { (yyval.setting) = (yyvsp[0].setting); (yyval.setting)->key = (yyvsp[-1].id); }
#line 1891 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 28: /* value: vword  */
#line 163 "grammar/qsm.y"
                                  { (yyval.setting) = ast_setting_new(A, (yyvsp[0].id)); (yyval.setting)->kind = VAL_WORD; (yyval.setting)->value = (yyvsp[0].id); }
#line 1897 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 29: /* value: "string"  */
#line 164 "grammar/qsm.y"
                                  { (yyval.setting) = ast_setting_new(A, (yyvsp[0].id)); (yyval.setting)->kind = VAL_STRING; (yyval.setting)->value = (yyvsp[0].id); }
#line 1903 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 30: /* value: "number"  */
#line 165 "grammar/qsm.y"
                                  { ast_ident n = {"", (yyvsp[0].num).loc};
                                    (yyval.setting) = ast_setting_new(A, n); (yyval.setting)->kind = VAL_NUMBER;
                                    (yyval.setting)->number = (yyvsp[0].num).value; (yyval.setting)->value = n; }
#line 1911 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 31: /* value: "`[`" word_list "`]`"  */
#line 168 "grammar/qsm.y"
                                  { ast_ident n = {"", (yyvsp[-2].loc)};
                                    (yyval.setting) = ast_setting_new(A, n); (yyval.setting)->kind = VAL_LIST;
                                    (yyval.setting)->list = (yyvsp[-1].list); (yyval.setting)->value = n; }
#line 1919 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 32: /* exec_items: %empty  */
#line 174 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_EXECUTION, L(&(yyloc))); }
#line 1925 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 33: /* exec_items: exec_items inner_setting  */
#line 175 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].setting)); }
#line 1931 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 34: /* evidence_items: %empty  */
#line 181 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_EVIDENCE, L(&(yyloc))); }
#line 1937 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 35: /* evidence_items: evidence_items inner_setting  */
#line 182 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].setting)); }
#line 1943 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 36: /* evidence_items: evidence_items file_size  */
#line 183 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].setting)); }
#line 1949 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 37: /* file_size: "`max`" "number" "identifier"  */
#line 188 "grammar/qsm.y"
                                  { ast_ident k = {"max", (yyvsp[-2].loc)};
                                    (yyval.setting) = ast_setting_new(A, k); (yyval.setting)->kind = VAL_SIZE;
                                    (yyval.setting)->number = (yyvsp[-1].num).value; (yyval.setting)->value.loc = (yyvsp[-1].num).loc;
                                    (yyval.setting)->unit = (yyvsp[0].id); }
#line 1958 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 38: /* file_opts: %empty  */
#line 196 "grammar/qsm.y"
                                  { ptrvec v = {0}; (yyval.list) = v; }
#line 1964 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 39: /* file_opts: file_opts "`types`" "`[`" word_list "`]`"  */
#line 197 "grammar/qsm.y"
                                      {
                                    ast_ident k = {"types", (yyvsp[-3].loc)}, n = {"", (yyvsp[-2].loc)};
                                    ast_setting *s = ast_setting_new(A, k);
                                    s->kind = VAL_LIST; s->list = (yyvsp[-1].list); s->value = n;
                                    (yyval.list) = (yyvsp[-4].list); ptrvec_push(A, &(yyval.list), s); }
#line 1974 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 40: /* file_opts: file_opts file_size  */
#line 202 "grammar/qsm.y"
                                  { (yyval.list) = (yyvsp[-1].list); ptrvec_push(A, &(yyval.list), (yyvsp[0].setting)); }
#line 1980 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 41: /* intake_items: %empty  */
#line 209 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_INTAKE, L(&(yyloc))); }
#line 1986 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 42: /* intake_items: intake_items section  */
#line 210 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].section)); }
#line 1992 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 43: /* intake_items: intake_items "`summary`" "`{`" summary_items "`}`"  */
#line 211 "grammar/qsm.y"
                                               {
                                    (yyvsp[-1].summary)->loc = (yyvsp[-3].loc); (yyval.block) = (yyvsp[-4].block); ptrvec_push(A, &(yyval.block)->summaries, (yyvsp[-1].summary)); }
#line 1999 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 44: /* intake_items: intake_items "`photos`" "`min`" "number" file_opts  */
#line 213 "grammar/qsm.y"
                                             {
                                    ast_ident k = {"photos", (yyvsp[-3].loc)};
                                    ast_setting *s = ast_setting_new(A, k);
                                    s->kind = VAL_NUMBER; s->number = (yyvsp[-1].num).value;
                                    s->value.loc = (yyvsp[-1].num).loc; s->opts = (yyvsp[0].list);
                                    (yyval.block) = (yyvsp[-4].block); ptrvec_push(A, &(yyval.block)->photos, s); }
#line 2010 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 45: /* summary_items: %empty  */
#line 223 "grammar/qsm.y"
                                  { (yyval.summary) = ast_summary_new(A, L(&(yyloc))); }
#line 2016 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 46: /* summary_items: summary_items summary_part  */
#line 224 "grammar/qsm.y"
                                  { (yyval.summary) = (yyvsp[-1].summary); ptrvec_push(A, &(yyval.summary)->parts, (yyvsp[0].sumpart)); }
#line 2022 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 47: /* summary_part: "string"  */
#line 228 "grammar/qsm.y"
                                  { (yyval.sumpart) = ast_sumpart_new(A, (yyvsp[0].id), (ast_ident){NULL, (yyvsp[0].id).loc}, 1); }
#line 2028 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 48: /* summary_part: fword "`.`" fword  */
#line 229 "grammar/qsm.y"
                                  { (yyval.sumpart) = ast_sumpart_new(A, (yyvsp[-2].id), (yyvsp[0].id), 0); }
#line 2034 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 49: /* @2: %empty  */
#line 233 "grammar/qsm.y"
                                  { (yyval.section) = ast_section_new(A, (yyvsp[-1].id)); }
#line 2040 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 50: /* section: "identifier" "`{`" @2 section_end  */
#line 234 "grammar/qsm.y"
                                  { (yyval.section) = (yyvsp[-1].section); }
#line 2046 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 52: /* section_end: fields error "`}`"  */
#line 239 "grammar/qsm.y"
                                  { p->skip = SKIP_OFF; }
#line 2052 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 54: /* fields: fields field  */
#line 244 "grammar/qsm.y"
                                  { ptrvec_push(A, &(yyvsp[-2].section)->fields, (yyvsp[0].field)); }
#line 2058 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 55: /* field: fword "`:`" "identifier" field_opts  */
#line 248 "grammar/qsm.y"
                                  { (yyval.field) = (yyvsp[0].field); (yyval.field)->name = (yyvsp[-3].id); (yyval.field)->type = (yyvsp[-1].id); }
#line 2064 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 56: /* field: fword "`:`" "`one_of`" "`(`" choices "`)`" field_opts  */
#line 249 "grammar/qsm.y"
                                                {
                                    ast_ident t = {"one_of", (yyvsp[-4].loc)};
                                    (yyval.field) = (yyvsp[0].field); (yyval.field)->name = (yyvsp[-6].id); (yyval.field)->type = t; (yyval.field)->choices = (yyvsp[-2].list); }
#line 2072 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 57: /* field_opts: %empty  */
#line 255 "grammar/qsm.y"
                                  { ast_ident none = {"", {0, 0, 0}};
                                    (yyval.field) = ast_field_new(A, none, none); }
#line 2079 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 58: /* field_opts: field_opts "`required`"  */
#line 257 "grammar/qsm.y"
                                  { (yyval.field) = (yyvsp[-1].field); (yyval.field)->required++; (yyval.field)->required_loc = (yyvsp[0].id).loc; }
#line 2085 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 59: /* field_opts: field_opts "`max`" "number"  */
#line 258 "grammar/qsm.y"
                                  { (yyval.field) = (yyvsp[-2].field); if (!(yyval.field)->has_max++) (yyval.field)->max = (yyvsp[0].num).value; (yyval.field)->max_loc = (yyvsp[-1].loc); }
#line 2091 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 60: /* field_opts: field_opts "`min`" "number"  */
#line 259 "grammar/qsm.y"
                                  { (yyval.field) = (yyvsp[-2].field); if (!(yyval.field)->has_min++) (yyval.field)->min = (yyvsp[0].num).value; (yyval.field)->min_loc = (yyvsp[-1].loc); }
#line 2097 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 61: /* choices: choice  */
#line 263 "grammar/qsm.y"
                                  { ptrvec v = {0}; ptrvec_push(A, &v, arena_alloc(A, sizeof(ast_ident)));
                                    *(ast_ident *)v.v[0] = (yyvsp[0].id); (yyval.list) = v; }
#line 2104 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 62: /* choices: choices "`,`" choice  */
#line 265 "grammar/qsm.y"
                                  { ast_ident *c = arena_alloc(A, sizeof *c); *c = (yyvsp[0].id);
                                    (yyval.list) = (yyvsp[-2].list); ptrvec_push(A, &(yyval.list), c); }
#line 2111 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 65: /* lifecycle_items: %empty  */
#line 277 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_LIFECYCLE, L(&(yyloc))); }
#line 2117 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 66: /* lifecycle_items: lifecycle_items phase  */
#line 278 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].phase)); }
#line 2123 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 67: /* phase: pword  */
#line 282 "grammar/qsm.y"
                                  { (yyval.phase) = ast_phase_new(A, (yyvsp[0].id)); }
#line 2129 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 68: /* phase: phase attr  */
#line 283 "grammar/qsm.y"
                                  { (yyval.phase) = (yyvsp[-1].phase); ptrvec_push(A, &(yyval.phase)->attrs, (yyvsp[0].attr)); }
#line 2135 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 69: /* attr: "string"  */
#line 287 "grammar/qsm.y"
                                  { (yyval.attr) = ast_attr_new(A, ATTR_LABEL, (yyvsp[0].id)); }
#line 2141 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 70: /* attr: "`hint`" "string"  */
#line 288 "grammar/qsm.y"
                                  { (yyval.attr) = ast_attr_new(A, ATTR_HINT, (yyvsp[0].id)); }
#line 2147 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 71: /* attr: "`initial`"  */
#line 289 "grammar/qsm.y"
                                  { ast_ident k = {"initial", (yyvsp[0].loc)}; (yyval.attr) = ast_attr_new(A, ATTR_INITIAL, k); }
#line 2153 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 72: /* attr: "`final`"  */
#line 290 "grammar/qsm.y"
                                  { ast_ident k = {"final", (yyvsp[0].loc)}; (yyval.attr) = ast_attr_new(A, ATTR_FINAL, k); }
#line 2159 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 73: /* transition_items: %empty  */
#line 296 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_TRANSITIONS, L(&(yyloc))); }
#line 2165 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 74: /* transition_items: transition_items transition  */
#line 297 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].transition)); }
#line 2171 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 75: /* transition: pword "`->`" pword "`on`" word "`by`" "identifier" requires_opt outcome_opt  */
#line 301 "grammar/qsm.y"
                                                                {
                                    (yyval.transition) = ast_transition_new(A, (yyvsp[-8].id), (yyvsp[-6].id), (yyvsp[-4].id), (yyvsp[-2].id));
                                    (yyval.transition)->requires = (yyvsp[-1].list); (yyval.transition)->outcome = (yyvsp[0].id); }
#line 2179 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 76: /* outcome_opt: %empty  */
#line 308 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){NULL, {0, 0, 0}}; }
#line 2185 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 77: /* outcome_opt: "`outcome`" word  */
#line 309 "grammar/qsm.y"
                                  { (yyval.id) = (yyvsp[0].id); }
#line 2191 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 78: /* requires_opt: %empty  */
#line 313 "grammar/qsm.y"
                                  { ptrvec v = {0}; (yyval.list) = v; }
#line 2197 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 79: /* requires_opt: "`requires`" cond_list  */
#line 314 "grammar/qsm.y"
                                  { (yyval.list) = (yyvsp[0].list); }
#line 2203 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 80: /* cond_list: word  */
#line 318 "grammar/qsm.y"
                                  { ptrvec v = {0}; ast_ident *c = arena_alloc(A, sizeof *c);
                                    *c = (yyvsp[0].id); ptrvec_push(A, &v, c); (yyval.list) = v; }
#line 2210 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 81: /* cond_list: cond_list "`,`" word  */
#line 320 "grammar/qsm.y"
                                  { ast_ident *c = arena_alloc(A, sizeof *c); *c = (yyvsp[0].id);
                                    (yyval.list) = (yyvsp[-2].list); ptrvec_push(A, &(yyval.list), c); }
#line 2217 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 82: /* migrate_items: %empty  */
#line 327 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_MIGRATE, L(&(yyloc))); }
#line 2223 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 83: /* migrate_items: migrate_items mapping  */
#line 328 "grammar/qsm.y"
                                  { (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, (yyvsp[0].mapping)); }
#line 2229 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 84: /* mapping: pword "`->`" pword  */
#line 332 "grammar/qsm.y"
                                  { (yyval.mapping) = ast_mapping_new(A, (yyvsp[-2].id), (yyvsp[0].id)); }
#line 2235 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 85: /* record_items: %empty  */
#line 338 "grammar/qsm.y"
                                  { (yyval.block) = ast_block_new(A, BLK_RECORD, L(&(yyloc))); }
#line 2241 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 86: /* record_items: record_items word  */
#line 339 "grammar/qsm.y"
                                  { ast_ident *w = arena_alloc(A, sizeof *w); *w = (yyvsp[0].id);
                                    (yyval.block) = (yyvsp[-1].block); ptrvec_push(A, &(yyval.block)->items, w); }
#line 2248 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 87: /* word_list: %empty  */
#line 346 "grammar/qsm.y"
                                  { ptrvec v = {0}; (yyval.list) = v; }
#line 2254 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 90: /* word_list_ne: word  */
#line 352 "grammar/qsm.y"
                                  { ptrvec v = {0}; ast_ident *w = arena_alloc(A, sizeof *w);
                                    *w = (yyvsp[0].id); ptrvec_push(A, &v, w); (yyval.list) = v; }
#line 2261 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 91: /* word_list_ne: word_list_ne "`,`" word  */
#line 354 "grammar/qsm.y"
                                  { ast_ident *w = arena_alloc(A, sizeof *w); *w = (yyvsp[0].id);
                                    (yyval.list) = (yyvsp[-2].list); ptrvec_push(A, &(yyval.list), w); }
#line 2268 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 94: /* word: "`min`"  */
#line 362 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"min", (yyvsp[0].loc)}; }
#line 2274 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 97: /* fword: "`on`"  */
#line 370 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"on", (yyvsp[0].loc)}; }
#line 2280 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 98: /* fword: "`by`"  */
#line 371 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"by", (yyvsp[0].loc)}; }
#line 2286 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 99: /* fword: "`initial`"  */
#line 372 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"initial", (yyvsp[0].loc)}; }
#line 2292 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 100: /* fword: "`final`"  */
#line 373 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"final", (yyvsp[0].loc)}; }
#line 2298 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 101: /* fword: "`hint`"  */
#line 374 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"hint", (yyvsp[0].loc)}; }
#line 2304 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 102: /* fword: "`from`"  */
#line 375 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"from", (yyvsp[0].loc)}; }
#line 2310 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 105: /* pword: "`evidence`"  */
#line 383 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"evidence", (yyvsp[0].loc)}; }
#line 2316 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 106: /* pword: "`record`"  */
#line 384 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"record", (yyvsp[0].loc)}; }
#line 2322 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 107: /* pword: "`photos`"  */
#line 385 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"photos", (yyvsp[0].loc)}; }
#line 2328 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 108: /* pword: "`types`"  */
#line 386 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"types", (yyvsp[0].loc)}; }
#line 2334 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 109: /* pword: "`min`"  */
#line 387 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"min", (yyvsp[0].loc)}; }
#line 2340 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 110: /* pword: "`from`"  */
#line 388 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"from", (yyvsp[0].loc)}; }
#line 2346 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 113: /* kw: "`surface`"  */
#line 399 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"surface", (yyvsp[0].loc)}; }
#line 2352 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 114: /* kw: "`execution`"  */
#line 400 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"execution", (yyvsp[0].loc)}; }
#line 2358 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 115: /* kw: "`intake`"  */
#line 401 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"intake", (yyvsp[0].loc)}; }
#line 2364 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 116: /* kw: "`lifecycle`"  */
#line 402 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"lifecycle", (yyvsp[0].loc)}; }
#line 2370 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 117: /* kw: "`transitions`"  */
#line 403 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"transitions", (yyvsp[0].loc)}; }
#line 2376 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 118: /* kw: "`evidence`"  */
#line 404 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"evidence", (yyvsp[0].loc)}; }
#line 2382 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 119: /* kw: "`record`"  */
#line 405 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"record", (yyvsp[0].loc)}; }
#line 2388 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 120: /* kw: "`photos`"  */
#line 406 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"photos", (yyvsp[0].loc)}; }
#line 2394 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 121: /* kw: "`types`"  */
#line 407 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"types", (yyvsp[0].loc)}; }
#line 2400 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 122: /* kw: "`migrate`"  */
#line 408 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"migrate", (yyvsp[0].loc)}; }
#line 2406 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 123: /* kw: "`outcome`"  */
#line 409 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"outcome", (yyvsp[0].loc)}; }
#line 2412 "build-clang/obj/grammar/qsm.tab.c"
    break;

  case 124: /* kw: "`summary`"  */
#line 410 "grammar/qsm.y"
                                  { (yyval.id) = (ast_ident){"summary", (yyvsp[0].loc)}; }
#line 2418 "build-clang/obj/grammar/qsm.tab.c"
    break;


#line 2422 "build-clang/obj/grammar/qsm.tab.c"

        default: break;
      }
    if (yychar_backup != yychar)
      YY_LAC_DISCARD ("yychar change");
  }
  /* User semantic actions sometimes alter yychar, and that requires
     that yytoken be updated with the new translation.  We take the
     approach of translating immediately before every use of yytoken.
     One alternative is translating here after every semantic action,
     but that translation would be missed if the semantic action invokes
     YYABORT, YYACCEPT, or YYERROR immediately after altering yychar or
     if it invokes YYBACKUP.  In the case of YYABORT or YYACCEPT, an
     incorrect destructor might then be invoked immediately.  In the
     case of YYERROR or YYBACKUP, subsequent parser actions might lead
     to an incorrect destructor call or verbose syntax error message
     before the lookahead is translated.  */
  YY_SYMBOL_PRINT ("-> $$ =", YY_CAST (yysymbol_kind_t, yyr1[yyn]), &yyval, &yyloc);

  YYPOPSTACK (yylen);
  yylen = 0;

  *++yyvsp = yyval;
  *++yylsp = yyloc;

  /* Now 'shift' the result of the reduction.  Determine what state
     that goes to, based on the state we popped back to and the rule
     number reduced by.  */
  {
    const int yylhs = yyr1[yyn] - YYNTOKENS;
    const int yyi = yypgoto[yylhs] + *yyssp;
    yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyssp
               ? yytable[yyi]
               : yydefgoto[yylhs]);
  }

  goto yynewstate;


/*--------------------------------------.
| yyerrlab -- here on detecting error.  |
`--------------------------------------*/
yyerrlab:
  /* Make sure we have latest lookahead translation.  See comments at
     user semantic actions for why this is necessary.  */
  yytoken = yychar == QSM_EMPTY ? YYSYMBOL_YYEMPTY : YYTRANSLATE (yychar);
  /* If not already recovering from an error, report this error.  */
  if (!yyerrstatus)
    {
      ++yynerrs;
      {
        yypcontext_t yyctx
          = {yyssp, yyesa, &yyes, &yyes_capacity, yytoken, &yylloc};
        if (yychar != QSM_EMPTY)
          YY_LAC_ESTABLISH;
        if (yyreport_syntax_error (&yyctx, scanner, p) == 2)
          YYNOMEM;
      }
    }

  yyerror_range[1] = yylloc;
  if (yyerrstatus == 3)
    {
      /* If just tried and failed to reuse lookahead token after an
         error, discard it.  */

      if (yychar <= QSM_EOF)
        {
          /* Return failure if at end of input.  */
          if (yychar == QSM_EOF)
            YYABORT;
        }
      else
        {
          yydestruct ("Error: discarding",
                      yytoken, &yylval, &yylloc, scanner, p);
          yychar = QSM_EMPTY;
        }
    }

  /* Else will try to reuse lookahead token after shifting the error
     token.  */
  goto yyerrlab1;


/*---------------------------------------------------.
| yyerrorlab -- error raised explicitly by YYERROR.  |
`---------------------------------------------------*/
yyerrorlab:
  /* Pacify compilers when the user code never invokes YYERROR and the
     label yyerrorlab therefore never appears in user code.  */
  if (0)
    YYERROR;
  ++yynerrs;

  /* Do not reclaim the symbols of the rule whose action triggered
     this YYERROR.  */
  YYPOPSTACK (yylen);
  yylen = 0;
  YY_STACK_PRINT (yyss, yyssp);
  yystate = *yyssp;
  goto yyerrlab1;


/*-------------------------------------------------------------.
| yyerrlab1 -- common code for both syntax error and YYERROR.  |
`-------------------------------------------------------------*/
yyerrlab1:
  yyerrstatus = 3;      /* Each real token shifted decrements this.  */

  /* Pop stack until we find a state that shifts the error token.  */
  for (;;)
    {
      yyn = yypact[yystate];
      if (!yypact_value_is_default (yyn))
        {
          yyn += YYSYMBOL_YYerror;
          if (0 <= yyn && yyn <= YYLAST && yycheck[yyn] == YYSYMBOL_YYerror)
            {
              yyn = yytable[yyn];
              if (0 < yyn)
                break;
            }
        }

      /* Pop the current state because it cannot handle the error token.  */
      if (yyssp == yyss)
        YYABORT;

      yyerror_range[1] = *yylsp;
      yydestruct ("Error: popping",
                  YY_ACCESSING_SYMBOL (yystate), yyvsp, yylsp, scanner, p);
      YYPOPSTACK (1);
      yystate = *yyssp;
      YY_STACK_PRINT (yyss, yyssp);
    }

  /* If the stack popping above didn't lose the initial context for the
     current lookahead token, the shift below will for sure.  */
  YY_LAC_DISCARD ("error recovery");

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END

  yyerror_range[2] = yylloc;
  ++yylsp;
  YYLLOC_DEFAULT (*yylsp, yyerror_range, 2);

  /* Shift the error token.  */
  YY_SYMBOL_PRINT ("Shifting", YY_ACCESSING_SYMBOL (yyn), yyvsp, yylsp);

  yystate = yyn;
  goto yynewstate;


/*-------------------------------------.
| yyacceptlab -- YYACCEPT comes here.  |
`-------------------------------------*/
yyacceptlab:
  yyresult = 0;
  goto yyreturnlab;


/*-----------------------------------.
| yyabortlab -- YYABORT comes here.  |
`-----------------------------------*/
yyabortlab:
  yyresult = 1;
  goto yyreturnlab;


/*-----------------------------------------------------------.
| yyexhaustedlab -- YYNOMEM (memory exhaustion) comes here.  |
`-----------------------------------------------------------*/
yyexhaustedlab:
  yyerror (&yylloc, scanner, p, YY_("memory exhausted"));
  yyresult = 2;
  goto yyreturnlab;


/*----------------------------------------------------------.
| yyreturnlab -- parsing is finished, clean up and return.  |
`----------------------------------------------------------*/
yyreturnlab:
  if (yychar != QSM_EMPTY)
    {
      /* Make sure we have latest lookahead translation.  See comments at
         user semantic actions for why this is necessary.  */
      yytoken = YYTRANSLATE (yychar);
      yydestruct ("Cleanup: discarding lookahead",
                  yytoken, &yylval, &yylloc, scanner, p);
    }
  /* Do not reclaim the symbols of the rule whose action triggered
     this YYABORT or YYACCEPT.  */
  YYPOPSTACK (yylen);
  YY_STACK_PRINT (yyss, yyssp);
  while (yyssp != yyss)
    {
      yydestruct ("Cleanup: popping",
                  YY_ACCESSING_SYMBOL (+*yyssp), yyvsp, yylsp, scanner, p);
      YYPOPSTACK (1);
    }
#ifndef yyoverflow
  if (yyss != yyssa)
    YYSTACK_FREE (yyss);
#endif
  if (yyes != yyesa)
    YYSTACK_FREE (yyes);

  return yyresult;
}

#line 413 "grammar/qsm.y"


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
