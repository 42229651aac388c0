"""The app's modules keep names of their own: a module named like one of the standard library's
(`numbers`, `csv`) breaks that import for anyone who runs Python from inside the package."""

import pkgutil
import sys

import archive


def test_no_module_of_the_app_is_named_like_a_standard_library_module():
    names = {module.name.rsplit(".", 1)[-1] for module in pkgutil.walk_packages(archive.__path__, "archive.")}
    assert len(names) > 20
    assert names & sys.stdlib_module_names == set()
