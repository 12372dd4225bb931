build-clang/obj/runtime/store/store.o: runtime/store/store.c \
  runtime/store/store.h build-clang/gen/qtm_config.h

runtime/store/store.h:

build-clang/gen/qtm_config.h:
