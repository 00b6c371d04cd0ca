"""The frame that keeps WeasyPrint's calls off the edges of CPython's frame-stack chunks."""

import resource
import sys

import pytest

from bookmaker.builders.pdf.framestack import roomy_stack

THRASHING_PYTHON = sys.implementation.name == "cpython" and sys.version_info < (3, 13)


def _descend(depth: int) -> int:
    return 0 if depth == 0 else _descend(depth - 1) + 1


def _sweep() -> int:
    """Calls to every depth up to 400, fifty times each: some cross a chunk's edge (a chunk
    holds some 200 of these frames). The minor page faults it took."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for depth in range(400):
        for _ in range(50):
            assert _descend(depth) == depth
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_returns_what_the_function_returns_and_raises_what_it_raises():
    @roomy_stack
    def join(a, b, sep="-"):
        """Joined."""
        return f"{a}{sep}{b}"

    assert join("x", "y", sep="+") == "x+y"
    assert join.__name__ == "join" and join.__doc__ == "Joined."
    with pytest.raises(ZeroDivisionError):
        roomy_stack(lambda: 1 / 0)()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's fault counts")
def test_calls_in_the_room_cross_no_chunk_edge():
    roomy_stack(_sweep)()  # the first run maps what both runs use
    inside = roomy_stack(_sweep)()
    assert inside < 500, inside  # a fresh chunk at each crossing is a fault or more
    if THRASHING_PYTHON:
        # What the room saves: outside it, every crossing maps and unmaps a chunk.
        outside = _sweep()
        assert outside > 5_000, outside
