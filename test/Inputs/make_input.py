#!/usr/bin/env python3
"""Writes adversarial inputs for the robustness tests: make_input.py KIND OUT."""
import random
import sys

kind, out = sys.argv[1], sys.argv[2]
rng = random.Random(1234)

if kind == "garbage":
    data = bytes(rng.randrange(256) for _ in range(64 * 1024))
elif kind == "printable-garbage":
    alphabet = b"model layer x of [](){};=,-\"0123456789abc_.\n\t/*"
    data = bytes(rng.choice(alphabet) for _ in range(64 * 1024))
elif kind == "nul":
    data = b"model m {\n  hidden = 4096;\x00\n}\n"
elif kind == "invalid-utf8":
    data = b"model m {\n  source = \"caf\xe9\";\n}\n"
elif kind == "overlong-utf8":
    data = b"model m {\n  // \xc0\xaf\n}\n"
elif kind == "nested-parens":
    data = b"model m {\n  attn gqa" + b"(" * 100000 + b"kv=8" + b")" * 100000 + b";\n}\n"
elif kind == "nested-brackets":
    data = b"model m {\n  layers = " + b"[" * 100000 + b"a" + b"]" * 100000 + b";\n}\n"
elif kind == "deep-repeat":
    data = b"model m {\n  layers = " + b"1 x " * 100000 + b"a;\n}\n"
elif kind == "long-line":
    # A 10 MB line: one string property, then a syntax error at its end.
    data = b"model m { source = \"" + b"a" * (10 * 1024 * 1024) + b"\" oops }\n"
elif kind == "long-ident":
    data = b"model " + b"m" * (10 * 1024 * 1024) + b" { hidden = 1 }\n"
elif kind == "many-tokens":
    data = b"model m { layers = " + b"a, " * (5 * 1024 * 1024) + b"a; }\n"
elif kind == "big-numbers":
    data = (b"model m {\n  hidden = 99999999999999999999999999999999;\n"
            b"  vocab = 1e99999;\n  context = 18446744073709551616;\n}\n")
elif kind == "huge-dims":
    data = (b"model m {\n  hidden = 9223372036854775807;\n  vocab = 9223372036854775807;\n"
            b"  context = 9223372036854775807;\n"
            b"  layer l { attn mha heads=9223372036854775807; mlp swiglu(9223372036854775807); }\n"
            b"  layers = 9223372036854775807 x l;\n}\n")
elif kind == "many-layers":
    data = (b"model m {\n  hidden = 64; vocab = 8; context = 16;\n"
            b"  layer l { attn mha heads=4; mlp swiglu(8); }\n"
            b"  layers = 1000000 x 1000000 x l;\n}\n")
else:
    sys.exit("unknown kind " + kind)

with open(out, "wb") as f:
    f.write(data)
