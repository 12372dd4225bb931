build-clang/obj/compiler/parse.o: compiler/parse.c compiler/parse.h \
  compiler/ast.h compiler/arena.h compiler/diag.h compiler/qtmc_vocab.h \
  runtime/include/qtm/qtm_vocab.h compiler/xalloc.h \
  build-clang/obj/grammar/qsm.tab.h compiler/strmap.h \
  build-clang/obj/grammar/qsm.lex.h

compiler/parse.h:

compiler/ast.h:

compiler/arena.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

compiler/xalloc.h:

build-clang/obj/grammar/qsm.tab.h:

compiler/strmap.h:

build-clang/obj/grammar/qsm.lex.h:
