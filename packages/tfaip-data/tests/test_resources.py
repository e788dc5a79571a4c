import json

import pytest

from tfaip.data import ConfigError, Resource, ResourceManager
from tfaip.data.testing import ToyDataParams


def test_resources_are_copied_and_paths_rewritten(tmp_path):
    (tmp_path / "charset.txt").write_text("abc")
    params = ToyDataParams(charset=Resource("charset.txt"), resource_base_path=str(tmp_path))
    data = params.create()
    assert data.resources.get("charset").abs_path == str(tmp_path / "charset.txt")
    params_dict = json.loads(json.dumps(params.to_dict()))
    assert params_dict["charset"] == "charset.txt"
    export = tmp_path / "export"
    data.resources.dump(str(export), params_dict)
    assert params_dict["charset"] == "resources/charset.txt"
    assert (export / "resources" / "charset.txt").read_text() == "abc"
    restored = ToyDataParams.from_dict({**params_dict, "resource_base_path": str(export)})
    assert isinstance(restored.charset, Resource)
    assert restored.create().resources.get("charset").abs_path == str(export / "resources" / "charset.txt")


def test_conflicting_and_missing_resources(tmp_path):
    manager = ResourceManager(str(tmp_path))
    manager.register("charset", Resource("a.txt"))
    with pytest.raises(KeyError, match="Two different resources are registered as 'charset'"):
        manager.register("charset", Resource("b.txt"))
    with pytest.raises(ConfigError, match="Resource 'charset' not found"):
        manager.dump(str(tmp_path / "out"))
