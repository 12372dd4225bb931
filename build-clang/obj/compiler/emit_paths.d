build-clang/obj/compiler/emit_paths.o: compiler/emit_paths.c \
  compiler/emit.h compiler/model.h compiler/arena.h compiler/diag.h \
  compiler/qtmc_vocab.h runtime/include/qtm/qtm_vocab.h \
  runtime/include/qtm/qtm_surface.h compiler/xalloc.h

compiler/emit.h:

compiler/model.h:

compiler/arena.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

runtime/include/qtm/qtm_surface.h:

compiler/xalloc.h:
