"""Graphviz DOT drawings of cells and the op colour legend (rendered by ``st.graphviz_chart``)."""

from __future__ import annotations

from ngae.space.arch import OP_NAMES, Arch

OP_COLOURS = ("#4C78A8", "#72B7B2", "#F58518", "#E45756", "#54A24B", "#B279A2")


def legend_html() -> str:
    """The op colours as one line of HTML badges (in op order), the colours of the drawn cells.

    Plain HTML rather than a graphviz drawing: it costs the browser nothing, while a graphviz
    chart on the map page loads the graphviz renderer during the map's first render.
    """
    badges = [
        f'<span style="background:{OP_COLOURS[k]};color:white;border-radius:6px;'
        f'padding:2px 8px;margin-right:4px;font-size:0.8em;white-space:nowrap">{name}</span>'
        for k, name in enumerate(OP_NAMES)
    ]
    return '<div class="op-legend">' + "".join(badges) + "</div>"


def arch_dot(arch: Arch | str, title: str = "", vertical: bool = False) -> str:
    """A DOT graph: input, one coloured box per layer, output; skips dashed.

    ``arch`` is an :class:`Arch` or its canonical string; drawn left to right, or top to
    bottom with ``vertical`` (for narrow columns).
    """
    arch = Arch.from_string(arch) if isinstance(arch, str) else arch
    lines = [
        "digraph G {",
        f'  rankdir={"TB" if vertical else "LR"}; bgcolor="transparent"; '
        'node [fontname="Helvetica", fontsize=11];',
        '  in [label="input", shape=ellipse, style=filled, fillcolor="#EEEEEE"];',
    ]
    if title:
        lines.append(f'  labelloc="t"; label="{title}";')
    n = arch.num_layers
    for i, op in enumerate(arch.ops):
        lines.append(
            f'  L{i} [label="{i + 1}: {OP_NAMES[op]}", shape=box, style="rounded,filled", '
            f'fillcolor="{OP_COLOURS[op]}", fontcolor="white"];'
        )
    lines.append('  out [label="output", shape=ellipse, style=filled, fillcolor="#EEEEEE"];')
    names = ["in"] + [f"L{i}" for i in range(n)]
    for i in range(n):
        lines.append(f"  {names[i]} -> L{i} [weight=10];")
        for j, bit in enumerate(arch.skips[i]):
            if bit:
                lines.append(f'  {names[j]} -> L{i} [style=dashed, color="#888888", weight=0];')
    lines.append(f"  L{n - 1} -> out [weight=10];")
    lines.append("}")
    return "\n".join(lines)
