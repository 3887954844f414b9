# rtcjob: the `rtc` Lua C module for Huawei Cloud SparkRTC (CloudRTC v2): all 28 operations.
#   make            build build/lua5.4/rtc.so (make LUA=luajit / LUA=lua5.3: build/<lua>/rtc.so;
#                   never ./rtc.so, which is where `luarocks make` builds)
#   make demo       start the mock server, run the examples against it, stop it
#   make test       the busted specs (make test LUA=luajit runs them under LuaJIT)
#   make torture    the torture harness under ASan/UBSan on lua5.4, lua5.3, lua5.1 and luajit
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

# make's build of every Lua goes to build/<lua>/ (luarocks make builds ./rtc.so: they never meet)
OUT := build/$(LUA)
RUN_ENV := RTC_CPATH="$(OUT)/?.so"

# The C, by layer: each layer's files are the .c files of its folder (nothing listed by hand),
# and each layer is compiled with the include path of the layers it may call and no other. The
# core (src/base, src/api, src/core, src/core/auth) never sees Lua's headers: a core file that
# includes one does not build. What may call what (lower layers never include higher ones):
#   src/base       buffer, text                         (calls nothing of ours)
#   src/api        the API's rows and their look-ups    (base)
#   src/core/auth  credentials chain, profile, metadata (base)
#   src/core       policy, signer, headers, dispatcher, engine (base, api, auth)
#   src/lua        the binding: options, validate, build, decode, client, batch ... (all of them, Lua)
#   rtcjob.c       the front door: luaopen_rtc          (lua and the layers below it)
LAYERS        := base api core/auth core lua
layer_sources  = $(sort $(wildcard src/$(1)/*.c))
SRC_CORE      := $(foreach l,base api core/auth core,$(call layer_sources,$(l)))
SRC_LUA       := rtcjob.c $(call layer_sources,lua)
SOURCES       := $(SRC_LUA) $(SRC_CORE)
HEADERS       := $(sort $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.h)))
INC_base      := -Isrc/base
INC_api       := $(INC_base) -Isrc/api
INC_auth      := $(INC_base) -Isrc/core/auth
INC_core      := $(INC_api) -Isrc/core/auth -Isrc/core
INC_lua       := $(INC_core) -Isrc/lua
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes
CFLAGS   ?= -O2 -g
BASE_CFLAGS := -std=c99 -fPIC $(WARN) $(CFLAGS)
CORE_PC   := libcurl libcrypto jansson
CORE_CFLAGS := $(BASE_CFLAGS) $(shell pkg-config --cflags $(CORE_PC) 2>/dev/null)
LUA_CFLAGS  := $(BASE_CFLAGS) $(shell pkg-config --cflags $(LUA_PC) $(CORE_PC) 2>/dev/null)
LIBS     := $(shell pkg-config --libs $(CORE_PC) 2>/dev/null) -lm
OBJ      := $(OUT)/obj
# make V=1 shows each compiler command in full
ifeq ($(V),1)
  Q :=
else
  Q := @
endif
OBJECTS  := $(patsubst %.c,$(OBJ)/%.o,$(SOURCES))

# Debian packages the build, the tests and the demo need (make deps installs the missing ones)
# (the suite also runs the OpenResty example, the LuaJIT build, the TLS and luarocks specs)
DEB_PACKAGES := lua5.4 liblua5.4-dev lua-cjson lua-argparse lua-dkjson lua-yaml libcurl4-openssl-dev libssl-dev lua-socket \
  lua-busted lua-luaossl libjansson-dev pkg-config gcc make openssl curl nginx libnginx-mod-http-lua luajit2 \
  libluajit2-5.1-dev luarocks
DEB_TEST_PACKAGES := lua5.3 liblua5.3-dev lua5.1 liblua5.1-0-dev lua-cjson-dev valgrind clang libclang-rt-14-dev lua-check cppcheck \
  clang-tidy jp zsh fish wrk

.PHONY: all deps deps-test demo test test-all test-openresty embed bench memcheck fuzz lint torture \
  install clean dist rock

all: $(OUT)/rtc.so $(OUT)/librtcjob.a

# the same objects as a static library, for C hosts that embed Lua (make install: lib/librtcjob.a,
# include/rtcjob.h, lib/pkgconfig/rtcjob.pc)
$(OUT)/librtcjob.a: $(OBJECTS)
	@$(if $(Q),echo "  ar $@")
	$(Q)rm -f $@ && ar rcs $@ $(OBJECTS)

$(OUT)/rtc.so: $(OBJECTS)
	@$(if $(Q),echo "  ld $@")
	$(Q)$(CC) $(BASE_CFLAGS) -shared -o $@ $(OBJECTS) $(LIBS)

# one rule per layer: its own include path, and Lua's only for the binding and the front door
$(OBJ)/src/base/%.o: src/base/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  cc $<")
	$(Q)$(CC) $(CORE_CFLAGS) $(INC_base) -MMD -MP -c -o $@ $<
$(OBJ)/src/api/%.o: src/api/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  cc $<")
	$(Q)$(CC) $(CORE_CFLAGS) $(INC_api) -MMD -MP -c -o $@ $<
$(OBJ)/src/core/auth/%.o: src/core/auth/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  cc $<")
	$(Q)$(CC) $(CORE_CFLAGS) $(INC_auth) -MMD -MP -c -o $@ $<
$(OBJ)/src/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  cc $<")
	$(Q)$(CC) $(CORE_CFLAGS) $(INC_core) -MMD -MP -c -o $@ $<
$(OBJ)/src/lua/%.o: src/lua/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  cc $<")
	$(Q)$(CC) $(LUA_CFLAGS) $(INC_lua) -MMD -MP -c -o $@ $<
$(OBJ)/rtcjob.o: rtcjob.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  cc $<")
	$(Q)$(CC) $(LUA_CFLAGS) $(INC_lua) -MMD -MP -c -o $@ $<

-include $(OBJECTS:.o=.d)

# The lists, for scripts (fuzz/run.sh, spec/unit/rows_spec.lua, examples/embed/test.sh): one line each.
.PHONY: print-sources print-includes
print-sources:
	@echo $(SOURCES)
print-includes:
	@echo $(INC_lua)

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
	@$(RUN_ENV) $(LUA) examples/demo.lua

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
	  $$(pkg-config --cflags --libs lua5.4 libcurl libcrypto jansson) -lm $(INC_lua)

embed: deps $(EMBED_HOST)
	@RTC_HOST=$(EMBED_HOST) bash examples/embed/test.sh

bench: deps-test
	@$(MAKE) --no-print-directory all
	@$(RUN_ENV) bash bench/run.sh

memcheck: deps-test
	@$(MAKE) --no-print-directory all
	@$(RUN_ENV) LUA_CPATH_5_4="$(CURDIR)/$(OUT)/?.so;;" bash memcheck/run.sh

fuzz: deps-test
	@bash fuzz/run.sh $(FUZZ_SECONDS)

# The torture harness: every public function with hostile arguments and finalizers, on every Lua,
# against build/asan-<lua>/rtc.so (clang, ASan + UBSan). TORTURE_LUAS="lua5.4" for one.
torture: deps-test
	@bash torture/run.sh

LUA_FILES := $(shell git ls-files '*.lua' 'bin/rtcjob' 2>/dev/null)
lint: deps-test
	luacheck --quiet $(LUA_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c99 --inline-suppr --suppress=toomanyconfigs $(shell pkg-config --cflags-only-I $(LUA_PC)) $(INC_lua) $(SOURCES)
	clang-tidy --quiet --warnings-as-errors='*' \
	  --checks='-clang-analyzer-valist.Uninitialized' $(SOURCES) -- \
	  -std=c99 $(INC_lua) $(shell pkg-config --cflags $(LUA_PC) libcurl libcrypto)

# The module, rtc/ngx.lua (OpenResty) and the command, whose shebang names the interpreter the
# module was built for (make install LUA=luajit: #!/usr/bin/env luajit).
install: all
	install -d $(DESTDIR)$(PREFIX)/lib/lua/$(LUA_V) $(DESTDIR)$(PREFIX)/share/lua/$(LUA_V)/rtc \
	  $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(OUT)/rtc.so $(DESTDIR)$(PREFIX)/lib/lua/$(LUA_V)/rtc.so
	install -m 0644 rtc/ngx.lua $(DESTDIR)$(PREFIX)/share/lua/$(LUA_V)/rtc/ngx.lua
	install -d $(DESTDIR)$(PREFIX)/share/lua/$(LUA_V)/rtc/ngx
	install -m 0644 rtc/ngx/events.lua rtc/ngx/subrequest.conf $(DESTDIR)$(PREFIX)/share/lua/$(LUA_V)/rtc/ngx/
	install -d $(DESTDIR)$(PREFIX)/share/lua/$(LUA_V)/rtc/cli
	install -m 0644 rtc/cli/*.lua $(DESTDIR)$(PREFIX)/share/lua/$(LUA_V)/rtc/cli/
	sed '1s|^#!.*|#!/usr/bin/env $(LUA)|' bin/rtcjob > $(DESTDIR)$(PREFIX)/bin/rtcjob.tmp
	chmod 0755 $(DESTDIR)$(PREFIX)/bin/rtcjob.tmp
	mv -f $(DESTDIR)$(PREFIX)/bin/rtcjob.tmp $(DESTDIR)$(PREFIX)/bin/rtcjob
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 0644 $(OUT)/librtcjob.a $(DESTDIR)$(PREFIX)/lib/librtcjob.a
	install -m 0644 rtcjob.h $(DESTDIR)$(PREFIX)/include/rtcjob.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@LUA_PC@|$(LUA_PC)|' rtcjob.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rtcjob.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 man/rtcjob.1 $(DESTDIR)$(PREFIX)/share/man/man1/rtcjob.1
	install -m 0644 completion/rtcjob.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/rtcjob
	install -m 0644 completion/_rtcjob $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_rtcjob
	install -m 0644 completion/rtcjob.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/rtcjob.fish

# the source tarball of HEAD the rockspec's source names, and the source rock packed from it
VERSION := 0.1.0
dist:
	@mkdir -p build
	git archive --prefix=rtcjob-$(VERSION)/ -o build/rtcjob-$(VERSION).tar.gz HEAD

rock: dist
	sed 's|file://build/|file://$(CURDIR)/build/|' rtcjob-$(VERSION)-1.rockspec > build/rtcjob-$(VERSION)-1.rockspec
	cd build && luarocks --lua-version=5.4 pack rtcjob-$(VERSION)-1.rockspec

clean:
	rm -rf rtc.so *.o build examples/embed/rtc-host bench/bare_curl fuzz/*.o fuzz/*-fuzzer fuzz/obj

# The man page and the completions of bash, zsh and fish, written by the command itself from its
# command table (which comes from the module's operation rows; argparse writes the completions).
# They are committed (the rockspec cannot run the command); spec/packaging/install_spec.lua
# checks they are current. make install puts them where man and each shell look.
.PHONY: man
man: all
	@mkdir -p man completion
	@RTC_CPATH="$(OUT)/?.so" $(LUA) bin/rtcjob man > man/rtcjob.1
	@RTC_CPATH="$(OUT)/?.so" $(LUA) bin/rtcjob completion bash > completion/rtcjob.bash
	@RTC_CPATH="$(OUT)/?.so" $(LUA) bin/rtcjob completion zsh > completion/_rtcjob
	@RTC_CPATH="$(OUT)/?.so" $(LUA) bin/rtcjob completion fish > completion/rtcjob.fish

# The rockspec's list of C sources, from the same folders (spec/packaging/luarocks_spec.lua
# checks that they agree).
.PHONY: rockspec
rockspec:
	@$(LUA) tools/rockspec_sources.lua rtcjob-$(VERSION)-1.rockspec $(SOURCES)

# The README's table of operations, from the module's rows (spec/packaging/reference_spec.lua checks it).
.PHONY: docs
docs: all
	@RTC_CPATH="$(OUT)/?.so" $(LUA) -e 'package.cpath = os.getenv("RTC_CPATH") .. ";" .. package.cpath' \
	  tools/reference.lua README.md
