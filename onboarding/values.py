"""Plain value types the features share: no Flask, no database."""


class FrozenMap(dict):
    """A dict that cannot change after it is made, and hashes: a frozen dataclass holding one is a key as it is
    (onboarding.fragments keeps a fragment under such a value without walking it). Two are equal only with the same
    items in the same order, because a template shows them in that order. Its values must hash too (nest another
    FrozenMap, or tuples)."""

    __slots__ = ()

    def __hash__(self):
        return hash(tuple(self.items()))

    def __eq__(self, other):
        if isinstance(other, FrozenMap):
            return tuple(self.items()) == tuple(other.items())
        return dict.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    def _refuse(self, *_args, **_kwargs):
        raise TypeError("a FrozenMap cannot change")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __repr__(self):
        return f"FrozenMap({dict.__repr__(self)})"


class BoundedStore(dict):
    """What a worker keeps between requests under keys that hold everything a value is made from (so a kept value
    is never stale, only unused), at most `limit` of them: past that it starts again. Starting again costs one
    rebuild of what is used; tracking what was used least would cost more on every hit than it saves."""

    __slots__ = ("limit",)

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def put(self, key, value):
        if key not in self and len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def keep(self, key, build):
        """The value under `key`; `build()`, kept, when there is none (a value of None is never kept)."""
        found = self.get(key)
        if found is None:
            found = build()
            if found is not None:
                self.put(key, found)
        return found
