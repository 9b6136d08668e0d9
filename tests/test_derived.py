"""The read model kept with each build (``builds/<id>.derived``): reused at start-up, recomputed
when missing, stale or damaged (with a warning), never served wrong, cleaned with its build.

Each test copies the session store (built by ``load``, so with its derived file) and works on
the copy; answers are compared with those of a read model computed from the store.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph import derived
from tdi_graph.errors import DataError, StoreWriteFailed
from tdi_graph.settings import Settings
from tdi_graph.store import (
    clean,
    current_build,
    derived_path,
    open_build,
    opening,
    release,
    write_build,
)

THING = "https://w3id.org/tdi-graph/id/thing"
URLS = [
    "/api/search?q=lombard",
    "/api/search?q=banque%20territoires",
    "/api/search?q=bpi&type=organisation",
    "/search?type=territory",
    "/search?type=person",
    "/api/entities/bpifrance",
    "/api/entities/eric-lombard",
    "/api/signatures?limit=20",
    "/api/commitments?limit=20",
    "/api/territories?limit=20",
    "/api/network?format=json",
]


@pytest.fixture(autouse=True)
def _no_leases() -> Iterator[None]:
    yield
    for build in list(opening._LEASES):
        release(build)


@pytest.fixture
def copy(store_dir: Path, tmp_path: Path) -> Path:
    """A copy of the session store, its ``current`` link and derived file included."""
    target = tmp_path / "store"
    shutil.copytree(store_dir, target, symlinks=True, ignore=shutil.ignore_patterns(".lock"))
    return target


def build_of(store_dir: Path) -> Path:
    build = current_build(store_dir)
    assert build is not None
    return build


def answers(store_dir: Path) -> dict[str, Any]:
    """The JSON of every URL of :data:`URLS`, from an app over ``store_dir``."""
    from tdi_graph_api.app import create_app

    app = create_app(store_dir, Settings(store=store_dir, query_timeout=5.0, query_workers=1))
    out = {}
    with TestClient(app) as client:
        for url in URLS:
            response = client.get(url)
            assert response.status_code == 200, url
            json = response.headers["content-type"].startswith("application/json")
            out[url] = response.json() if json else response.text
    return out


def state(model: derived.ReadModel) -> Any:
    """Everything the read model holds, in order (dicts keep theirs; sets sorted)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return [(k, plain(v)) for k, v in value.items()]
        if isinstance(value, set | frozenset):
            return sorted(value)
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    found = derived._state(model)
    del found["search"]["build_seconds"]
    return plain(found)


def rewrite(path: Path, header: dict[str, Any] | None = None, payload: bytes | None = None) -> None:
    """Rewrite a derived file with another header or payload (the checksum made to match)."""
    first, _, old = path.read_bytes().partition(b"\n")
    head = json.loads(first)
    if payload is not None:
        head.update(size=len(payload), sha256=hashlib.sha256(payload).hexdigest())
    head.update(header or {})
    path.write_bytes(json.dumps(head).encode() + b"\n" + (old if payload is None else payload))


# --- reuse ---------------------------------------------------------------------------------------


def test_the_load_keeps_the_read_model_and_the_server_reuses_it(
    copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = derived_path(build_of(copy))
    assert path.is_file()
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    assert header["build"] == build_of(copy).name and header["key"] == derived.code_key()
    monkeypatch.setattr(derived, "compute", lambda store: pytest.fail("recomputed"))
    with caplog.at_level(logging.WARNING, logger="tdi_graph.derived"):
        model = derived.read_model(open_build(copy))
    assert caplog.records == []
    assert len(model.search) > 500 and model.registry.label(
        "https://w3id.org/tdi-graph/id/bpifrance"
    ).startswith("Bpifrance")


def test_the_kept_read_model_equals_one_computed_in_memory_or_on_disk(copy: Path) -> None:
    build = build_of(copy)
    kept = derived.restore(build)
    assert kept is not None
    memory = derived.compute(open_build(copy, in_memory=True).store)
    disk = derived.compute(ox.Store.read_only(str(build)))
    assert state(kept) == state(memory) == state(disk)


def test_same_answers_with_and_without_the_derived_file(copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "without"
    shutil.copytree(copy, other, symlinks=True)
    derived_path(build_of(other)).unlink()
    with_file = answers(copy)
    without = answers(other)
    assert with_file == without
    assert with_file["/api/search?q=lombard"]["results"][0]["id"] == "eric-lombard"
    assert derived_path(build_of(other)).is_file()  # recomputed, then kept for the next start


# --- missing, stale, damaged: recomputed, with a warning ------------------------------------------


def _missing(path: Path) -> str:
    path.unlink()
    return "missing"


def _other_build(path: Path) -> str:
    rewrite(path, {"build": "20200101T000000-1-1"})
    return "stale (another build"


def _other_format(path: Path) -> str:
    rewrite(path, {"format": derived.FORMAT + 1})
    return "stale (another build or format)"


def _truncated(path: Path) -> str:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return "damaged ("


def _flipped_byte(path: Path) -> str:
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0x01
    path.write_bytes(bytes(data))
    return "damaged (SHA-256 differs"


def _no_header(path: Path) -> str:
    path.write_bytes(b"\x80\x05garbage" * 100)
    return "damaged (no header)"


def _a_function_inside(path: Path) -> str:
    """A payload that would run ``os.getpid`` when unpickled, with a matching checksum."""
    rewrite(path, payload=pickle.dumps({"registry": os.getpid}))
    return "damaged (posix.getpid: not plain data)"


def _wrong_shape(path: Path) -> str:
    rewrite(path, payload=pickle.dumps({"registry": {}, "terms": {}, "search": {}}))
    return "damaged (not the fields of a"


def _empty(path: Path) -> str:
    path.write_bytes(b"")
    return "damaged (no header)"


DAMAGE = [
    _missing,
    _other_build,
    _other_format,
    _truncated,
    _flipped_byte,
    _no_header,
    _a_function_inside,
    _wrong_shape,
    _empty,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda d: d.__name__.strip("_"))
def test_a_missing_stale_or_damaged_read_model_is_recomputed_and_kept_again(
    copy: Path, damage: Any, caplog: pytest.LogCaptureFixture
) -> None:
    build = build_of(copy)
    path = derived_path(build)
    expected = derived.restore(build)
    assert expected is not None
    reason = damage(path)
    with caplog.at_level(logging.WARNING, logger="tdi_graph.derived"):
        model = derived.read_model(open_build(copy))
    first, second = (r.getMessage() for r in caplog.records)
    assert str(path) in first and reason in first and "computing it from the store" in first
    assert str(build) in second and "kept" in second
    assert state(model) == state(expected)
    again = derived.restore(build)  # the recomputed model was kept, and is good
    assert again is not None and state(again) == state(expected)


def test_code_of_another_version_makes_the_read_model_stale(
    copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    build = build_of(copy)
    monkeypatch.setattr(derived, "code_key", lambda: "another version of the code")
    with caplog.at_level(logging.WARNING, logger="tdi_graph.derived"):
        assert derived.restore(build) is None
    assert "stale (computed by other code)" in caplog.records[0].getMessage()
    derived.read_model(open_build(copy))
    header = json.loads(derived_path(build).read_bytes().partition(b"\n")[0])
    assert header["key"] == "another version of the code"


def test_a_store_that_cannot_be_written_serves_a_recomputed_model(
    copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    derived_path(build_of(copy)).unlink()

    def refuse(build: Path, model: derived.ReadModel) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(derived, "save", refuse)
    with caplog.at_level(logging.WARNING, logger="tdi_graph.derived"):
        model = derived.read_model(open_build(copy))
    assert "not kept: Permission denied" in caplog.records[-1].getMessage()
    assert model.search.search("lombard")[1][0].id == "eric-lombard"


def test_only_plain_data_is_ever_written(tmp_path: Path, copy: Path) -> None:
    model = derived.restore(build_of(copy))
    assert model is not None
    model.registry.labels["x"] = Path("/")  # type: ignore[assignment]
    with pytest.raises(TypeError, match="PosixPath: not plain data"):
        derived.save(tmp_path / "build", model)


# --- cleaning ------------------------------------------------------------------------------------


def test_derived_files_go_with_their_build(tmp_path: Path) -> None:
    quad = ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o"))

    def keep(store: ox.Store, build: Path) -> None:
        derived_path(build).write_bytes(b"x")

    builds = [write_build(tmp_path, [quad], derive=keep) for _ in range(3)]
    names = os.listdir(tmp_path / "builds")
    assert not any(n.startswith(builds[0].name) for n in names)  # pruned, read model too
    assert {derived_path(b).name for b in builds[1:]} <= set(names)
    tmp = derived_path(builds[1]).with_name(derived_path(builds[1]).name + ".123.tmp")
    tmp.write_bytes(b"x")  # a start-up killed while it wrote the read model
    killed = tmp_path / "builds" / "20990101T000000-1-1"  # a load killed after its read model
    derived_path(killed).write_bytes(b"x")
    assert clean(tmp_path) == [killed.name]
    assert tmp.exists() and derived_path(builds[1]).exists()
    write_build(tmp_path, [quad])  # prunes builds[1], with its read model and temporary file
    names = os.listdir(tmp_path / "builds")
    assert not any(n.startswith((builds[1].name, killed.name)) for n in names)
    assert derived_path(builds[2]).name in names


def _refuse(store: ox.Store, build: Path) -> None:
    raise DataError(f"query 'api-labels' found {len(store)} quads")


def _no_disk(store: ox.Store, build: Path) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", str(derived_path(build)))


def _die(store: ox.Store, build: Path) -> None:
    os._exit(3)  # killed by the memory cap, say


@pytest.mark.parametrize(
    ("derive", "error", "message"),
    [
        (_refuse, DataError, r"read model could not be computed: query 'api-labels' found 1 quads"),
        (_no_disk, StoreWriteFailed, r"\.derived: cannot write the build: No space left on device"),
        (
            _die,
            DataError,
            r"read model could not be computed: .* without an answer \(exit code 3\)",
        ),
    ],
)
def test_a_read_model_that_fails_beside_the_write_abandons_the_build(
    tmp_path: Path, derive: Any, error: type[Exception], message: str
) -> None:
    quad = ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o"))
    first = write_build(tmp_path, [quad], derive=derived.derive)
    with pytest.raises(error, match=message):
        write_build(tmp_path, [quad, quad], derive=derive)
    assert current_build(tmp_path) == first  # the previous build still serves
    assert sorted(os.listdir(tmp_path / "builds")) == sorted(
        [first.name, derived_path(first).name, first.name + ".manifest.json", first.name + ".nq"]
    )


def test_the_read_model_is_derived_beside_the_write_from_the_same_quads(tmp_path: Path) -> None:
    quads = [
        ox.Quad(ox.NamedNode(f"http://x/s{i}"), ox.NamedNode("http://x/p"), ox.Literal(str(i)))
        for i in range(50)
    ]
    seen: list[int] = []

    def count(store: ox.Store, build: Path) -> None:
        seen.append(os.getpid())
        derived_path(build).write_text(f"{len(store)} {os.getpid()}")

    steps: dict[str, float] = {}
    build = write_build(tmp_path, quads, derive=count, steps=steps)
    size, pid = derived_path(build).read_text().split()
    assert size == "50" and int(pid) != os.getpid() and seen == []  # in another process
    assert set(steps) == {
        "write store (bulk load)",
        "read model, beside the write",
        "waiting for the read model",
    }
    assert all(0 <= s < 60 for s in steps.values())


def test_a_read_model_payload_round_trips(copy: Path) -> None:
    """The payload is a pickle of plain containers that the restricted unpickler reads."""
    build = build_of(copy)
    payload = derived_path(build).read_bytes().partition(b"\n")[2]
    found = derived._PlainUnpickler(io.BytesIO(payload)).load()
    assert set(found) == {"registry", "terms", "search"}


# --- opening while the app is imported ---------------------------------------------------------


def _labelled(tmp_path: Path, label: str) -> Path:
    quad = ox.Quad(
        ox.NamedNode("https://w3id.org/tdi-graph/id/thing"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal(label),
        ox.NamedNode("https://w3id.org/tdi-graph/graph/entities"),
    )
    return write_build(tmp_path, [quad], derive=derived.derive)


def test_opening_reads_the_model_of_the_build_that_serves(tmp_path: Path) -> None:
    first = _labelled(tmp_path, "first")
    assert derived.Opening(tmp_path).result()[1].registry.label(THING) == "first"
    release(first)
    second = _labelled(tmp_path, "second")
    opened, model = derived.Opening(tmp_path).result()
    assert opened.path == second and model.registry.label(THING) == "second"
    release(second)
    snapshot = second.with_name(second.name + ".nq")
    snapshot.write_bytes(snapshot.read_bytes()[:-5])  # damaged: the first build serves
    opened, model = derived.Opening(tmp_path).result()
    assert opened.path == first and model.registry.label(THING) == "first"


def test_opening_a_damaged_store_raises_in_the_caller(tmp_path: Path) -> None:
    from tdi_graph.errors import BuildDamaged, StoreMissing

    with pytest.raises(StoreMissing):
        derived.Opening(tmp_path / "nothing").result()
    build = _labelled(tmp_path, "only")
    release(build)
    (build.with_name(build.name + ".manifest.json")).write_text("{")
    with pytest.raises(BuildDamaged, match="corrupt manifest"):
        derived.Opening(tmp_path).result()
