build-clang/obj/runtime/engine/money.o: runtime/engine/money.c \
  runtime/engine/money.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h

runtime/engine/money.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:
