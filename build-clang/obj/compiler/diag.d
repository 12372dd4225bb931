build-clang/obj/compiler/diag.o: compiler/diag.c compiler/diag.h \
  compiler/arena.h compiler/qtmc_vocab.h runtime/include/qtm/qtm_vocab.h

compiler/diag.h:

compiler/arena.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:
