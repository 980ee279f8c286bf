"""The base every Crane It component derives from: its type token, its children's options,
the stack's protection settings and its published outputs, written once.

SST's ``Component`` idea, kept small: behaviour is shared here only where every component
repeats it. A component still reads like a table of contents (STYLE.md), one private method
per child, each declared with ``opts=self.child(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import pulumi

if TYPE_CHECKING:
    from .contracts import EncryptionKey

Outputs = Mapping[str, pulumi.Input[Any]]
"""What a component publishes: output name -> value (registered with the engine, readable as ``outputs``)."""


@dataclass(frozen=True)
class Protection:
    """The stack-wide settings that decide how a component guards what it keeps.

    One value travels from ``ClientStack`` (or ``PlatformStack``) to every component, instead
    of three loose keyword arguments repeated in each constructor. A component reads the
    fields it needs and ignores the others; the default is a component used on its own:
    fully protected, with keys of its own.
    """

    retiring: bool = False
    """The client (or platform) is being retired (``ClientSpec.retire``): children drop Pulumi
    `protect` and deletion protection so `pulumi destroy` can run; what holds data stays retained."""
    key: EncryptionKey | None = None
    """The client's one key (``keys: per_client``): components encrypt with it instead of a key
    of their own. None: each component makes its own key."""
    log_key_arn: pulumi.Input[str] | None = None
    """The key every log group is encrypted with (``LogKey`` or the client's key). None: a
    component with log groups makes a ``LogKey`` of its own under it."""


STANDALONE = Protection()
"""The default, for a component used on its own: protected, retained, keys of its own."""


class Component(pulumi.ComponentResource):
    """A Crane It component: a ComponentResource with a stable type token.

    Subclasses set ``type_token`` to a literal string (``"crane:index:Database"``): it is part
    of every child's URN, so renaming it moves every resource (it would need an alias).
    """

    type_token: ClassVar[str]
    """The Pulumi type of the component; literal and stable (URNs are built from it)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        token = cls.__dict__.get("type_token")
        if not isinstance(token, str) or not token.startswith("crane:index:"):
            raise TypeError(f"{cls.__name__} must set type_token to a literal 'crane:index:<Name>' string")

    def __init__(
        self, name: str, *, protection: Protection = STANDALONE, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(self.type_token, name, None, opts)
        self.protection = protection
        self._published: Mapping[str, pulumi.Input[Any]] | None = None

    @property
    def retiring(self) -> bool:
        """Whether the stack is being retired (``Protection.retiring``)."""
        return self.protection.retiring

    @property
    def outputs(self) -> Outputs:
        """What the component published (``publish``), read-only."""
        if self._published is None:
            raise AttributeError(f"{self.type_token} {self._name!r} has not published its outputs yet")
        return self._published

    def child(self, **options: Any) -> pulumi.ResourceOptions:
        """Options of a child: it hangs under this component and inherits its provider.

        ``options`` are any other ``ResourceOptions`` (``depends_on``, ``ignore_changes``, ...).
        """
        return pulumi.ResourceOptions(parent=self, **options)

    def protected(self, wanted: bool = True, *, retain: bool | None = None, **options: Any) -> pulumi.ResourceOptions:
        """Options of a child that holds data or the key to it.

        Pulumi `protect` while ``wanted`` (the spec's ``protect``) and the stack is not
        retiring; retained on delete while ``wanted``, or as ``retain`` says where a child
        decides it itself (a retiring database instance is deleted after its final snapshot).
        """
        return self.child(
            protect=wanted and not self.retiring, retain_on_delete=wanted if retain is None else retain, **options
        )

    def publish(self, outputs: Outputs) -> None:
        """Register the component's outputs with the engine, once, and keep them as ``outputs``.

        Refuses an empty mapping: a component that registers nothing hides its state from
        `pulumi stack`, the console and the policy pack.
        """
        if not outputs:
            raise ValueError(f"{self.type_token} {self._name!r} publishes no outputs")
        if self._published is not None:
            raise RuntimeError(f"{self.type_token} {self._name!r} published its outputs twice")
        self._published = MappingProxyType(dict(outputs))
        self.register_outputs(dict(outputs))
