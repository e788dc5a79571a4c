"""How much code a scenario takes: its lines of code, without blank lines, comments and docstrings.

    python benchmarks/scenario_size.py [DIR ...]      (default: the Minimal Tutorial)

Counts every `.py` file under each directory (an `__init__.py` with only its docstring holds
none). The loader of the digits that the tutorials share (`tfaip_scenarios/tutorial/datasets.py`,
the bundled digits or keras' MNIST; the original tutorials called keras' loader) is not part of
the Minimal Tutorial's directory. The baseline is the original tfaip's Minimal Tutorial, about
150 lines counted the same way.

Prints one JSON line: {"<dir>": {"files": n, "code_lines": n, "ratio_to_original": r}, ...}.
"""

import argparse
import ast
import io
import json
import sys
import tokenize
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL_MIN = ROOT / "scenarios" / "src" / "tfaip_scenarios" / "tutorial" / "min"
ORIGINAL_TUTORIAL_MIN = 150
NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def docstring_lines(tree: ast.AST) -> Set[int]:
    """The line numbers of the module's, classes' and functions' docstrings."""
    lines: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    skip = docstring_lines(ast.parse(source))
    lines: Set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:
            lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in skip)
    return len(lines)


def scenario_size(directory: Path) -> Dict[str, float]:
    """Files and code lines of the scenario in `directory`."""
    counts = [code_lines(path.read_text(encoding="utf-8")) for path in sorted(directory.rglob("*.py"))]
    counts = [n for n in counts if n]  # an __init__.py with only its docstring
    total = sum(counts)
    return {"files": len(counts), "code_lines": total, "ratio_to_original": round(total / ORIGINAL_TUTORIAL_MIN, 2)}


def main() -> None:
    """Print the sizes of the given scenario directories as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=[TUTORIAL_MIN], help="Scenario directories.")
    args = parser.parse_args()
    sizes = {}
    for directory in args.dirs:
        if not directory.is_dir():
            sys.exit(f"scenario_size.py: {directory} is no directory.")
        sizes[str(directory.resolve().relative_to(ROOT) if directory.resolve().is_relative_to(ROOT) else directory)] = (
            scenario_size(directory)
        )
    print(json.dumps(sizes))


if __name__ == "__main__":
    main()
