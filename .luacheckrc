-- luacheck configuration (make lint runs `luacheck --quiet` on the tracked Lua files and bin/rtcjob).
-- The code runs under Lua 5.1/LuaJIT, 5.3 and 5.4, so the standard is the union of them all.
std = "max"
max_line_length = 120

files["spec/**"] = { std = "+busted" }
-- the OpenResty examples run inside nginx (lua-nginx-module), which provides `ngx`
files["examples/openresty/**"] = { read_globals = { "ngx" } }
