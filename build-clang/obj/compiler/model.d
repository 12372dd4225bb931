build-clang/obj/compiler/model.o: compiler/model.c compiler/model.h \
  compiler/arena.h compiler/diag.h compiler/qtmc_vocab.h \
  runtime/include/qtm/qtm_vocab.h runtime/include/qtm/qtm_surface.h

compiler/model.h:

compiler/arena.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

runtime/include/qtm/qtm_surface.h:
