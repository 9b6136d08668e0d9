"""``bench.record``: a benchmark's output appended to RESULTS.md, under its command."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path


def record(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BENCH_RESULTS": str(tmp_path / "RESULTS.md")}
    return subprocess.run(
        [sys.executable, "-m", "bench.record", *argv], env=env, capture_output=True, text=True
    )


def test_the_output_is_printed_and_appended_under_its_command(tmp_path: Path) -> None:
    (tmp_path / "RESULTS.md").write_text("# kept\n", encoding="utf-8")
    done = record(tmp_path, "platform", "--terse")
    assert done.returncode == 0
    printed = done.stdout.strip()
    assert printed == platform.platform(terse=True)
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert text.startswith("# kept\n## `python -m platform --terse`\n")
    assert f"\n```\n{printed}\n```\n" in text
    assert "exit code" not in text


def test_a_failing_benchmark_keeps_its_exit_code_and_says_so(tmp_path: Path) -> None:
    done = record(tmp_path, "bench.no_such_benchmark")
    assert done.returncode == 1
    assert "No module named bench.no_such_benchmark" in done.stderr
    assert "**exit code 1**" in (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
