#!/usr/bin/python3
"""An independent procwire.v1 client, written from docs/PROTOCOL-websocket.md alone.

Usage: procwire_client.py URL TOKEN STDIN_TEXT -- ARGV...
Starts ARGV, writes STDIN_TEXT and EOF to its stdin, reads stdout and stderr to their end, waits
for the exit status, and prints one JSON line: {"stdout", "stderr", "exit", "info"}.
Needs Debian's python3-websockets (asyncio API).
"""
import asyncio
import json
import struct
import sys

import websockets

HEADER = struct.Struct(">BBBBIII")  # type, flags, fd, reserved, callId, offset high, offset low
START, READ, CREDIT, WRITE, WAIT, GET = 0x01, 0x02, 0x03, 0x06, 0x07, 0x0B
RESULT, ERROR, OUTPUT, END, WRITTEN = 0x80, 0x81, 0x82, 0x83, 0x84
EOF_FLAG = 0x01
WINDOW = 1 << 20


def frame(ftype, call_id, payload=b"", flags=0, fd=0, offset=0):
    return HEADER.pack(ftype, flags, fd, 0, call_id, offset >> 32, offset & 0xFFFFFFFF) + payload


def addressed(process_id, rest=b""):
    pid = process_id.encode("ascii")
    return bytes([len(pid)]) + pid + rest


class ProcwireError(Exception):
    pass


class Connection:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 1
        self.queues = {}

    async def pump(self):
        async for message in self.ws:
            ftype, flags, fd, _, call_id, high, low = HEADER.unpack_from(message)
            queue = self.queues.get(call_id)
            if queue is not None:
                queue.put_nowait((ftype, flags, fd, (high << 32) | low, message[HEADER.size:]))

    def open_call(self):
        call_id = self.next_id
        self.next_id += 1
        self.queues[call_id] = asyncio.Queue()
        return call_id, self.queues[call_id]

    async def call(self, ftype, payload=b"", **header):
        call_id, queue = self.open_call()
        await self.ws.send(frame(ftype, call_id, payload, **header))
        answer = await queue.get()
        del self.queues[call_id]
        if answer[0] == ERROR:
            error = json.loads(answer[4])
            raise ProcwireError(f"{error['code']}: {error['message']}")
        return answer

    async def control(self, ftype, params):
        answer = await self.call(ftype, json.dumps(params).encode())
        return json.loads(answer[4]) if answer[4] else None

    async def read(self, process_id, fd):
        """Read a stream from offset 0 to its End, granting credit as it goes."""
        call_id, queue = self.open_call()
        await self.ws.send(frame(READ, call_id, addressed(process_id, struct.pack(">I", WINDOW)), fd=fd))
        data, credited = bytearray(), 0
        while True:
            ftype, _, _, offset, payload = await queue.get()
            if ftype == OUTPUT:
                assert offset == len(data), f"output at {offset}, expected {len(data)}"
                data += payload
                if len(data) - credited >= WINDOW // 4:
                    credited = len(data)
                    await self.ws.send(frame(CREDIT, call_id, offset=credited))
            elif ftype == END:
                assert offset == len(data)
                del self.queues[call_id]
                return bytes(data)
            else:
                raise ProcwireError(json.loads(payload)["message"])


async def main(url, token, stdin_text, argv):
    async with websockets.connect(
        url,
        subprotocols=["procwire.v1"],
        extra_headers={"Authorization": f"Bearer {token}"},
        compression=None,
        max_size=16 << 20,
    ) as ws:
        assert ws.subprotocol == "procwire.v1"
        conn = Connection(ws)
        pump = asyncio.ensure_future(conn.pump())
        process_id = "py-client-1"
        await conn.control(START, {"processId": process_id, "argv": argv})
        out = asyncio.ensure_future(conn.read(process_id, 1))
        err = asyncio.ensure_future(conn.read(process_id, 2))
        written = await conn.call(WRITE, addressed(process_id, stdin_text.encode()), flags=EOF_FLAG)
        assert written[0] == WRITTEN and written[1] & EOF_FLAG and written[3] == len(stdin_text.encode())
        exit_status = await conn.control(WAIT, {"processId": process_id})
        info = await conn.control(GET, {"processId": process_id})
        result = {
            "stdout": (await out).decode(),
            "stderr": (await err).decode(),
            "exit": exit_status,
            "info": {"state": info["state"], "stdin": info["stdin"]},
        }
        pump.cancel()
        print(json.dumps(result))


if __name__ == "__main__":
    url, token, stdin_text, separator, *argv = sys.argv[1:]
    assert separator == "--", "usage: procwire_client.py URL TOKEN STDIN_TEXT -- ARGV..."
    asyncio.run(main(url, token, stdin_text, argv))
