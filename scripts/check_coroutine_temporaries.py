#!/usr/bin/env python3
"""Finds capturing lambdas written inside an expression that contains co_await.

g++ 12 (Debian bookworm's compiler) destroys such a lambda temporary twice, which corrupts the
heap at run time. The fix is to name the lambda in a statement of its own. Exit status 1 and one
line per finding when there are any.
"""
import pathlib
import re
import sys

LAMBDA = re.compile(r"\[([^\[\]]*)\]\s*(\([^()]*\))?\s*(mutable)?\s*(->\s*[\w:<>, ]+)?\s*\{")


def strip_comments_and_strings(text):
    # Keep offsets (replace with spaces) so line numbers stay right.
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def statement_after(text, start):
    """The rest of the full-expression that starts at `start`: up to the ';' at depth 0."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return text[start:i]
        elif c == ";" and depth == 0:
            return text[start:i]
        i += 1
    return text[start:]


def only_references(captures):
    """Captures by reference (and `this`) leave nothing for the closure to destroy."""
    parts = [p.strip() for p in captures.split(",") if p.strip()]
    return all(p == "&" or p == "this" or re.fullmatch(r"&\s*\w+", p) for p in parts)


def check(path):
    text = strip_comments_and_strings(path.read_text(errors="replace"))
    findings = []
    for m in re.finditer(r"\bco_await\b", text):
        stmt = statement_after(text, m.end())
        for lam in LAMBDA.finditer(stmt):
            if not only_references(lam.group(1)):
                line = text.count("\n", 0, m.start()) + 1
                findings.append(f"{path}:{line}: a capturing lambda inside a co_await expression; "
                                "name it in a statement of its own (g++ 12 destroys it twice)")
                break
    return findings


def main(roots):
    findings = []
    for root in roots:
        for path in sorted(pathlib.Path(root).rglob("*")):
            if path.suffix in (".cc", ".h") and path.is_file():
                findings += check(path)
    for f in findings:
        print(f)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["src", "include", "tests"]))
