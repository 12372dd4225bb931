build-clang/obj/compiler/cli.o: compiler/cli.c compiler/cli.h \
  compiler/diff.h compiler/arena.h compiler/model.h compiler/diag.h \
  compiler/qtmc_vocab.h runtime/include/qtm/qtm_vocab.h \
  runtime/include/qtm/qtm_surface.h compiler/driver.h compiler/emit.h \
  compiler/explain.h compiler/fmt.h compiler/output.h compiler/parse.h \
  compiler/ast.h compiler/sema.h compiler/xalloc.h

compiler/cli.h:

compiler/diff.h:

compiler/arena.h:

compiler/model.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

runtime/include/qtm/qtm_surface.h:

compiler/driver.h:

compiler/emit.h:

compiler/explain.h:

compiler/fmt.h:

compiler/output.h:

compiler/parse.h:

compiler/ast.h:

compiler/sema.h:

compiler/xalloc.h:
