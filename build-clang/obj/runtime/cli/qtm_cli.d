build-clang/obj/runtime/cli/qtm_cli.o: runtime/cli/qtm_cli.c \
  runtime/include/qtm/qtm.h runtime/include/qtm/qtm_surface.h \
  runtime/include/qtm/qtm_vocab.h runtime/cli/../serve/serve.h \
  build-clang/gen/qtm_config.h

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:

runtime/cli/../serve/serve.h:

build-clang/gen/qtm_config.h:
