"""The letter's small inline chart: posts per week as bars, the weekly goal as a line.

Drawn with Pillow into a PNG that travels inside the message (no external image, nothing a
mail client fetches). The y-axis starts at zero, like every count chart of the project.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 600, 220  # drawn at twice the size shown, for sharp phone screens
BAR = (37, 99, 235)
GOAL = (217, 119, 6)
INK = (55, 65, 81)
GRID = (229, 231, 235)


def bar_chart(values: Sequence[int], labels: Sequence[str], goal: float | None = None) -> bytes:
    """A PNG of ``values`` as bars labelled ``labels``, with ``goal`` as a dashed line."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=26)
    top, bottom, left, right = 36, HEIGHT - 40, 12, WIDTH - 12
    peak = max([*values, goal or 0, 1])
    scale = (bottom - top) / peak
    draw.line([(left, bottom), (right, bottom)], fill=GRID, width=2)
    slot = (right - left) / max(len(values), 1)
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        x0 = left + i * slot + slot * 0.18
        x1 = left + (i + 1) * slot - slot * 0.18
        y = bottom - value * scale
        if value:
            draw.rectangle([(x0, y), (x1, bottom)], fill=BAR)
        centre = (x0 + x1) / 2
        draw.text((centre, y - 4), str(value), fill=INK, font=font, anchor="md")
        draw.text((centre, bottom + 6), label, fill=INK, font=font, anchor="ma")
    if goal is not None:
        y = bottom - goal * scale
        x = float(left)
        while x < right:
            draw.line([(x, y), (min(x + 14, right), y)], fill=GOAL, width=3)
            x += 24
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
