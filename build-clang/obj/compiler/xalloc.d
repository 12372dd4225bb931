build-clang/obj/compiler/xalloc.o: compiler/xalloc.c compiler/xalloc.h

compiler/xalloc.h:
