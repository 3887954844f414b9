/* rtc_reflect.c: rtc.operations() and rtc.operation(name): the rows of rtc_api.c as Lua
 * tables, for the command's help, completion and the docs. Derived, never written by hand. */
#include <string.h>

#include "rtc_lua.h"
#include "rtc_reflect.h"

static const char *type_name(rtc_type t) {
  switch (t) {
  case RTC_T_STRING: return "string";
  case RTC_T_BOOLEAN: return "boolean";
  case RTC_T_INTEGER: return "integer";
  case RTC_T_NUMBER: return "number";
  case RTC_T_OBJECT: return "object";
  case RTC_T_ARRAY: return "array";
  }
  return "string";
}

static void push_schema(lua_State *L, const rtc_schema *s);

static void push_field(lua_State *L, const rtc_field *f) {
  lua_createtable(L, 0, 8);
  lua_pushstring(L, f->name);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, type_name(f->type));
  lua_setfield(L, -2, "type");
  lua_pushboolean(L, (f->flags & RTC_REQUIRED) != 0);
  lua_setfield(L, -2, "required");
  if (f->enums) {
    int i;
    lua_newtable(L);
    for (i = 0; f->enums[i]; i++) {
      lua_pushstring(L, f->enums[i]);
      lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "enum");
  }
  if (f->type == RTC_T_INTEGER || f->type == RTC_T_ARRAY) {
    if (f->min != 0 || f->max != 0) {
      lua_pushinteger(L, (lua_Integer)f->min);
      lua_setfield(L, -2, "min");
      lua_pushinteger(L, (lua_Integer)f->max);
      lua_setfield(L, -2, "max");
    }
    if (f->flags & RTC_OR_ZERO) { /* min..max, or 0 */
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "or_zero");
    }
  } else if (f->type == RTC_T_NUMBER && f->fmin <= f->fmax) {
    lua_pushnumber(L, (lua_Number)f->fmin);
    lua_setfield(L, -2, "min");
    lua_pushnumber(L, (lua_Number)f->fmax);
    lua_setfield(L, -2, "max");
  } else if (f->type == RTC_T_STRING && f->max > 0) {
    lua_pushinteger(L, (lua_Integer)f->max);
    lua_setfield(L, -2, "max_length");
  }
  if (f->type == RTC_T_OBJECT && f->object) {
    push_schema(L, f->object);
    lua_setfield(L, -2, "fields");
  }
  if (f->type == RTC_T_ARRAY) {
    lua_pushstring(L, type_name(f->item));
    lua_setfield(L, -2, "items");
    if (f->item == RTC_T_OBJECT && f->object) {
      push_schema(L, f->object);
      lua_setfield(L, -2, "item_fields");
    }
  }
}

static void push_schema(lua_State *L, const rtc_schema *s) {
  size_t i;
  lua_createtable(L, 0, 3);
  lua_pushstring(L, s->name);
  lua_setfield(L, -2, "name");
  lua_createtable(L, (int)s->nfields, 0);
  for (i = 0; i < s->nfields; i++) {
    push_field(L, &s->fields[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "fields");
  if (s->one_of) {
    int k;
    lua_newtable(L);
    for (k = 0; s->one_of[k]; k++) {
      lua_pushstring(L, s->one_of[k]);
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "one_of");
  }
  if (s->rules) {
    int k;
    lua_newtable(L);
    for (k = 0; s->rules[k].when; k++) {
      lua_createtable(L, 0, 3);
      lua_pushstring(L, s->rules[k].when);
      lua_setfield(L, -2, "when");
      if (s->rules[k].value[0] == '!') { /* "when F is not V" */
        lua_pushstring(L, s->rules[k].value + 1);
        lua_setfield(L, -2, "is_not");
      } else {
        lua_pushstring(L, s->rules[k].value);
        lua_setfield(L, -2, "is");
      }
      lua_pushstring(L, s->rules[k].then);
      lua_setfield(L, -2, "requires");
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "rules");
  }
}

void rtc_push_schema(lua_State *L, const rtc_schema *s) { push_schema(L, s); }

static void push_operation(lua_State *L, const rtc_operation *op) {
  int i, n = rtc_operation_nparams(op);
  char name[64];
  lua_createtable(L, 0, 12);
  lua_pushstring(L, op->name);
  lua_setfield(L, -2, "name");
  lua_pushstring(L, op->method);
  lua_setfield(L, -2, "method");
  lua_pushstring(L, op->path);
  lua_setfield(L, -2, "path");
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    rtc_operation_param(op, i, name, sizeof name);
    lua_pushstring(L, name);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "params");
  if (op->query) {
    push_schema(L, op->query); /* a schema like body's: {name, fields = {...}} */
    lua_setfield(L, -2, "query");
  }
  if (op->request) {
    push_schema(L, op->request);
    lua_setfield(L, -2, "body");
  }
  if (op->response) {
    push_schema(L, op->response);
    lua_setfield(L, -2, "response");
  }
  lua_pushinteger(L, (lua_Integer)op->success);
  lua_setfield(L, -2, "success");
  lua_pushstring(L, op->summary ? op->summary : "");
  lua_setfield(L, -2, "summary");
  lua_pushstring(L, op->retry == RTC_RETRY_IDEMPOTENT ? "idempotent" : "if_unsent");
  lua_setfield(L, -2, "retry");
  lua_pushstring(L, op->content_type ? op->content_type : "application/json;charset=utf-8");
  lua_setfield(L, -2, "content_type");
  if (op->list) {
    lua_createtable(L, 0, 4);
    lua_pushstring(L, op->list->items);
    lua_setfield(L, -2, "items");
    lua_pushstring(L, op->list->item);
    lua_setfield(L, -2, "item");
    if (op->list->total) {
      lua_pushstring(L, op->list->total);
      lua_setfield(L, -2, "total");
    }
    lua_pushboolean(L, op->list->paged);
    lua_setfield(L, -2, "paged");
    lua_setfield(L, -2, "list");
  }
}

int lrtc_operations(lua_State *L) {
  size_t i;
  lua_createtable(L, (int)rtc_noperations, 0);
  for (i = 0; i < rtc_noperations; i++) {
    push_operation(L, &rtc_operations[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

int lrtc_operation_row(lua_State *L) {
  const rtc_operation *op = rtc_find_operation(luaL_checkstring(L, 1));
  if (op == NULL) lua_pushnil(L);
  else push_operation(L, op);
  return 1;
}
