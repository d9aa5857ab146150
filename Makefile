# shucu - one Makefile for the server, the CLI, tests, fuzzing and benchmarks.
#
#   make          build build/shucud (and build/shucu when the CLI exists)
#   make run      install missing packages, build, load demo data, serve
#   make test     install, build (tests under ASan+UBSan), run every suite
#   make fuzz     run the libFuzzer targets for FUZZ_SECONDS each
#   make bench    run the benchmarks under bench/ (not part of make test)
#   make soak     a bounded soak under mixed load (SOAK_SECONDS, default 300;
#                 docs/soak.md); make bench ends with one too
#   make web      npm ci (node_modules for the browser tests) and copy ECharts
#                 into clients/web/vendor/ for the console's dashboard

PKGS      := libevent libevent_pthreads jansson hiredis sqlite3 libsodium libcurl xlsxwriter
CC        ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wpointer-arith -Wformat=2 \
             -Wno-unused-parameter -Wno-format-truncation -Wvla
CFLAGS    ?= -O2 -g
# server/ has one folder per layer (docs/design.md): lib (small structures),
# core (process and HTTP), store (SQLite, Redis, vocabularies), api (handlers).
SERVER_DIRS := server/lib server/core server/store server/api
INC       := -Iserver $(SERVER_DIRS:%=-I%) -Iindex
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(INC) $(PKG_CFLAGS) $(CFLAGS)
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
LDLIBS    := $(PKG_LIBS) -lunistring -lm -pthread

SRC       := $(wildcard server/*.c $(SERVER_DIRS:%=%/*.c) index/*.c)
LIB_SRC   := $(filter-out server/main.c,$(SRC))
OBJ       := $(SRC:%.c=build/obj/%.o)
SAN_OBJ   := $(SRC:%.c=build/asan/%.o)
SAN_LIB   := $(LIB_SRC:%.c=build/asan/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

CLI_SRC   := $(wildcard clients/cli/*.c)
CLI_BIN   := $(if $(CLI_SRC),build/shucu)

FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all deps run test test-build unit api fuzz bench soak ha clean web screenshots

all: build/shucud $(CLI_BIN) web

deps:
	@bash scripts/deps.sh

build/shucud: $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/asan/shucud: $(SAN_OBJ)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/asan/tests/%: tests/unit/%.c $(SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -MMD -MP -o $@ $< $(SAN_LIB) $(LDLIBS)

build/shucu: $(CLI_SRC)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -o $@ $^ $(shell pkg-config --cflags --libs libcurl jansson) -lm

# Fuzz targets link the library objects built with clang's libFuzzer.
# The targets exercise index/ (tokenizer, query builder) and server/
# (validation, routing); each is linked with all library sources.
build/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	  $(INC) $(PKG_CFLAGS) -o $@ $^ $(LDLIBS)

# The web console: node_modules from package-lock.json (npm ci; npm install
# when there is no lock), and ECharts copied to clients/web/vendor/ (gitignored)
# so the console needs no CDN.  Without npm the console still works, minus
# the dashboard's charts; `make deps` installs npm.
WEB_STAMP  := node_modules/.package-lock.json
WEB_VENDOR := clients/web/vendor/echarts.min.js

web: $(WEB_VENDOR)

$(WEB_STAMP): package.json $(wildcard package-lock.json)
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "shucu: npm not found; skipping the web console's packages (make deps installs it)"; \
	elif [ -f package-lock.json ]; then \
	  npm ci --no-audit --no-fund --loglevel=error; \
	else \
	  npm install --no-audit --no-fund --loglevel=error; \
	fi

$(WEB_VENDOR): $(WEB_STAMP)
	@if [ -f node_modules/echarts/dist/echarts.min.js ]; then \
	  mkdir -p $(@D) && cp node_modules/echarts/dist/echarts.min.js $@ && echo "cp echarts.min.js -> $@"; \
	fi

test-build: all build/asan/shucud $(UNIT_BIN) $(FUZZ_BIN)

test: deps
	@$(MAKE) --no-print-directory test-build
	@bash scripts/run-tests.sh

# The console's screenshots shown in the README: the browser tests, writing
# docs/screenshots/ instead of build/screenshots/.
screenshots: all
	@SHUCU_SCREENSHOTS=docs bash tests/web/run.sh

fuzz: deps $(FUZZ_BIN)
	@bash scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

run: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/run.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh

ha: ; @bash bench/ha/run.sh

soak: deps
	@$(MAKE) --no-print-directory build/shucud
	@bash bench/soak.sh

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(UNIT_BIN:=.d)
