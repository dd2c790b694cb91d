#!/usr/bin/env python3
"""Screenshots single figures of tutorial reports for the README, with Debian's chromium (headless, offline).

    scripts/readme-images.py REPORT.html FIGURE-CLASS INDEX OUT.png [WIDTH]

takes the INDEX-th <figure> whose class contains FIGURE-CLASS (e.g. modular-heatmap, modular-peft-table) from a
report written by a tutorial script and saves a PNG of it alone."""
import os, re, subprocess, sys, tempfile

report, figure_class, index, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
width = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
html = open(report, encoding="utf-8").read()
figures = [m.group(0) for m in re.finditer(r'<figure class="[^"]*%s[^"]*".*?</figure>' % re.escape(figure_class), html, re.S)]
if index >= len(figures):
    sys.exit(f"{report} has {len(figures)} figure(s) of class {figure_class}; index {index} is out of range")
page = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:12px;background:#fff">{figures[index]}</body></html>'
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "figure.html")
    open(path, "w", encoding="utf-8").write(page)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp}/profile",
                    "--hide-scrollbars", f"--window-size={width},1400", f"--screenshot={os.path.abspath(out)}", f"file://{path}"],
                   check=True, capture_output=True)
# trim the white space below and to the right of the figure
try:
    from PIL import Image
except ImportError:
    sys.exit(0)
image = Image.open(out).convert("RGB")
pixels = image.load()
bottom = image.height
while bottom > 1 and all(pixels[x, bottom - 1] == (255, 255, 255) for x in range(0, image.width, 4)):
    bottom -= 1
right = image.width
while right > 1 and all(pixels[right - 1, y] == (255, 255, 255) for y in range(0, bottom, 4)):
    right -= 1
image.crop((0, 0, min(image.width, right + 12), min(image.height, bottom + 12))).save(out)
