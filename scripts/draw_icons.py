"""Draws the home-screen icons and favicon.ico from the design of static/favicon.svg.

Run once after changing the design: `.venv/bin/python scripts/draw_icons.py`. The PNGs and the
.ico are committed (a few kB each), so nothing is drawn at run time.

The drawing is the SVG's: a blue disc (#004c99) with two white eyes and a white smile, on a 64-unit
grid. It is drawn four times larger and scaled down, which gives smooth edges without a vector
renderer. The maskable icon keeps the face inside the central 80% that phones never crop.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (0, 76, 153, 255)
WHITE = (255, 255, 255, 255)
STATIC = Path(__file__).resolve().parent.parent / "static"
SUPERSAMPLE = 4


def face(size: int, *, maskable: bool = False) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), BLUE if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # maskable: a full-bleed blue square, the face shrunk into the 80% safe zone
    scale = big / 64 * (0.8 if maskable else 1.0)
    offset = (big - 64 * scale) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * scale, offset + y * scale

    if not maskable:
        draw.ellipse([*at(2, 2), *at(62, 62)], fill=BLUE)
    for eye_x in (22, 42):
        draw.ellipse([*at(eye_x - 4, 22), *at(eye_x + 4, 30)], fill=WHITE)
    # the smile: the SVG's quadratic curve M18 40 q14 12 28 0, stroked 5 units wide with round
    # caps, drawn as a dense run of discs (no seams where line segments would join)
    radius = 5 * scale / 2
    for step in range(401):
        t = step / 400
        x, y = at((1 - t) ** 2 * 18 + 2 * (1 - t) * t * 32 + t**2 * 46,
                  (1 - t) ** 2 * 40 + 2 * (1 - t) * t * 52 + t**2 * 40)
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    icons = STATIC / "icons"
    icons.mkdir(exist_ok=True)
    for size in (192, 512):
        face(size).save(icons / f"icon-{size}.png", optimize=True)
    face(512, maskable=True).save(icons / "icon-maskable-512.png", optimize=True)
    # iOS ignores transparency on home-screen icons: the maskable (full-bleed) design fits it
    face(180, maskable=True).save(icons / "apple-touch-icon.png", optimize=True)
    face(256).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
