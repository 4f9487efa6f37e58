#!/usr/bin/env python3
"""Fails when a file of a lower layer of DESIGN.md names a type defined in a higher one.

Layers of Sources/DSPEx, lowest first (a folder may use the folders before it, never those after):
Core, Store, Dataset, LM, Adapter, Module, Engine, Evaluate, Optimize, PipelineFile, Run.
Comments and string literals are ignored; a type is any struct, class, enum, protocol, actor or typealias
declared at the top level of a layer's files (a nested type is named through its parent, which is checked; a name
after a dot, or a name a layer's own nested type has, such as Evaluate.Run, is not the higher layer's type).

Usage: scripts/check-layers.py [SOURCES_DIR]   (default Sources/DSPEx); exit status 1 on a violation.
"""
import os
import re
import sys

LAYERS = ["Core", "Store", "Dataset", "LM", "Adapter", "Module", "Engine", "Evaluate", "Optimize", "PipelineFile",
          "Run"]
DECLARATION = re.compile(
    r"^(?:(?:public|package|internal|fileprivate|private|final|indirect)\s+)*(?:struct|class|enum|protocol|actor)\s+"
    r"([A-Z][A-Za-z0-9_]*)", re.MULTILINE)
IDENTIFIER = re.compile(r"(?<![.\w])[A-Z][A-Za-z0-9_]*\b")  # not after a dot: `Evaluate.Run` is Evaluate's
NESTED = re.compile(
    r"^[ \t]+(?:(?:public|package|internal|fileprivate|private|final|indirect)\s+)*(?:struct|class|enum|protocol|actor)"
    r"\s+([A-Z][A-Za-z0-9_]*)", re.MULTILINE)


def strip_comments_and_strings(text):
    """The code of a Swift file without comments and string literals (multi-line and raw strings included)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif text[i] == '"' or (text[i] == "#" and re.match(r'#+"', text[i:])):
            hashes = len(re.match(r"#*", text[i:]).group(0))
            i += hashes
            quote = '"""' if text.startswith('"""', i) else '"'
            i += len(quote)
            end = quote + "#" * hashes
            while i < n and not text.startswith(end, i):
                if text[i] == "\\" and hashes == 0:
                    if text.startswith("\\(", i):
                        # Keep interpolated code: it may name types.
                        depth, i = 1, i + 2
                        start = i
                        while i < n and depth:
                            depth += {"(": 1, ")": -1}.get(text[i], 0)
                            i += 1
                        out.append(" " + text[start:i - 1] + " ")
                        continue
                    i += 2
                else:
                    i += 1
            i += len(end)
            out.append(" ")
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "Sources/DSPEx"
    code_by_file = {}
    defined = {}  # type name -> layer index
    nested = {}  # layer index -> names of types nested in that layer's types (which shadow a higher layer's)
    for index, layer in enumerate(LAYERS):
        folder = os.path.join(root, layer)
        for directory, _, files in os.walk(folder):
            for name in files:
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as handle:
                    code = strip_comments_and_strings(handle.read())
                code_by_file[path] = (index, code)
                for match in DECLARATION.finditer(code):
                    defined.setdefault(match.group(1), index)
                for match in NESTED.finditer(code):
                    nested.setdefault(index, set()).add(match.group(1))
    unknown = sorted(set(os.listdir(root)) - set(LAYERS) - {"DSPExVersion.swift", "DSPEx.docc"})
    violations = []
    for path, (index, code) in sorted(code_by_file.items()):
        for line_number, line in enumerate(code.split("\n"), start=1):
            for name in set(IDENTIFIER.findall(line)):
                owner = defined.get(name)
                if owner is not None and owner > index and name not in nested.get(index, set()):
                    violations.append(
                        f"{path}:{line_number}: {LAYERS[index]} names {name}, a type of the higher layer "
                        f"{LAYERS[owner]}")
    for folder in unknown:
        violations.append(f"{root}/{folder}: not a layer of DESIGN.md ({', '.join(LAYERS)})")
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} layer violation(s)", file=sys.stderr)
        return 1
    print(f"layers ok: {len(code_by_file)} files in {', '.join(LAYERS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
