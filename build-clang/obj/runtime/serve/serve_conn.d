build-clang/obj/runtime/serve/serve_conn.o: runtime/serve/serve_conn.c \
  runtime/serve/serve.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h

runtime/serve/serve.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:
