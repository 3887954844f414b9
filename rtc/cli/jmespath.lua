-- rtc.cli.jmespath: the JMESPath expressions of --query (https://jmespath.org/specification.html),
-- as the AWS CLI and KooCLI take them. No Lua JMESPath library is packaged in Debian, so this is
-- a small one: a lexer, a Pratt parser (the binding powers of the reference jmespath.py) and an
-- evaluator over the decoded answer. Supported: identifiers (bare and "quoted"), sub-expressions,
-- [n] (negative from the end), slices [a:b:c], [*] and .* projections, [] flattening, [?...]
-- filters with == != < <= > >= && || ! and ( ), multi-select lists [a, b] and hashes {k: a},
-- pipes, @, literals `...` (JSON) and raw strings '...', and the functions length, keys, values,
-- contains, starts_with, ends_with, join, sort, reverse, type, to_string, to_number, max, min, sum,
-- abs, not_null. Indexes are 0-based, as in JMESPath. A parse error names its 0-based column
-- (jmespath.py's way) and shows a caret under it.
--
-- Values: a Lua table is an array when its keys are 1..n (or it carries ARRAY), an object
-- otherwise; nil and cjson.null are null. Arrays the evaluator makes carry the metatable ARRAY
-- so that an empty one still prints as [].
local cjson = require "cjson"

local M = {}

local NULL = cjson.null
local ARRAY = { __name = "jmespath.array" }
M.ARRAY = ARRAY

local json = cjson.new()

local function new_array(t) return setmetatable(t or {}, ARRAY) end

local function is_null(v) return v == nil or v == NULL end

local function is_array(v)
  if type(v) ~= "table" then return false end
  if getmetatable(v) == ARRAY then return true end
  local n = 0
  for k in next, v do
    if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then return false end
    n = n + 1
  end
  return n == #v   -- an empty table is an array: the answers' empty lists are
end
M.is_array = is_array

local function is_object(v) return type(v) == "table" and not is_array(v) end

local function jtype(v)
  if is_null(v) then return "null" end
  local t = type(v)
  if t == "string" then return "string" end
  if t == "number" then return "number" end
  if t == "boolean" then return "boolean" end
  if t == "table" then return is_array(v) and "array" or "object" end
  return "null"
end

local function truthy(v)
  if is_null(v) or v == false or v == "" then return false end
  if type(v) == "table" then return next(v) ~= nil end
  return true
end

local function equal(a, b)
  if is_null(a) and is_null(b) then return true end
  local ta, tb = jtype(a), jtype(b)
  if ta ~= tb then return false end
  if ta ~= "array" and ta ~= "object" then return a == b end
  for k, v in next, a do if not equal(v, rawget(b, k)) then return false end end
  for k in next, b do if rawget(a, k) == nil then return false end end
  return true
end

-- ---------------------------------------------------------------------------------------------
-- errors: { jmespath = true, column = n (0-based), message = ... }

local function fail(column, fmt, ...)
  error({ jmespath = true, column = column, message = string.format(fmt, ...) }, 0)
end

-- ---------------------------------------------------------------------------------------------
-- lexer

local SIMPLE = { ["."] = "dot", ["*"] = "star", [","] = "comma", [":"] = "colon", ["{"] = "lbrace",
  ["}"] = "rbrace", ["]"] = "rbracket", ["("] = "lparen", [")"] = "rparen", ["@"] = "current" }

local function lex(s)
  local tokens, i, n = {}, 1, #s
  local function push(kind, value, start) tokens[#tokens + 1] = { kind = kind, value = value, pos = start - 1 } end
  while i <= n do
    local c = s:sub(i, i)
    if c:match("%s") then
      i = i + 1
    elseif SIMPLE[c] then
      push(SIMPLE[c], c, i) i = i + 1
    elseif c:match("[%a_]") then
      local id = s:match("^[%w_]+", i)
      push("unquoted_identifier", id, i) i = i + #id
    elseif c:match("[%d%-]") then
      local num = s:match("^%-?%d+", i)
      if not num then fail(i - 1, "expected a number after '-'") end
      push("number", tonumber(num), i) i = i + #num
    elseif c == "[" then
      local two = s:sub(i, i + 1)
      if two == "[]" then push("flatten", "[]", i) i = i + 2
      elseif two == "[?" then push("filter", "[?", i) i = i + 2
      else push("lbracket", "[", i) i = i + 1 end
    elseif c == "'" or c == "`" or c == '"' then
      local j, buf = i + 1, {}
      while true do
        local d = s:sub(j, j)
        if d == "" then
          fail(i - 1, "unterminated %s", c == "'" and "raw string" or (c == "`" and "literal" or "quoted identifier"))
        end
        if d == "\\" and s:sub(j + 1, j + 1) == c then buf[#buf + 1] = c j = j + 2
        elseif d == c then break
        elseif d == "\\" and c == '"' then buf[#buf + 1] = s:sub(j, j + 1) j = j + 2
        else buf[#buf + 1] = d j = j + 1 end
      end
      local body = table.concat(buf)
      if c == "'" then
        push("literal", body, i)
      else
        local ok, v = pcall(json.decode, c == '"' and ('"' .. body .. '"') or body)
        if not ok then
          -- JMESPath's old form: a bare word in backquotes is a string
          if c == "`" then ok, v = pcall(json.decode, '"' .. body:match("^%s*(.-)%s*$") .. '"') end
          if not ok then fail(i - 1, "invalid %s", c == "`" and "JSON literal" or "quoted identifier") end
        end
        if c == '"' then push("quoted_identifier", v, i) else push("literal", v, i) end
      end
      i = j + 1
    elseif c == "|" then
      if s:sub(i + 1, i + 1) == "|" then push("or", "||", i) i = i + 2 else push("pipe", "|", i) i = i + 1 end
    elseif c == "&" then
      if s:sub(i + 1, i + 1) == "&" then push("and", "&&", i) i = i + 2 else push("expref", "&", i) i = i + 1 end
    elseif c == "!" then
      if s:sub(i + 1, i + 1) == "=" then push("ne", "!=", i) i = i + 2 else push("not", "!", i) i = i + 1 end
    elseif c == "=" then
      if s:sub(i + 1, i + 1) ~= "=" then fail(i - 1, "unexpected '=' (did you mean '=='?)") end
      push("eq", "==", i) i = i + 2
    elseif c == "<" or c == ">" then
      local kind = c == "<" and "lt" or "gt"
      if s:sub(i + 1, i + 1) == "=" then push(kind .. "e", c .. "=", i) i = i + 2 else push(kind, c, i) i = i + 1 end
    else
      fail(i - 1, "unexpected character '%s'", c)
    end
  end
  push("eof", "", n + 1)
  return tokens
end

-- ---------------------------------------------------------------------------------------------
-- parser (jmespath.py's binding powers)

local BP = { eof = 0, unquoted_identifier = 0, quoted_identifier = 0, literal = 0, rbracket = 0,
  rparen = 0, comma = 0, rbrace = 0, number = 0, current = 0, expref = 0, colon = 0, pipe = 1,
  ["or"] = 2, ["and"] = 3, eq = 5, ne = 5, lt = 5, lte = 5, gt = 5, gte = 5, flatten = 9,
  star = 20, filter = 21, dot = 40, ["not"] = 45, lbrace = 50, lbracket = 55, lparen = 60 }
local PROJECTION_STOP = 10
local COMPARATORS = { eq = true, ne = true, lt = true, lte = true, gt = true, gte = true }

local Parser = {}
Parser.__index = Parser

function Parser:peek(k) return self.tokens[self.i + (k or 0)] end
function Parser:advance() self.i = self.i + 1 end

local function describe(t) return t.kind == "eof" and "the end" or ("'" .. tostring(t.value) .. "'") end

function Parser:match(kind, what)
  local t = self:peek()
  if t.kind ~= kind then fail(t.pos, "expected %s, got %s", what or kind, describe(t)) end
  self:advance()
  return t
end

function Parser:expression(rbp)
  local t = self:peek()
  self:advance()
  local nud = self["nud_" .. t.kind]
  if not nud then fail(t.pos, "unexpected %s", describe(t)) end
  local left = nud(self, t)
  while rbp < BP[self:peek().kind] do
    local nt = self:peek()
    local led = self["led_" .. nt.kind]
    if not led then fail(nt.pos, "unexpected %s", describe(nt)) end
    self:advance()
    left = led(self, left, nt)
  end
  return left
end

function Parser.nud_literal(_, t) return { "literal", t.value } end
function Parser.nud_unquoted_identifier(_, t) return { "field", t.value } end
function Parser:nud_quoted_identifier(t)
  if self:peek().kind == "lparen" then fail(self:peek().pos, "a quoted identifier cannot name a function") end
  return { "field", t.value }
end
function Parser.nud_current() return { "current" } end
function Parser:nud_expref() return { "expref", self:expression(BP.expref) } end
function Parser:nud_not() return { "not", self:expression(BP["not"]) } end
function Parser:nud_lparen()
  local e = self:expression(0)
  self:match("rparen", "')'")
  return e
end
function Parser:nud_star() return { "value_projection", { "identity" }, self:projection_rhs(BP.star) } end
function Parser:nud_flatten()
  return { "projection", { "flatten", { "identity" } }, self:projection_rhs(BP.flatten) }
end
function Parser:nud_filter(t) return self:led_filter({ "identity" }, t) end
function Parser:nud_lbrace() return self:multi_select_hash() end
function Parser:nud_lbracket()
  local t = self:peek()
  if t.kind == "number" or t.kind == "colon" then
    return self:projection_if_slice({ "identity" }, self:index_value())
  elseif t.kind == "star" and self:peek(1).kind == "rbracket" then
    self:advance() self:advance()
    return { "projection", { "identity" }, self:projection_rhs(BP.star) }
  end
  return self:multi_select_list()
end

function Parser:index_value()
  -- after '[': a number ']' or a slice [a:b:c]
  local parts, pos, t = { nil, nil, nil }, 1, self:peek()
  if t.kind == "number" and self:peek(1).kind == "rbracket" then
    self:advance() self:advance()
    return { "index", t.value }
  end
  while true do
    t = self:peek()
    if t.kind == "colon" then
      pos = pos + 1
      if pos > 3 then fail(t.pos, "a slice has at most two ':'") end
      self:advance()
    elseif t.kind == "number" then
      parts[pos] = t.value
      self:advance()
    elseif t.kind == "rbracket" then
      self:advance()
      break
    else
      fail(t.pos, "expected a number, ':' or ']', got %s", describe(t))
    end
  end
  if parts[3] == 0 then fail(t.pos, "a slice's step cannot be 0") end
  return { "slice", parts[1], parts[2], parts[3] }
end

function Parser:projection_if_slice(left, right)
  local e = { "index_expression", left, right }
  if right[1] == "slice" then return { "projection", e, self:projection_rhs(BP.star) } end
  return e
end

function Parser:multi_select_list()
  local items = {}
  while true do
    items[#items + 1] = self:expression(0)
    if self:peek().kind == "rbracket" then self:advance() break end
    self:match("comma", "',' or ']'")
  end
  return { "multi_list", items }
end

function Parser:multi_select_hash()
  local pairs_ = {}
  while true do
    local key = self:peek()
    if key.kind ~= "unquoted_identifier" and key.kind ~= "quoted_identifier" then
      fail(key.pos, "expected a key name, got %s", describe(key))
    end
    self:advance()
    self:match("colon", "':'")
    pairs_[#pairs_ + 1] = { key.value, self:expression(0) }
    if self:peek().kind == "rbrace" then self:advance() break end
    self:match("comma", "',' or '}'")
  end
  return { "multi_hash", pairs_ }
end

function Parser:projection_rhs(bp)
  local t = self:peek()
  if BP[t.kind] < PROJECTION_STOP then return { "identity" } end
  if t.kind == "lbracket" or t.kind == "filter" then return self:expression(bp) end
  if t.kind == "dot" then
    self:advance()
    return self:dot_rhs(bp)
  end
  fail(t.pos, "unexpected %s after a projection", describe(t))
end

function Parser:dot_rhs(bp)
  local t = self:peek()
  if t.kind == "unquoted_identifier" or t.kind == "quoted_identifier" or t.kind == "star" then
    return self:expression(bp)
  elseif t.kind == "lbracket" then
    self:advance()
    return self:multi_select_list()
  elseif t.kind == "lbrace" then
    self:advance()
    return self:multi_select_hash()
  end
  fail(t.pos, "expected a name, '*', '[' or '{' after '.', got %s", describe(t))
end

function Parser:led_dot(left)
  if self:peek().kind == "star" then
    self:advance()
    return { "value_projection", left, self:projection_rhs(BP.dot) }
  end
  return { "subexpression", left, self:dot_rhs(BP.dot) }
end
function Parser:led_pipe(left) return { "pipe", left, self:expression(BP.pipe) } end
Parser["led_or"] = function(self, left) return { "or", left, self:expression(BP["or"]) } end
Parser["led_and"] = function(self, left) return { "and", left, self:expression(BP["and"]) } end
function Parser:led_flatten(left)
  return { "projection", { "flatten", left }, self:projection_rhs(BP.flatten) }
end
function Parser:led_filter(left)
  local cond = self:expression(0)
  self:match("rbracket", "']'")
  return { "filter_projection", left, self:projection_rhs(BP.filter), cond }
end
function Parser:led_lbracket(left)
  local t = self:peek()
  if t.kind == "number" or t.kind == "colon" then
    return self:projection_if_slice(left, self:index_value())
  end
  self:match("star", "a number, ':' or '*'")
  self:match("rbracket", "']'")
  return { "projection", left, self:projection_rhs(BP.star) }
end
function Parser:led_lparen(left, t)
  if left[1] ~= "field" then fail(t.pos, "only a name can be called as a function") end
  local args = {}
  if self:peek().kind == "rparen" then
    self:advance()
  else
    while true do
      args[#args + 1] = self:expression(0)
      if self:peek().kind == "rparen" then self:advance() break end
      self:match("comma", "',' or ')'")
    end
  end
  return { "function", left[2], args, t.pos }
end
for kind in pairs(COMPARATORS) do
  Parser["led_" .. kind] = function(self, left) return { "compare", kind, left, self:expression(BP[kind]) } end
end

-- parse(expression) -> ast, or raises { jmespath = true, column, message }
function M.parse(expr)
  local p = setmetatable({ tokens = lex(expr), i = 1 }, Parser)
  if p:peek().kind == "eof" then fail(0, "empty expression") end
  local ast = p:expression(0)
  local t = p:peek()
  if t.kind ~= "eof" then fail(t.pos, "unexpected %s", describe(t)) end
  return ast
end

-- ---------------------------------------------------------------------------------------------
-- functions

local function sortable(list)
  local kind
  for _, v in ipairs(list) do
    local t = jtype(v)
    if t ~= "number" and t ~= "string" then return nil end
    if kind and kind ~= t then return nil end
    kind = t
  end
  return true
end

local function arg_type(name, v, want, pos)
  local t = jtype(v)
  for w in want:gmatch("[^|]+") do
    if w == t or w == "any" then return end
  end
  fail(pos, "%s() expected %s, got %s", name, want:gsub("|", " or "), t)
end

local FUNCTIONS = {
  length = { 1, function(v, pos)
    arg_type("length", v, "string|array|object", pos)
    if type(v) == "string" then return utf8 and utf8.len(v) or #v end
    local n = 0
    for _ in next, v do n = n + 1 end
    return n
  end },
  keys = { 1, function(v, pos)
    arg_type("keys", v, "object", pos)
    local r = new_array()
    for k in next, v do r[#r + 1] = tostring(k) end
    table.sort(r)
    return r
  end },
  values = { 1, function(v, pos)
    arg_type("values", v, "object", pos)
    local ks = {}
    for k in next, v do ks[#ks + 1] = tostring(k) end
    table.sort(ks)
    local r = new_array()
    for i, k in ipairs(ks) do r[i] = v[k] end
    return r
  end },
  contains = { 2, function(subject, search, pos)
    arg_type("contains", subject, "array|string", pos)
    if type(subject) == "string" then
      return type(search) == "string" and subject:find(search, 1, true) ~= nil
    end
    for i = 1, #subject do if equal(subject[i], search) then return true end end
    return false
  end },
  starts_with = { 2, function(s, p, pos)
    arg_type("starts_with", s, "string", pos) arg_type("starts_with", p, "string", pos)
    return s:sub(1, #p) == p
  end },
  ends_with = { 2, function(s, p, pos)
    arg_type("ends_with", s, "string", pos) arg_type("ends_with", p, "string", pos)
    return p == "" or s:sub(-#p) == p
  end },
  join = { 2, function(sep, list, pos)
    arg_type("join", sep, "string", pos) arg_type("join", list, "array", pos)
    for _, v in ipairs(list) do arg_type("join", v, "string", pos) end
    return table.concat(list, sep)
  end },
  sort = { 1, function(list, pos)
    arg_type("sort", list, "array", pos)
    if not sortable(list) then fail(pos, "sort() expected an array of numbers or of strings") end
    local r = new_array()
    for i, v in ipairs(list) do r[i] = v end
    table.sort(r)
    return r
  end },
  reverse = { 1, function(v, pos)
    arg_type("reverse", v, "array|string", pos)
    if type(v) == "string" then return v:reverse() end
    local r = new_array()
    for i = #v, 1, -1 do r[#r + 1] = v[i] end
    return r
  end },
  type = { 1, function(v) return jtype(v) end },
  to_string = { 1, function(v)
    if type(v) == "string" then return v end
    return (json.encode(is_null(v) and NULL or v):gsub("\\/", "/"))
  end },
  to_number = { 1, function(v)
    if type(v) == "number" then return v end
    if type(v) == "string" and v:match("^%s*%-?%d+%.?%d*[eE]?[+-]?%d*%s*$") then return tonumber(v) end
    return nil
  end },
  max = { 1, function(list, pos)
    arg_type("max", list, "array", pos)
    if not sortable(list) then fail(pos, "max() expected an array of numbers or of strings") end
    local m
    for _, v in ipairs(list) do if m == nil or v > m then m = v end end
    return m
  end },
  min = { 1, function(list, pos)
    arg_type("min", list, "array", pos)
    if not sortable(list) then fail(pos, "min() expected an array of numbers or of strings") end
    local m
    for _, v in ipairs(list) do if m == nil or v < m then m = v end end
    return m
  end },
  sum = { 1, function(list, pos)
    arg_type("sum", list, "array", pos)
    local s = 0
    for _, v in ipairs(list) do arg_type("sum", v, "number", pos) s = s + v end
    return s
  end },
  abs = { 1, function(v, pos) arg_type("abs", v, "number", pos) return math.abs(v) end },
  not_null = { -1, function(...)
    local n = select("#", ...) - 1   -- the last one is the position
    for i = 1, n do
      local v = select(i, ...)
      if not is_null(v) then return v end
    end
    return nil
  end },
}
M.FUNCTIONS = FUNCTIONS

-- ---------------------------------------------------------------------------------------------
-- evaluator; a schema (the module's field rows) is carried along where the path follows it, so
-- the output keeps the answer's key order; a multi-select hash's schema is its own key order

local function fields_of(schema)
  if type(schema) ~= "table" then return nil end
  if type(schema.fields) == "table" then return schema.fields end
  if schema[1] ~= nil then return schema end
  return nil
end

local function field_schema(schema, name)
  for _, f in ipairs(fields_of(schema) or {}) do
    if f.name == name then
      if f.type == "array" then return { fields = fields_of(f.item_fields), __items = true } end
      return f.fields and { fields = fields_of(f.fields) } or nil
    end
  end
  return nil
end

-- the schema of an array's items, given the array's schema
local function items_schema(schema)
  if type(schema) == "table" and schema.__items then return { fields = schema.fields } end
  return nil
end

local eval

local function compare(op, a, b)
  if op == "eq" then return equal(a, b) end
  if op == "ne" then return not equal(a, b) end
  if type(a) ~= "number" or type(b) ~= "number" then return nil end
  if op == "lt" then return a < b elseif op == "lte" then return a <= b
  elseif op == "gt" then return a > b end
  return a >= b
end

local function project(node, list, schema)
  local r, sch = new_array(), nil
  for i = 1, #list do
    local v, s = eval(node, list[i], schema)
    if not is_null(v) then r[#r + 1] = v sch = sch or s end
  end
  return r, sch and { fields = fields_of(sch), __items = true }
end

local function slice(list, a, b, step)
  step = step or 1
  local n = #list
  local function norm(x, default)
    if x == nil then return default end
    if x < 0 then
      x = x + n
      if x < 0 then x = step < 0 and -1 or 0 end
    elseif x >= n then
      x = step < 0 and n - 1 or n
    end
    return x
  end
  local start = norm(a, step < 0 and n - 1 or 0)
  local stop = norm(b, step < 0 and -1 or n)
  local r = new_array()
  local i = start
  while (step > 0 and i < stop) or (step < 0 and i > stop) do
    r[#r + 1] = list[i + 1]
    i = i + step
  end
  return r
end

local NODES = {}

function NODES.identity(_, v, s) return v, s end
NODES.current = NODES.identity
function NODES.literal(n) return n[2] end
function NODES.field(n, v, s)
  if is_object(v) then return rawget(v, n[2]), field_schema(s, n[2]) end
  return nil
end
function NODES.subexpression(n, v, s)
  local l, ls = eval(n[2], v, s)
  if is_null(l) then return nil end
  return eval(n[3], l, ls)
end
function NODES.pipe(n, v, s)
  local l, ls = eval(n[2], v, s)
  return eval(n[3], l, ls)
end
function NODES.index_expression(n, v, s)
  local l, ls = eval(n[2], v, s)
  local idx = n[3]
  if not is_array(l) then return nil end
  if idx[1] == "index" then
    local i = idx[2]
    if i < 0 then i = #l + i end
    return l[i + 1], items_schema(ls)
  end
  return slice(l, idx[2], idx[3], idx[4]), ls
end
function NODES.projection(n, v, s)
  local l, ls = eval(n[2], v, s)
  if not is_array(l) then return nil end
  return project(n[3], l, items_schema(ls))
end
function NODES.value_projection(n, v, s)
  local l = eval(n[2], v, s)
  if not is_object(l) then
    if is_array(l) and next(l) == nil then return new_array() end
    return nil
  end
  local ks = {}
  for k in next, l do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  local vals = {}
  for i, k in ipairs(ks) do vals[i] = l[k] end
  return project(n[3], vals, nil)
end
function NODES.flatten(n, v, s)
  local l, ls = eval(n[2], v, s)
  if not is_array(l) then return nil end
  local r = new_array()
  for i = 1, #l do
    if is_array(l[i]) then
      for j = 1, #l[i] do r[#r + 1] = l[i][j] end
    else
      r[#r + 1] = l[i]
    end
  end
  return r, ls
end
function NODES.filter_projection(n, v, s)
  local l, ls = eval(n[2], v, s)
  if not is_array(l) then return nil end
  local kept = new_array()
  local is = items_schema(ls)
  for i = 1, #l do
    if truthy((eval(n[4], l[i], is))) then kept[#kept + 1] = l[i] end
  end
  return project(n[3], kept, is)
end
function NODES.multi_list(n, v, s)
  if is_null(v) then return nil end
  local r = new_array()
  for i, e in ipairs(n[2]) do
    local x = eval(e, v, s)
    r[i] = is_null(x) and NULL or x
  end
  return r
end
function NODES.multi_hash(n, v, s)
  if is_null(v) then return nil end
  local r, fields = {}, {}
  for i, kv in ipairs(n[2]) do
    local x, xs = eval(kv[2], v, s)
    r[kv[1]] = is_null(x) and NULL or x
    fields[i] = { name = kv[1], type = xs and (xs.__items and "array" or "object") or nil,
                  fields = xs and fields_of(xs), item_fields = xs and xs.__items and fields_of(xs) }
  end
  return r, { fields = fields }
end
function NODES.compare(n, v, s)
  return compare(n[2], (eval(n[3], v, s)), (eval(n[4], v, s)))
end
NODES["or"] = function(n, v, s)
  local l, ls = eval(n[2], v, s)
  if truthy(l) then return l, ls end
  return eval(n[3], v, s)
end
NODES["and"] = function(n, v, s)
  local l, ls = eval(n[2], v, s)
  if not truthy(l) then return l, ls end
  return eval(n[3], v, s)
end
NODES["not"] = function(n, v, s) return not truthy((eval(n[2], v, s))) end
function NODES.expref(n) return n end
NODES["function"] = function(n, v, s)
  local f = FUNCTIONS[n[2]]
  if not f then fail(n[4], "unknown function %s()", n[2]) end
  local args = {}
  for i, a in ipairs(n[3]) do args[i] = eval(a, v, s) end
  if f[1] >= 0 and #n[3] ~= f[1] then
    fail(n[4], "%s() takes %d argument%s, got %d", n[2], f[1], f[1] == 1 and "" or "s", #n[3])
  elseif f[1] < 0 and #n[3] == 0 then
    fail(n[4], "%s() takes at least 1 argument", n[2])
  end
  args[#n[3] + 1] = n[4]
  return f[2]((table.unpack or unpack)(args, 1, #n[3] + 1))
end

eval = function(node, v, s)
  if v == NULL then v = nil end
  return NODES[node[1]](node, v, s)
end

-- search(ast or expression, value, schema?) -> result, its schema (nil when unknown)
function M.search(expr, value, schema)
  local ast = type(expr) == "string" and M.parse(expr) or expr
  local r, rs = eval(ast, value, schema)
  if rs and rs.__items and not is_array(r) then rs = nil end
  return r, rs
end

-- a parse or evaluation error as text: the message, the expression, a caret under the column
function M.error_text(e, expr)
  if type(e) ~= "table" or not e.jmespath then return tostring(e) end
  local s = string.format("%s at column %d (0-based)", e.message, e.column)
  if expr then s = s .. "\n  " .. expr .. "\n  " .. string.rep(" ", e.column) .. "^" end
  return s
end

return M
