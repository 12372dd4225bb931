build-clang/obj/web/web_assets.o: build-clang/web/web_assets.c \
  runtime/serve/serve.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h

runtime/serve/serve.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:
