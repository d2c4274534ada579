"""Where the packages come from: app/ for the code, resources/ for the data read at run time.

The data files (demo, schema, example providers, icons) are edited in the top-level
resources/ folder and installed as the package `vetline.resources`, found at run time
through importlib.resources. A wheel and an sdist carry them; an editable install points
the package at resources/ itself. pyproject.toml cannot map one package to a folder
outside app/ while still discovering the others, hence these few lines.
"""

from setuptools import find_packages, setup

RESOURCE_FILES = [
    "providers.example.toml",
    "schema/*.json",
    "icons/*.svg",
    "demo/README.md",
    "demo/proposals/*.json",
    "demo/workspace/**/*",
]

setup(
    packages=[*find_packages("app"), "vetline.resources"],
    package_dir={"": "app", "vetline.resources": "resources"},
    package_data={"vetline": ["py.typed"], "vetline.resources": RESOURCE_FILES},
    exclude_package_data={"vetline.resources": ["**/__pycache__/*", "**/*.pyc"]},
    # Exactly the files named above: resources/' folders are data, not subpackages.
    include_package_data=False,
)
