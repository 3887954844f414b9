rockspec_format = "3.0"
package = "rtcjob"
version = "0.1.0-1"
-- `luarocks make` builds the checkout as it is. `make rock` packs a source rock: `make dist`
-- writes build/rtcjob-0.1.0.tar.gz (git archive of HEAD), and luarocks pack fetches it (given
-- this URL made absolute: luarocks resolves a relative file:// in its own temporary directory).
source = {
  url = "file://build/rtcjob-0.1.0.tar.gz",
  dir = "rtcjob-0.1.0",
}
description = {
  summary = "Huawei Cloud SparkRTC (CloudRTC v2) from Lua: all 28 operations, events, join signatures,"
    .. " OpenResty, the rtcjob command, a mock (a C module on libcurl)",
  detailed = [[
    rtc: all 28 SparkRTC (CloudRTC v2) operations (individual stream and mix recording jobs,
    apps, record rules, auto-record, callbacks, rooms, OBS buckets), the recording events and
    join signatures.
    Schema-checked Lua tables in, documented types out; AK/SK (SDK-HMAC-SHA256) or token auth;
    deadlines, retries and failover; batches over curl multi; a sans-I/O prepare/decode;
    rtc.ngx, the same client for OpenResty whose calls never block the nginx worker; and the
    rtcjob command. Needs libcurl and OpenSSL's libcrypto (Debian: libcurl4-openssl-dev
    libssl-dev).
  ]],
  homepage = "https://github.com/rtcjob/rtcjob",
  license = "MIT",
  labels = { "huawei", "sparkrtc", "rtc", "http", "openresty" },
}
-- lua-cjson, lua-argparse and lua-dkjson from Debian (apt-get install lua-cjson lua-argparse
-- lua-dkjson) are not rocks LuaRocks can see: there, use `luarocks make --deps-mode=none` (or
-- list them under rocks_provided in LuaRocks' config). --output yaml needs lua-yaml (the rock
-- lyaml), optional.
dependencies = {
  "lua >= 5.1, < 5.5",
  "lua-cjson >= 2.1",
  "argparse >= 0.7",   -- the command line of rtcjob (Debian: lua-argparse)
  "dkjson >= 2.5",     -- rtcjob's ordered JSON output (Debian: lua-dkjson)
}
external_dependencies = {
  CURL = { library = "curl" }, -- Debian keeps curl/curl.h under the multiarch include dir
  OPENSSL = { header = "openssl/evp.h", library = "crypto" },
  JANSSON = { header = "jansson.h", library = "jansson" },
}
build = {
  type = "builtin",
  modules = {
    rtc = {
      sources = { "rtcjob.c", "src/lua/rtc_batch.c", "src/lua/rtc_build.c", "src/lua/rtc_client.c",
                  "src/lua/rtc_credentials_lua.c", "src/lua/rtc_decode.c", "src/lua/rtc_error.c",
                  "src/lua/rtc_events_lua.c", "src/lua/rtc_join_lua.c", "src/lua/rtc_normalize.c",
                  "src/lua/rtc_options.c", "src/lua/rtc_pages.c", "src/lua/rtc_policy_lua.c",
                  "src/lua/rtc_reflect.c", "src/lua/rtc_sign_lua.c", "src/lua/rtc_validate.c",
                  "src/lua/rtc_wait.c", "src/base/rtc_buf.c", "src/base/rtc_text.c",
                  "src/api/rtc_api.c", "src/api/rtc_models_apps.c", "src/api/rtc_models_events.c",
                  "src/api/rtc_models_jobs.c", "src/api/rtc_models_mix.c",
                  "src/core/auth/rtc_credentials.c", "src/core/auth/rtc_metadata.c",
                  "src/core/auth/rtc_profile.c", "src/core/rtc_dispatch.c",
                  "src/core/rtc_dispatch_queues.c", "src/core/rtc_engine.c",
                  "src/core/rtc_events.c", "src/core/rtc_headers.c", "src/core/rtc_join.c",
                  "src/core/rtc_policy.c", "src/core/rtc_sign.c" },
      libraries = { "curl", "crypto", "jansson" },
      incdirs = { "src/base", "src/api", "src/core/auth", "src/core", "src/lua",
                  "$(CURL_INCDIR)", "$(OPENSSL_INCDIR)", "$(JANSSON_INCDIR)" },
      libdirs = { "$(CURL_LIBDIR)", "$(OPENSSL_LIBDIR)", "$(JANSSON_LIBDIR)" },
      defines = {},
    },
    ["rtc.ngx"] = "rtc/ngx.lua",
    ["rtc.ngx.events"] = "rtc/ngx/events.lua",
    ["rtc.cli.aliases"] = "rtc/cli/aliases.lua",
    ["rtc.cli.batch"] = "rtc/cli/batch.lua",
    ["rtc.cli.client"] = "rtc/cli/client.lua",
    ["rtc.cli.commands"] = "rtc/cli/commands.lua",
    ["rtc.cli.configure"] = "rtc/cli/configure.lua",
    ["rtc.cli.console"] = "rtc/cli/console.lua",
    ["rtc.cli.credentials"] = "rtc/cli/credentials.lua",
    ["rtc.cli.errors"] = "rtc/cli/errors.lua",
    ["rtc.cli.events"] = "rtc/cli/events.lua",
    ["rtc.cli.flags"] = "rtc/cli/flags.lua",
    ["rtc.cli.jmespath"] = "rtc/cli/jmespath.lua",
    ["rtc.cli.join"] = "rtc/cli/join.lua",
    ["rtc.cli.json"] = "rtc/cli/json.lua",
    ["rtc.cli.main"] = "rtc/cli/main.lua",
    ["rtc.cli.man"] = "rtc/cli/man.lua",
    ["rtc.cli.operation"] = "rtc/cli/operation.lua",
    ["rtc.cli.output"] = "rtc/cli/output.lua",
    ["rtc.cli.parser"] = "rtc/cli/parser.lua",
    ["rtc.cli.request"] = "rtc/cli/request.lua",
    ["rtc.cli.sign"] = "rtc/cli/sign.lua",
    ["rtc.cli.suggest"] = "rtc/cli/suggest.lua",
    ["rtc.cli.wait"] = "rtc/cli/wait.lua",
    ["rtc.cli.yaml"] = "rtc/cli/yaml.lua",
  },
  install = {
    bin = { rtcjob = "bin/rtcjob" },
  },
  -- the man page and the completions (bash, zsh, fish) go into the rock's directory
  -- (luarocks show --rock-dir rtcjob); LuaRocks installs nothing under share/man or a shell's
  -- directory: `make install` does, or link them from there
  copy_directories = { "man", "completion" },
}
test_dependencies = {
  "busted",
}
test = {
  type = "busted",
}
