build-clang/obj/compiler/ast.o: compiler/ast.c compiler/ast.h \
  compiler/arena.h compiler/diag.h compiler/qtmc_vocab.h \
  runtime/include/qtm/qtm_vocab.h

compiler/ast.h:

compiler/arena.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:
