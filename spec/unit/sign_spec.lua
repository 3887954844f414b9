-- spec/unit/sign_spec.lua: rtc.sign (SDK-HMAC-SHA256, API.md "Authentication").
-- Run: busted --lua=lua5.4 spec/unit/sign_spec.lua
pcall(require, "spec.helper") -- sets package.cpath when present
local rtc = require "rtc"

local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
local DATE_PATTERN = "^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$"

local function copy(t)
  local r = {}
  for k, v in pairs(t) do r[k] = v end
  return r
end

local function last_line(s) return s:match("([^\n]*)$") end

-- Own vectors: inputs and expected results computed by an independent Python 3 reference
-- (urllib.parse + hashlib + hmac, written from API.md; not from this module's output).
-- AK "AK-own", SK "sk-own-é" (UTF-8).
local OWN = {
  { name = "path_specials",
    req = { method = "GET", url = "https://h.example/v2/a b/100%25/x~y/:@!$&'()*+,;=/end", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "6733027618f5f4f88273b14314b8a2a22a419b838e6563bc5a0d6e885e12c317",
    canonical = "GET\n/v2/a%20b/100%25/x~y/%3A%40%21%24%26%27%28%29%2A%2B%2C%3B%3D/end/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "path_utf8",
    req = { method = "GET", url = "https://h.example/v2/caf%C3%A9/\230\151\165\230\156\172", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "eb18cf7798cff3335a9e3647474c45e72f6d17e675ade1cc2c9e906f90c3d834",
    canonical = "GET\n/v2/caf%C3%A9/%E6%97%A5%E6%9C%AC/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "path_encoded_slash",
    req = { method = "DELETE", url = "https://h.example/v2/apps/a%2Fb/jobs/%7Ex%20y", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "200f7a39a32a2135434d833fc89118c671d9417767e451fb99f3b5e0a1d87f86",
    canonical = "DELETE\n/v2/apps/a/b/jobs/~x%20y/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "path_root",
    req = { method = "GET", url = "https://h.example/", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "03ec02aba0b8a631eb7526dd497555be7cb193f3072cc2ee195c4957ca3a1c67",
    canonical = "GET\n/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "path_empty_host_only",
    req = { method = "GET", url = "https://h.example", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "03ec02aba0b8a631eb7526dd497555be7cb193f3072cc2ee195c4957ca3a1c67",
    canonical = "GET\n/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "path_trailing_slash",
    req = { method = "GET", url = "https://h.example/a/b/", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "97247f056003069352c22b62140f6511eb8621f0764cfe5d70cbbfea3593db2e",
    canonical = "GET\n/a/b/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "bad_percent",
    req = { method = "GET", url = "https://h.example/a%zz/b%2/c%", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "a54104b48bad322b719c02e44a54251d5c0994fe19b15d14f1dfd2599a5591f0",
    canonical = "GET\n/a%25zz/b%252/c%25/\n\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "query_repeat",
    req = { method = "GET", url = "https://h.example/q?b=2&a=3&b=1&a=10&a=2", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "66a40227efd383892bd7cbc74222ec86ad61b7d90daa2713d0f2febbbf9a2f70",
    canonical = "GET\n/q/\na=10&a=2&a=3&b=1&b=2\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "query_empty",
    req = { method = "GET", url = "https://h.example/q?flag&empty=&x=%20y+z&sp ace=a b&&~t=%7e", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "991b9b0507793ff6a07a580d32febf3c62b08b07d45ff3d4a668ee2f7585b415",
    canonical = "GET\n/q/\nempty=&flag=&sp%20ace=a%20b&x=%20y%2Bz&~t=~\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "query_encoded",
    req = { method = "GET", url = "https://h.example/q?n%61me=v%2Fal%3D&%C3%A9=%E2%82%AC&plus=a+b", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "e8ae866b24be643aadc660981282464344f2e12fa212ac63c10f69275e596cc9",
    canonical = "GET\n/q/\nname=v%2Fal%3D&plus=a%2Bb&%C3%A9=%E2%82%AC\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "header_blanks",
    req = { method = "PUT", url = "https://h.example/v2/apps/app1/individual-stream-jobs/job1", headers = { ["Content-Type"] = "application/json;charset=utf-8", ["X-Project-Id"] = "  proj-1 \009", ["X-Custom"] = "\009 a  b \009" }, body = "{\"publish_param\":{\"rtmp_urls\":[\"rtmp://x\"]}}", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "application/json;charset=utf-8", ["X-Project-Id"] = "  proj-1 \009", ["X-Custom"] = "\009 a  b \009", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "content-type;host;x-custom;x-project-id;x-sdk-date",
    signature = "ad4bbe5a008c3a8f61b2c61a48ef238f77570c54d88ba27ae38cf01132e9bcc4",
    canonical = "PUT\n/v2/apps/app1/individual-stream-jobs/job1/\n\ncontent-type:application/json;charset=utf-8\nhost:h.example\nx-custom:a  b\nx-project-id:proj-1\nx-sdk-date:20240229T235959Z\n\ncontent-type;host;x-custom;x-project-id;x-sdk-date\n0aa4d787843e6f153fb851d7feaaa017f324424704dd19a967f1b16f9a35b044" },
  { name = "header_underscore",
    req = { method = "POST", url = "https://h.example/v2/x", headers = { ["Content-Type"] = "application/json", ["X_Not_Signed"] = "v", ["x-signed"] = "w" }, body = "{\"a\":1}", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "application/json", ["X_Not_Signed"] = "v", ["x-signed"] = "w", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "content-type;host;x-sdk-date;x-signed",
    signature = "7af75773de59a8c03eba8d064ee521be467dffc3d4688500194515407089f4c9",
    canonical = "POST\n/v2/x/\n\ncontent-type:application/json\nhost:h.example\nx-sdk-date:20240229T235959Z\nx-signed:w\n\ncontent-type;host;x-sdk-date;x-signed\n015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862" },
  { name = "non_json_body",
    req = { method = "POST", url = "https://h.example/upload", headers = { ["Content-Type"] = "text/plain" }, body = "hello world", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "text/plain", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example", ["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD" },
    signed = "content-type;host;x-sdk-content-sha256;x-sdk-date",
    signature = "950a0131dcbed13fcede3a4655cd9f78747e80de7bd88f3d4e41d85ecaab6a5d",
    canonical = "POST\n/upload/\n\ncontent-type:text/plain\nhost:h.example\nx-sdk-content-sha256:UNSIGNED-PAYLOAD\nx-sdk-date:20240229T235959Z\n\ncontent-type;host;x-sdk-content-sha256;x-sdk-date\nUNSIGNED-PAYLOAD" },
  { name = "non_json_empty",
    req = { method = "POST", url = "https://h.example/upload", headers = { ["Content-Type"] = "application/octet-stream" }, body = "", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "application/octet-stream", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example", ["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD" },
    signed = "content-type;host;x-sdk-content-sha256;x-sdk-date",
    signature = "12b3c57077473bc223ef8c6893f81be641b1f13ab29cc5b67f72bb98e7eb43e8",
    canonical = "POST\n/upload/\n\ncontent-type:application/octet-stream\nhost:h.example\nx-sdk-content-sha256:UNSIGNED-PAYLOAD\nx-sdk-date:20240229T235959Z\n\ncontent-type;host;x-sdk-content-sha256;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "bson_body",
    req = { method = "POST", url = "https://h.example/upload", headers = { ["Content-Type"] = "application/bson" }, body = "\005bson", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "application/bson", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "content-type;host;x-sdk-date",
    signature = "1bf451663a699ad2d6a7815b2025c14480185159e0f2262810c79e51c66186de",
    canonical = "POST\n/upload/\n\ncontent-type:application/bson\nhost:h.example\nx-sdk-date:20240229T235959Z\n\ncontent-type;host;x-sdk-date\nf9b925b633f663e6d8e9487b9b9670276b36924e6b20a35d0e3c112f56834619" },
  { name = "put_empty_body",
    req = { method = "PUT", url = "https://h.example/v2/apps/a/individual-stream-jobs/j", headers = { ["Content-Type"] = "application/json" }, body = "", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "application/json", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "content-type;host;x-sdk-date",
    signature = "1ed2211412da43e3c93518b0b1ed610e6d3b7124876e73818988d6c352fb59ce",
    canonical = "PUT\n/v2/apps/a/individual-stream-jobs/j/\n\ncontent-type:application/json\nhost:h.example\nx-sdk-date:20240229T235959Z\n\ncontent-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "host_port",
    req = { method = "get", url = "http://127.0.0.1:8080/v2/apps/a/individual-stream-jobs/j?x=1", headers = { ["X-Auth-Extra"] = "1" }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Auth-Extra"] = "1", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "127.0.0.1:8080" },
    signed = "host;x-auth-extra;x-sdk-date",
    signature = "b3fdb6487590334cad62035931b6d5d760c3162147a12a946f07cdcd5b4fe0ad",
    canonical = "GET\n/v2/apps/a/individual-stream-jobs/j/\nx=1\nhost:127.0.0.1:8080\nx-auth-extra:1\nx-sdk-date:20240229T235959Z\n\nhost;x-auth-extra;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "given_host_and_date",
    req = { method = "GET", url = "https://h.example/p", headers = { ["host"] = "other.example:443", ["x-sdk-date"] = "20991231T000000Z" }, body = "", date = "20240229T235959Z" },
    headers_out = { ["host"] = "other.example:443", ["x-sdk-date"] = "20991231T000000Z" },
    signed = "host;x-sdk-date",
    signature = "cd63a0776c67c0befbc7a1c566ae8a07587e43692531e05eddb84d6f276a1a31",
    canonical = "GET\n/p/\n\nhost:other.example:443\nx-sdk-date:20991231T000000Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "userinfo",
    req = { method = "GET", url = "https://user:pw@h.example:8443/p?z#frag", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example:8443" },
    signed = "host;x-sdk-date",
    signature = "884bf6dad18c48098ebe415bbe9d52e766dfac4d5c049e7854e229cb7bca6246",
    canonical = "GET\n/p/\nz=\nhost:h.example:8443\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "security_token",
    req = { method = "POST", url = "https://rtc-api.myhuaweicloud.com/v2/apps/app/individual-stream-jobs", headers = { ["Content-Type"] = "application/json;charset=utf-8", ["X-Project-Id"] = "pid", ["X-Security-Token"] = "tok" }, body = "{\"room_id\":\"r\",\"user_id\":\"u\"}", date = "20240229T235959Z" },
    headers_out = { ["Content-Type"] = "application/json;charset=utf-8", ["X-Project-Id"] = "pid", ["X-Security-Token"] = "tok", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "rtc-api.myhuaweicloud.com" },
    signed = "content-type;host;x-project-id;x-sdk-date;x-security-token",
    signature = "22e9b55e57b7b8828d4bffbedc641f53642d3dd1d6ca9686b80d5e4db97004e6",
    canonical = "POST\n/v2/apps/app/individual-stream-jobs/\n\ncontent-type:application/json;charset=utf-8\nhost:rtc-api.myhuaweicloud.com\nx-project-id:pid\nx-sdk-date:20240229T235959Z\nx-security-token:tok\n\ncontent-type;host;x-project-id;x-sdk-date;x-security-token\n9f1e02d8e8185b2327933cd2a269452e271c6b0c45cd8c4f76d0bae3b09c2149" },
  { name = "many_headers",
    req = { method = "PUT", url = "https://h.example/v2/m", headers = { ["X-H00"] = " v0 ", ["X-H01"] = " v14 ", ["X-H02"] = " v5 ", ["X-H03"] = " v19 ", ["X-H04"] = " v10 ", ["X-H05"] = " v1 ", ["X-H06"] = " v15 ", ["X-H07"] = " v6 ", ["X-H08"] = " v20 ", ["X-H09"] = " v11 ", ["X-H10"] = " v2 ", ["X-H11"] = " v16 ", ["X-H12"] = " v7 ", ["X-H13"] = " v21 ", ["X-H14"] = " v12 ", ["X-H15"] = " v3 ", ["X-H16"] = " v17 ", ["X-H17"] = " v8 ", ["X-H18"] = " v22 ", ["X-H19"] = " v13 ", ["Content-Type"] = "application/json", ["X_Skip_1"] = "u" }, body = "{\"x\":1}", date = "20240229T235959Z" },
    headers_out = { ["X-H00"] = " v0 ", ["X-H01"] = " v14 ", ["X-H02"] = " v5 ", ["X-H03"] = " v19 ", ["X-H04"] = " v10 ", ["X-H05"] = " v1 ", ["X-H06"] = " v15 ", ["X-H07"] = " v6 ", ["X-H08"] = " v20 ", ["X-H09"] = " v11 ", ["X-H10"] = " v2 ", ["X-H11"] = " v16 ", ["X-H12"] = " v7 ", ["X-H13"] = " v21 ", ["X-H14"] = " v12 ", ["X-H15"] = " v3 ", ["X-H16"] = " v17 ", ["X-H17"] = " v8 ", ["X-H18"] = " v22 ", ["X-H19"] = " v13 ", ["Content-Type"] = "application/json", ["X_Skip_1"] = "u", ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "content-type;host;x-h00;x-h01;x-h02;x-h03;x-h04;x-h05;x-h06;x-h07;x-h08;x-h09;x-h10;x-h11;x-h12;x-h13;x-h14;x-h15;x-h16;x-h17;x-h18;x-h19;x-sdk-date",
    signature = "e30cdadf77ae234b7a5915cf0b87855efa304f10a06f2070fa6360940503d83d",
    canonical = nil }, -- long; the signature covers it
  { name = "many_query",
    req = { method = "GET", url = "https://h.example/v2/q?k0=0&k1=2&k2=4&k3=6&k4=8&k5=10&k6=1&k0=3&k1=5&k2=7&k3=9&k4=0&k5=2&k6=4&k0=6&k1=8&k2=10&k3=1&k4=3&k5=5&k6=7&k0=9&k1=0&k2=2&k3=4&k4=6&k5=8&k6=10&k0=1&k1=3", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "1332a84355960a14d29b01eb3845f33e4e4d9d46ddb49f25eb47ea6d2aa04c56",
    canonical = "GET\n/v2/q/\nk0=0&k0=1&k0=3&k0=6&k0=9&k1=0&k1=2&k1=3&k1=5&k1=8&k2=10&k2=2&k2=4&k2=7&k3=1&k3=4&k3=6&k3=9&k4=0&k4=3&k4=6&k4=8&k5=10&k5=2&k5=5&k5=8&k6=1&k6=10&k6=4&k6=7\nhost:h.example\nx-sdk-date:20240229T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
  { name = "long_target",
    req = { method = "GET", url = "https://h.example/seg%C3%A9 0/seg%C3%A9 1/seg%C3%A9 2/seg%C3%A9 3/seg%C3%A9 4/seg%C3%A9 5/seg%C3%A9 6/seg%C3%A9 7/seg%C3%A9 8/seg%C3%A9 9/seg%C3%A9 10/seg%C3%A9 11/seg%C3%A9 12/seg%C3%A9 13/seg%C3%A9 14/seg%C3%A9 15/seg%C3%A9 16/seg%C3%A9 17/seg%C3%A9 18/seg%C3%A9 19/seg%C3%A9 20/seg%C3%A9 21/seg%C3%A9 22/seg%C3%A9 23/seg%C3%A9 24/seg%C3%A9 25/seg%C3%A9 26/seg%C3%A9 27/seg%C3%A9 28/seg%C3%A9 29/seg%C3%A9 30/seg%C3%A9 31/seg%C3%A9 32/seg%C3%A9 33/seg%C3%A9 34/seg%C3%A9 35/seg%C3%A9 36/seg%C3%A9 37/seg%C3%A9 38/seg%C3%A9 39/seg%C3%A9 40/seg%C3%A9 41/seg%C3%A9 42/seg%C3%A9 43/seg%C3%A9 44/seg%C3%A9 45/seg%C3%A9 46/seg%C3%A9 47/seg%C3%A9 48/seg%C3%A9 49/seg%C3%A9 50/seg%C3%A9 51/seg%C3%A9 52/seg%C3%A9 53/seg%C3%A9 54/seg%C3%A9 55/seg%C3%A9 56/seg%C3%A9 57/seg%C3%A9 58/seg%C3%A9 59?n0=%410&n1=%411&n2=%412&n3=%413&n4=%414&n5=%415&n6=%416&n7=%417&n8=%418&n9=%419&n10=%4110&n11=%4111&n12=%4112&n13=%4113&n14=%4114&n15=%4115&n16=%4116&n17=%4117&n18=%4118&n19=%4119&n20=%4120&n21=%4121&n22=%4122&n23=%4123&n24=%4124&n25=%4125&n26=%4126&n27=%4127&n28=%4128&n29=%4129&n30=%4130&n31=%4131&n32=%4132&n33=%4133&n34=%4134&n35=%4135&n36=%4136&n37=%4137&n38=%4138&n39=%4139", headers = {  }, body = "", date = "20240229T235959Z" },
    headers_out = { ["X-Sdk-Date"] = "20240229T235959Z", ["Host"] = "h.example" },
    signed = "host;x-sdk-date",
    signature = "fca80cbc1ca8599841c991efa33ffe48704fc8eabd5821a528670b8770b18da1",
    canonical = nil }, -- long; the signature covers it
}

local OWN_AK, OWN_SK = "AK-own", "sk-own-\195\169"

describe("rtc.sign", function()
  describe("published vectors (AK AccessKey, SK SecretKey)", function()
    local url = "https://service.endpoint.myhuaweicloud.com/resources?size=1"
    local function sign(method, body)
      return rtc.sign{ method = method, url = url, body = body, ak = "AccessKey", sk = "SecretKey",
                       headers = { ["X-Sdk-Date"] = "20200608T023900Z", TEST_UNDERSCORE = "TEST_VALUE" } }
    end

    it("GET with an underscore header that is not signed", function()
      local h, c = sign("GET")
      assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " ..
        "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842", h.Authorization)
      assert.are.equal("service.endpoint.myhuaweicloud.com", h.Host)
      assert.are.equal("TEST_VALUE", h.TEST_UNDERSCORE)
      assert.is_nil(c:find("test_underscore", 1, true))
    end)

    it("POST with a JSON body", function()
      local h = sign("POST", '{"name":"test","id":1}')
      assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, " ..
        "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f", h.Authorization)
    end)

    it("GET on a bare path: no Host, canonical request exactly as published", function()
      local h, c = rtc.sign{ method = "GET", url = "/path?limit=1", ak = "AccessKey", sk = "SecretKey",
                             headers = { ["X-Sdk-Date"] = "20060102T150405Z" } }
      assert.are.equal("GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n" ..
        EMPTY_SHA256, c)
      assert.are.equal("SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, " ..
        "Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624", h.Authorization)
      assert.is_nil(h.Host)
    end)

    it("the same with the date given as req.date", function()
      local h = rtc.sign{ method = "GET", url = "/path?limit=1", ak = "AccessKey", sk = "SecretKey",
                          date = "20060102T150405Z" }
      assert.are.equal("20060102T150405Z", h["X-Sdk-Date"])
      assert.truthy(h.Authorization:find("5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
                                         1, true))
    end)
  end)

  describe("own vectors (independent Python reference)", function()
    for _, v in ipairs(OWN) do
      it(v.name, function()
        local req = copy(v.req)
        req.headers = copy(v.req.headers)
        req.ak, req.sk = OWN_AK, OWN_SK
        local h, c = rtc.sign(req)
        if v.canonical then assert.are.equal(v.canonical, c) end
        assert.are.equal("SDK-HMAC-SHA256 Access=" .. OWN_AK .. ", SignedHeaders=" .. v.signed ..
                         ", Signature=" .. v.signature, h.Authorization)
        local expected = copy(v.headers_out)
        expected.Authorization = h.Authorization
        assert.are.same(expected, h)
      end)
    end
  end)

  describe("canonicalization details", function()
    local function canon(url, extra)
      local req = { method = "GET", url = url, ak = "a", sk = "s", date = "20240101T000000Z" }
      for k, v in pairs(extra or {}) do req[k] = v end
      local _, c = rtc.sign(req)
      local lines = {}
      for line in (c .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
      return lines, c
    end

    it("decodes %2F into a separator, keeps '+' as a literal plus", function()
      local l = canon("/a%2Fb/c+d?x=a+b&y=%2B")
      assert.are.equal("/a/b/c%2Bd/", l[2])
      assert.are.equal("x=a%2Bb&y=%2B", l[3])
    end)

    it("ends the URI with exactly one added '/'", function()
      assert.are.equal("/", canon("/")[2])
      assert.are.equal("/", canon("https://h")[2])
      assert.are.equal("/", canon("https://h?x=1")[2])
      assert.are.equal("/a/", canon("/a/")[2])
      assert.are.equal("/a/", canon("/a")[2])
    end)

    it("drops the fragment and empty query pieces; a name without '=' gets an empty value", function()
      local l = canon("/p?b&&a=1&#frag")
      assert.are.equal("a=1&b=", l[3])
    end)

    it("sorts repeated names by value in byte order", function()
      assert.are.equal("a=1&a=10&a=2&b=1&b=2", canon("/q?b=2&a=2&b=1&a=10&a=1")[3])
    end)

    it("reads URLs with libcurl: IPv6 hosts, explicit ports as written, no dot-segment folding", function()
      local h = rtc.sign{ method = "GET", url = "http://[::1]:8080/x", ak = "a", sk = "s", date = "20240101T000000Z" }
      assert.are.equal("[::1]:8080", h.Host)
      local h2, c = rtc.sign{ method = "GET", url = "https://h.example:443/a/../b/./c?x=1", ak = "a", sk = "s",
                              date = "20240101T000000Z" }
      assert.are.equal("h.example:443", h2.Host)
      assert.are.equal("/a/../b/./c/", c:match("^[^\n]*\n([^\n]*)"))
    end)

    it("uppercases the method", function()
      assert.are.equal("PATCH", canon("/", { method = "patch" })[1])
    end)

    it("trims header values and lowercases names", function()
      local _, c = canon("/", { headers = { ["X-Mixed-CASE"] = " \t v  a \t " } })
      assert.truthy(c:find("\nx-mixed-case:v  a\n", 1, true))
    end)
  end)

  describe("added headers", function()
    local base = { method = "PUT", url = "https://h.example:8443/v2/x", ak = "a", sk = "s",
                   date = "20240101T000000Z" }

    it("returns a new table and leaves req.headers alone", function()
      local given = { ["Content-Type"] = "application/json" }
      local req = copy(base); req.headers = given
      local h = rtc.sign(req)
      assert.are_not.equal(given, h)
      assert.are.same({ ["Content-Type"] = "application/json" }, given)
      assert.are.equal("h.example:8443", h.Host)
      assert.are.equal("20240101T000000Z", h["X-Sdk-Date"])
      assert.is_nil(h["X-Sdk-Content-Sha256"])
    end)

    it("adds X-Sdk-Content-Sha256 for a non-JSON content type; the payload hash is UNSIGNED-PAYLOAD",
       function()
      local req = copy(base)
      req.headers = { ["content-type"] = "text/plain" }
      req.body = "abc"
      local h, c = rtc.sign(req)
      assert.are.equal("UNSIGNED-PAYLOAD", h["X-Sdk-Content-Sha256"])
      assert.are.equal("UNSIGNED-PAYLOAD", last_line(c))
      assert.truthy(h.Authorization:find("SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date,",
                                         1, true))
    end)

    it("does not add it for application/json;charset=utf-8 nor application/bson", function()
      for _, ct in ipairs{ "application/json;charset=utf-8", "application/bson", "Application/JSON" } do
        local req = copy(base)
        req.headers = { ["Content-Type"] = ct }
        req.body = "{}"
        local h, c = rtc.sign(req)
        assert.is_nil(h["X-Sdk-Content-Sha256"])
        assert.are.equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", last_line(c))
      end
    end)

    it("an empty body on PUT hashes as the empty string", function()
      local req = copy(base); req.body = ""
      local _, c = rtc.sign(req)
      assert.are.equal(EMPTY_SHA256, last_line(c))
    end)

    it("keeps given Host and x-sdk-date (any case) and adds neither", function()
      local req = copy(base)
      req.headers = { host = "other", ["x-sdk-date"] = "20991231T235959Z" }
      local h, c = rtc.sign(req)
      assert.is_nil(h.Host)
      assert.is_nil(h["X-Sdk-Date"])
      assert.truthy(c:find("host:other\nx-sdk-date:20991231T235959Z\n", 1, true))
    end)

    it("replaces a given Authorization and does not sign it", function()
      local req = copy(base)
      req.headers = { authorization = "old" }
      local h = rtc.sign(req)
      assert.is_nil(h.authorization)
      assert.truthy(h.Authorization:find("SignedHeaders=host;x-sdk-date,", 1, true))
    end)

    it("re-signing its own output gives the same Authorization", function()
      local req = copy(base); req.headers = { ["Content-Type"] = "text/csv" }; req.body = "a,b"
      local h1 = rtc.sign(req)
      local req2 = copy(base); req2.headers = h1; req2.body = "a,b"; req2.date = nil
      local h2 = rtc.sign(req2)
      assert.are.same(h1, h2)
    end)

    it("takes the date from the clock when none is given", function()
      local before = os.date("!%Y%m%dT%H%M%SZ")
      local h = rtc.sign{ method = "GET", url = "/x", ak = "a", sk = "s" }
      local after = os.date("!%Y%m%dT%H%M%SZ")
      local d = h["X-Sdk-Date"]
      assert.truthy(d:match(DATE_PATTERN), d)
      assert.truthy(before <= d and d <= after, before .. " " .. d .. " " .. after)
    end)
  end)

  describe("dates: only real UTC times", function()
    local function sign(date, header)
      local req = { method = "GET", url = "https://h.example/x", ak = "a", sk = "s" }
      if header then req.headers = { ["X-Sdk-Date"] = date } else req.date = date end
      return pcall(rtc.sign, req)
    end
    local refused = {
      { "20201340T999999Z", "month 13, hour 99" },
      { "20200001T000000Z", "month 00" },
      { "20201301T000000Z", "month 13" },
      { "20200100T000000Z", "day 00" },
      { "20200132T000000Z", "day 32 of January" },
      { "20200431T000000Z", "day 31 of April" },
      { "20230229T000000Z", "29 February of a common year" },
      { "19000229T000000Z", "29 February 1900 (a century, not leap)" },
      { "20240230T000000Z", "30 February of a leap year" },
      { "20240101T240000Z", "hour 24" },
      { "20240101T236000Z", "minute 60" },
      { "20240101T235960Z", "second 60 (no leap second)" },
      { "20240101T000000z", "lowercase z" },
      { "2024010lT000000Z", "a letter for a digit" },
      { "20240101T0000000Z", "too long" },
    }
    for _, case in ipairs(refused) do
      it("refuses " .. case[1] .. " (" .. case[2] .. ") as req.date and as X-Sdk-Date", function()
        local ok, msg = sign(case[1])
        assert.is_false(ok)
        assert.truthy(msg:find("rtc.sign: req.date: expected YYYYMMDDTHHMMSSZ, a real UTC time", 1, true), msg)
        ok, msg = sign(case[1], true)
        assert.is_false(ok)
        assert.truthy(msg:find('rtc.sign: req.headers["X-Sdk-Date"]: expected YYYYMMDDTHHMMSSZ, a real UTC time',
                               1, true), msg)
      end)
    end

    it("accepts the edges of real times, leap days included", function()
      for _, d in ipairs{ "20240229T235959Z", "20000229T000000Z", "19960229T120000Z", "20231231T235959Z",
                          "20230131T000000Z", "20230430T000000Z", "00000101T000000Z", "99991231T235959Z" } do
        local ok, h = sign(d)
        assert.is_true(ok, d .. ": " .. tostring(h))
        assert.are.equal(d, h["X-Sdk-Date"])
        local ok2, h2 = sign(d, true)
        assert.is_true(ok2, d)
        assert.are.equal(h.Authorization, h2.Authorization)
      end
    end)

    it("trims blanks around a given X-Sdk-Date and signs the trimmed value", function()
      local _, h1 = sign("20240229T235959Z", true)
      local ok, h2 = pcall(rtc.sign, { method = "GET", url = "https://h.example/x", ak = "a", sk = "s",
                                       headers = { ["X-Sdk-Date"] = " \t20240229T235959Z " } })
      assert.is_true(ok, h2)
      assert.are.equal(h1.Authorization, h2.Authorization)
    end)
  end)

  describe("errors", function()
    local SECRET = "TopSecret-SK-9f8e7d"
    local function good()
      return { method = "PUT", url = "https://h.example/v2/x?y=1", ak = "AKx", sk = SECRET,
               headers = { ["Content-Type"] = "application/json" }, body = "{}" }
    end
    local cases = {
      { "method missing", function(r) r.method = nil end, "req.method: expected a string, got nil" },
      { "method number", function(r) r.method = 1 end, "req.method: expected a string, got number" },
      { "method empty", function(r) r.method = "" end, "req.method" },
      { "method with a blank", function(r) r.method = "GE T" end, "req.method" },
      { "url missing", function(r) r.url = nil end, "req.url: expected a string, got nil" },
      { "url table", function(r) r.url = {} end, "req.url: expected a string, got table" },
      { "url scheme without host", function(r) r.url = "https:///v2/x" end, "req.url: no host" },
      { "url scheme only", function(r) r.url = "https://" end, "req.url: no host" },
      { "url userinfo without host", function(r) r.url = "http://user@/x" end, "req.url: no host" },
      { "url relative", function(r) r.url = "v2/x" end, "req.url" },
      { "url scheme-relative", function(r) r.url = "//h/x" end, "req.url" },
      { "url with CR LF", function(r) r.url = "https://h/x\r\nX-Evil: 1" end, "req.url" },
      { "url with a NUL", function(r) r.url = "https://h/x\0y" end, "req.url: contains a control character" },
      { "url with a bad host", function(r) r.url = "https://h x/y" end, "req.url: expected scheme://host/path" },
      { "url with two userinfo parts", function(r) r.url = "https://a@b@h/x" end, "req.url: expected scheme://host/path" },
      { "url with a port out of range", function(r) r.url = "https://h:99999/x" end, "req.url: expected scheme://host/path" },
      { "headers not a table", function(r) r.headers = "x" end, "req.headers: expected a table, got string" },
      { "header key not a string", function(r) r.headers = { "x" } end, "req.headers: expected string keys" },
      { "header value number", function(r) r.headers = { ["X-A"] = 1 } end,
        'req.headers["X-A"]: expected a string, got number' },
      { "header value boolean", function(r) r.headers = { ["X-A"] = true } end,
        'req.headers["X-A"]: expected a string, got boolean' },
      { "header value with CR LF", function(r) r.headers = { ["X-A"] = SECRET .. "\r\nX-B: 1" } end,
        'req.headers["X-A"]: value contains CR, LF' },
      { "header value with LF", function(r) r.headers = { ["X-A"] = "a\nb" } end, 'req.headers["X-A"]' },
      { "header name with CR LF", function(r) r.headers = { ["X-A\r\nX-B"] = "v" } end, "req.headers: header name" },
      { "header name with a blank", function(r) r.headers = { ["X A"] = "v" } end, "req.headers: header name" },
      { "header name with a colon", function(r) r.headers = { ["X-A:"] = "v" } end, "req.headers: header name" },
      { "header name empty", function(r) r.headers = { [""] = "v" } end, "req.headers: empty header name" },
      { "duplicate header names", function(r) r.headers = { Host = "a", host = "b" } end,
        "req.headers: duplicate header" },
      { "bad X-Sdk-Date header", function(r) r.headers = { ["X-Sdk-Date"] = "yesterday" } end,
        'req.headers["X-Sdk-Date"]: expected YYYYMMDDTHHMMSSZ' },
      { "body number", function(r) r.body = 5 end, "req.body: expected a string, got number" },
      { "ak missing", function(r) r.ak = nil end, "req.ak: expected a string, got nil" },
      { "ak empty", function(r) r.ak = "" end, "req.ak" },
      { "ak with LF", function(r) r.ak = "AK\nX" end, "req.ak" },
      { "sk missing", function(r) r.sk = nil end, "req.sk: expected a string, got nil" },
      { "sk number", function(r) r.sk = 12345 end, "req.sk: expected a string, got number" },
      { "sk empty", function(r) r.sk = "" end, "req.sk" },
      { "date wrong form", function(r) r.date = "2006-01-02T15:04:05Z" end, "req.date: expected YYYYMMDDTHHMMSSZ" },
      { "date lowercase t", function(r) r.date = "20060102t150405Z" end, "req.date" },
      { "date number", function(r) r.date = 20060102 end, "req.date: expected a string, got number" },
    }
    for _, case in ipairs(cases) do
      it(case[1], function()
        local req = good()
        case[2](req)
        local ok, msg = pcall(rtc.sign, req)
        assert.is_false(ok)
        assert.are.equal("string", type(msg))
        assert.truthy(msg:find("rtc.sign: " .. case[3], 1, true), msg)
        assert.is_nil(msg:find(SECRET, 1, true), "SK leaked: " .. msg)
      end)
    end

    it("method and AK with a NUL byte (the C signer would see them cut short)", function()
      for _, case in ipairs{ { "method", "GET\0X" }, { "ak", "AK\0X" } } do
        local req = good()
        req[case[1]] = case[2]
        local ok, msg = pcall(rtc.sign, req)
        assert.is_false(ok)
        assert.truthy(msg:find("rtc.sign: req." .. case[1] .. ":", 1, true), msg)
      end
    end)

    it("header names must be RFC 9110 tokens, whatever their case or position", function()
      for _, name in ipairs{ "X(A)", 'X"A', "X@A", "X/A", "\195\169" } do
        local req = good()
        req.headers = { [name] = "v" }
        local ok, msg = pcall(rtc.sign, req)
        assert.is_false(ok, name)
        assert.truthy(msg:find("rtc.sign: req.headers: header name", 1, true), msg)
      end
    end)

    it("req must be a table", function()
      assert.has_error(function() rtc.sign("x") end)
      assert.has_error(function() rtc.sign() end)
    end)

    it("never puts the SK into the results", function()
      local h, c = rtc.sign(good())
      assert.is_nil(c:find(SECRET, 1, true))
      for k, v in pairs(h) do
        assert.is_nil(k:find(SECRET, 1, true))
        assert.is_nil(v:find(SECRET, 1, true))
      end
    end)
  end)
end)
