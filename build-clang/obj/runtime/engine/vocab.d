build-clang/obj/runtime/engine/vocab.o: runtime/engine/vocab.c \
  runtime/engine/qtm_int.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h \
  runtime/engine/../store/store.h

runtime/engine/qtm_int.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:

runtime/engine/../store/store.h:
