build-clang/obj/compiler/fmt.o: compiler/fmt.c compiler/fmt.h \
  compiler/diag.h compiler/arena.h compiler/qtmc_vocab.h \
  runtime/include/qtm/qtm_vocab.h compiler/driver.h compiler/model.h \
  runtime/include/qtm/qtm_surface.h compiler/output.h compiler/parse.h \
  compiler/ast.h compiler/xalloc.h

compiler/fmt.h:

compiler/diag.h:

compiler/arena.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

compiler/driver.h:

compiler/model.h:

runtime/include/qtm/qtm_surface.h:

compiler/output.h:

compiler/parse.h:

compiler/ast.h:

compiler/xalloc.h:
