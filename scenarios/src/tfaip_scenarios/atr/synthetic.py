"""Rendered text lines for ATR that work offline: PNG line images with `<name>.gt.txt` beside them.

No redistributable real line images ship with tfaip, so training and the tests render their own:
text from the docstrings of Python's standard library (two disjoint sets of modules: `train` and
`heldout`), drawn with Pillow's built-in FreeType font (Aileron Regular, in every Pillow >= 10.1),
with random size, ink, stroke, letter and word spacing, slant, blur and noise. The same
`(n, seed, text)` always gives the same files (for one Python and Pillow version).

    python -m tfaip_scenarios.atr.synthetic lines --n 200 --seed 1 --text heldout
"""

import argparse
import hashlib
import importlib
import inspect
import os
import re
import shutil
import string
import tempfile
import textwrap
from typing import Dict, List, Optional, Sequence

import numpy as np

ALPHABET = string.ascii_letters + string.digits + " .,;:!?'\"()-/"
# docstrings of pure-Python modules of the standard library; the held-out text comes from others
TEXT_MODULES: Dict[str, List[str]] = {
    "train": "argparse textwrap string json csv difflib heapq bisect random shutil fractions calendar configparser "
    "gettext glob fnmatch getopt locale logging mailbox optparse pprint queue sched shlex smtplib tarfile tempfile "
    "threading zipfile".split(),
    "heldout": "statistics decimal email.message http.cookies ftplib imaplib poplib wave ipaddress contextlib".split(),
}
VERSION = 1  # bump when the rendering changes: the cache folders carry it


def text_lines(text: str = "train") -> List[str]:
    """The text `text` ("train" or "heldout") as normalised paragraphs (characters of `ALPHABET` only)."""
    if text not in TEXT_MODULES:
        raise ValueError(f"Unknown text {text!r}; choose one of {sorted(TEXT_MODULES)}.")
    paragraphs = []
    for name in TEXT_MODULES[text]:
        module = importlib.import_module(name)
        docs = [inspect.cleandoc(module.__doc__ or "")]
        for member_name in sorted(vars(module)):
            member = getattr(module, member_name)
            if member_name.startswith("_") or getattr(member, "__module__", None) != name:
                continue
            if inspect.isfunction(member) or inspect.isclass(member):
                docs.append(inspect.cleandoc(member.__doc__ or ""))  # not inherited: the texts stay disjoint
        for doc in docs:
            for paragraph in re.split(r"\n\s*\n", doc):
                if ">>>" in paragraph or "    " in paragraph:  # code examples
                    continue
                cleaned = "".join(c if c in ALPHABET else " " for c in paragraph.replace("\n", " "))
                cleaned = re.sub(r"\s+", " ", cleaned).strip()
                if len(cleaned) >= 20:
                    paragraphs.append(cleaned)
    return paragraphs


def sentences(n: int, seed: int, text: str = "train", min_chars: int = 25, max_chars: int = 60) -> List[str]:
    """`n` lines of `text` wrapped at random widths, starting at a random paragraph (wrapping around)."""
    paragraphs = text_lines(text)
    rng = np.random.default_rng(seed)
    start = int(rng.integers(len(paragraphs)))
    lines: List[str] = []
    i = start
    while len(lines) < n:
        width = int(rng.integers(min_chars, max_chars + 1))
        lines.extend(w for w in textwrap.wrap(paragraphs[i % len(paragraphs)], width) if w.strip())
        i += 1
    return lines[:n]


def render(line: str, rng: np.random.Generator):
    """One grey PIL image of `line`: dark ink on a light ground, with random font size, ink and distortions."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    size = int(rng.integers(26, 35))
    font = ImageFont.load_default(size=size)
    stroke = int(rng.random() < 0.25)
    ink = int(rng.integers(0, 90))
    paper = int(rng.integers(185, 256))
    letter_spacing = float(rng.uniform(-0.5, 2.5))
    word_spacing = float(rng.uniform(0, 6))
    widths = [font.getlength(c) + letter_spacing + float(rng.normal(0, 0.6)) for c in line]
    widths = [w + word_spacing if c == " " else w for c, w in zip(line, widths)]
    margin = size // 2
    height = int(size * 1.5)
    width = int(sum(widths)) + 2 * margin + size
    image = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(image)
    x = float(margin) + size / 2
    base = int(rng.integers(-2, 3))
    for c, w in zip(line, widths):
        draw.text((x, height / 2 + base), c, font=font, fill=ink, anchor="lm", stroke_width=stroke, stroke_fill=ink)
        x += w
    shear = float(rng.uniform(-0.3, 0.3))  # slant
    image = image.transform(
        (width, height), Image.Transform.AFFINE, (1, shear, -shear * height / 2, 0, 1, 0), fillcolor=paper
    )
    blur = float(rng.uniform(0, 1.0))
    if blur > 0.2:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(image, dtype="float32") + rng.normal(0, rng.uniform(0, 12), (height, width))
    return Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"))


def write_lines(folder: str, n: int, seed: int = 0, text: str = "train") -> List[str]:
    """Render `n` lines of `text` into `folder` (`line_00000.png` and `line_00000.gt.txt`, ...); returns the PNGs."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng([seed, 1])
    paths = []
    for i, line in enumerate(sentences(n, seed, text)):
        path = os.path.join(folder, f"line_{i:05d}.png")
        render(line, rng).save(path)
        with open(os.path.join(folder, f"line_{i:05d}.gt.txt"), "w", encoding="utf-8") as f:
            f.write(line + "\n")
        paths.append(path)
    return paths


def cache_dir() -> str:
    """Where `--data.synthetic` renders its lines: `$XDG_CACHE_HOME/tfaip/atr_lines` (default `~/.cache`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tfaip", "atr_lines")


def cached_lines(n: int, seed: int, text: str, folder: Optional[str] = None) -> List[str]:
    """The PNGs of `write_lines(n, seed, text)` in a folder of the cache (rendered once, renamed into place)."""
    key = hashlib.sha1(f"{VERSION}-{n}-{seed}-{text}".encode()).hexdigest()[:8]
    root = folder or cache_dir()
    target = os.path.join(root, f"{text}-seed{seed}-n{n}-{key}")
    if not os.path.isdir(target):
        os.makedirs(root, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".rendering-", dir=root)
        try:
            write_lines(tmp, n, seed, text)
            os.rename(tmp, target)
        except OSError:
            if not os.path.isdir(target):  # another process renamed its copy first: keep that one
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return sorted(os.path.join(target, p) for p in os.listdir(target) if p.endswith(".png"))


def main(argv: Optional[Sequence[str]] = None) -> None:
    """`python -m tfaip_scenarios.atr.synthetic DIR --n N --seed S --text train|heldout`."""
    parser = argparse.ArgumentParser("python -m tfaip_scenarios.atr.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="Where to write line_NNNNN.png and line_NNNNN.gt.txt.")
    parser.add_argument("--n", type=int, default=100, help="The number of lines.")
    parser.add_argument("--seed", type=int, default=0, help="The random seed (the text's start, the rendering).")
    parser.add_argument("--text", choices=sorted(TEXT_MODULES), default="train", help="Which text to render.")
    args = parser.parse_args(argv)
    paths = write_lines(args.folder, args.n, args.seed, args.text)
    print(f"Wrote {len(paths)} lines to {args.folder}")


if __name__ == "__main__":
    main()
