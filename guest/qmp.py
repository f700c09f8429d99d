#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND ...   a small QMP client (Python standard library only)

  qmp.py SOCK screendump FILE          QEMU writes the screen to FILE (PPM)
  qmp.py SOCK quit                     QEMU exits
  qmp.py SOCK expect-pattern FILE [--size WxH] [--timeout S] [--scene 2d|3d]
        screendump + checkpattern until the screen is the pattern (exit 0) or S seconds
        (default 15) have passed (exit 1); prints checkpattern's last verdict; --scene 3d
        expects the 3D guest's scene instead
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpattern  # noqa: E402


class Qmp:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.pending = b""
        self._message()  # the greeting
        self.execute("qmp_capabilities")

    def _message(self):
        while b"\n" not in self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("QMP connection closed by QEMU")
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        request = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            reply = self._message()
            if "error" in reply:
                raise RuntimeError("%s: %s" % (command, reply["error"].get("desc", reply["error"])))
            if "return" in reply:
                return reply["return"]
            # anything else is an asynchronous event; not needed here

    def close(self):
        self.sock.close()


def expect_pattern(qmp, path, size, timeout, scene="2d"):
    deadline = time.monotonic() + timeout
    while True:
        try:
            qmp.execute("screendump", filename=path)
            ok, verdict = checkpattern.check(path, size, scene)
        except (RuntimeError, ValueError, OSError) as e:
            ok, verdict = False, "PATTERN-MISMATCH no screen: %s" % e
        if ok or time.monotonic() >= deadline:
            return ok, verdict
        time.sleep(0.2)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    sock, command, rest = argv[1], argv[2], argv[3:]
    options = dict(zip(rest[1::2], rest[2::2])) if command == "expect-pattern" else {}
    qmp = Qmp(sock)
    try:
        if command == "screendump" and len(rest) == 1:
            qmp.execute("screendump", filename=os.path.abspath(rest[0]))
        elif command == "quit" and not rest:
            qmp.execute("quit")
        elif command == "expect-pattern" and rest:
            size = checkpattern.parse_size(options["--size"]) if "--size" in options else None
            ok, verdict = expect_pattern(qmp, os.path.abspath(rest[0]), size,
                                         float(options.get("--timeout", 15)), options.get("--scene", "2d"))
            print(verdict)
            return 0 if ok else 1
        else:
            print(__doc__, file=sys.stderr)
            return 2
    finally:
        qmp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
