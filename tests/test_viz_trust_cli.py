"""python -m viz expr: repeated --set options all count, a name given twice or an infinite value is
refused, and numbers print as the drawing writes them."""

import pytest

from viz.__main__ import main


def expr(tmp_path, *args: str) -> None:
    main(["expr", *args, "--out", str(tmp_path / "g.svg")])


def test_set_may_be_repeated(tmp_path, capsys):
    expr(tmp_path, "x*w", "--set", "x=1", "--set", "w=2")
    assert "x*w = 2; ∂/∂x = 2, ∂/∂w = 1" in capsys.readouterr().out


def test_a_name_set_twice_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(SystemExit, match="--set gives x more than once"):
        expr(tmp_path, "x*w", "--set", "x=1", "x=3", "w=2")
    assert not (tmp_path / "g.svg").exists()


def test_an_infinite_value_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        expr(tmp_path, "x*w", "--set", "x=1e400", "w=1")
    assert "1e400 is not a finite number" in capsys.readouterr().err


def test_numbers_print_as_the_drawing_writes_them(tmp_path, capsys):
    expr(tmp_path, "tanh(x)", "--set", "x=10")
    assert capsys.readouterr().out.splitlines()[-1].startswith("tanh(x) = 0.999999996; ∂/∂x = 8.24461e-09")
    expr(tmp_path, "x*w", "--set", "x=0", "w=-1")
    assert "x*w = 0; " in capsys.readouterr().out


def test_a_missing_folder_for_the_page_writes_not_even_the_drawing(tmp_path):
    with pytest.raises(SystemExit, match="does not exist"):
        main(
            ["expr", "x*2", "--set", "x=1", "--out", str(tmp_path / "g.svg"), "--html", str(tmp_path / "no" / "p.html")]
        )
    assert not (tmp_path / "g.svg").exists()


def test_a_folder_as_the_target_is_named_not_a_temporary_file(tmp_path):
    import viz
    from autograd import Value

    folder = tmp_path / "page.html"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=f"cannot write '{folder}': it is a folder"):
        viz.save_html(Value(1.0, label="a") * 2.0, folder)


@pytest.mark.parametrize("name", ["graph.svg", "page", "page.png"])
def test_save_html_refuses_a_name_that_is_no_page_writing_nothing(tmp_path, name):
    import viz
    from autograd import Value

    with pytest.raises(ValueError, match=f"save_html writes an HTML page, not '{name}': give it a .html suffix"):
        viz.save_html(Value(1.0, label="a") * 2.0, tmp_path / name)
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError, match=f"Player.save writes an HTML page, not '{name}'"):
        viz.player(Value(1.0, label="a") * 2.0).save(tmp_path / name)
    assert not list(tmp_path.iterdir())
    assert viz.save_html(Value(1.0, label="a") * 2.0, tmp_path / "page.HTM").exists()


def test_the_command_line_checks_the_pages_suffix_before_writing_the_drawing(tmp_path):
    from viz.__main__ import main

    with pytest.raises(SystemExit, match="save_html writes an HTML page, not 'page.svg'"):
        main(["expr", "x*x", "--set", "x=2", "--out", str(tmp_path / "g.svg"), "--html", str(tmp_path / "page.svg")])
    assert not list(tmp_path.iterdir())
