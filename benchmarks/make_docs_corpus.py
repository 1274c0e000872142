"""Build benchmark corpus (c): technical documentation, one paragraph a line.

Corpora (a) and (b) are prose and dictionary senses: short lines, few tokens repeated within
a line. Technical documentation is not like that. A paragraph of it can be a register table,
an option list or a listing of paths in which one token (``reserved``, ``bit``, ``x``,
``drivers``) occurs 30 to 80 times, and written one paragraph a line those lines crowd many
updates of one word's vectors into one training batch: the shape on which training may
diverge (issue #19) while it never does on (a) or (b).

Sources: public documentation packaged by Debian, fetched with ``apt-get download`` and
unpacked with ``dpkg -x`` (nothing is installed), or read from a tree unpacked before
(``--extracted DIR``; ``--extracted /`` reads the installed packages):

===============  ================================================================
package          text
===============  ================================================================
linux-doc-*      the Linux kernel's Documentation/ (reStructuredText, plain text,
                 devicetree bindings in YAML); ``linux-doc`` names the version
manpages         Linux man-pages: system files, conventions (sections 4, 5, 7)
manpages-dev     Linux man-pages: system calls and library functions (2, 3)
===============  ================================================================

Markup is stripped before tokenising: reStructuredText roles (``:c:func:``), comments,
labels and the names and options of directives; roff requests, comments and escapes
(``\\fB``, ``\\(em``) of man pages, keeping the text of font macros (``.B``, ``.BR``),
section headings and tables. A paragraph is what blank lines (reST, text, YAML) or
paragraph requests (``.PP``, ``.TP``, ``.SH``...) delimit, and each is tokenised with
:func:`w2v_core.corpus.tokenize` and written as one line; tables and listings stay whole
paragraphs, so their repeated tokens stay on one line. Documents are written in the order
of a hash of their path, so the first N words (``--max-words``) hold a share of every source.

Usage::

    python benchmarks/make_docs_corpus.py [-o benchmarks/results/docs-corpus.txt]
    python benchmarks/make_docs_corpus.py --extracted DIR    # a tree unpacked with dpkg -x
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from corpus_stats import RESULTS, CorpusStats, write_corpus  # noqa: E402
from w2v_core.corpus import tokenize  # noqa: E402

DEFAULT_OUTPUT = RESULTS / "docs-corpus.txt"
#: Where the packages are downloaded and unpacked (git-ignored, reused by later builds).
DEFAULT_CACHE = RESULTS / "docs-packages"
#: Debian packages read; a name whose only dependency is a versioned package of the same
#: name (``linux-doc`` -> ``linux-doc-6.1``) stands for that package.
PACKAGES = ("linux-doc", "manpages", "manpages-dev")
#: File kinds of the kernel's Documentation/ read as text (others are images, scripts...).
KERNEL_SUFFIXES = (".rst", ".txt", ".yaml")


class PackageError(Exception):
    """A package could not be found, downloaded or unpacked."""


# --------------------------------------------------------------------------------------
# fetching
# --------------------------------------------------------------------------------------


def _run(command: list[str], cwd: Path | None = None) -> str:
    """Output of a command; :class:`PackageError` with its last error line if it fails."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise PackageError(f"{command[0]}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.startswith("E:")]
        reason = (errors or done.stderr.strip().splitlines() or ["failed"])[-1]
        raise PackageError(f"`{' '.join(command)}`: {reason}")
    return done.stdout


def concrete_package(name: str) -> str:
    """``name``, or the versioned package it stands for (``linux-doc`` -> ``linux-doc-6.1``)."""
    listing = _run(["apt-cache", "depends", name]).splitlines()
    depends = [line.split(":", 1)[1].strip() for line in listing
               if line.strip().startswith("Depends:")]
    if len(depends) == 1 and depends[0].startswith(name + "-"):
        return depends[0]
    return name


def fetch_packages(packages: Iterable[str], cache: Path) -> tuple[Path, list[str]]:
    """Download the packages into ``cache`` and unpack them into a fresh ``cache/root``.

    A package whose ``.deb`` is already in ``cache`` is not downloaded again (the newest
    one there is used), so a rebuild reads the same versions. The root is unpacked anew
    each time: a package of another version left there would add its files.

    Returns
    -------
    (Path, list of str)
        The unpacked root (holding ``usr/share/...``) and the ``.deb`` files read.

    Raises
    ------
    PackageError
        ``apt-get`` or ``dpkg`` missing, or a package not found or not downloadable.
    """
    cache.mkdir(parents=True, exist_ok=True)
    root = cache / "root"
    shutil.rmtree(root, ignore_errors=True)
    read = []
    for name in packages:
        package = concrete_package(name)
        if not list(cache.glob(f"{package}_*.deb")):
            _run(["apt-get", "download", package], cwd=cache)
        debs = sorted(cache.glob(f"{package}_*.deb"), key=lambda deb: deb.stat().st_mtime)
        if not debs:
            raise PackageError(f"apt-get download {package} left no {package}_*.deb in {cache}")
        _run(["dpkg", "-x", str(debs[-1]), str(root)])
        read.append(debs[-1].name)
    return root, read


# --------------------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------------------


def documents(root: Path) -> list[Path]:
    """The documentation files under an unpacked root, in the order of a hash of their path.

    The kernel's Documentation/ (``*.rst``, ``*.txt``, ``*.yaml``, gzipped or not) and the
    man pages (``usr/share/man/man*/``; links and ``.so`` stubs, which repeat another page,
    are left out when read). Hash order mixes the sources, so any first N words of the
    corpus sample all of them; it depends only on the paths, so builds are reproducible.
    """
    found: list[Path] = []
    for folder in sorted((root / "usr/share/doc").glob("linux-doc-*/Documentation")):
        found += [path for path in folder.rglob("*")
                  if path.is_file() and _plain_name(path).endswith(KERNEL_SUFFIXES)]
    man = root / "usr/share/man"
    found += [path for path in man.glob("man*/*") if path.is_file() and not path.is_symlink()]
    return sorted(found, key=lambda p: hashlib.sha1(str(p.relative_to(root)).encode()).hexdigest())


def _plain_name(path: Path) -> str:
    return path.name[:-3] if path.name.endswith(".gz") else path.name


def _read_text(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        return handle.read().splitlines()


def paragraphs(path: Path) -> Iterator[str]:
    """The paragraphs of one document, markup stripped (see the module docstring)."""
    lines = _read_text(path)
    name = _plain_name(path)
    if path.parent.parent.name == "man":  # usr/share/man/manN/page.N.gz
        yield from roff_paragraphs(lines)
    elif name.endswith(".rst"):
        yield from _blank_separated(rst_lines(lines))
    else:
        yield from _blank_separated(lines)


def _blank_separated(lines: Iterable[str]) -> Iterator[str]:
    """Runs of non-blank lines, each joined into one paragraph."""
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield " ".join(block)
            block = []
    if block:
        yield " ".join(block)


# ---------------------------------------------------------------------- reStructuredText
_RST_ROLE = re.compile(r":[\w.+-]+(?::[\w.+-]+)*:(?=`)")
_RST_EXPLICIT = re.compile(r"^\s*\.\.(?:\s|$)")
_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s+([\w:.+-]+)::\s*(.*)$")
_RST_OPTION = re.compile(r"^\s+:[\w ._-]+:(?:\s|$)")
#: Directives whose argument is a file, a language or a setting, not text to read.
_RST_NO_TEXT = {
    "code-block", "code", "sourcecode", "highlight", "literalinclude", "include", "toctree",
    "image", "figure", "raw", "only", "tabularcolumns", "kernel-doc", "kernel-include",
    "kernel-figure", "kernel-render", "kernel-feat", "kernel-abi", "kernel-abi-html",
    "cssclass", "contents", "sectnum", "index", "default-role", "role", "math",
}


def rst_lines(lines: Iterable[str]) -> Iterator[str]:
    """reStructuredText lines with the markup that is not text taken out.

    Roles lose their ``:name:`` (``:c:func:`kmalloc``` keeps ``kmalloc``); comments,
    labels (``.. _name:``) and substitutions go; a directive keeps its argument when that
    is text (a note's title, a C declaration) and loses its name and its ``:option:``
    lines. Section underlines and table borders have no letters and vanish in tokenising.
    """
    after_directive = False
    for line in lines:
        if after_directive and _RST_OPTION.match(line):
            continue
        after_directive = False
        if _RST_EXPLICIT.match(line):
            directive = _RST_DIRECTIVE.match(line)
            if directive:
                after_directive = True
                name, argument = directive.groups()
                line = "" if name in _RST_NO_TEXT else argument
            elif line.strip().startswith(".. [") and "]" in line:  # a footnote or citation
                line = line.split("]", 1)[1]
            else:  # a comment (the SPDX line), a label, a substitution definition
                line = ""
        yield _RST_ROLE.sub("", line)


# ---------------------------------------------------------------------- roff (man pages)
_ROFF_ESCAPE = re.compile(
    r"\\(?:[fF](?:\(..|\[[^]]*\]|.)"  # font changes: \fB \fI \fR \fP \f(CW \f[B]
    r"|s[+-]?\d+"  # size changes
    r"|\*?(?:\(..|\[[^]]*\])"  # named characters and strings: \(em \[aq] \*(lq
    r"|\*."  # one-letter strings
    r"|[&c/,:%^|!0{}])"  # zero-width and spacing escapes, conditional braces
)
_ROFF_ARGUMENT = re.compile(r'"([^"]*)"?|(\S+)')
#: Requests that end a paragraph.
_ROFF_BREAKS = {"PP", "P", "LP", "TP", "TQ", "IP", "HP", "sp", "RS", "RE", "nf", "fi",
                "EX", "EE", "TS", "TE", "bp", "in", "SY", "YS", "ti", "ne", "TH", "SH", "SS"}
#: Macros whose arguments are text set in a font, joined without spaces (``.BR open ()``).
_ROFF_ALTERNATING = {"BR", "RB", "IR", "RI", "BI", "IB"}
#: Macros whose arguments are text, joined with spaces.
_ROFF_TEXT = {"B", "I", "SM", "SB", "SH", "SS", "UR", "MT", "OP", "Nm", "Nd", "Ar", "Fl"}


def roff_text(text: str) -> str:
    """Text of one roff line with its escapes removed (``\\-`` becomes ``-``, ``\\e`` a space)."""
    text = text.replace("\\-", "-").replace("\\e", " ")
    return _ROFF_ESCAPE.sub("", text)


def _roff_arguments(text: str) -> list[str]:
    """A request's arguments: space-separated, double quotes grouping (``"int " flags``)."""
    return [quoted or bare for quoted, bare in _ROFF_ARGUMENT.findall(text)]


def _roff_joined(lines: Iterable[str]) -> Iterator[str]:
    """Lines with trailing blanks removed and ``\\`` continuations joined to the next line."""
    pending = ""
    for raw in lines:
        line = pending + raw.rstrip()
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending = line[:-1]
            continue
        pending = ""
        yield line
    if pending:
        yield pending


def roff_paragraphs(lines: Iterable[str]) -> Iterator[str]:
    """Paragraphs of a man page's roff source: text lines and font macros' text, split at
    paragraph requests; a section heading (``.SH``) is a paragraph of its own, a table
    (``.TS``/``.TE``, cells tab-separated) one paragraph. ``.so`` stubs yield nothing.
    """
    block: list[str] = []
    table_format = False
    for line in _roff_joined(lines):
        if line.startswith((".\\\"", "'\\\"", "\\\"")):
            continue
        if table_format:  # the table's options and format lines, up to one ending in "."
            table_format = not line.endswith(".")
            continue
        if line[:1] in (".", "'"):
            request, _, rest = line[1:].strip().partition(" ")
            if request == "so":
                return
            if request in _ROFF_BREAKS and block:
                yield " ".join(block)
                block = []
            if request == "TS":
                table_format = True
            elif request in _ROFF_ALTERNATING:
                block.append("".join(_roff_arguments(roff_text(rest))))
            elif request in _ROFF_TEXT or (request == "IP" and rest):
                arguments = _roff_arguments(roff_text(rest))
                block.append(" ".join(arguments[:1] if request == "IP" else arguments))
            if request in ("SH", "SS") and block:  # a heading stands alone
                yield " ".join(block)
                block = []
        elif not line.strip():
            if block:
                yield " ".join(block)
                block = []
        else:
            block.append(roff_text(line.replace("\t", " ").replace("T{", "").replace("T}", "")))
    if block:
        yield " ".join(block)


# --------------------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------------------


def corpus_lines(root: Path) -> Iterator[list[str]]:
    """Tokenised paragraphs of every document under ``root``, one list per paragraph."""
    for path in documents(root):
        for paragraph in paragraphs(path):
            tokens = tokenize(paragraph)
            if tokens:
                yield tokens


def build_docs_corpus(output: Path = DEFAULT_OUTPUT, extracted: Path | None = None,
                      cache: Path = DEFAULT_CACHE, packages: tuple[str, ...] = PACKAGES,
                      quiet: bool = False) -> CorpusStats:
    """Write corpus (c) to ``output`` (atomically) and return its statistics.

    Parameters
    ----------
    output : Path
        Where to write the corpus, one paragraph of space-separated tokens per line.
    extracted : Path, optional
        A tree already unpacked (``dpkg -x`` of the packages, or ``/``); None fetches the
        packages into ``cache``.
    cache : Path
        Where the packages are downloaded and unpacked.
    packages : tuple of str
        The Debian packages to read.
    quiet : bool
        Print nothing.

    Raises
    ------
    SystemExit
        The packages could not be fetched, or the tree holds no documentation: one line
        saying how to build the corpus another way.
    """
    try:
        root, debs = (extracted, []) if extracted is not None else fetch_packages(packages, cache)
    except PackageError as exc:
        raise SystemExit(
            f"error: corpus (c) needs Debian's {', '.join(packages)} packages: {exc}; on a "
            f"Debian/Ubuntu host with network run `python benchmarks/make_docs_corpus.py`, or "
            f"unpack them elsewhere (`apt-get download` + `dpkg -x`) and pass --extracted DIR"
        ) from None
    if not documents(root):
        raise SystemExit(f"error: no kernel documentation or man pages under {root}")
    stats = write_corpus(output, corpus_lines(root))
    if not quiet:
        print(f"from {', '.join(debs) if debs else root}")
        print(stats.summary())
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the corpus statistics."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--extracted", type=Path,
                        help="read this unpacked tree (usr/share/...) instead of fetching")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where packages are downloaded and unpacked")
    parser.add_argument("--packages", default=",".join(PACKAGES),
                        help="comma-separated Debian packages")
    args = parser.parse_args(argv)
    packages = tuple(p.strip() for p in args.packages.split(",") if p.strip())
    build_docs_corpus(args.output, args.extracted, args.cache, packages)
    print(f"-> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
