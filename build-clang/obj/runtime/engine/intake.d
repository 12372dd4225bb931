build-clang/obj/runtime/engine/intake.o: runtime/engine/intake.c \
  runtime/engine/intake.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h \
  runtime/engine/qtm_int.h runtime/engine/../store/store.h

runtime/engine/intake.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:

runtime/engine/qtm_int.h:

runtime/engine/../store/store.h:
