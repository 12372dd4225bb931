build-clang/obj/runtime/serve/serve_api.o: runtime/serve/serve_api.c \
  runtime/serve/serve.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h

runtime/serve/serve.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:
