"""The atomic file writer: content, modes, and nothing half-written or left behind after an error."""

import json
import os
import stat
import subprocess
import sys

import pytest

from tfaip.data.util import files
from tfaip.data.util.files import atomic_file, write_atomically, write_json_atomically


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_text_bytes_and_json_are_written(tmp_path):
    write_atomically(tmp_path / "a.txt", "äöü\n")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "äöü\n"
    write_atomically(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    write_json_atomically(tmp_path / "sub" / "c.json", {"epoch": 3})  # the parent is created
    assert json.loads((tmp_path / "sub" / "c.json").read_text()) == {"epoch": 3}
    with atomic_file(tmp_path / "d.csv", newline="") as f:
        f.write("a,b\r\n")
    assert (tmp_path / "d.csv").read_bytes() == b"a,b\r\n"
    assert sorted(os.listdir(tmp_path)) == ["a.txt", "b.bin", "d.csv", "sub"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_new_file_gets_the_umask_mode_and_a_replaced_one_keeps_its_mode(tmp_path):
    code = (
        "import os, sys; os.umask(0o027); from tfaip.data.util.files import write_atomically; "
        "write_atomically(sys.argv[1], 'x')"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "new")], check=True)
    assert _mode(tmp_path / "new") == 0o640  # as open() would create it, not mkstemp's 0o600
    existing = tmp_path / "existing"
    existing.write_text("old")
    os.chmod(existing, 0o604)
    write_atomically(existing, "new")
    assert existing.read_text() == "new" and _mode(existing) == 0o604


def test_an_error_leaves_the_old_file_untouched_and_no_temporary_file(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_file(target) as f:
            f.write("half of the new")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["state.json"]
    with pytest.raises(TypeError):
        write_json_atomically(target, {"not json": object()})
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["state.json"]
    with pytest.raises(RuntimeError):
        with atomic_file(tmp_path / "never") as f:
            raise RuntimeError
    assert os.listdir(tmp_path) == ["state.json"]  # a failed first write creates nothing


def test_nested_writers_commit_the_inner_file_first_and_a_bad_mode_is_refused(tmp_path):
    with atomic_file(tmp_path / "outer", "wb") as outer, atomic_file(tmp_path / "inner") as inner:
        outer.write(b"1")
        inner.write("2")
    assert (tmp_path / "outer").read_bytes() == b"1" and (tmp_path / "inner").read_text() == "2"
    with pytest.raises(ValueError, match="mode must be 'w' or 'wb', got 'a'"):
        with atomic_file(tmp_path / "x", "a"):
            pass


def test_the_module_imports_only_the_standard_library():
    code = (
        "import sys, importlib.util; spec = importlib.util.spec_from_file_location('files', sys.argv[1]); "
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
        "print(sorted(m for m in ('numpy', 'paiargparse', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, files.__file__], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
