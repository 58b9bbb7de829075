"""Question pools: a quiz draws each attempt's questions from pools that may overlap, a question once at most.

Pure rules, no Flask and no database: the loader asks whether the pools can always fill their draws, and an
attempt's plan draws with them (onboarding.assessment.grading.plan_attempt).
"""
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Pool:
    sources: tuple  # the question ids and tags as written in the file
    draw: int  # questions drawn from it per attempt
    candidates: tuple  # the ids of the questions it may draw, in the file's order
    points: int  # what each of its questions is worth (the loader requires them equal)


def _fills(slots, available: set) -> bool:
    """Whether every slot (a set of candidate ids) gets its own question out of `available` (Kuhn's matching)."""
    owner = {}

    def place(i, seen):
        for qid in slots[i]:
            if qid in available and qid not in seen:
                seen.add(qid)
                if qid not in owner or place(owner[qid], seen):
                    owner[qid] = i
                    return True
        return False

    return all(place(i, set()) for i in range(len(slots)))


def _slots(pools) -> list:
    return [frozenset(p.candidates) for p in pools for _ in range(p.draw)]


def short_group(pools) -> tuple | None:
    """The smallest group of pools (their indexes) whose draws together exceed the questions they share, or
    None when every attempt can be drawn. By Hall's theorem such a group exists exactly when no draw can work."""
    if _fills(_slots(pools), {qid for p in pools for qid in p.candidates}):
        return None
    if len(pools) > 12:  # too many groups to try: name them all
        return tuple(range(len(pools)))
    for size in range(1, len(pools) + 1):
        for group in combinations(range(len(pools)), size):
            union = {qid for i in group for qid in pools[i].candidates}
            if sum(pools[i].draw for i in group) > len(union):
                return group
    return tuple(range(len(pools)))


def draw(pools, rng) -> list:
    """One attempt's question ids: each pool in turn draws its count at random among the questions not drawn yet,
    never a question that would leave a later draw short. Raises LookupError if the pools cannot be filled."""
    slots = _slots(pools)
    available = {qid for p in pools for qid in p.candidates}
    chosen = []
    for i, slot in enumerate(slots):
        options = sorted(qid for qid in slot if qid in available)
        rng.shuffle(options)
        later = set().union(*slots[i + 1:])
        for qid in options:
            available.discard(qid)
            if qid not in later or _fills(slots[i + 1:], available):  # no later pool wants it: nothing to check
                chosen.append(qid)
                break
            available.add(qid)
        else:
            raise LookupError("the pools cannot fill their draws")  # check-content refuses such pools
    return chosen
