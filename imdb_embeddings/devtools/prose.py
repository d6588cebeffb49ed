"""A check that the project's writing reads at a glance (`make lint` runs it).

- Markdown (README.md, docs/*.md, cards/*.md): at most MEAN_WORDS words a
  sentence on average in a file, and no paragraph or list item over
  MAX_PARAGRAPH words. Only running text counts: code, tables, headings and
  HTML comments are left out.
- Commit subjects: at most MAX_SUBJECT characters, for every commit after
  SUBJECTS_FROM (the last one written before the rule).
- Proportion (`proportion`): the README and the docs within their lines,
  a comment line at most per stage of a dvc.yaml, stage docstrings short.

    python -m imdb_embeddings.devtools.prose README.md docs/*.md
"""

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

MEAN_WORDS = 18
MAX_PARAGRAPH = 80
MAX_SUBJECT = 72
MAX_README_LINES, MAX_DOC_LINES = 150, 1300  # the README; the README and docs/*.md together
MAX_HEADER_COMMENTS, MAX_STAGE_COMMENTS, MAX_DOCSTRING_LINES = 3, 1, 6
SUBJECTS_FROM = "ba9e6b6"  # commits up to this one had long subjects; the rule starts after it
SENTENCE_END = re.compile(r"(?<=[.!?])[)\"']?\s+(?=[A-Z`*(\[\"'0-9])")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


class Measure(NamedTuple):
    sentences: list[int]  # words of each sentence
    long_paragraphs: list[tuple[int, int]]  # (line, words) of each paragraph over the limit


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each paragraph or list item of running text."""
    found, current, start, fenced = [], [], 0, False
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            line = ""
        skip = fenced or line.lstrip().startswith(("|", "#", "![", "<")) or not line.strip()
        if (skip or LIST_ITEM.match(line)) and current:
            found.append((start, " ".join(current)))
            current = []
        if not skip:
            start = start if current else number
            current.append(LIST_ITEM.sub("", line).strip())
    if current:
        found.append((start, " ".join(current)))
    return found


def measure(text: str) -> Measure:
    sentences, long = [], []
    for line, paragraph in paragraphs(text):
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)  # a link counts as its words
        words = [w for w in plain.split() if re.search(r"\w", w)]
        if len(words) > MAX_PARAGRAPH:
            long.append((line, len(words)))
        sentences += [n for s in SENTENCE_END.split(plain) if (n := len([w for w in s.split() if re.search(r"\w", w)]))]
    return Measure(sentences, long)


def check_file(path: Path) -> list[str]:
    m = measure(path.read_text(encoding="utf-8"))
    problems = [f"{path}:{line}: a paragraph of {n} words (at most {MAX_PARAGRAPH})" for line, n in m.long_paragraphs]
    mean = sum(m.sentences) / len(m.sentences) if m.sentences else 0
    if mean > MEAN_WORDS:
        problems.append(f"{path}: {mean:.1f} words a sentence on average (at most {MEAN_WORDS})")
    return problems


def check_subjects(since: str = SUBJECTS_FROM) -> list[str]:
    """Subjects over the limit among the commits after `since` (all of HEAD's if git lacks it)."""
    known = subprocess.run(["git", "cat-file", "-e", f"{since}^{{commit}}"], capture_output=True).returncode == 0
    log = subprocess.run(
        ["git", "log", "--format=%h%x09%s", f"{since}..HEAD" if known else "-1"], capture_output=True, text=True
    )
    commits = [line.split("\t", 1) for line in log.stdout.splitlines()]
    return [
        f"commit {sha}: a subject of {len(subject)} characters (at most {MAX_SUBJECT})"
        for sha, subject in commits
        if len(subject) > MAX_SUBJECT
    ]


def proportion(root: Path) -> list[str]:
    """The README and docs within their lines; in each dvc.yaml, a short
    header and at most one comment line a stage; stage docstrings short."""
    problems = []
    readme = len((root / "README.md").read_text(encoding="utf-8").splitlines())
    docs = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in (root / "docs").glob("*.md"))
    if readme > MAX_README_LINES:
        problems.append(f"README.md: {readme} lines (at most {MAX_README_LINES})")
    if readme + docs > MAX_DOC_LINES:
        problems.append(f"README.md and docs/*.md: {readme + docs} lines (at most {MAX_DOC_LINES})")
    for path in [root / "dvc.yaml", *sorted(root.glob("studies/*/dvc.yaml"))]:
        problems += [f"{path.relative_to(root)}: {p}" for p in _comment_problems(path.read_text(encoding="utf-8"))]
    for path in sorted((root / "stages").glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if len(doc.splitlines()) > MAX_DOCSTRING_LINES:
            problems.append(f"{path.relative_to(root)}: a docstring of {len(doc.splitlines())} lines (at most 6)")
    return problems


def _comment_problems(text: str) -> list[str]:
    """Comment lines of a dvc.yaml: the header's, and each stage's."""
    header, stage, counts = 0, None, {}
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^ {2}\w[\w-]*:", line) and not stripped.startswith("#"):
            stage = stripped.split(":")[0]
        elif re.match(r"^\S", line) and not stripped.startswith("#"):
            stage = None if line.startswith(("artifacts", "plots", "vars", "metrics")) else stage
        commented = stripped.startswith("#") or re.search(r"\s#\s", line)
        if commented and stage is None and not counts:
            header += 1
        elif commented and stage is not None:
            counts[stage] = counts.get(stage, 0) + 1
    problems = [f"a header of {header} comment lines (at most {MAX_HEADER_COMMENTS})"] * (header > MAX_HEADER_COMMENTS)
    problems += [f"stage {name} has {n} comment lines (at most 1)" for name, n in counts.items() if n > 1]
    return problems


def main(argv: list[str]) -> int:
    problems = [p for name in argv for p in check_file(Path(name))] + check_subjects() + proportion(Path.cwd())
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
