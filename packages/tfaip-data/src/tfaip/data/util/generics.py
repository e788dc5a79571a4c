"""Resolve the concrete class bound to a generic parameter, e.g. `DataParams` in `DataBase[DataParams]`."""

from __future__ import annotations

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
