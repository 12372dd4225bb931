build-clang/obj/runtime/engine/verify.o: runtime/engine/verify.c \
  runtime/engine/qtm_int.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h \
  runtime/engine/../store/store.h runtime/engine/blob.h \
  runtime/engine/money.h

runtime/engine/qtm_int.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:

runtime/engine/../store/store.h:

runtime/engine/blob.h:

runtime/engine/money.h:
