"""Issue 23: a directory corpus's paths held compactly read back as the paths listed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from w2v_core.path_list import PathList


def test_paths_read_back_in_order_whole_or_below_the_root(tmp_path):
    root = str(tmp_path)
    listed = [tmp_path / "a.txt", tmp_path / "sub" / "b.txt", Path("/elsewhere/c.txt"),
              tmp_path / os.fsdecode(b"caf\xe9.txt")]  # a name that is not UTF-8
    paths = PathList(root, listed)
    assert len(paths) == 4 and list(paths) == listed and paths == listed
    assert paths[1] == listed[1] and paths[-1] == listed[-1]
    assert list(paths[1:3]) == listed[1:3] and isinstance(paths[1:3], PathList)
    assert list(paths.names()) == [str(p) for p in listed]
    assert list(paths.names(1, 3)) == [str(p) for p in listed[1:3]]
    with pytest.raises(IndexError):
        paths[4]
    assert PathList(root) == [] and len(PathList(root)) == 0
