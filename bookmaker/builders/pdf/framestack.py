"""WeasyPrint's calls made from a frame that claims a large block of CPython's frame stack.

Why: CPython 3.11 and 3.12 keep Python frames in 16 KiB chunks, map a new chunk when a
call does not fit in the current one and unmap it as soon as that call returns
(python/cpython#142183, fixed in 3.13 and 3.14 by keeping one chunk spare). WeasyPrint's
layout recurses deeply and comes back to the same depths thousands of times a page, so where
a chunk's edge falls at such a depth, each crossing is an ``mmap`` and a ``munmap``:
235,000 of each, and 6 to 10% of the time, rendering a 120-document volume on 3.11.

A frame that asks for half a mebibyte of stack does not fit in the current chunk, so it is
given a chunk of its own, of 1 MiB, and everything it calls runs in the half left over,
crossing no edge (about 60,000 stack slots: WeasyPrint's deepest layouts use a few
thousand). The frame's size is its code's ``co_stacksize``: a larger one only reserves room.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

RESERVED_SLOTS = 65_536
"""Stack slots (8 bytes each) the calling frame reserves: 512 KiB, so its chunk is 1 MiB."""


def _call(function, args, kwargs):
    return function(*args, **kwargs)


def _roomy_call():
    if sys.implementation.name != "cpython":  # other interpreters keep no such chunks
        return _call
    code = _call.__code__
    return types.FunctionType(code.replace(co_stacksize=code.co_stacksize + RESERVED_SLOTS),
                              _call.__globals__, "_roomy_call")


_call_in_room = _roomy_call()


def roomy_stack(function: Callable[P, T]) -> Callable[P, T]:
    """``function``, called from a frame that reserves :data:`RESERVED_SLOTS` of stack."""

    @functools.wraps(function)
    def in_room(*args: P.args, **kwargs: P.kwargs) -> T:
        return _call_in_room(function, args, kwargs)

    return in_room
