"""A small soak (bench/soak.py at 4 clients x 50 calls): streamable HTTP, bearer token on, a demo Sentry
subprocess that faults ~10% of its answers. Every answer is the object asked for or a clear error."""

from __future__ import annotations

from pathlib import Path

from soak import run


def test_concurrent_clients_against_a_faulty_sentry_lose_and_mix_up_nothing(tmp_path: Path) -> None:
    report = run(clients=4, calls=200, fault_rate=0.1, seed=3, workdir=tmp_path)
    assert report.calls == 200
    assert not report.problems, report.problems[:10]
    assert report.ok
    assert report.matched >= 180, "retries recover most faulted answers"
    assert "with an injected fault" in report.demo_summary
    faulted = int(report.demo_summary.split(", ")[1].split()[0])
    assert faulted >= 5, report.demo_summary
    assert report.rss_end_kib < report.rss_start_kib * 1.5
