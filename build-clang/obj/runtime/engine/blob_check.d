build-clang/obj/runtime/engine/blob_check.o: runtime/engine/blob_check.c \
  runtime/engine/blob.h runtime/engine/qtm_int.h \
  runtime/include/qtm/qtm.h runtime/include/qtm/qtm_surface.h \
  runtime/include/qtm/qtm_vocab.h runtime/engine/../store/store.h \
  /usr/include/libpng16/png.h /usr/include/libpng16/pnglibconf.h \
  /usr/include/libpng16/pngconf.h

runtime/engine/blob.h:

runtime/engine/qtm_int.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:

runtime/engine/../store/store.h:

/usr/include/libpng16/png.h:

/usr/include/libpng16/pnglibconf.h:

/usr/include/libpng16/pngconf.h:
