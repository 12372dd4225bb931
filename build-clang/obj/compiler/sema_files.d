build-clang/obj/compiler/sema_files.o: compiler/sema_files.c \
  compiler/sema_int.h compiler/sema.h compiler/ast.h compiler/arena.h \
  compiler/diag.h compiler/qtmc_vocab.h runtime/include/qtm/qtm_vocab.h \
  compiler/model.h runtime/include/qtm/qtm_surface.h compiler/strmap.h

compiler/sema_int.h:

compiler/sema.h:

compiler/ast.h:

compiler/arena.h:

compiler/diag.h:

compiler/qtmc_vocab.h:

runtime/include/qtm/qtm_vocab.h:

compiler/model.h:

runtime/include/qtm/qtm_surface.h:

compiler/strmap.h:
