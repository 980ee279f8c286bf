"""Valid Fargate task sizes: which memory limits AWS accepts for each CPU size."""

from typing import TYPE_CHECKING, Literal

# From the ECS developer guide, "Task CPU and memory": cpu units -> allowed memory in MiB.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

if TYPE_CHECKING:  # a Literal built from the table above is opaque to type checkers
    FargateCpu = int
else:
    FargateCpu = Literal[tuple(FARGATE_MEMORY)]
"""A Fargate CPU size (1024 = one vCPU), as a spec field type."""


def valid_memory(cpu: int) -> tuple[int, ...]:
    """The memory sizes Fargate accepts for ``cpu`` units (empty for an unknown cpu)."""
    return FARGATE_MEMORY.get(cpu, ())


def describe_memory(cpu: int) -> str:
    """A short human description of the valid memory sizes, for error messages."""
    sizes = valid_memory(cpu)
    if not sizes:
        return f"cpu must be one of {sorted(FARGATE_MEMORY)}"
    if len(sizes) <= 4:
        return ", ".join(str(s) for s in sizes)
    step = sizes[1] - sizes[0]
    return f"{sizes[0]}-{sizes[-1]} in steps of {step}"
