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
}
build = {
  type = "builtin",
  modules = {
    rtc = {
      sources = { "rtc_module.c", "rtc_client.c", "rtc_batch.c", "rtc_options.c", "rtc_error.c",
                  "rtc_build.c", "rtc_decode.c", "rtc_schema.c", "rtc_api.c", "rtc_reflect.c",
                  "rtc_policy.c", "rtc_policy_lua.c", "rtc_dispatch.c", "rtc_request.c", "rtc_engine.c",
                  "rtc_buf.c",
                  "rtc_text.c", "rtc_sign.c" },
      libraries = { "curl", "crypto" },
      incdirs = { "$(CURL_INCDIR)", "$(OPENSSL_INCDIR)" },
      libdirs = { "$(CURL_LIBDIR)", "$(OPENSSL_LIBDIR)" },
      defines = {},
    },
  },
  install = {
    bin = { rtcjob = "bin/rtcjob" },
  },
}
