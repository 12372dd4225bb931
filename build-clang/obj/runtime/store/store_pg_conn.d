build-clang/obj/runtime/store/store_pg_conn.o: \
  runtime/store/store_pg_conn.c build-clang/gen/qtm_config.h \
  runtime/store/store_pg_int.h /usr/include/postgresql/libpq-fe.h \
  /usr/include/postgresql/postgres_ext.h \
  /usr/include/postgresql/pg_config_ext.h runtime/store/store_pg.h \
  runtime/store/store.h runtime/include/qtm/qtm.h \
  runtime/include/qtm/qtm_surface.h runtime/include/qtm/qtm_vocab.h

build-clang/gen/qtm_config.h:

runtime/store/store_pg_int.h:

/usr/include/postgresql/libpq-fe.h:

/usr/include/postgresql/postgres_ext.h:

/usr/include/postgresql/pg_config_ext.h:

runtime/store/store_pg.h:

runtime/store/store.h:

runtime/include/qtm/qtm.h:

runtime/include/qtm/qtm_surface.h:

runtime/include/qtm/qtm_vocab.h:
