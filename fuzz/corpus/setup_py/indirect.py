import os
from setuptools import setup, find_packages

REQUIRES = [
    'a>=1',  # comment
    "b; python_version < '3'",
]
EXTRAS = {"x": ["c"] + ["d"]}
kwargs = dict(name="demo")
kwargs['version'] = '1.0'
if os.name == 'nt':
    pass

setup(packages=find_packages(), install_requires=REQUIRES, extras_require=EXTRAS, **kwargs)
