"""The writing check of `make lint` (imdb_embeddings/devtools/prose.py):
what it counts as running text, sentences and paragraphs, and that it fails
a file or a commit subject over the limits."""

import subprocess
import sys

from imdb_embeddings.devtools import prose
from imdb_embeddings.devtools.project import ROOT, git


def test_only_running_text_counts():
    text = """# A heading of many many many many many many many many many many words

A short sentence here. Another one follows it.

```bash
a code block with a great many words that would be one very long sentence if counted
```

| a table | with a row of many words that would also count as a sentence here |
|---|---|

<!-- a comment of many words, many many many many many many many many many -->
- A list item is a paragraph. It has two sentences.
"""
    measured = prose.measure(text)
    assert measured.sentences == [4, 4, 6, 4]
    assert measured.long_paragraphs == []


def test_a_long_sentence_and_a_long_paragraph_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(" ".join(["word"] * 90) + ".\n\nShort one. Short two.\n")
    problems = prose.check_file(page)
    assert any("a paragraph of 90 words" in p for p in problems), problems
    assert any("words a sentence on average" in p for p in problems), problems
    page.write_text("Eight words make a sentence of fair length.\n" * 3)
    assert prose.check_file(page) == []


def test_commit_subjects_over_72_characters_are_named(tmp_path):
    git(tmp_path, "init", "-q")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "base")
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "A fine subject\n\nA body line " + "x" * 100)
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "y" * 73)
    problems = subprocess.run(
        [sys.executable, "-c", f"from imdb_embeddings.devtools import prose; print(prose.check_subjects({base!r}))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout
    assert "a subject of 73 characters" in problems and problems.count("commit") == 1, problems


def test_the_project_s_own_writing_passes():
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert [p for f in files for p in prose.check_file(f)] == []


def test_proportion_fails_a_long_readme_a_chatty_dvc_yaml_and_a_long_docstring(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "stages").mkdir()
    (tmp_path / "README.md").write_text("line\n" * 151)
    (tmp_path / "docs/a.md").write_text("line\n" * 1150)
    (tmp_path / "dvc.yaml").write_text(
        "# one\n# two\n# three\n# four\nstages:\n  a:  # what a does\n    cmd: x  # and how\n  b:  # fine\n    cmd: y\n"
    )
    (tmp_path / "stages/s.py").write_text('"""' + "A line.\n" * 7 + '"""\n')
    problems = prose.proportion(tmp_path)
    assert problems == [
        "README.md: 151 lines (at most 150)",
        "README.md and docs/*.md: 1301 lines (at most 1300)",
        "dvc.yaml: a header of 4 comment lines (at most 3)",
        "dvc.yaml: stage a has 2 comment lines (at most 1)",
        "stages/s.py: a docstring of 7 lines (at most 6)",
    ], problems


def test_the_project_is_in_proportion():
    assert prose.proportion(ROOT) == []
