"""`ResourceManager`: finds the Resources in a params tree and copies them into an export."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

from tfaip.data.errors import ConfigError
from tfaip.data.resource.resource import Resource

_Path = Tuple[Union[str, int], ...]


@dataclass
class _Entry:
    resource: Resource
    locations: List[_Path]


class ResourceManager:
    """Registers the `Resource` fields of params and dumps them into a directory.

    Args:
        working_dir: directory relative resource paths are resolved against (default: cwd).
        dump_prefix_dir: sub-directory of an export that receives the files (default "resources").

    Example:
        >>> manager = ResourceManager(params.resource_base_path)
        >>> manager.register_all(params)
        >>> params_dict = params.to_dict()
        >>> manager.dump("export_dir", params_dict)  # copies files, rewrites paths in params_dict
    """

    def __init__(self, working_dir: Optional[str] = None, dump_prefix_dir: str = "resources"):
        self.working_dir = working_dir or os.getcwd()
        self.dump_prefix_dir = dump_prefix_dir
        self._entries: Dict[str, _Entry] = {}

    def register_all(self, params: Any, prefix: _Path = ()) -> None:
        """Register every Resource found in the (nested) dataclass `params`."""
        for f in fields(params):
            self._register_value(getattr(params, f.name), f.metadata.get("resource_id", f.name), prefix + (f.name,))

    def _register_value(self, value: Any, resource_id: str, path: _Path) -> None:
        if isinstance(value, Resource):
            self.register(resource_id, value, path)
        elif is_dataclass(value) and not isinstance(value, type):
            self.register_all(value, path)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                self._register_value(v, resource_id, path + (i,))
        elif isinstance(value, dict):
            for k, v in value.items():
                self._register_value(v, resource_id, path + (k,))

    def register(self, resource_id: str, resource: Resource, location: _Path = ()) -> Resource:
        """Register `resource` under `resource_id`; the same file may be registered at several locations."""
        abs_path = resource.resolve(self.working_dir)
        entry = self._entries.get(resource_id)
        if entry is None:
            self._entries[resource_id] = _Entry(resource, [location])
        elif entry.resource.abs_path != abs_path:
            raise KeyError(
                f"Two different resources are registered as {resource_id!r}: {entry.resource.abs_path} and "
                f"{abs_path}. Give one of the fields another name via resource_field(resource_id=...)."
            )
        else:
            entry.locations.append(location)
        return resource

    def __contains__(self, resource_id: str) -> bool:
        return resource_id in self._entries

    def get(self, resource_id: str) -> Resource:
        """The registered resource `resource_id`."""
        return self._entries[resource_id].resource

    def items(self) -> Iterator[Tuple[str, Resource]]:
        """(id, resource) pairs."""
        return ((k, e.resource) for k, e in self._entries.items())

    def dump(self, target_dir: str, params_dict: Optional[dict] = None) -> Dict[str, str]:
        """Copy every resource into `target_dir/<dump_prefix_dir>/`, rewriting paths in `params_dict`.

        The rewritten paths are relative to `target_dir`, so params loaded from there with
        `resource_base_path=target_dir` find the copies. Returns id -> relative path.
        """
        used: Dict[str, str] = {}
        relative_paths = {}
        for resource_id, entry in self._entries.items():
            source = entry.resource.abs_path
            if not os.path.exists(source):
                raise ConfigError(f"Resource {resource_id!r} not found at {source}; fix the path in the params.")
            name = os.path.basename(source.rstrip(os.sep))
            if used.get(name, source) != source:  # another file with the same name: keep both
                name = os.path.join(resource_id, name)
            used[name] = source
            relative = os.path.join(self.dump_prefix_dir, name)
            destination = os.path.join(target_dir, relative)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            if os.path.isdir(source):
                shutil.copytree(source, destination, dirs_exist_ok=True)
            else:
                shutil.copy2(source, destination)
            relative_paths[resource_id] = relative
            if params_dict is not None:
                for location in entry.locations:
                    _assign(params_dict, location, relative)
        return relative_paths


def _assign(tree: Any, location: _Path, value: str) -> None:
    for step in location[:-1]:
        tree = tree[step]
    tree[location[-1]] = value
