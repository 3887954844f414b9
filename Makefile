# rtcjob: the `rtc` Lua C module for SparkRTC individual stream recording jobs.
#   make            build rtc.so for Lua 5.4 (make LUA=luajit / LUA=lua5.3: build/<lua>/rtc.so)
#   make demo       start the mock server, run the examples against it, stop it
#   make test       the busted specs (make test LUA=luajit runs them under LuaJIT)
#   make deps       install the Debian packages that are missing (run by demo and test)
LUA      ?= lua5.4
CC       ?= cc
PREFIX   ?= /usr/local
BUSTED   ?= busted

ifeq ($(LUA),luajit)
  LUA_PC := luajit
  LUA_V  := 5.1
else
  LUA_PC := $(LUA)
  LUA_V  := $(patsubst lua%,%,$(LUA))
endif

ifeq ($(LUA),lua5.4)
  OUT := .
else
  OUT := build/$(LUA)
endif

SOURCES  := rtc_module.c rtc_client.c rtc_batch.c rtc_options.c rtc_error.c rtc_build.c rtc_decode.c rtc_schema.c rtc_api.c rtc_reflect.c rtc_policy.c rtc_policy_lua.c rtc_dispatch.c rtc_request.c rtc_engine.c rtc_buf.c rtc_text.c rtc_sign.c
HEADERS  := rtc.h rtc_compat.h rtc_sign.h rtc_api.h rtc_buf.h rtc_text.h rtc_policy.h rtc_engine.h rtc_dispatch.h rtc_policy_lua.h rtc_reflect.h rtc_request.h
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c99 -fPIC $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(LUA_PC) libcurl libcrypto 2>/dev/null)
LIBS     := $(shell pkg-config --libs libcurl libcrypto 2>/dev/null) -lm

# Debian packages the build, the tests and the demo need (make deps installs the missing ones)
# (the suite also runs the OpenResty example, the LuaJIT build, the TLS and luarocks specs)
DEB_PACKAGES := lua5.4 liblua5.4-dev lua-cjson libcurl4-openssl-dev libssl-dev lua-socket \
  lua-busted lua-luaossl pkg-config gcc make openssl curl nginx libnginx-mod-http-lua luajit2 \
  libluajit2-5.1-dev luarocks
DEB_TEST_PACKAGES := lua5.3 liblua5.3-dev valgrind clang libclang-rt-14-dev lua-check cppcheck \
  clang-tidy

.PHONY: all deps deps-test demo test test-all test-openresty embed bench memcheck fuzz lint \
  install clean

all: $(OUT)/rtc.so

$(OUT)/rtc.so: $(SOURCES) $(HEADERS)
	@mkdir -p $(OUT)
	$(CC) $(ALL_CFLAGS) -shared -o $@ $(SOURCES) $(LIBS)

# Installs what is missing, and nothing when all is there (apt-get update once, only then).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

deps-test:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(DEB_PACKAGES) $(DEB_TEST_PACKAGES)"

demo: deps
	@$(MAKE) --no-print-directory all
	@$(LUA) examples/demo.lua

# The mock always runs under lua5.4 (LuaSocket and luaossl), whichever Lua the specs run under.
test: deps
	@$(MAKE) --no-print-directory all
	@RTC_LUA=$(LUA) RTC_MOCK_LUA=lua5.4 RTC_CPATH="$(OUT)/?.so" \
	  $(BUSTED) --lua=$(LUA) --cpath="$(OUT)/?.so" $(BUSTED_ARGS)

# Everything CI runs: the suite under each Lua, memcheck, lint (see .ci/run).
test-all: deps-test
	@bash .ci/run

test-openresty: deps-test
	@$(MAKE) --no-print-directory all LUA=luajit
	@bash examples/openresty/test.sh

EMBED_HOST := examples/embed/rtc-host

$(EMBED_HOST): examples/embed/host.c $(SOURCES) $(HEADERS)
	$(CC) -O2 $(WARN) -o $@ examples/embed/host.c $(SOURCES) \
	  $$(pkg-config --cflags --libs lua5.4 libcurl libcrypto) -lm -I.

embed: deps $(EMBED_HOST)
	@RTC_HOST=$(EMBED_HOST) bash examples/embed/test.sh

bench: deps-test
	@$(MAKE) --no-print-directory all
	@bash bench/run.sh

memcheck: deps-test
	@$(MAKE) --no-print-directory all
	@bash memcheck/run.sh

fuzz: deps-test
	@bash fuzz/run.sh $(FUZZ_SECONDS)

LUA_FILES := $(shell git ls-files '*.lua' 'bin/rtcjob' 2>/dev/null)
lint: deps-test
	luacheck --quiet $(LUA_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c99 --inline-suppr --suppress=toomanyconfigs $(shell pkg-config --cflags-only-I $(LUA_PC)) $(SOURCES)
	clang-tidy --quiet --warnings-as-errors='*' \
	  --checks='-clang-analyzer-valist.Uninitialized' $(SOURCES) -- \
	  -std=c99 $(shell pkg-config --cflags $(LUA_PC) libcurl libcrypto)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/lua/$(LUA_V) $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(OUT)/rtc.so $(DESTDIR)$(PREFIX)/lib/lua/$(LUA_V)/rtc.so
	install -m 0755 bin/rtcjob $(DESTDIR)$(PREFIX)/bin/rtcjob

clean:
	rm -rf rtc.so *.o build examples/embed/rtc-host bench/bare_curl fuzz/*.o fuzz/*-fuzzer fuzz/obj
