"""Structural check of PowerShell scripts without PowerShell: parses each file with the
tree-sitter PowerShell grammar and fails on any syntax error or missing token, printing
where. It proves the scripts parse, not that they run: pwsh cannot be installed here.
Usage: python ps_syntax.py FILE.ps1 ...
"""
import sys

import tree_sitter
import tree_sitter_powershell


def problems(tree):
    out = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, col = node.start_point
            kind = "missing " + node.type if node.is_missing else "syntax error"
            out.append(f"line {row + 1}, column {col + 1}: {kind}")
        stack.extend(node.children)
    return out


def main(paths):
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    failed = 0
    for path in paths:
        with open(path, "rb") as f:
            source = f.read()
        tree = parser.parse(source)
        found = problems(tree)
        if found or tree.root_node.has_error:
            failed += 1
            print(f"{path}: " + "; ".join(found or ["parse error"]))
        else:
            print(f"{path}: parses")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
