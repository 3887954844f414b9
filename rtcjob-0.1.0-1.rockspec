rockspec_format = "3.0"
package = "rtcjob"
version = "0.1.0-1"
source = {
  url = "git+file:///rtcjob", -- built from a checkout with `luarocks make`
}
description = {
  summary = "Huawei Cloud SparkRTC individual stream recording jobs from Lua (a C module on libcurl)",
  detailed = [[
    rtc: create, get, update and stop SparkRTC (CloudRTC v2) individual stream recording jobs.
    Schema-checked Lua tables in, documented types out; AK/SK (SDK-HMAC-SHA256) or token auth;
    deadlines, retries and failover; batches over curl multi; a sans-I/O prepare/decode for
    OpenResty; and the rtcjob command.
  ]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.5",
  "lua-cjson",
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
      sources = { "rtcjob.c", "rtc_schema.c", "rtc_engine.c", "rtc_sign.c", "rtc_sign_lua.c",
                  "rtc_credentials.c", "rtc_credentials_lua.c", "rtc_buf.c", "rtc_text.c" },
      libraries = { "curl", "crypto", "jansson" },
      incdirs = { "$(CURL_INCDIR)", "$(OPENSSL_INCDIR)", "$(JANSSON_INCDIR)" },
      libdirs = { "$(CURL_LIBDIR)", "$(OPENSSL_LIBDIR)", "$(JANSSON_LIBDIR)" },
      defines = {},
    },
    ["rtc.cli.aliases"] = "rtc/cli/aliases.lua",
    ["rtc.cli.args"] = "rtc/cli/args.lua",
    ["rtc.cli.batch"] = "rtc/cli/batch.lua",
    ["rtc.cli.client"] = "rtc/cli/client.lua",
    ["rtc.cli.commands"] = "rtc/cli/commands.lua",
    ["rtc.cli.console"] = "rtc/cli/console.lua",
    ["rtc.cli.credentials"] = "rtc/cli/credentials.lua",
    ["rtc.cli.errors"] = "rtc/cli/errors.lua",
    ["rtc.cli.help"] = "rtc/cli/help.lua",
    ["rtc.cli.json"] = "rtc/cli/json.lua",
    ["rtc.cli.main"] = "rtc/cli/main.lua",
    ["rtc.cli.operation"] = "rtc/cli/operation.lua",
    ["rtc.cli.output"] = "rtc/cli/output.lua",
    ["rtc.cli.request"] = "rtc/cli/request.lua",
    ["rtc.cli.sign"] = "rtc/cli/sign.lua",
    ["rtc.cli.wait"] = "rtc/cli/wait.lua",
  },
  install = {
    bin = { rtcjob = "bin/rtcjob" },
  },
}
