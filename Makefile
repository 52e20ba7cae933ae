# DriftDB - one hand-written Makefile.
#
#   make            build build/driftdb, build/driftdb-server and the tests
#   make run        install missing Debian packages, build, start the server on 127.0.0.1:5433 with ./data
#                   (make run PORT=5434: another port)
#   make test       build and run every suite; last line "N passed, N failed"
#   make asan       the same suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check      layering check (no upward includes) + warnings build
#   make planner-long  the planner's randomized test against PostgreSQL, 200 rounds
#   make crash      the crash test, 200 rounds of kill -9 and power loss (a short run is part of test)
#   make isolation  the isolation specs only, against DriftDB and PostgreSQL 15 (part of test)
#   make install    the two binaries and their man pages under $(DESTDIR)$(PREFIX) (/usr/local)
#   make bench      benchmarks (not part of test)
#   make fuzz       libFuzzer targets (clang), each run FUZZ_SECONDS (60) on tests/fuzz/corpus

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -g $(OPT) $(SAN) -D_GNU_SOURCE -Iinclude -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := $(SAN)
LIBS    := -llmdb -lzstd -lpcre2-8 -lssl -lcrypto -lpthread -lm

LIB_SRC    := $(sort $(wildcard src/util/*.c src/store/*.c src/temporal/*.c src/sql/*/*.c src/sql/*.c src/engine/*.c))
CLI_SRC    := $(sort $(wildcard src/cli/*.c))
SERVER_SRC := $(sort $(wildcard src/server/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/slt/*.c tests/crash/*.c bench/*.c))

LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN   := $(patsubst %.c,$(BUILD)/%,$(TOOL_SRC))

LIBDD := $(BUILD)/libdriftdb.a

.PHONY: all run test asan ubsan check bench clean deps fuzz planner-long isolation install crash
# keep intermediate objects (make would delete them and print "rm ..." after the test summary)
.SECONDARY:

all: $(BUILD)/driftdb $(BUILD)/driftdb-server $(UNIT_BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBDD): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# the CLI reaches running servers through libpq (libpq-dev)
PQ_CFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
$(BUILD)/src/cli/%.o: CFLAGS += $(PQ_CFLAGS)
$(BUILD)/driftdb: $(CLI_OBJ) $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBDD) -ledit -lpq $(LIBS)

# the HTTP listener (/metrics, /health) is libmicrohttpd's (libmicrohttpd-dev)
$(BUILD)/driftdb-server: $(SERVER_OBJ) $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $(SERVER_OBJ) $(LIBDD) -lmicrohttpd $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBDD)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) $(LIBS)
# the server's table of sessions, tested on its own
$(BUILD)/tests/test_backends: $(BUILD)/tests/unit/test_backends.o $(BUILD)/src/server/backends.o $(LIBDD)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/src/server/backends.o $(LIBDD) $(LIBS)

$(BUILD)/tests/slt/% $(BUILD)/tests/crash/% $(BUILD)/bench/%: CFLAGS += -Isrc
# the slt runner's server mode talks to driftdb-server through libpq (libpq-dev)
$(BUILD)/tests/slt/%: CFLAGS += $(PQ_CFLAGS)
$(BUILD)/tests/slt/%: $(BUILD)/tests/slt/%.o $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) -lpq $(LIBS)
# the crash test's programs carry the power-loss fault layer (inert unless
# DD_POWERLOSS_DIR is set; tests/crash/fault/powerloss.c)
$(BUILD)/tests/crash/%: $(BUILD)/tests/crash/%.o $(BUILD)/tests/crash/fault/powerloss.o $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/tests/crash/fault/powerloss.o $(LIBDD) $(LIBS) -ldl
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) -lsqlite3 $(LIBS)

deps:
	@sh scripts/deps.sh

PORT ?= 5433
run: deps all
	@mkdir -p data
	@test -f data/driftdb.mdb || $(BUILD)/driftdb init ./data
	$(BUILD)/driftdb-server --data-path ./data --listen 127.0.0.1:$(PORT)

test: deps all
	@BUILD=$(BUILD) sh tests/run_all.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

ubsan:
	@$(MAKE) --no-print-directory BUILD=build-ubsan OPT=-O1 SAN="-fsanitize=undefined -fno-sanitize-recover=undefined" test

# the crash test, long: 200 rounds of kill -9 and power loss (tests/crash/README.md)
crash: deps all
	@CRASH_ROUNDS=$${CRASH_ROUNDS:-200} BUILD=$(BUILD) sh tests/crash/run.sh

# the planner's randomized test against PostgreSQL, long (tests/planner/README.md)
planner-long: deps all
	@PLANNER_SEED=$$(date +%s) PLANNER_ROUNDS=200 PLANNER_QUERIES=100 sh tests/planner/run.sh

# concurrent sessions on DriftDB and on PostgreSQL 15, compared (tests/isolation/README.md)
isolation: deps $(BUILD)/driftdb $(BUILD)/driftdb-server
	@/usr/bin/python3 tests/isolation/run.py $(BUILD)

PREFIX  ?= /usr/local
DESTDIR ?=
install: $(BUILD)/driftdb $(BUILD)/driftdb-server
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/driftdb $(BUILD)/driftdb-server $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/driftdb.1 man/driftdb-server.1 $(DESTDIR)$(PREFIX)/share/man/man1/

check: all
	@sh scripts/check_layers.sh

bench: all
	@sh bench/run.sh

# ---- fuzzing (tests/fuzz/README.md) ----
# Everything is compiled again with clang into build-fuzz/ (never the gcc
# objects); each target then runs FUZZ_SECONDS on its seed corpus, one at a
# time.  New inputs go to build-fuzz/corpus/<name>, crashes to
# build-fuzz/crash/<name>/, logs to build-fuzz/<name>.log.  Fails if any
# target crashed.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZ_CC      := clang
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -g -O1 $(FUZZ_SAN) -D_GNU_SOURCE -Iinclude -Isrc -MMD -MP
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/src/server/pgwire.o $(FUZZ_BUILD)/src/server/backends.o \
                $(FUZZ_BUILD)/src/server/hba.o $(FUZZ_BUILD)/src/server/tls.o $(FUZZ_BUILD)/src/server/log.o \
                $(FUZZ_BUILD)/src/server/metrics.o

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libdriftdb.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libdriftdb.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libdriftdb.a $(LIBS)

fuzz:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@failed=""; for t in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crash/$$t; \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s, log in $(FUZZ_BUILD)/$$t.log"; \
	    if $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=25 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/crash/$$t/ \
	        $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t.log 2>&1; then \
	        grep -E '^#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ_BUILD)/$$t.log | sed 's/^/  /'; \
	    else \
	        tail -n 40 $(FUZZ_BUILD)/$$t.log; failed="$$failed $$t"; \
	    fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed (inputs in $(FUZZ_BUILD)/crash/)"; exit 1; fi; \
	echo "fuzz: no crash in $(FUZZ_NAMES)"

clean:
	rm -rf build build-asan build-ubsan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
ifneq ($(filter fuzz $(FUZZ_BUILD)/%,$(MAKECMDGOALS)),)
-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
endif
