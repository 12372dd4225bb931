build-clang/obj/compiler/strmap.o: compiler/strmap.c compiler/strmap.h \
  compiler/arena.h

compiler/strmap.h:

compiler/arena.h:
