"""Resolve the concrete class bound to a generic parameter, e.g. `DataParams` in `DataBase[DataParams]`."""

from __future__ import annotations

from dataclasses import field as dataclass_field
from typing import Dict, TypeVar, get_args, get_origin


def _bindings(cls: type) -> Dict[TypeVar, object]:
    """Map every TypeVar of `cls`'s generic ancestors to what the subclass chain bound it to."""
    bindings: Dict[TypeVar, object] = {}
    for klass in reversed(cls.__mro__):
        for base in getattr(klass, "__orig_bases__", ()):
            origin = get_origin(base)
            if origin is None:
                continue
            params = getattr(origin, "__parameters__", ())
            for param, arg in zip(params, get_args(base)):
                bindings[param] = bindings.get(arg, arg) if isinstance(arg, TypeVar) else arg
    # resolve chains TypeVar -> TypeVar -> class
    for key, value in list(bindings.items()):
        seen = set()
        while isinstance(value, TypeVar) and value in bindings and value not in seen:
            seen.add(value)
            value = bindings[value]
        bindings[key] = value
    return bindings


def resolve_generic(cls: type, type_var: TypeVar) -> type:
    """The class `cls` binds to `type_var`, or the TypeVar's bound if no subclass binds it.

    Example:
        >>> T = TypeVar("T", bound=object)
        >>> from typing import Generic
        >>> class Base(Generic[T]): pass
        >>> class Impl(Base[int]): pass
        >>> resolve_generic(Impl, T)
        <class 'int'>
    """
    value = _bindings(cls).get(type_var, type_var)
    if isinstance(value, TypeVar):
        if value.__bound__ is None:
            raise TypeError(f"{cls.__name__} does not bind the generic parameter {type_var.__name__}.")
        return value.__bound__
    return value


def specialize_generic_fields(cls: type, type_vars: Dict[str, TypeVar]) -> None:
    """Retype dataclass fields declared with a generic's bound to the class a subclass binds.

    Call it from `__init_subclass__` of a generic params dataclass, before `@dataclass`
    processes the subclass: a field `data: DataBaseParams` of
    `ScenarioBaseParams(Generic[TDataParams, ...])` becomes `data: MyDataParams` with
    `default_factory=MyDataParams` in `MyScenarioParams(ScenarioBaseParams[MyDataParams, ...])`,
    so the command line and JSON know the concrete class. Fields the subclass declares itself
    are left alone.

    Args:
        cls: the subclass being created.
        type_vars: field name -> the TypeVar whose binding types the field.
    """
    own_annotations = cls.__dict__.get("__annotations__")  # noqa: RUF063 - mutated below, a copy would not do
    if own_annotations is None:
        own_annotations = {}
        cls.__annotations__ = own_annotations
    for name, type_var in type_vars.items():
        if name in own_annotations:
            continue
        inherited = next(
            (
                k.__dataclass_fields__[name]
                for k in cls.__mro__[1:]
                if name in k.__dict__.get("__dataclass_fields__", {})
            ),
            None,
        )
        if inherited is None:
            continue
        bound = resolve_generic(cls, type_var)
        if bound is inherited.type:
            continue
        own_annotations[name] = bound
        setattr(cls, name, dataclass_field(default_factory=bound, metadata=inherited.metadata))
