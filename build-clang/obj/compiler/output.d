build-clang/obj/compiler/output.o: compiler/output.c compiler/output.h \
  compiler/xalloc.h

compiler/output.h:

compiler/xalloc.h:
