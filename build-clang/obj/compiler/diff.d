build-clang/obj/compiler/diff.o: compiler/diff.c compiler/diff.h \
  compiler/arena.h compiler/model.h compiler/diag.h \
  compiler/qtmc_vocab.h runtime/include/qtm/qtm_vocab.h \
  runtime/include/qtm/qtm_surface.h compiler/driver.h

compiler/diff.h:

compiler/arena.h:

compiler/model.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

runtime/include/qtm/qtm_surface.h:

compiler/driver.h:
