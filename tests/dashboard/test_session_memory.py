"""The dashboard's cross-session result store: kept per token, least recent dropped, locked."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pages.parts.memory import SessionMemory


def test_values_are_kept_per_session():
    memory = SessionMemory(sessions=3)
    memory.put("a", "result", 1)
    memory.put("b", "result", 2)
    assert memory.get("a", "result") == 1 and memory.get("b", "result") == 2
    assert memory.get("c", "result", "none") == "none"
    assert memory.get("a", "other") is None


def test_the_least_recently_used_sessions_go_first():
    memory = SessionMemory(sessions=2)
    for token in ("a", "b"):
        memory.touch(token)
        memory.put(token, "n", token)
    memory.touch("a")  # a is used again: b is now the oldest
    memory.touch("c")
    assert memory.get("a", "n") == "a"
    assert memory.get("b", "n") is None


def test_concurrent_counts_lose_no_update():
    memory = SessionMemory(sessions=8)

    def work(k: int) -> list[int]:
        token = "abcdefgh"[k % 8]
        out = []
        for _ in range(500):
            memory.touch(token)
            out.append(memory.count_up(token, "searches"))
        return out

    with ThreadPoolExecutor(8) as pool:
        seen = [n for ns in pool.map(work, range(16)) for n in ns]
    assert sorted(memory.get(t, "searches") for t in "abcdefgh") == [1000] * 8
    assert len(seen) == 16 * 500 and max(seen) == 1000
