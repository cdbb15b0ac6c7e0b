"""Fuzz the rule loader and the cleaner with hypothesis (no atheris needed).

    python fuzz/fuzz_rules.py [--seconds 300] [--target loader|cleaner|both]

- loader: random and mutated TOML pack text -> load_rules() returns or raises RuleError; any
  other exception is a bug.
- cleaner: random bytes -> decode() + clean_text() never raises anything but BinaryInputError.

Each target runs until its time is up; a failure prints the minimal input hypothesis found.
Keep each one as a regression test in tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clean_articles import BinaryInputError, RuleError, clean_text, decode, load_rules

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").rglob("*.toml"))]
TOKENS = [
    "[pack]",
    "[[rule]]",
    "[[rule.example]]",
    "[rule.favor.precision]",
    "id = ",
    "kind = ",
    "why = ",
    "pattern = ",
    "anchor = ",
    "until = ",
    "reach = ",
    "phrases = ",
    "score = ",
    "coverage = ",
    "unit = ",
    "max_lines = ",
    "keep = true",
    "raw = ",
    "clean = ",
    "when = ",
    "where = ",
    "'(a+)+$'",
    "'('",
    '"\\d"',
    "[]",
    "{}",
    "-1",
    "1e999",
    "nan",
    "true",
    "'section'",
    "'main'",
    "'line'",
    "'phrase'",
    "'repeated'",
    "'recurring'",
    "'until'",
    "'list'",
    "\n",
    " ",
    "=",
    "'",
    '"',
]


@st.composite
def mutated_pack(draw) -> str:
    """A shipped pack with a few cuts, splices and token insertions."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "token", "dup"]))
        if op == "insert":
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "token":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        else:
            end = min(len(text), at + draw(st.integers(1, 400)))
            text = text[:end] + text[at:end] + text[end:]
    return text


pack_text = st.one_of(
    mutated_pack(), st.text(max_size=300), st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
)


def check_pack(text: str, folder: Path) -> None:
    """load_rules on the text (as a file): a RuleSet or a RuleError, nothing else."""
    path = folder / "fuzz.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        rules = load_rules([path], builtin=False)
    except RuleError:
        return
    clean_text("Skip to content\nThe talks opened in Moscow on Wednesday with a long speech.\n", rules)


def check_bytes(data: bytes) -> None:
    """decode + clean: only BinaryInputError may come out."""
    try:
        text, _ = decode(data)
    except BinaryInputError:
        return
    result = clean_text(text)
    result.explain(), result.diff(), result.to_json()


def run(target: str, seconds: float) -> None:
    folder = Path(tempfile.mkdtemp())
    # Rounds of 200 examples, each with a fresh random seed, until time is up.
    cfg = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    stop = time.monotonic() + seconds
    count = 0

    def until_time() -> None:
        nonlocal count
        count += 1

    if target == "loader":

        @cfg
        @given(pack_text)
        def fuzz(text):
            until_time()
            check_pack(text, folder)
    else:
        raw = st.one_of(
            st.binary(max_size=2000),
            st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.lists(
                st.sampled_from(
                    [
                        b"\n",
                        b"\r",
                        b"\r\n",
                        b"\xef\xbb\xbf",
                        b"\xff",
                        b"\x00",
                        b"Skip to content",
                        b"\xe2\x80\xa8",
                        b"\x0c",
                        b"  ",
                        b"The talks opened in Moscow on Wednesday with a long speech.",
                    ]
                ),
                max_size=60,
            ).map(b"".join),
        )

        @cfg
        @given(raw)
        def fuzz(data):
            until_time()
            check_bytes(data)

    while time.monotonic() < stop:
        fuzz()
    print(f"{target}: {count} inputs in {seconds:.0f} s, no failure")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=300, help="time per target")
    ap.add_argument("--target", choices=["loader", "cleaner", "both"], default="both")
    args = ap.parse_args()
    for target in ["loader", "cleaner"] if args.target == "both" else [args.target]:
        run(target, args.seconds)


if __name__ == "__main__":
    main()
