"""Where a roster import may also put the people it imports: the groups of programmes.

Programmes sit above people, so people cannot name them; the programmes app registers
a `Target` source here when it starts (its AppConfig.ready), and the import page and
command offer and use what it gives, as pretix's plugins fill in its pages. Without a
registered source the import offers nothing to enrol into.
"""

from dataclasses import dataclass, field
from typing import Protocol

from cakap.people.models import Person, User


@dataclass(frozen=True)
class Target:
    """Something imported people can be enrolled into, e.g. "group:12"."""

    key: str
    label: str


@dataclass
class EnrolmentReport:
    """What enrolling the imported people did: who was enrolled, who already was (in
    this target), and who is in another group of the same programme (left there)."""

    target: Target
    enrolled: list[Person] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)
    elsewhere: list[tuple[Person, str]] = field(default_factory=list)  # (person, where)


class TargetSource(Protocol):
    def targets_for(self, user: User | None) -> list[Target]:
        """The targets `user` may enrol people into (None: the system, every open one)."""
        ...

    def enrol(self, key: str, people: list[Person], *, acting_user: User | None) -> EnrolmentReport:
        """Enrol `people` into the target `key`, one transaction; raises DomainError when
        the target is not one of `acting_user`'s."""
        ...


_sources: list[TargetSource] = []


def register(source: TargetSource) -> None:
    """Add a source of targets; registering one of the same class again does nothing."""
    if not any(type(s) is type(source) for s in _sources):
        _sources.append(source)


def targets_for(user: User | None) -> list[Target]:
    return [t for source in _sources for t in source.targets_for(user)]


def find_target(user: User | None, key: str) -> tuple[TargetSource, Target] | None:
    for source in _sources:
        for target in source.targets_for(user):
            if target.key == key:
                return source, target
    return None
