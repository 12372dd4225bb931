build-clang/obj/compiler/arena.o: compiler/arena.c compiler/arena.h \
  compiler/xalloc.h

compiler/arena.h:

compiler/xalloc.h:
