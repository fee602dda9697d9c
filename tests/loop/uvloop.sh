#!/bin/sh
# tests/loop/uvloop.sh UVSIM — Python's uvloop (the python3-uvloop package,
# asyncio on libuv.so.1) unchanged under `uvsim exec`: its start-up polls a
# socketpair of its own (uv_poll on a real descriptor, loop/poll.c), then a
# call_soon chain, an hour of asyncio.sleep (virtual time: real sleeping
# would run into ctest's timeout), the default executor (a real thread that
# wakes the loop through that socketpair, waited for for real), a
# call_soon_threadsafe from a thread, timers gathered, and a TCP echo over
# asyncio streams (uvloop writes to a connected transport with write(2) on
# uv_fileno's number: loop/fdshim.c answers it from the simulated
# network; without it the first write failed with EBADF). The natural
# order must print what real uvloop prints, and three seeded schedules the
# same. Skipped (77) when python3-uvloop is not installed.
set -u
uvsim=$1
py=/usr/bin/python3
$py -c 'import uvloop' 2>/dev/null || { echo "python3-uvloop not installed: skip"; exit 77; }
dir=$(mktemp -d /tmp/uvsim-uvloop.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/prog.py" <<'PY'
import asyncio, threading, uvloop
async def main():
    loop = asyncio.get_running_loop()
    order = []
    for i in range(5):
        loop.call_soon(order.append, i)
    await asyncio.sleep(3600)
    print("call_soon chain", order)
    print("executor", await loop.run_in_executor(None, lambda: 6 * 7))
    fut = loop.create_future()
    threading.Thread(target=lambda: loop.call_soon_threadsafe(fut.set_result, "threadsafe")).start()
    print(await fut)
    async def tick(name, n):
        for _ in range(n):
            await asyncio.sleep(0.05)
        return name
    print("gather", await asyncio.gather(tick("a", 3), tick("b", 2)))
    async def handle(reader, writer):
        while data := await reader.read(100):
            writer.write(data.upper())
            await writer.drain()
        writer.close()
        await writer.wait_closed()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for msg in (b"hello", b"world"):
        writer.write(msg)
        await writer.drain()
        print("echo", (await reader.readexactly(len(msg))).decode())
    writer.write_eof()
    print("eof", await reader.read())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
uvloop.install()
asyncio.run(main())
print("done")
PY
want='call_soon chain [0, 1, 2, 3, 4]
executor 42
threadsafe
gather ['"'"'a'"'"', '"'"'b'"'"']
echo HELLO
echo WORLD
eof b'"'"''"'"'
done'
lib=$(dirname "$uvsim")/lib/libuvsim.so
got=$(env -u UVSIM_SEED LD_PRELOAD="$lib" $py "$dir/prog.py" 2>&1)
if [ "$got" != "$want" ]; then
  echo "uvloop on uvsim (natural order) printed:"; echo "$got"
  echo "expected (what real uvloop prints):"; echo "$want"
  exit 1
fi
out=$("$uvsim" exec --runs 3 --same-output -- $py "$dir/prog.py" 2>&1)
echo "$out" | tail -1
case "$out" in
  *", 0 failing, "*) exit 0 ;;
  *) echo "$out"; exit 1 ;;
esac
