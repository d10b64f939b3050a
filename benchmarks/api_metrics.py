"""API size and function length per package, read from the source with ``ast``.

For each of the five packages: the number of public names (the length of the ``__all__``
of its ``__init__.py``), the number of functions and methods, the median function length
and the longest function (lines from ``def`` to its last line, decorators left out), and
the same two without docstrings ("code"), since numpydoc docstrings are long by design.
Nothing is imported, so it runs on any checkout, old or new:

    .venv/bin/python benchmarks/api_metrics.py [--root DIR]

Prints the wall time, process CPU time and load average at the end, like every benchmark.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import time
from pathlib import Path

PACKAGES = ("features", "evaluation", "riskmodel", "training", "review")


def public_names(init: Path) -> list[str]:
    """The names in a module's ``__all__`` (``=`` and ``+=`` of list or tuple literals)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            names = _literal_names(node.value)
        elif isinstance(node, ast.AugAssign) and getattr(node.target, "id", None) == "__all__":
            names += _literal_names(node.value)
    return names


def _literal_names(value: ast.expr) -> list[str]:
    if isinstance(value, ast.BinOp):
        return _literal_names(value.left) + _literal_names(value.right)
    if isinstance(value, (ast.List, ast.Tuple)):
        return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def function_lengths(package: Path, *, docstrings: bool = True) -> list[tuple[int, str]]:
    """``(lines, "module.py:qualified.name")`` for every function and method in a package."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [(lines, f"{path.relative_to(package.parent)}:{name}")
                  for lines, name in _functions(tree, docstrings=docstrings)]
    return found


def _functions(tree: ast.AST, prefix: str = "", *, docstrings: bool):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield _length(node, docstrings), prefix + node.name
            yield from _functions(node, f"{prefix}{node.name}.", docstrings=docstrings)
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.", docstrings=docstrings)
        else:
            yield from _functions(node, prefix, docstrings=docstrings)


def _length(node: ast.FunctionDef | ast.AsyncFunctionDef, docstrings: bool) -> int:
    lines = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if not docstrings and isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
            and isinstance(first.value.value, str):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def package_row(root: Path, name: str) -> dict:
    package = root / name
    lengths, code = function_lengths(package), function_lengths(package, docstrings=False)
    longest, longest_code = max(lengths, default=(0, "")), max(code, default=(0, ""))
    return {"package": name, "public": len(public_names(package / "__init__.py")), "functions": len(lengths),
            "median": statistics.median(n for n, _ in lengths) if lengths else 0,
            "longest": longest[0], "longest_name": longest[1],
            "median_code": statistics.median(n for n, _ in code) if code else 0,
            "longest_code": longest_code[0], "longest_code_name": longest_code[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="The checkout to measure (default: this one).")
    args = parser.parse_args()
    wall, cpu = time.perf_counter(), time.process_time()
    rows = [package_row(args.root, name) for name in PACKAGES if (args.root / name / "__init__.py").is_file()]
    print(f"{'package':<11}{'public names':>13}{'functions':>11}{'median lines':>14}{'longest':>9}  longest function")
    for row in rows:
        print(f"{row['package']:<11}{row['public']:>13}{row['functions']:>11}{float(row['median']):>14.1f}"
              f"{row['longest']:>9}  {row['longest_name']}")
    print(f"\nwithout docstrings:\n{'package':<11}{'median lines':>14}{'longest':>9}  longest function")
    for row in rows:
        print(f"{row['package']:<11}{float(row['median_code']):>14.1f}{row['longest_code']:>9}  {row['longest_code_name']}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"wall {time.perf_counter() - wall:.2f} s; CPU {time.process_time() - cpu:.2f} s; load average {load}")


if __name__ == "__main__":
    main()
