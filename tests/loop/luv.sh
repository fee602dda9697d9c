#!/bin/sh
# tests/loop/luv.sh UVSIM — Lua's luv (lua-luv, LuaJIT: libuv.so.1 bound
# to Lua) unchanged on libuvsim: a timer, an idle handle, a TCP echo on
# 127.0.0.1, and uv.pipe() polled (uv_poll on a real pipe, written with
# uv.fs_write on its real descriptor). The natural order prints what the
# same script prints on real libuv; three seeded schedules under `uvsim
# exec` fail nothing. Skipped (77) without luajit and lua-luv.
set -u
uvsim=$1
command -v luajit >/dev/null 2>&1 && luajit -e 'require("luv")' 2>/dev/null ||
  { echo "luajit or lua-luv not installed: skip"; exit 77; }
dir=$(mktemp -d /tmp/uvsim-luv.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/prog.lua" <<'LUA'
local uv = require('luv')
local t = uv.new_timer()
t:start(300, 0, function() print("timer"); t:close() end)
local n = 0
local i = uv.new_idle()
i:start(function() n = n + 1; if n == 3 then i:stop(); i:close(); print("idle x3") end end)
local s = uv.new_tcp()
assert(s:bind("127.0.0.1", 0))
local port = s:getsockname().port
s:listen(8, function(err)
  local c = uv.new_tcp(); s:accept(c)
  c:read_start(function(err, data)
    if data then print("server got", data); c:write(data:upper()) else c:close(); s:close() end
  end)
end)
local cl = uv.new_tcp()
cl:connect("127.0.0.1", port, function(err)
  print("connected", err)
  cl:read_start(function(err, data)
    if data then print("client got", data); cl:shutdown(function() cl:close() end) end
  end)
  cl:write("hello")
end)
local fds = uv.pipe({nonblock = true}, {nonblock = true})
local p = uv.new_poll(fds.read)
p:start("r", function(err, ev) print("poll", err, ev); p:stop(); p:close() end)
local w = uv.new_timer()
w:start(50, 0, function() uv.fs_write(fds.write, "x"); w:close() end)
uv.run()
print("done")
LUA
want=$(luajit "$dir/prog.lua" 2>&1)
lib=$(dirname "$uvsim")/lib/libuvsim.so
got=$(env -u UVSIM_SEED LD_PRELOAD="$lib" luajit "$dir/prog.lua" 2>&1)
if [ "$got" != "$want" ]; then
  echo "luv on uvsim (natural order) printed:"; echo "$got"
  echo "on real libuv:"; echo "$want"
  exit 1
fi
out=$("$uvsim" exec --runs 3 -- luajit "$dir/prog.lua" 2>&1)
echo "$out" | tail -1
case "$out" in
  *", 0 failing, "*) exit 0 ;;
  *) echo "$out"; exit 1 ;;
esac
