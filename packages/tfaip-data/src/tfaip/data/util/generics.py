"""Resolve the concrete class bound to a generic parameter, e.g. `DataParams` in `DataBase[DataParams]`."""

from __future__ import annotations

from dataclasses import field as dataclass_field
from typing import Callable, Dict, Optional, TypeVar, get_args, get_origin


def _bindings(cls: type) -> Dict[TypeVar, object]:
    """Map every TypeVar of `cls`'s generic ancestors to what the subclass chain bound it to.

    `cls` may be a parameterized alias such as `Params[A, B]` (a generic argument written in place).
    """
    origin = get_origin(cls)
    if origin is not None:
        args = dict(zip(getattr(origin, "__parameters__", ()), get_args(cls)))
        inherited = {k: args.get(v, v) if isinstance(v, TypeVar) else v for k, v in _bindings(origin).items()}
        return {**inherited, **args}
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


def specialize_generic_fields(
    cls: type, type_vars: Dict[str, TypeVar], params_of: Callable[[type], type] = lambda bound: bound
) -> None:
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
        params_of: the field's class for a binding (default: the binding itself).
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
        bound = params_of(resolve_generic(cls, type_var))
        if bound is inherited.type:
            continue
        own_annotations[name] = bound
        setattr(cls, name, dataclass_field(default_factory=bound, metadata=inherited.metadata))


class _BoundClass:
    """A params class's `cls()` (or `graph_cls()`) that returns the class bound to it by a generic."""

    def __init__(self, bound: type):
        self.bound = bound

    def __get__(self, instance: object, owner: type):
        return self._class

    def _class(self) -> type:
        return self.bound


def bind_params_class(cls: type, type_var: TypeVar, method: str = "cls") -> None:
    """Make `cls` the `method()` of the params class that `cls` binds to `type_var`.

    Call it from `__init_subclass__` of a class generic in its params (`DataBase[P]`,
    `ModelBase[P]`, ...): `class Data(DataBase[DataParams])` makes `DataParams.cls()` return
    `Data`, so params need no `cls()` of their own. Nothing happens when `cls` binds no class
    of its own (a subclass of an already bound class, or the TypeVar's bound), or when the
    params class implements `method` itself (the explicit form always wins).

    Raises:
        TypeError: when a second class binds the same params class.
    """
    params = _own_binding(cls, type_var)
    if params is None:
        return
    for klass in params.__mro__:
        defined = klass.__dict__.get(method)
        if defined is None:
            continue
        if not isinstance(defined, _BoundClass):
            if klass is not type_var.__bound__ and not _is_generic_base(klass, type_var):
                return  # implemented by the user
            break
        if klass is params and not _same_class(defined.bound, cls):
            raise TypeError(
                f"{params.__name__}.{method}() is already {defined.bound.__qualname__}, bound by its generic; "
                f"{cls.__qualname__} binds it again. Subclass {defined.bound.__qualname__} instead, give "
                f"{cls.__qualname__} its own params class, or implement {params.__name__}.{method}()."
            )
        break
    setattr(params, method, _BoundClass(cls))


def _own_binding(cls: type, type_var: TypeVar) -> Optional[type]:
    """The params class `cls` itself binds to `type_var` (None if it binds none or only inherits one)."""
    bound = resolve_generic(cls, type_var)
    if bound is type_var.__bound__ or not isinstance(bound, type):
        return None
    inherited = [resolve_generic(base, type_var) for base in cls.__bases__ if _has_type_var(base, type_var)]
    return None if bound in inherited else bound


def _has_type_var(cls: type, type_var: TypeVar) -> bool:
    return any(type_var in getattr(k, "__parameters__", ()) for k in cls.__mro__)


def _is_generic_base(klass: type, type_var: TypeVar) -> bool:
    bound = type_var.__bound__
    return bound is not None and issubclass(bound, klass)


def _same_class(a: type, b: type) -> bool:
    """Whether `a` and `b` are one class defined twice (a re-executed module or notebook cell)."""
    return a.__module__ == b.__module__ and a.__qualname__ == b.__qualname__
