build-clang/obj/compiler/qtmc.o: compiler/qtmc.c compiler/cli.h

compiler/cli.h:
