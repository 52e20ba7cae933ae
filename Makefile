# DriftDB - one hand-written Makefile (STYLE.md 17).
#
#   make            build build/driftdb, build/driftdb-server and the tests
#   make run        install missing Debian packages, build, start the server on 127.0.0.1:5433 with ./data
#   make test       build and run every suite; last line "N passed, N failed"
#   make asan       the same suites under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check      layering check (no upward includes) + warnings build
#   make bench      benchmarks (not part of test)

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -g $(OPT) $(SAN) -D_GNU_SOURCE -Iinclude -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := $(SAN)
LIBS    := -llmdb -lssl -lcrypto -lpthread -lm

LIB_SRC    := $(sort $(wildcard src/util/*.c src/store/*.c src/temporal/*.c src/sql/*.c src/engine/*.c))
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

.PHONY: all run test asan ubsan check bench clean deps
# keep intermediate objects (make would delete them and print "rm ..." after the test summary)
.SECONDARY:

all: $(BUILD)/driftdb $(BUILD)/driftdb-server $(UNIT_BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBDD): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/driftdb: $(CLI_OBJ) $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBDD) -ledit $(LIBS)

$(BUILD)/driftdb-server: $(SERVER_OBJ) $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $(SERVER_OBJ) $(LIBDD) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBDD)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) $(LIBS)

$(BUILD)/tests/slt/% $(BUILD)/tests/crash/% $(BUILD)/bench/%: CFLAGS += -Isrc
$(BUILD)/tests/slt/%: $(BUILD)/tests/slt/%.o $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) $(LIBS)
$(BUILD)/tests/crash/%: $(BUILD)/tests/crash/%.o $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) $(LIBS)
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBDD)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBDD) -lsqlite3 $(LIBS)

deps:
	@sh scripts/deps.sh

run: deps all
	@mkdir -p data
	@test -f data/driftdb.mdb || $(BUILD)/driftdb init ./data
	$(BUILD)/driftdb-server --data-path ./data --listen 127.0.0.1:5433

test: deps all
	@BUILD=$(BUILD) sh tests/run_all.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test

ubsan:
	@$(MAKE) --no-print-directory BUILD=build-ubsan OPT=-O1 SAN="-fsanitize=undefined -fno-sanitize-recover=undefined" test

check: all
	@sh scripts/check_layers.sh

bench: all
	@sh bench/run.sh

clean:
	rm -rf build build-asan build-ubsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
