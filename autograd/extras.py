"""The ImportError of code that needs a package of one of chainrule's optional extras, in one place: chainrule
is not on PyPI, so `pip install "chainrule[plot]"` fails; what works is the package itself, or the extra from
chainrule's clone."""


def missing_extra(what: str, package: str, extra: str) -> ImportError:
    """ImportError saying `what` misses `package` (of the extra named `extra`), and the two installs that work."""
    clone = f'pip install -e ".[{extra}]"'
    return ImportError(f"{what}: {package} is missing; pip install {package} (in chainrule's clone: {clone})")
