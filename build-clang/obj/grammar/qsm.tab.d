build-clang/obj/grammar/qsm.tab.o: build-clang/obj/grammar/qsm.tab.c \
  build-clang/obj/grammar/qsm.tab.h compiler/ast.h compiler/arena.h \
  compiler/diag.h compiler/qtmc_vocab.h runtime/include/qtm/qtm_vocab.h \
  compiler/parse.h compiler/strmap.h

build-clang/obj/grammar/qsm.tab.h:

compiler/ast.h:

compiler/arena.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

compiler/parse.h:

compiler/strmap.h:
