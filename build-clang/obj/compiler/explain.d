build-clang/obj/compiler/explain.o: compiler/explain.c compiler/explain.h \
  runtime/include/qtm/qtm_vocab.h

compiler/explain.h:

runtime/include/qtm/qtm_vocab.h:
