from setuptools import setup

setup(
    name='demo',
    version='1.0',
    install_requires=['requests>=2', "idna"],
    extras_require={'dev': ['pytest'], ':python_version<"3.8"': ['typing']},
    python_requires='>=3.7',
)
