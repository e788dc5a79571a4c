"""`Resource`: a params field that references a file or directory needed by the model."""

from __future__ import annotations

import os
from dataclasses import field
from typing import Any, Optional

from dataclasses_json import config
from paiargparse import pai_meta


class Resource:
    """A file (or directory) a scenario needs at training and at prediction time, e.g. a charset.

    Declare it with `resource_field()` so that params (de)serialise it as a plain path and a
    `ResourceManager` can copy it into exports:

    Example:
        >>> @pai_dataclass
        ... @dataclass
        ... class DataParams(DataBaseParams):
        ...     charset: Optional[Resource] = resource_field(help="The character set file.")
        >>> params = DataParams(charset=Resource("charset.txt"))
        >>> DataParams().cls()(params).resources.get("charset").abs_path  # doctest: +SKIP
    """

    def __init__(self, initial_path: str):
        self.initial_path = str(initial_path)
        self.abs_path: Optional[str] = None  # set when registered with a ResourceManager

    @staticmethod
    def encode(resource: Optional[Resource]) -> Optional[str]:
        """Serialise as its path (None stays None)."""
        return None if resource is None else resource.initial_path

    @staticmethod
    def decode(value: Any) -> Optional[Resource]:
        """Deserialise from a path (a Resource is kept as is)."""
        if value is None or isinstance(value, Resource):
            return value
        return Resource(value)

    def resolve(self, working_dir: str) -> str:
        """Set and return the absolute path, relative paths being taken relative to `working_dir`."""
        self.abs_path = os.path.abspath(os.path.join(working_dir, self.initial_path))
        return self.abs_path

    def __fspath__(self) -> str:
        return self.abs_path or self.initial_path

    def __str__(self) -> str:
        return self.__fspath__()

    def __repr__(self) -> str:
        return f"Resource({self.initial_path!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resource) and other.initial_path == self.initial_path

    def __hash__(self) -> int:
        return hash(self.initial_path)


def resource_field(*, default: Optional[Resource] = None, help: str = "", resource_id: Optional[str] = None, **meta):
    """A dataclass field holding a `Resource` (serialised as its path).

    Args:
        default: the default resource (default None).
        help: help text for the command line.
        resource_id: name of the resource in the ResourceManager (default: the field name).
        **meta: further `pai_meta` arguments, e.g. `required=True`.
    """
    metadata = {**pai_meta(help=help, **meta), **config(encoder=Resource.encode, decoder=Resource.decode)}
    if resource_id:
        metadata["resource_id"] = resource_id
    return field(default=default, metadata=metadata)
