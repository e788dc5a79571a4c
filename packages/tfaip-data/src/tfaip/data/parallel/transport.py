"""Messages between the parent and a worker over one Unix socket pair.

    sender                                              receiver
    pickle.dumps(obj, protocol=5, buffer_callback)      ──►  pickle.loads(data, buffers=...)
      small (<= INLINE_LIMIT): header + bytes inline         buffers are slices of a private
      large: bytes written to an anonymous shared-memory     copy of the message
             file (memfd), its descriptor sent over the     buffers are slices of the mmap'ed
             socket (SCM_RIGHTS)                              file: numpy arrays are zero-copy

Numpy arrays travel as out-of-band pickle buffers, so large arrays are copied exactly once
(into the shared file) and never pickled. The shared file has no name: it disappears when
the last descriptor and the last array viewing it are gone, so a crash cannot leak it.
Inline messages stay small, which bounds what one direction of a socket can hold and so
rules out a deadlock between a parent writing tasks and a worker writing results.
"""

from __future__ import annotations

import mmap
import os
import pickle
import socket
import struct
import tempfile
from multiprocessing.connection import Connection
from typing import Any, List

INLINE_LIMIT = 16 * 1024
_ALIGN = 64
_INLINE, _SHARED = b"I", b"S"


def _anonymous_file(size: int) -> int:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("tfaip-data", os.MFD_CLOEXEC)
    else:  # macOS: an unlinked file in the RAM-backed temp dir
        directory = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        fd, path = tempfile.mkstemp(prefix="tfaip-data-", dir=directory)
        os.unlink(path)
    os.ftruncate(fd, size)
    return fd


def _write_all(fd: int, data: memoryview, offset: int) -> None:
    while data.nbytes:
        written = os.pwrite(fd, data, offset)
        data, offset = data[written:], offset + written


class Channel:
    """One end of a socket pair that sends and receives Python objects (see module doc)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self._sock = socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM)

    def fileno_list(self) -> List[int]:
        """The descriptors this channel holds (closed in forked children that must not keep them)."""
        return [self.conn.fileno(), self._sock.fileno()]

    def send(self, obj: Any) -> None:
        """Send `obj`; large numpy arrays go through shared memory."""
        buffers: List[pickle.PickleBuffer] = []
        data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        pieces = [memoryview(data)] + [b.raw() for b in buffers]
        sizes = [p.nbytes for p in pieces]
        if sum(sizes) <= INLINE_LIMIT:
            header = _INLINE + struct.pack(f"<I{len(sizes)}Q", len(sizes), *sizes)
            self.conn.send_bytes(b"".join([header, *pieces]))
            return
        offsets, end = [], 0
        for size in sizes:
            offsets.append(end)
            end = -(-(end + size) // _ALIGN) * _ALIGN
        fd = _anonymous_file(end)
        try:
            for piece, offset in zip(pieces, offsets):
                _write_all(fd, piece, offset)
            n = len(sizes)
            self.conn.send_bytes(_SHARED + struct.pack(f"<IQ{n}Q{n}Q", n, end, *sizes, *offsets))
            socket.send_fds(self._sock, [b"F"], [fd])
        finally:
            os.close(fd)

    def recv(self) -> Any:
        """Receive one object; raises EOFError when the other end is closed."""
        message = self.conn.recv_bytes()
        kind, body = message[:1], message[1:]
        (n,) = struct.unpack_from("<I", body)
        if kind == _INLINE:
            sizes = struct.unpack_from(f"<{n}Q", body, 4)
            view = memoryview(bytearray(body[4 + 8 * n :]))  # writable copy: arrays may be modified
            offsets, pos = [], 0
            for size in sizes:
                offsets.append(pos)
                pos += size
        else:
            total, *rest = struct.unpack_from(f"<Q{2 * n}Q", body, 4)
            sizes, offsets = rest[:n], rest[n:]
            _, fds, _, _ = socket.recv_fds(self._sock, 1, 1)
            if not fds:
                raise EOFError("the peer closed the channel while sending shared memory")
            try:
                view = memoryview(mmap.mmap(fds[0], total))
            finally:
                os.close(fds[0])
        pieces = [view[o : o + s] for o, s in zip(offsets, sizes)]
        return pickle.loads(pieces[0], buffers=pieces[1:])

    def close(self) -> None:
        """Close both descriptors."""
        self._sock.close()
        self.conn.close()
