build-clang/obj/compiler/driver.o: compiler/driver.c compiler/driver.h \
  compiler/diag.h compiler/arena.h compiler/qtmc_vocab.h \
  runtime/include/qtm/qtm_vocab.h compiler/model.h \
  runtime/include/qtm/qtm_surface.h compiler/parse.h compiler/ast.h \
  compiler/sema.h compiler/strmap.h compiler/xalloc.h

compiler/driver.h:

compiler/diag.h:

compiler/arena.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

compiler/model.h:

runtime/include/qtm/qtm_surface.h:

compiler/parse.h:

compiler/ast.h:

compiler/sema.h:

compiler/strmap.h:

compiler/xalloc.h:
