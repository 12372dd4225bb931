build-clang/obj/runtime/store/store_sqlite.o: \
  runtime/store/store_sqlite.c runtime/store/store.h \
  runtime/include/qtm/qtm_vocab.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h

runtime/store/store.h:

runtime/include/qtm/qtm_vocab.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:
