#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs to fuzz/seeds/<target>/ from the real
content tree (content/modules/*.md, content/competencies/*.toml) and
small hand-written samples.

    python3 fuzz/make-seeds.py [EXPORTED_FRAMEWORK.csv]

EXPORTED_FRAMEWORK.csv is the output of `server framework export` (the real
to_csv); without it the framework_csv seeds keep the copy already in seeds/.
"""
import os
import random
import re
import shutil
import struct
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
SEEDS = os.path.join(FUZZ, "seeds")


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def modules():
    d = os.path.join(ROOT, "content", "modules")
    return sorted(n for n in os.listdir(d) if n.endswith(".md"))


QUIZ = "```quiz\nid: q1\ntype: single\nquestion: Pick one?\n- [ ] no\n- [x] yes\nexplanation: Because.\n```\n"

MINIMAL = (
    '+++\ntitle = "Venipuncture"\nsummary = "Draw blood."\narea = "Phlebotomy"\nminutes = 30\norder = 1\n'
    'competencies = ["I.P.2.b"]\nobjectives = ["Identify the patient."]\n+++\n'
    "## Steps\n\n1. **Critical:** Identify the patient.\n2. Wash hands.\n\n" + QUIZ + "\n## References\n\n1. CLSI GP41.\n"
)

# Every construct the renderer treats specially, once.
KITCHEN_SINK = """\ufeff+++
title = "Everything"
summary = "Each construct once."
area = "Testing"
minutes = 5
order = -1
competencies = ["I.P.2.b", "A.2"]
objectives = ["Read it.", "Answer it."]
mastery = 100
+++
Intro with a [link](https://example.org "t"), a [module link](module:fuzzed#steps), `code`,
<span lang="en">inline html</span> and <script>alert(1)</script> and a footnote.[^1]

## Section *one*

> [!WARNING]
> Sharps: activate the safety device.

> A plain quote.

- **Critical:** identify the patient
- [ ] a task item

### Sub section

| Tube | Additive |
|:-----|---------:|
| Lavender | EDTA |

![Leads on the chest](images/precordial-leads.svg "Precordial leads")

Inline ![alt](images/precordial-leads.svg) image.

#### Deeper

```quiz
id: order-q
type: order
question: Put in order?
1. first
2. second
3. third
explanation: That order.
```

```quiz
id: multi-q
type: multiple
question: Which?
- [x] a
- [X] b
- [ ] c
explanation: a and b.
```

[^1]: The note.

## References

1. A source.
"""


def quiz_blocks(text):
    """(first content line, block text) of each ```quiz fence."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```quiz":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            out.append((start + 1, "\n".join(lines[start:j]) + "\n"))
            i = j
        i += 1
    return out


def main():
    if os.path.isdir(SEEDS):
        for t in os.listdir(SEEDS):
            if t != "framework_csv":
                shutil.rmtree(os.path.join(SEEDS, t))

    # module
    # The fuzzed file is the only module in its tree: links to others point to it.
    for name in modules():
        text = re.sub(r"module:[a-z0-9-]+", "module:fuzzed", read(f"content/modules/{name}"))
        write("module", name, text)
    write("module", "minimal.md", MINIMAL)
    write("module", "kitchen-sink.md", KITCHEN_SINK)
    write(
        "module",
        "image-escape.md",
        MINIMAL.replace("## Steps", "## Steps\n\n![](images/../../secret.svg)\n\n![x](/etc/passwd) ![y](images/a.svg?x) [unknown](module:nope)"),
    )

    # quiz_block: 2 bytes (first line - 1, little-endian), then the block.
    for name in modules():
        for n, (line, block) in enumerate(quiz_blocks(read(f"content/modules/{name}"))):
            write("quiz_block", f"{name[:-3]}-{n:02}", struct.pack("<H", line - 1) + block.encode())
    for n, (line, block) in enumerate(quiz_blocks(KITCHEN_SINK)):
        write("quiz_block", f"kitchen-sink-{n:02}", struct.pack("<H", line - 1) + block.encode())

    # framework_toml: every real edition, and small hand-written ones.
    d = os.path.join(ROOT, "content", "competencies")
    for name in sorted(n for n in os.listdir(d) if n.endswith(".toml")):
        text = read(f"content/competencies/{name}")
        write("framework_toml", name, text)
        write("framework_toml", name[:-5] + "-crlf.toml", text.replace("\n", "\r\n"))
    edition = '[edition]\nid = "checkoff-starter"\nname = "Starter"\npublisher = "Checkoff"\nversion = "1"\ndefault = true\n\n'
    write(
        "framework_toml",
        "notes-and-requirements.toml",
        edition + '[[competency]]\ncode = "I.P.2.b"\ntitle = "Perform venipuncture"\ndomain = "psychomotor"\n'
        'pass_percent = 90\nrequirement = { attempts = 2, setting = "externship" }\nreferences = ["CLSI GP41"]\n'
        'same_as = ["checkoff-starter:A.1"]\n'
        'steps = [\n  { text = "Identify the patient", critical = true, note = "Two identifiers" },\n'
        '  "Assemble equipment",\n]\n\n[[competency]]\ncode = "A.1"\ntitle = "Demonstrate critical thinking"\n'
        'domain = "affective"\nbehaviours = ["Recognizes a problem", "Weighs options"]\n\n'
        '[[competency]]\ncode = "I.C.1"\ntitle = "Describe structural organization"\ndomain = "cognitive"\n',
    )
    write(
        "framework_toml",
        "with-module.toml",
        edition + '[[competency]]\ncode = "I.C.2"\ntitle = "T"\ndomain = "cognitive"\nmodules = ["venipuncture"]\n',
    )
    write("framework_toml", "no-edition.toml", '[[competency]]\ncode = "I.C.2"\ntitle = "T"\ndomain = "cognitive"\n')

    # framework_csv
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            exported = f.read()
        write("framework_csv", "exported.csv", exported)
        write("framework_csv", "exported-crlf-bom.csv", "\ufeff" + exported.replace("\n", "\r\n"))
    write(
        "framework_csv",
        "bad-rows.csv",
        "code,title,domain,steps,attempts\n"
        "I.P.1.a,Measure blood pressure,psychomotor,*Identify the patient | Position the arm,1\n"
        "I.P.1.a,Duplicate,psychomotor,*Step,1\n"
        "bad code,Title,psychomotor,*Step,1\n"
        "A.1,Listen,affective,,1\n"
        "I.P.3,Title,feelings,*Step,1\n"
        "I.P.4,Title,psychomotor,*Step,nine\n",
    )
    write(
        "framework_csv",
        "formulas.csv",
        "Code,Title,Domain,Steps,Modules,Attempts,Setting,Pass Percent,Same As,References\n"
        "I.P.9,'=HYPERLINK(\"x\"),psychomotor,\"'-5 mL | *'@check \"\"it\"\"\",venipuncture; injections,3,lab,90%,maerb-2015:I.P.7,CLSI GP41 | WHO 2010\n"
        "I.C.9,\"Title, with comma\",cognitive,,,,,70\n"
        "A.9,'+ behaviour,affective,Listens | Explains,,,externship,\n",
    )

    # roster
    write("roster", "simple.csv", "name,email,student id\nAna Lima,ana@example.edu,S001\nBen Cho,ben@example.edu,S002\n")
    write(
        "roster",
        "spreadsheet-crlf-bom.csv",
        "\ufeffFull Name,E-mail,Student Number,Phone\r\n\"Lima, Ana\",ANA@Example.edu,S001,555\r\n\r\n"
        "\"O\"\"Neil, Bo\",bo@example.edu,s002,\r\n",
    )
    write("roster", "mac-cr.csv", "student id,name,email\rS1,Ana,ana@example.edu\rS2,Ben,ben@example.edu\r")
    write(
        "roster",
        "problems.csv",
        "name,email,id\nAna,ana@example.edu,S1\n,missing@example.edu,S2\nBen,not-an-email,S3\n"
        "Cy,ana@example.edu,s1\n\"Multi\nline\",multi@example.edu,S4\nShort,row\n",
    )
    write("roster", "bad-header.csv", "name,name,email\nA,a@b.c,1\n")
    write("roster", "quoted-unterminated.csv", "name,email,student id\n\"Ana,ana@example.edu,S1\n")

    # hours: structured (arbitrary), so seeds are just varied bytes.
    rng = random.Random(20260)
    for n in range(8):
        write("hours", f"random-{n}", bytes(rng.randrange(256) for _ in range(rng.choice([16, 64, 256, 1024]))))

    # redirect
    for n, s in enumerate(
        [
            "/",
            "/programs/1/people",
            "/programs/1/students/2/evaluate/I.P.2.b?request=7",
            "/modules#top",
            "/%2F%2Fx",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\t/evil.example",
            "/caf\u00e9",
            "/" + "a" * 2047,
        ]
    ):
        write("redirect", f"seed-{n:02}", s)


if __name__ == "__main__":
    main()
