"""The fortunes collection (Debian packages fortunes and fortunes-min, BSD licence) as a list of records."""
import os
import re

FORTUNES = "/usr/share/games/fortunes"
# ASCII art and pictures teach nothing about words.
SKIPPED = {"art", "ascii-art"}
ASCII = re.compile(r"^[\x20-\x7e\n\t]*$")


def records():
    """Every ASCII record of the non-offensive fortune files, in file order; '%' lines separate records."""
    out = []
    for name in sorted(os.listdir(FORTUNES)):
        path = os.path.join(FORTUNES, name)
        if name in SKIPPED or "." in name or os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for record in re.split(r"\n%\n", text):
            record = record.strip("\n%")
            if record and ASCII.match(record):
                out.append(record.rstrip() + "\n")
    return out
