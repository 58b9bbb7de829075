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
