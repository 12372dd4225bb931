build-clang/obj/runtime/store/store_pg_sql.o: \
  runtime/store/store_pg_sql.c runtime/store/store_pg.h \
  runtime/store/store.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h

runtime/store/store_pg.h:

runtime/store/store.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:
