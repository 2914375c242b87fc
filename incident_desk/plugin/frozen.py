"""Read-only views of the objects event hooks receive, so no plugin can change what others see.

`frozen(obj)` wraps a pydantic model (an `Incident`, a `CommunicationEntry`, ...) without copying it:
reading an attribute gives the value, itself wrapped when it is a model, list, dict or set; assigning,
deleting, or calling a list's `append` fails with a clear `TypeError`. Creating a view costs the same
for a large incident as for a small one. `isinstance(view, Incident)` holds, `view.model_dump()` gives
a plain dict, and `view.model_copy()` gives a private, mutable deep copy for a plugin that wants one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

_READ_ONLY = "is read-only in a hook: plugins observe the saved incident, they cannot change it"


def frozen(value: Any) -> Any:
    """A read-only view of `value` (immutable values are returned as they are)."""
    if isinstance(value, (FrozenModel, FrozenList, FrozenDict)):
        return value
    if isinstance(value, BaseModel):
        return FrozenModel(value)
    if isinstance(value, (list, tuple)):
        return FrozenList(value)
    if isinstance(value, dict):
        return FrozenDict(value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


def thaw(value: Any) -> Any:
    """The object behind a view (for the desk's own use, never handed to plugins)."""
    return object.__getattribute__(value, "_target") if isinstance(value, (FrozenModel, FrozenList, FrozenDict)) else value


class FrozenModel:
    """A read-only view of a pydantic model."""

    __slots__ = ("_target",)

    def __init__(self, target: BaseModel) -> None:
        object.__setattr__(self, "_target", target)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(view, Incident) holds
        return type(object.__getattribute__(self, "_target"))

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        if name == "model_copy":
            return lambda update=None, deep=True: target.model_copy(update=update, deep=True)
        value = getattr(target, name)
        if callable(value) and not isinstance(value, (BaseModel, type)):
            if name.startswith("model_dump"):
                return value  # returns fresh plain data
            return lambda *args, **kwargs: frozen(value(*args, **kwargs))
        return frozen(value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{_name(self)}.{name} {_READ_ONLY}; call model_copy() for a private copy")

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"{_name(self)}.{name} {_READ_ONLY}")

    def __eq__(self, other: object) -> bool:
        return object.__getattribute__(self, "_target") == thaw(other)

    def __hash__(self) -> int:
        return id(object.__getattribute__(self, "_target"))

    def __repr__(self) -> str:
        return f"frozen({object.__getattribute__(self, '_target')!r})"

    def __str__(self) -> str:
        return str(object.__getattribute__(self, "_target"))

    def __iter__(self) -> Any:
        return ((key, frozen(value)) for key, value in object.__getattribute__(self, "_target"))


class FrozenList(Sequence):
    """A read-only view of a list: indexing, slicing, iteration, `len`, `==` with lists and tuples."""

    __slots__ = ("_target",)

    def __init__(self, target: list | tuple) -> None:
        object.__setattr__(self, "_target", target)

    def __getitem__(self, index: Any) -> Any:
        found = object.__getattribute__(self, "_target")[index]
        return FrozenList(found) if isinstance(index, slice) else frozen(found)

    def __len__(self) -> int:
        return len(object.__getattribute__(self, "_target"))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, FrozenList)):
            return list(object.__getattribute__(self, "_target")) == list(thaw(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        if name in ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"):
            raise TypeError(f"list.{name}: the list {_READ_ONLY}")
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"the list {_READ_ONLY}")

    def __repr__(self) -> str:
        return f"frozen({object.__getattribute__(self, '_target')!r})"


class FrozenDict(Mapping):
    """A read-only view of a dict."""

    __slots__ = ("_target",)

    def __init__(self, target: dict) -> None:
        object.__setattr__(self, "_target", target)

    def __getitem__(self, key: Any) -> Any:
        return frozen(object.__getattribute__(self, "_target")[key])

    def __iter__(self) -> Any:
        return iter(object.__getattribute__(self, "_target"))

    def __len__(self) -> int:
        return len(object.__getattribute__(self, "_target"))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (dict, FrozenDict)):
            return dict(object.__getattribute__(self, "_target")) == dict(thaw(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        if name in ("update", "pop", "popitem", "clear", "setdefault"):
            raise TypeError(f"dict.{name}: the mapping {_READ_ONLY}")
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"the mapping {_READ_ONLY}")

    def __repr__(self) -> str:
        return f"frozen({object.__getattribute__(self, '_target')!r})"


def _name(view: FrozenModel) -> str:
    return type(object.__getattribute__(view, "_target")).__name__.lower()


__all__ = ["FrozenDict", "FrozenList", "FrozenModel", "frozen", "thaw"]
