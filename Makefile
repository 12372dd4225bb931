# Makefile - builds qtmc, the surface tables, the tests and the benchmarks.
#
# Everything built goes under $(BUILD) (default build/); the source tree is
# never written, except by `make docs` (docs/surfaces/, on purpose).
# Public targets first make sure the Debian packages are installed, once
# per build tree: `make` and `make demo` the build set (tools/deps.sh
# build), `make test` and the other test targets the test set too
# (tools/deps.sh test: chromium, nodejs...).  Each step prints one line
# (CC, LD, AR, GEN...); `make V=1` prints the full commands.
#
#   make            qtmc, the tables of every surface in surfaces/ and qtm
#   make test       build and run every test; last line "N passed, N failed"
#   make demo       compile the surfaces and walk the seed's lifecycle
#   make golden     rewrite the expected outputs under tests/golden/ on purpose
#   make docs       rewrite the operator guides docs/surfaces/SLUG.md
#   make browser    the web desk's tests in headless chromium (part of make test)
#   make sanitize   the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   the unit tests and qtmc runs under valgrind (leak check)
#   make bench      benchmarks; prints figures (nothing is asserted)
#   make bench-pg   the PostgreSQL figures alone (bench/pg.sh)
#   make fuzz       libFuzzer on the parser and checks (FUZZ_SECONDS=60)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       (re)check and install the Debian packages (both sets)

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
SANITIZE ?=
FUZZ_SECONDS ?= 60

# the first rule below comes from a template (the surface sets): name the
# default goal so a plain `make` builds qtmc, the tables and qtm
.DEFAULT_GOAL := all

O := $(BUILD)/obj
B := $(BUILD)/bin
G := $(BUILD)/gen

WARN := -Wall -Wextra -Werror -Wshadow -Wundef -Wwrite-strings \
        -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
ifneq ($(SANITIZE),)
SAN := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

PKGS      := jansson libsodium
# the file checks (runtime/engine/blob_check.c): type by content, decoders,
# metadata rewriting, thumbnails
IMG_PKGS  := libmagic libjpeg libpng libwebp libwebpmux libexif libheif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
IMG_CFLAGS = $(shell pkg-config --cflags $(IMG_PKGS) 2>/dev/null)
IMG_LIBS   = $(shell pkg-config --libs $(IMG_PKGS) 2>/dev/null || \
               echo -lmagic -ljpeg -lpng16 -lwebpmux -lwebp -lexif -lheif)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lsodium)

# the public headers are included by their path, "qtm/qtm.h": the compiler,
# the runtime's parts, tests and examples alike (installed as include/qtm/)
PUBLIC_INC := runtime/include
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Icompiler -I$(PUBLIC_INC) -I$(O)/grammar
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN) $(PKG_CFLAGS) $(IMG_CFLAGS) -MMD -MP
# flex/bison output: same standard, fewer warnings (their code, not ours)
GEN_CFLAGS = -std=c11 -Wall -Wno-unused-function -Wno-sign-compare -Werror \
             $(CFLAGS) $(SAN) $(PKG_CFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS)

# one stamp per package set (tools/deps.sh), once per build tree
DEPS_STAMP      := $(BUILD)/.deps-build
TEST_DEPS_STAMP := $(BUILD)/.deps-test

# quiet by default: $(call msg,STEP,WHAT) prints one line, $(Q) hides the
# command; compiler diagnostics and make's error lines still print in full
V ?= 0
ifeq ($(V),1)
Q   :=
msg :=
else
Q   := @
msg  = @printf '  %-6s %s\n' '$(1)' '$(2)'
endif

COMPILER_SRC := compiler/arena.c compiler/diag.c compiler/ast.c compiler/parse.c \
                compiler/strmap.c compiler/model.c compiler/sema.c \
                compiler/sema_names.c compiler/sema_files.c compiler/sema_graph.c \
                compiler/sema_determinism.c compiler/sema_governance.c \
                compiler/sema_completeness.c compiler/emit_c.c compiler/emit_text.c \
                compiler/output.c compiler/driver.c compiler/explain.c \
                compiler/emit_doc.c compiler/fmt.c compiler/emit_paths.c \
                compiler/sema_migrate.c compiler/diff.c compiler/xalloc.c \
                compiler/cli.c
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(O)/%.o) $(O)/grammar/qsm.tab.o $(O)/grammar/qsm.lex.o
QTMC := $(B)/qtmc
QTM  := $(B)/qtm

SURFACES  := $(sort $(wildcard surfaces/*.qsm))
# older specs kept for jobs in flight: a spec in surfaces/ that declares
# `migrate from` one of them gets its tables linked as retained
# (qtm_history.c); file names there are free (SLUG.vN.qsm by convention)
SURF_HISTORY := $(sort $(wildcard surfaces/history/*.qsm))
# a surface's tables are named by its slug, which is its file name
surface_stems = $(subst -,_,$(basename $(notdir $(1))))

# A surface set: the tables of some specs, generated into $(BUILD)/NAME and
# compiled into $(O)/NAME.  $(1) the set's name, $(2) its specs (current and
# retained), $(3) the C files it holds (stems), $(4) the name of a variable
# with extra qtmc flags.  Defines NAME_STAMP and NAME_OBJ.
define surface_set
$(1)_STAMP := $(BUILD)/$(1)/.stamp
$(1)_OBJ   := $$(patsubst %,$(O)/$(1)/%.o,$(3) qtm_registry qtm_history)
$$($(1)_STAMP): $$(QTMC) $(2)
	@mkdir -p $(BUILD)/$(1)
	$$(call msg,GEN,$(BUILD)/$(1))
	$$(Q)$$(QTMC) -o $(BUILD)/$(1) $$($(4)) $(2)
	@touch $$@
$(O)/$(1)/%.o: $$($(1)_STAMP)
	@mkdir -p $$(@D)
	$$(call msg,CC,$(BUILD)/$(1)/$$*.c)
	$$(Q)$$(CC) -std=c11 -pedantic -Wall -Wextra -Werror $$(CFLAGS) $$(SAN) -I$(PUBLIC_INC) \
	    -I$(BUILD)/$(1) -c -o $$@ $(BUILD)/$(1)/$$*.c
endef

# the surfaces of the product: linked into qtm, walk, the runtime tests
GEN_FLAGS := --emit c,dot,json
$(eval $(call surface_set,gen,$(SURFACES) $(SURF_HISTORY),$(call surface_stems,$(SURFACES)),GEN_FLAGS))
GEN_STAMP := $(gen_STAMP)
GEN_OBJ   := $(gen_OBJ)

# test-only surfaces (tests/surfaces/) are linked only into qtm-test
TG        := $(BUILD)/gen-test
TEST_SURFACES := $(sort $(wildcard tests/surfaces/*.qsm))
TEST_HISTORY  := $(sort $(wildcard tests/surfaces/history/*.qsm))
TEST_STEMS    := $(call surface_stems,$(SURFACES) $(TEST_SURFACES))
$(eval $(call surface_set,gen-test,$(SURFACES) $(SURF_HISTORY) $(TEST_SURFACES) $(TEST_HISTORY),$(TEST_STEMS),NO_FLAGS))
TEST_GEN_OBJ  := $(gen-test_OBJ)
# qtm-test-v1: the same, built while migrate-demo was at version 1 (its
# history spec is current there); tests/scenario/migrate.sh creates jobs
# with it, then "rebuilds" by switching to qtm-test (v2 current, v1 retained)
TEST_V1_SURFACES := $(SURFACES) $(filter-out tests/surfaces/migrate-demo.qsm,$(TEST_SURFACES)) \
                    tests/surfaces/history/migrate-demo.v1.qsm
$(eval $(call surface_set,gen-test-v1,$(TEST_V1_SURFACES),$(TEST_STEMS),NO_FLAGS))
TEST_V1_GEN_OBJ := $(gen-test-v1_OBJ)

# the check-layer tests, one file per layer (compiler/sema_*.c); helpers in
# tests/unit/sema_fixture.c
SEMA_TESTS := test_sema_names test_sema_graph test_sema_determinism test_sema_governance \
              test_sema_completeness test_sema_migrate test_sema_model
UNIT_TESTS := test_lexer test_parser $(SEMA_TESTS) test_emit test_tables test_explain test_fmt \
              test_diff
UNIT_BINS  := $(UNIT_TESTS:%=$(B)/%)

# The runtime, one folder a part (runtime/*/):
#   include/qtm/  the public headers (qtm.h, qtm_surface.h, qtm_vocab.h)
#   engine/       libqtm's engine: the envelope, its policy, its records
#   store/        the storage seam (store.h) and its backends
#   cli/          the qtm command
#   serve/        `qtm serve`, part of the qtm command, not of libqtm:
#                 programs that embed libqtm do not need libmicrohttpd
ENGINE_SRC := runtime/engine/core.c runtime/engine/policy.c runtime/engine/access.c \
              runtime/engine/governance_handover.c \
              runtime/engine/governance.c runtime/engine/intake.c runtime/engine/execution.c \
              runtime/engine/record.c runtime/engine/settlement.c runtime/engine/money.c \
              runtime/engine/token.c runtime/engine/migrate.c runtime/engine/verify.c \
              runtime/engine/page.c runtime/engine/surfaces.c runtime/engine/vocab.c \
              runtime/engine/sign.c runtime/engine/backup.c runtime/engine/summary.c \
              runtime/engine/blob.c runtime/engine/blob_check.c \
              runtime/engine/joblist.c runtime/engine/dbcopy.c
STORE_PG_SRC := runtime/store/store_pg.c runtime/store/store_pg_conn.c runtime/store/store_pg_sql.c \
                runtime/store/store_pg_copy.c
STORE_SRC  := runtime/store/store.c runtime/store/store_sqlite.c runtime/store/store_copy.c \
              $(STORE_PG_SRC)
CLI_SRC    := runtime/cli/qtm_cli.c
SERVE_SRC  := runtime/serve/serve.c runtime/serve/serve_queue.c runtime/serve/serve_conn.c \
              runtime/serve/serve_api.c runtime/serve/serve_rate.c runtime/serve/serve_static.c \
              runtime/serve/serve_backup.c
RUNTIME_OBJ := $(ENGINE_SRC:%.c=$(O)/%.o) $(STORE_SRC:%.c=$(O)/%.o)
CLI_OBJ     := $(CLI_SRC:%.c=$(O)/%.o)
# tests reach the engine's internals through its internal headers
INTERNAL_INC := -Iruntime/engine -Iruntime/store -Iruntime/serve
LIBQTM      := $(BUILD)/lib/libqtm.a
# PostgreSQL (runtime/store/store_pg*.c) is built in when libpq is
# installed.  Decided when a recipe runs, so after tools/deps.sh installed
# it, never when the Makefile is read; $(CONFIG_H) records the answer, and
# what includes it is rebuilt when the answer changes.
HAVE_PG    = $(shell pkg-config --exists libpq 2>/dev/null && echo 1)
PG_CFLAGS  = $(if $(HAVE_PG),$(shell pkg-config --cflags libpq))
PG_LIBS    = $(if $(HAVE_PG),$(shell pkg-config --libs libpq))
CONFIG_H  := $(G)/qtm_config.h
RT_LIBS      = $(LIBQTM) $(PKG_LIBS) $(IMG_LIBS) -lsqlite3 $(PG_LIBS) -lpthread
# the qtm command links its libraries statically when their archives are
# installed (Debian's -dev packages ship them): a run of `qtm job show` then
# spends ~40% fewer instructions, most of them in the dynamic loader
static_lib   = $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a))
STATIC_DEPS  = -Wl,-Bstatic -ljansson -lsodium -lsqlite3 -Wl,-Bdynamic -lm -ldl -lpthread
DYNAMIC_DEPS = $(PKG_LIBS) -lsqlite3 -lpthread
HAVE_STATIC  = $(and $(call static_lib,jansson),$(call static_lib,sodium),$(call static_lib,sqlite3))
MHD_CFLAGS   = $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS     = $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
QTM_LIBS     = $(LIBQTM) $(MHD_LIBS) $(if $(HAVE_STATIC),$(STATIC_DEPS),$(DYNAMIC_DEPS)) $(PG_LIBS) \
               $(IMG_LIBS) -lm
# the web desk (web/) is compiled into qtm
WEB_FILES   := $(shell find web -path '*/.*' -prune -o -type f -print 2>/dev/null | sort)
SERVE_OBJ   := $(SERVE_SRC:%.c=$(O)/%.o) $(O)/web/web_assets.o
RUNTIME_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_rt_*.c))
RUNTIME_BINS  := $(RUNTIME_TESTS:%=$(B)/%)

.PHONY: all deps test check demo golden docs sanitize valgrind bench bench-list bench-pg fuzz install clean tables browser

# keep objects make would otherwise delete as intermediate (and rebuild)
.SECONDARY:

all: $(QTMC) tables $(QTM)

deps:
	@tools/deps.sh test
	@mkdir -p $(BUILD) && touch $(DEPS_STAMP) $(TEST_DEPS_STAMP)

$(DEPS_STAMP): tools/deps.sh
	@tools/deps.sh build
	@mkdir -p $(@D) && touch $@

$(TEST_DEPS_STAMP): tools/deps.sh
	@tools/deps.sh test
	@mkdir -p $(@D) && touch $@

# written only when its text changes (the check runs on every make)
$(CONFIG_H): FORCE | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@printf '/* qtm_config.h - what this build found (written by make) */\n#define QTM_HAVE_PG %s\n' \
	    '$(if $(HAVE_PG),1,0)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE
FORCE:

STORE_PG_OBJ := $(STORE_PG_SRC:%.c=$(O)/%.o)
$(O)/runtime/store/store.o $(STORE_PG_OBJ) $(CLI_OBJ) $(O)/tests/test_rt_fault.o: $(CONFIG_H)
$(O)/runtime/store/store.o $(STORE_PG_OBJ) $(CLI_OBJ): CPPFLAGS += -I$(G)
$(STORE_PG_OBJ): ALL_CFLAGS += $(PG_CFLAGS)

# --- grammar -------------------------------------------------------------

$(O)/grammar/qsm.tab.c $(O)/grammar/qsm.tab.h &: grammar/qsm.y | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,BISON,$<)
	$(Q)bison -Wall -Werror -d -o $(O)/grammar/qsm.tab.c $<

$(O)/grammar/qsm.lex.c $(O)/grammar/qsm.lex.h &: grammar/qsm.l $(O)/grammar/qsm.tab.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,FLEX,$<)
	$(Q)flex --header-file=$(O)/grammar/qsm.lex.h -o $(O)/grammar/qsm.lex.c $<

$(O)/grammar/%.o: $(O)/grammar/%.c
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(GEN_CFLAGS) -c -o $@ $<

# every compiler object may include the generated headers
$(COMPILER_SRC:%.c=$(O)/%.o): $(O)/grammar/qsm.tab.h $(O)/grammar/qsm.lex.h

$(O)/%.o: %.c Makefile | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

QTMC_STATIC = -Wl,-Bstatic -ljansson -lsodium -Wl,-Bdynamic
QTMC_LIBS   = $(if $(HAVE_STATIC),$(QTMC_STATIC),$(LDLIBS))

$(QTMC): $(O)/compiler/qtmc.o $(COMPILER_OBJ)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ $(QTMC_LIBS)

# --- surface tables ------------------------------------------------------

tables: $(GEN_STAMP)

# --- tests ---------------------------------------------------------------

# tests build with the same warnings as the code they test; in a build with
# PostgreSQL (HAVE_PG) the runtime tests can also run there (QTM_TEST_DB,
# tests/unit/rt_fixture.c; RT_LIBS has libpq)
TEST_PG_CFLAGS = $(if $(HAVE_PG),-DRT_HAVE_PG $(PG_CFLAGS))
TEST_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN) $(PKG_CFLAGS) $(IMG_CFLAGS) $(TEST_PG_CFLAGS) -MMD -MP
# the fixture's libpq half comes and goes with HAVE_PG (recorded in $(CONFIG_H))
$(O)/tests/rt_fixture.o: $(CONFIG_H)

$(O)/tests/%.o: tests/unit/%.c Makefile | $(TEST_DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(INTERNAL_INC) -I$(G) $(TEST_CFLAGS) -c -o $@ $<

# fixtures shared by test files (not named test_*: they are no test binary)
RT_FIXTURE_OBJ   := $(O)/tests/rt_fixture.o
QTMC_FIXTURE_OBJ := $(O)/tests/qtmc_fixture.o
SEMA_FIXTURE_OBJ := $(O)/tests/sema_fixture.o

$(O)/tests/test_tables.o $(O)/tests/test_rt_intake.o: $(GEN_STAMP)
$(UNIT_TESTS:%=$(O)/tests/%.o) $(RT_FIXTURE_OBJ) $(QTMC_FIXTURE_OBJ) $(SEMA_FIXTURE_OBJ): \
    $(O)/grammar/qsm.tab.h $(O)/grammar/qsm.lex.h

$(B)/test_tables: $(O)/tests/test_tables.o $(GEN_OBJ)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ -lcmocka $(LDLIBS)

# libqtm holds no surface: programs link the registry they want beside it
$(LIBQTM): $(RUNTIME_OBJ)
	@mkdir -p $(@D)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# the migration tests need a registry with history: the test surfaces'
$(B)/test_rt_migrate: $(O)/tests/test_rt_migrate.o $(RT_FIXTURE_OBJ) $(TEST_GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(RT_FIXTURE_OBJ) $(TEST_GEN_OBJ) -lcmocka $(RT_LIBS)

# the file tests: a surface that declares its files (tests/surfaces/doc-evidence.qsm)
$(B)/test_rt_blob: $(O)/tests/test_rt_blob.o $(RT_FIXTURE_OBJ) $(TEST_GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(RT_FIXTURE_OBJ) $(TEST_GEN_OBJ) -lcmocka $(RT_LIBS)

# the fault tests: the test-only fault backend, and the registry with history (migrate)
FAULT_OBJ := $(O)/tests/store_fault.o
$(B)/test_rt_fault: $(O)/tests/test_rt_fault.o $(RT_FIXTURE_OBJ) $(FAULT_OBJ) $(TEST_GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $< $(RT_FIXTURE_OBJ) $(FAULT_OBJ) $(TEST_GEN_OBJ) -lcmocka $(RT_LIBS)

# the batch tests fail a batch's commit with the fault backend
$(B)/test_rt_batch: $(O)/tests/test_rt_batch.o $(RT_FIXTURE_OBJ) $(FAULT_OBJ) $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(RT_FIXTURE_OBJ) $(FAULT_OBJ) $(GEN_OBJ) -lcmocka $(RT_LIBS)

# the vocabulary test reads the web desk as compiled into qtm
VOCAB_WEB_OBJ := $(O)/runtime/serve/serve_static.o $(O)/web/web_assets.o
$(B)/test_rt_vocab: $(O)/tests/test_rt_vocab.o $(RT_FIXTURE_OBJ) $(GEN_OBJ) $(VOCAB_WEB_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $< $(RT_FIXTURE_OBJ) $(GEN_OBJ) $(VOCAB_WEB_OBJ) -lcmocka $(RT_LIBS)

$(B)/test_rt_%: $(O)/tests/test_rt_%.o $(RT_FIXTURE_OBJ) $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(RT_FIXTURE_OBJ) $(GEN_OBJ) -lcmocka $(RT_LIBS)

$(B)/test_sema_%: $(O)/tests/test_sema_%.o $(SEMA_FIXTURE_OBJ) $(QTMC_FIXTURE_OBJ) $(COMPILER_OBJ)
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ -lcmocka $(LDLIBS)

$(B)/test_%: $(O)/tests/test_%.o $(QTMC_FIXTURE_OBJ) $(COMPILER_OBJ)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $^ -lcmocka $(LDLIBS)

test check: $(TEST_DEPS_STAMP) $(QTMC) tables $(QTM) $(B)/qtm-test $(B)/qtm-test-v1 $(B)/qtm-imggen $(UNIT_BINS) $(RUNTIME_BINS)
	@BUILD=$(BUILD) CC=$(CC) UNIT_BINS="$(UNIT_BINS) $(RUNTIME_BINS)" tests/run.sh

golden: $(QTMC)
	@BUILD=$(BUILD) tests/golden/run.sh --update

# the one place qtmc writes into the source tree: the operator guides are
# kept in the repository (tests/run.sh checks they match the surfaces)
docs: $(QTMC)
	$(call msg,GEN,docs/surfaces)
	$(Q)$(QTMC) --emit doc -o docs/surfaces $(SURFACES)

sanitize:
	@BROWSER_NODE_DIR=$(CURDIR)/build/browser $(MAKE) --no-print-directory BUILD=build/sanitize \
	    SANITIZE=address,undefined CFLAGS="-O1 -g" test

# the web desk in headless chromium (also part of `make test`)
browser: $(QTM) | $(TEST_DEPS_STAMP)
	@BUILD=$(BUILD) tests/browser/run.sh

valgrind: $(TEST_DEPS_STAMP) $(QTMC) tables $(UNIT_BINS) $(RUNTIME_BINS)
	@BUILD=$(BUILD) tests/valgrind.sh

$(QTM): $(CLI_OBJ) $(SERVE_OBJ) $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(SERVE_OBJ) $(GEN_OBJ) $(QTM_LIBS)

$(O)/runtime/serve/%.o: runtime/serve/%.c Makefile | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(MHD_CFLAGS) -c -o $@ $<

# the desk's word lists (vocab.js) are generated from qtm/qtm_vocab.h
# by a host tool and embedded beside web/'s files (staged in $(WEB_ROOT))
WEB_ROOT := $(BUILD)/web/root
$(B)/gen_vocab: tools/gen_vocab.c $(PUBLIC_INC)/qtm/qtm_vocab.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -std=c11 $(WARN) -O2 -o $@ $<

$(BUILD)/web/vocab.js: $(B)/gen_vocab
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q)$< > $@.tmp && mv $@.tmp $@

# `wildcard web` makes removing a file rebuild too (the directory changes)
$(BUILD)/web/web_assets.c: tools/embed.sh $(WEB_FILES) $(wildcard web) $(BUILD)/web/vocab.js
	@mkdir -p $(@D)
	$(call msg,EMBED,web)
	$(Q)rm -rf $(WEB_ROOT) && mkdir -p $(WEB_ROOT) && cp -R web/. $(WEB_ROOT)/
	$(Q)cp $(BUILD)/web/vocab.js $(WEB_ROOT)/vocab.js
	$(Q)tools/embed.sh $(WEB_ROOT) > $@.tmp && mv $@.tmp $@

# the embedded desk is part of qtm serve: it includes serve.h
$(O)/web/web_assets.o: $(BUILD)/web/web_assets.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) -Iruntime/serve $(ALL_CFLAGS) -c -o $@ $<

$(B)/qtm-test-v1: $(CLI_OBJ) $(SERVE_OBJ) $(TEST_V1_GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(SERVE_OBJ) $(TEST_V1_GEN_OBJ) $(QTM_LIBS)

$(B)/qtm-test: $(CLI_OBJ) $(SERVE_OBJ) $(TEST_GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN) -o $@ $< $(SERVE_OBJ) $(TEST_GEN_OBJ) $(QTM_LIBS)

# the file tests' image generator (tests/tools/imggen.c): no image is downloaded
$(B)/qtm-imggen: tests/tools/imggen.c Makefile | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(IMG_LIBS)

$(B)/engine_bench: bench/engine_bench.c $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -I$(G) $(ALL_CFLAGS) -o $@ $< $(GEN_OBJ) $(RT_LIBS)

# --- demo ----------------------------------------------------------------

$(B)/walk: examples/walk.c $(GEN_OBJ)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) -I$(G) $(ALL_CFLAGS) -o $@ $^

demo: $(QTMC) tables $(QTM) $(B)/walk $(B)/qtm-imggen
	@BUILD=$(BUILD) examples/demo.sh

# --- bench and fuzz ------------------------------------------------------

$(B)/measure: bench/measure.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

$(B)/http_setup: bench/http_setup.c $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(GEN_OBJ) $(RT_LIBS)

$(B)/list_bench: bench/list_bench.c $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(GEN_OBJ) $(RT_LIBS)

# libqtm against the raw libpq write (bench/pg.sh); built only with libpq
$(B)/pg_raw: bench/pg_raw.c $(GEN_OBJ) $(LIBQTM)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PG_CFLAGS) -o $@ $< $(GEN_OBJ) $(RT_LIBS)

# the PostgreSQL figures (also part of make bench): a throwaway cluster,
# fsync on; without libpq pg_raw is not built and bench/pg.sh says skipped
bench-pg: $(TEST_DEPS_STAMP) $(QTM) $(B)/http_setup
	$(if $(HAVE_PG),@$(MAKE) --no-print-directory $(B)/pg_raw)
	@BUILD=$(BUILD) bench/pg.sh

# finding work: job list pages over 100,000 jobs (also runs alone: make bench-list)
bench-list: $(B)/list_bench
	@$(B)/list_bench --dir $(BUILD)/bench/list

bench: $(TEST_DEPS_STAMP) $(QTMC) $(QTM) $(B)/measure $(B)/engine_bench $(B)/http_setup \
       $(B)/qtm-imggen $(B)/list_bench
	@BUILD=$(BUILD) bench/run.sh
	@$(B)/list_bench --dir $(BUILD)/bench/list
	@BUILD=$(BUILD) bench/http.sh
	@BUILD=$(BUILD) bench/blobs.sh
	$(if $(HAVE_PG),@$(MAKE) --no-print-directory $(B)/pg_raw)
	@BUILD=$(BUILD) bench/pg.sh

FUZZ_CFLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              $(PKG_CFLAGS) -D_POSIX_C_SOURCE=200809L -Icompiler -I$(PUBLIC_INC) -I$(BUILD)/fuzz/grammar

fuzz: | $(DEPS_STAMP)
	@tools/deps.sh clang libclang-rt-14-dev
	@mkdir -p $(BUILD)/fuzz/grammar $(BUILD)/fuzz/corpus
	$(call msg,BISON,grammar/qsm.y)
	$(Q)bison -d -o $(BUILD)/fuzz/grammar/qsm.tab.c grammar/qsm.y
	$(call msg,FLEX,grammar/qsm.l)
	$(Q)flex --header-file=$(BUILD)/fuzz/grammar/qsm.lex.h -o $(BUILD)/fuzz/grammar/qsm.lex.c grammar/qsm.l
	$(call msg,LD,$(BUILD)/fuzz/fuzz_qtmc)
	$(Q)clang $(FUZZ_CFLAGS) -o $(BUILD)/fuzz/fuzz_qtmc tests/fuzz/fuzz_qtmc.c \
	    $(COMPILER_SRC) $(BUILD)/fuzz/grammar/qsm.tab.c $(BUILD)/fuzz/grammar/qsm.lex.c $(LDLIBS)
	$(Q)cp -n surfaces/*.qsm tests/fuzz/seeds/*.qsm tests/golden/*/*.qsm $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	$(BUILD)/fuzz/fuzz_qtmc -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -dict=tests/fuzz/qsm.dict \
	    -timeout=10 -rss_limit_mb=1024 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus

# --- install, clean ------------------------------------------------------

install: $(QTMC) $(QTM) $(LIBQTM)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/qtm \
	    $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(QTMC) $(DESTDIR)$(PREFIX)/bin/qtmc
	install -m 755 $(QTM) $(DESTDIR)$(PREFIX)/bin/qtm
	install -m 644 $(LIBQTM) $(DESTDIR)$(PREFIX)/lib/libqtm.a
	install -m 644 $(PUBLIC_INC)/qtm/qtm.h $(PUBLIC_INC)/qtm/qtm_surface.h \
	    $(PUBLIC_INC)/qtm/qtm_vocab.h $(DESTDIR)$(PREFIX)/include/qtm/
	install -m 644 runtime/cli/qtm.1 $(DESTDIR)$(PREFIX)/share/man/man1/qtm.1

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
