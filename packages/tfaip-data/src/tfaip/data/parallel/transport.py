"""Messages between the parent and a worker over one Unix socket pair.

    sender                                             receiver
    pickle.dumps(obj, protocol=5, buffer_callback) ─►  pickle.loads(data, buffers=...)
      small (<= INLINE_LIMIT): bytes inline              buffers: slices of a private copy
      large, one-off: written to an anonymous            buffers: slices of the mmap'ed file
        shared-memory file (memfd) whose descriptor
        follows over the socket (SCM_RIGHTS)
      large, reused slab (chunks and results):           the slab is mapped once and kept;
        written into a slab the receiver already maps    arrays are zero-copy views of it;
                                                         when the last one is garbage, the
                                                         slab id goes back to the sender

Numpy arrays travel as out-of-band pickle buffers, so a large array is copied once and
never pickled. Slabs are reused because fresh shared pages are expensive (allocation and
page faults cost more than the copy); a slab is only rewritten after the receiver has
released it. Shared files have no name: they vanish with the last descriptor or mapping,
so a crash cannot leak them. (A parent writing tasks and a worker writing results
cannot deadlock: the worker reads its socket in a thread of its own, see worker.py.)
"""

from __future__ import annotations

import collections
import itertools
import math
import mmap
import os
import pickle
import socket
import struct
import tempfile
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Deque, Dict, List

import numpy as np

INLINE_LIMIT = 16 * 1024
MAX_FREE_SLABS = 4
_ALIGN = 64
_INLINE, _ONE_OFF, _SLAB = b"I", b"S", b"R"
_MAP_FLAGS = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)


def _anonymous_file(size: int) -> int:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("tfaip-data", os.MFD_CLOEXEC)
    else:  # macOS: an unlinked file in the RAM-backed temp dir
        directory = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        fd, path = tempfile.mkstemp(prefix="tfaip-data-", dir=directory)
        os.unlink(path)
    try:
        os.ftruncate(fd, size)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _layout(sizes: List[int]):
    offsets, end = [], 0
    for size in sizes:
        offsets.append(end)
        end = -(-(end + size) // _ALIGN) * _ALIGN
    return offsets, end


def _copy_into(target, pieces: List[memoryview], offsets: List[int]) -> None:
    for piece, offset in zip(pieces, offsets):
        target[offset : offset + piece.nbytes] = piece.cast("B")


def _size_class(nbytes: int) -> int:
    """Round up to one of four sizes per power of two (at most 19% slack) and whole pages."""
    size = 2 ** (math.ceil(math.log2(max(nbytes, 1 << 16)) * 4) / 4)
    return -(-math.ceil(size) // mmap.PAGESIZE) * mmap.PAGESIZE


@dataclass
class _Slab:
    fd: int
    view: memoryview
    size: int
    busy: bool = False
    announced: bool = False  # the receiver has the descriptor

    def close(self) -> None:
        self.view.release()
        os.close(self.fd)


class _SlabAllocator:
    """Sender side: slabs of shared memory, reused once the receiver releases them."""

    def __init__(self):
        self.slabs: Dict[int, _Slab] = {}
        self._next_id = 0

    def acquire(self, nbytes: int) -> tuple:
        """A free slab of at least `nbytes` (new if none fits) and the ids of dropped free slabs."""
        free = [(s.size, i) for i, s in self.slabs.items() if not s.busy and s.size >= nbytes]
        if free:
            slab_id = min(free)[1]
        else:
            size = _size_class(nbytes)
            fd = _anonymous_file(size)
            try:
                view = memoryview(mmap.mmap(fd, size, flags=_MAP_FLAGS))
            except BaseException:
                os.close(fd)
                raise
            slab_id, self._next_id = self._next_id, self._next_id + 1
            self.slabs[slab_id] = _Slab(fd, view, size)
        self.slabs[slab_id].busy = True
        return slab_id, self._drop_excess_free()

    def _drop_excess_free(self) -> List[int]:
        free = sorted((s.size, i) for i, s in self.slabs.items() if not s.busy)
        dropped = [i for _, i in free[: max(0, len(free) - MAX_FREE_SLABS)]]
        for i in dropped:
            self.slabs.pop(i).close()
        return dropped

    def release(self, slab_ids: List[int]) -> None:
        for i in slab_ids:
            if i in self.slabs:
                self.slabs[i].busy = False

    def close(self) -> None:
        for slab in self.slabs.values():
            slab.close()
        self.slabs.clear()


class Channel:
    """One end of a socket pair that sends and receives Python objects (see module doc).

    Args:
        conn: a duplex multiprocessing connection (a Unix socket).
        reuse_memory: send large messages through reusable slabs; the receiver hands the ids of
            released slabs back (`take_released`) and the sender frees them (`release`).
    """

    def __init__(self, conn: Connection, reuse_memory: bool = False):
        self.conn = conn
        self._sock = socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM)
        self._allocator = _SlabAllocator() if reuse_memory else None
        self._maps: Dict[int, mmap.mmap] = {}  # receiver: slabs of the peer
        self._released: Deque[int] = collections.deque()  # receiver: slabs whose arrays are gone

    def fileno_list(self) -> List[int]:
        """The descriptors this channel holds (closed in forked children that must not keep them)."""
        return [] if self.conn.closed else [self.conn.fileno(), self._sock.fileno()]

    def send(self, obj: Any) -> None:
        """Send `obj`; large numpy arrays go through shared memory."""
        buffers: List[pickle.PickleBuffer] = []
        data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        pieces = [memoryview(data)] + [b.raw() for b in buffers]
        sizes = [p.nbytes for p in pieces]
        if sum(sizes) <= INLINE_LIMIT:
            self.conn.send_bytes(b"".join([_INLINE, struct.pack(f"<I{len(sizes)}Q", len(sizes), *sizes), *pieces]))
        elif self._allocator is not None:
            self._send_slab(pieces, sizes)
        else:
            self._send_one_off(pieces, sizes)

    def _send_one_off(self, pieces: List[memoryview], sizes: List[int]) -> None:
        offsets, total = _layout(sizes)
        fd = _anonymous_file(total)
        try:
            with mmap.mmap(fd, total, flags=_MAP_FLAGS) as target:
                _copy_into(target, pieces, offsets)
            self.conn.send_bytes(_ONE_OFF + pickle.dumps((total, sizes, offsets)))
            socket.send_fds(self._sock, [b"F"], [fd])
        finally:
            os.close(fd)

    def _send_slab(self, pieces: List[memoryview], sizes: List[int]) -> None:
        offsets, total = _layout(sizes)
        slab_id, dropped = self._allocator.acquire(total)
        slab = self._allocator.slabs[slab_id]
        try:
            _copy_into(slab.view, pieces, offsets)
            header = (slab_id, slab.size, total, sizes, offsets, dropped, not slab.announced)
            self.conn.send_bytes(_SLAB + pickle.dumps(header))
            if not slab.announced:
                socket.send_fds(self._sock, [b"F"], [slab.fd])
                slab.announced = True
        except BaseException:
            self._allocator.release([slab_id])
            raise

    def release(self, slab_ids: List[int]) -> None:
        """Sender side: the receiver no longer uses these slabs."""
        if self._allocator is not None:
            self._allocator.release(slab_ids)

    def take_released(self) -> List[int]:
        """Receiver side: ids of the peer's slabs whose arrays were all garbage-collected."""
        released = []
        while self._released:
            released.append(self._released.popleft())
        return released

    def _receive_fd(self) -> int:
        _, fds, _, _ = socket.recv_fds(self._sock, 1, 1)
        if not fds:
            raise EOFError("the peer closed the channel while sending shared memory")
        return fds[0]

    def recv(self) -> Any:
        """Receive one object; raises EOFError when the other end is closed."""
        message = self.conn.recv_bytes()
        kind, body = message[:1], memoryview(message)[1:]
        if kind == _INLINE:
            (n,) = struct.unpack_from("<I", body)
            sizes = struct.unpack_from(f"<{n}Q", body, 4)
            view = memoryview(bytearray(body[4 + 8 * n :]))  # writable copy: arrays may be modified
            offsets = list(itertools.accumulate(sizes[:-1], initial=0))
        elif kind == _ONE_OFF:
            total, sizes, offsets = pickle.loads(body)
            fd = self._receive_fd()
            try:
                view = memoryview(mmap.mmap(fd, total, flags=_MAP_FLAGS))
            finally:
                os.close(fd)
        else:
            view, sizes, offsets = self._slab_view(*pickle.loads(body))
        pieces = [view[o : o + s] for o, s in zip(offsets, sizes)]
        return pickle.loads(pieces[0], buffers=pieces[1:])

    def _slab_view(self, slab_id, size, total, sizes, offsets, dropped, has_fd):
        for i in dropped:
            self._maps.pop(i, None)  # unmapped once no array uses it any more
        if has_fd:
            fd = self._receive_fd()
            try:
                self._maps[slab_id] = mmap.mmap(fd, size, flags=_MAP_FLAGS)
            finally:
                os.close(fd)
        # every array of this message is a view of `lease`; when the last one dies, so does
        # the lease, and the slab goes back to the sender
        lease = np.frombuffer(self._maps[slab_id], dtype=np.uint8, count=total)
        weakref.finalize(lease, self._released.append, slab_id)
        return lease, sizes, offsets

    def close(self) -> None:
        """Close the descriptors; mappings stay alive while arrays use them."""
        if self._allocator is not None:
            self._allocator.close()
        self._maps.clear()
        self._sock.close()
        self.conn.close()
