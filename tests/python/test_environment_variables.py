"""Every environment variable the project reads is documented: README's table "Environment
variables" and .env.example list exactly the variables the code reads, and README's table
"Make variables" every variable the Makefile takes from the command line or the environment.

The code's list is read from the sources, not kept by hand:
- Python (orchestration/, bench/, tests/python/): os.environ.get / [] / in / setdefault,
  os.getenv and Dagster's EnvVar with a literal name, or a name bound to a literal in the same
  module (a module constant, a class attribute such as `api_key_env = "STRIPE_API_KEY"`). A read
  whose name cannot be told fails the test, except in a helper that sets the same variable
  (it only restores it).
- Jinja (profiles.yml.example, dbt_project.yml, selectors.yml, macros/, models/, tests/):
  env_var('NAME'); a non-literal name fails the test.
- Makefile: `NAME ?=` variables and `$$NAME` reads in recipes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DIRS = ("orchestration", "bench", "tests/python")
JINJA_FILES = ("profiles.yml.example", "dbt_project.yml", "selectors.yml")
JINJA_DIRS = ("macros", "models", "tests")
JINJA_SUFFIXES = (".sql", ".yml", ".yaml", ".md", ".jinja")
# Shell variables a recipe or a launcher may use that are no project setting.
SHELL_VARIABLES = {"PATH", "HOME", "PWD", "SHELL", "USER", "TMPDIR"}

ENV_VAR_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
JINJA_LITERAL = re.compile(r"""env_var\(\s*(['"])([^'"]+)\1""")
JINJA_ANY = re.compile(r"env_var\(\s*([^)\s,]*)")


def _is_environ(node: ast.AST) -> bool:
    """os.environ or a bare environ."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _literal_bindings(tree: ast.AST) -> dict[str, str]:
    """Names and attributes bound to a string literal anywhere in a module."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                bound[target.id] = value.value
            elif isinstance(target, ast.Attribute):
                bound[target.attr] = value.value
    return bound


def _name_of(arg: ast.AST, bound: dict[str, str]) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.Name):
        return bound.get(arg.id)
    if isinstance(arg, ast.Attribute):
        return bound.get(arg.attr)
    return None


def _reads_env(func: ast.AST) -> bool:
    """A call that reads one variable: os.environ.get / setdefault / pop, os.getenv, EnvVar."""
    if isinstance(func, ast.Attribute):
        return (func.attr in ("get", "setdefault", "pop") and _is_environ(func.value)) \
            or func.attr in ("getenv", "EnvVar")
    return isinstance(func, ast.Name) and func.id in ("getenv", "EnvVar")


def _env_reads(node: ast.AST) -> list[ast.AST]:
    """The name arguments of every environment read below node."""
    found: list[ast.AST] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and child.args and _reads_env(child.func):
            found.append(child.args[0])
        elif isinstance(child, ast.Subscript) and isinstance(child.ctx, ast.Load) \
                and _is_environ(child.value):
            found.append(child.slice)
        elif isinstance(child, ast.Compare) and len(child.ops) == 1 \
                and isinstance(child.ops[0], ast.In | ast.NotIn) \
                and _is_environ(child.comparators[0]):
            found.append(child.left)
    return found


def _restoring_helpers(tree: ast.AST) -> set[int]:
    """ids of the name arguments read by a function that also sets that same variable."""
    ignored: set[int] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        written = {ast.dump(target.slice) for node in ast.walk(function)
                   if isinstance(node, ast.Assign) for target in node.targets
                   if isinstance(target, ast.Subscript) and _is_environ(target.value)}
        for arg in _env_reads(function):
            if ast.dump(arg) in written:
                ignored.add(id(arg))
    return ignored


def python_env_vars() -> tuple[set[str], list[str]]:
    names: set[str] = set()
    unknown: list[str] = []
    for directory in PYTHON_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            bound = _literal_bindings(tree)
            restoring = _restoring_helpers(tree)
            for arg in _env_reads(tree):
                name = _name_of(arg, bound)
                if name is not None:
                    names.add(name)
                elif id(arg) not in restoring:
                    unknown.append(f"{path.relative_to(ROOT)}:{arg.lineno}")
    return names, unknown


def _jinja_sources() -> list[Path]:
    paths = [ROOT / name for name in JINJA_FILES if (ROOT / name).is_file()]
    for directory in JINJA_DIRS:
        paths += [path for path in sorted((ROOT / directory).rglob("*"))
                  if path.suffix in JINJA_SUFFIXES and path.is_file()]
    return paths


def jinja_env_vars() -> tuple[set[str], list[str]]:
    names: set[str] = set()
    unknown: list[str] = []
    for path in _jinja_sources():
        text = path.read_text()
        names |= {match.group(2) for match in JINJA_LITERAL.finditer(text)}
        unknown += [f"{path.relative_to(ROOT)}: env_var({match.group(1)}"
                    for match in JINJA_ANY.finditer(text)
                    if not match.group(1)[:1] in ("'", '"')]
    return names, unknown


def makefile_variables() -> tuple[set[str], set[str]]:
    """(`NAME ?=` variables, `$$NAME` reads in recipes) of the Makefile."""
    text = (ROOT / "Makefile").read_text()
    defaults = set(re.findall(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\?=", text, re.MULTILINE))
    # upper case: the environment's; lower case (`$$lint_rc`) is a recipe's own shell variable
    shell = set(re.findall(r"\$\$\{?([A-Z_][A-Z0-9_]*)\b", text)) - SHELL_VARIABLES
    return defaults, shell


def code_env_vars() -> set[str]:
    python, python_unknown = python_env_vars()
    jinja, jinja_unknown = jinja_env_vars()
    assert not python_unknown + jinja_unknown, (
        "environment reads whose variable name is not a literal (use a constant, or a "
        "name bound to one in the same module): " + ", ".join(python_unknown + jinja_unknown)
    )
    names = python | jinja
    bad = {name for name in names if not ENV_VAR_NAME.fullmatch(name)}
    assert not bad, f"unexpected environment variable names: {sorted(bad)}"
    return names


def readme_table(title: str) -> set[str]:
    """The backquoted names in the first column of the table under README heading `title`."""
    lines = (ROOT / "README.md").read_text().splitlines()
    headings = [i for i, line in enumerate(lines) if re.fullmatch(rf"#+\s+{title}", line)]
    assert len(headings) == 1, f"README needs one heading '{title}'"
    names: set[str] = set()
    in_table = False
    for line in lines[headings[0] + 1:]:
        if line.startswith("|"):
            in_table = True
            first = line.split("|")[1]
            names |= set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first))
        elif in_table or line.startswith("#"):
            break
    return names


def dotenv_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


@pytest.fixture(scope="module")
def code_vars() -> set[str]:
    # PATH and the like are the shell's, passed on (e.g. to a child process), not settings
    return code_env_vars() - SHELL_VARIABLES


def test_readme_lists_every_environment_variable_the_code_reads(code_vars: set[str]) -> None:
    documented = readme_table("Environment variables")
    assert sorted(code_vars - documented) == [], "read by the code, missing from README"
    assert sorted(documented - code_vars) == [], "in README, read by no code"


def test_env_example_lists_every_environment_variable(code_vars: set[str]) -> None:
    listed = dotenv_example()
    assert sorted(code_vars - listed) == [], "missing from .env.example"
    assert sorted(listed - code_vars) == [], "in .env.example, read by no code"


def test_readme_lists_every_make_variable(code_vars: set[str]) -> None:
    defaults, shell = makefile_variables()
    # a Makefile default of a variable the code reads is documented with the code's
    make_only = (defaults | shell) - code_vars
    documented = readme_table("Make variables")
    assert sorted(make_only - documented) == [], "Makefile variables missing from README"
    assert sorted(documented - make_only) == [], "in README's make variables, not in Makefile"


def test_the_scan_finds_reads_of_every_kind(tmp_path: Path) -> None:
    """The scanner itself: a literal, a module constant, a class attribute, EnvVar, a
    subscript and `in`; a read it cannot name is reported; a restoring helper is not."""
    source = '''
import os
from dagster import EnvVar
KEY = "A_CONSTANT"
class Settings:
    api_key_env: str = "B_ATTRIBUTE"
    def key(self):
        return os.environ.get(self.api_key_env, "")
def read(name):
    os.getenv("C_LITERAL")
    os.environ["D_SUBSCRIPT"]
    "E_IN" in os.environ
    EnvVar("F_ENVVAR")
    os.environ.get(KEY)
    return os.environ.get(name)
def restore(name, value):
    previous = os.environ.get(name)
    os.environ[name] = value
    return previous
'''
    tree = ast.parse(source)
    bound = _literal_bindings(tree)
    restoring = _restoring_helpers(tree)
    names = {_name_of(arg, bound) for arg in _env_reads(tree)}
    unknown = [arg for arg in _env_reads(tree)
               if _name_of(arg, bound) is None and id(arg) not in restoring]
    assert names - {None} == {"A_CONSTANT", "B_ATTRIBUTE", "C_LITERAL", "D_SUBSCRIPT",
                              "E_IN", "F_ENVVAR"}
    assert len(unknown) == 1 and unknown[0].lineno == 15
    text = "{{ env_var('G_JINJA', 'x') }} {{ env_var(name) }}"
    assert {m.group(2) for m in JINJA_LITERAL.finditer(text)} == {"G_JINJA"}
    assert [m.group(1) for m in JINJA_ANY.finditer(text)
            if m.group(1)[:1] not in ("'", '"')] == ["name"]
