"""The package's shape: one job per module, so one name per module (no two
files share a name across folders, stages included), and functions short
enough to read at once."""

import ast
from collections import Counter

from tests.project import ROOT

MAX_FUNCTION_LINES = 60
FOLDERS = ("imdb_embeddings", "stages")


def modules():
    return [path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts]


def test_no_two_modules_share_a_name():
    counts = Counter(path.name for path in modules() if path.name != "__init__.py")
    assert not [name for name, n in counts.items() if n > 1]


def test_no_function_is_longer_than_60_lines():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long
