//! Tests for reading `setup()` calls: files modelled on real sdists, then one refusal per rule.

use super::*;

fn read(source: &str) -> Result<SetuptoolsDeclaration, NotStatic> {
    read_setup_py(source.as_bytes())
}

fn requires(source: &str) -> Option<Vec<String>> {
    read(source).unwrap().install_requires
}

fn refusal(source: &str) -> String {
    match read(source) {
        Ok(declaration) => panic!("read {declaration:?} from:\n{source}"),
        Err(NotStatic(reason)) => reason,
    }
}

/// multi_key_dict 2.0.3 (abridged): distutils, no dependencies at all.
const MULTI_KEY_DICT: &str = r#"#!python

from distutils.core import setup

long_descr=''

with open('README.txt') as readme:
    long_descr = readme.read()

setup(name='multi_key_dict',
      version='2.0.3',
      description='Multi key dictionary implementation',
      py_modules=['multi_key_dict'],
      license='License :: OSI Approved :: MIT License (http://opensource.org/licenses/MIT)',
      long_description=long_descr,
      classifiers=[
                   'Programming Language :: Python',
                   'Topic :: Software Development :: Libraries :: Python Modules'
                   ]
      )
"#;

#[test]
fn a_call_without_dependency_keywords_declares_none() {
    assert_eq!(
        read(MULTI_KEY_DICT).unwrap(),
        SetuptoolsDeclaration {
            name: Given::Literal("multi_key_dict".into()),
            version: Given::Literal("2.0.3".into()),
            ..SetuptoolsDeclaration::default()
        }
    );
}

#[test]
fn literal_requirements_of_real_files() {
    // panasonic_viera 0.3.6: distutils' `setup` given `install_requires`, which a build with
    // setuptools (as pip and uv run it) honours.
    let panasonic = "from distutils.core import setup\n\nsetup(\n    name = 'panasonic_viera',\n    \
                     packages = ['panasonic_viera'],\n    version = '0.3.6',\n    classifiers = [],\n    \
                     install_requires = ['pycryptodome', 'xmltodict'],\n)\n";
    assert_eq!(requires(panasonic).unwrap(), ["pycryptodome", "xmltodict"]);
    // PyMVGLive 1.1.4: either import, a trailing comma, a comment inside the call.
    let mvg = "try:\n    from setuptools import setup\nexcept ImportError:\n    from distutils.core import setup\n\n\
               setup(\n    name='PyMVGLive',  # the name\n    install_requires=['requests'],\n)\n";
    assert_eq!(requires(mvg).unwrap(), ["requests"]);
    // krakenex 2.1.0: `exec` for the version does not matter when the values are literals.
    let kraken = "import os.path\nfrom distutils.core import setup\n\nexec(open('./krakenex/version.py').read())\n\n\
                  def read(fname):\n    return open(os.path.join(os.path.dirname(__file__), fname)).read()\n\n\
                  setup(name='krakenex',\n      version=__version__,\n      long_description=read('README.rst'),\n      \
                  url=__url__,\n      install_requires=[\n          'requests>=2.18.2,<3'\n      ],\n      \
                  packages=['krakenex'],\n      python_requires='>=3.3',\n)\n";
    let declaration = read(kraken).unwrap();
    assert_eq!(
        declaration.install_requires.unwrap(),
        ["requests>=2.18.2,<3"]
    );
    assert_eq!(declaration.python_requires.as_deref(), Some(">=3.3"));
    // pyads 3.2.2: a long file with classes and helpers; `install_requires=[]`.
    let pyads = "import sys\nfrom setuptools import setup\nfrom distutils.command.sdist import sdist as _sdist\n\n\
                 def read(*names, **kwargs):\n    return ''\n\nclass sdist(_sdist):\n    def run(self):\n        \
                 _sdist.run(self)\n\ncmdclass = {\n    'sdist': sdist,\n}\n\nsetup(\n    name=\"pyads\",\n    \
                 version=find_version('pyads', '__init__.py'),\n    requires=[],\n    install_requires=[],\n    \
                 provides=['pyads'],\n    cmdclass=cmdclass,\n    tests_require=['pytest', 'pytest-cov'],\n)\n";
    assert_eq!(requires(pyads).unwrap(), Vec::<String>::new());
}

#[test]
fn names_bound_once_to_literals_are_followed() {
    let source = r#"
import setuptools
from setuptools import find_packages

BASE = ["attrs>=22", 'six']
REQUIRES = BASE + [
    "requests[socks] >= 2 ; python_version >= '3'",
]
EXTRAS = {
    "test": ["pytest"] + BASE,
    ":sys_platform == 'win32'": "pywin32\ncolorama",
    'docs': ('sphinx',),
}
install_requires = REQUIRES

for line in BASE:
    print(line)

if __name__ == "__main__":
    setuptools.setup(
        name="demo",
        packages=find_packages(),
        install_requires=install_requires,
        extras_require=EXTRAS,
        python_requires=">=3.8," ">=3.8.1",
    )
"#;
    let declaration = read(source).unwrap();
    assert_eq!(
        declaration.install_requires.unwrap(),
        [
            "attrs>=22",
            "six",
            "requests[socks] >= 2 ; python_version >= '3'"
        ]
    );
    assert_eq!(
        declaration.extras_require.unwrap(),
        [
            (
                "test".to_string(),
                vec!["pytest".to_string(), "attrs>=22".into(), "six".into()]
            ),
            (
                ":sys_platform == 'win32'".to_string(),
                vec!["pywin32\ncolorama".to_string()]
            ),
            ("docs".to_string(), vec!["sphinx".to_string()]),
        ]
    );
    assert_eq!(
        declaration.python_requires.as_deref(),
        Some(">=3.8,>=3.8.1")
    );
}

#[test]
fn every_way_of_importing_setup() {
    for source in [
        "from setuptools import setup\nsetup(install_requires=['a'])\n",
        "from setuptools import (find_packages,\n    setup)\nsetup(install_requires=['a'])\n",
        "from setuptools import setup as _setup\n_setup(install_requires=['a'])\n",
        "from setuptools import *\nsetup(install_requires=['a'])\n",
        "import setuptools\nsetuptools.setup(install_requires=['a'])\n",
        "import setuptools as st\nst.setup(install_requires=['a'])\n",
        "import distutils.core\ndistutils.core.setup(install_requires=['a'])\n",
        "import os, distutils\ndistutils.core.setup(install_requires=['a'])\n",
        "from distutils.core import setup\nimport unittest\nunittest.TestCase.setup(1)\nsetup(install_requires=('a',))\n",
    ] {
        assert_eq!(requires(source).unwrap(), ["a"], "{source}");
    }
}

#[test]
fn anything_computed_is_refused() {
    let cases = [
        (
            "from setuptools import setup\nsetup(*args)\n",
            "arguments with `*`",
        ),
        (
            "from setuptools import setup\nkw = get_kwargs()\nsetup(**kw)\n",
            "`**kw`, and `kw` is built or changed by running code",
        ),
        (
            "from setuptools import setup\nsetup(**get_kwargs())\n",
            "`**` of a computed value",
        ),
        (
            "from setuptools import setup\nsetup('demo')\n",
            "positional",
        ),
        (
            "from setuptools import setup\nsetup(install_requires=open('requirements.txt').read().splitlines())\n",
            "`install_requires` given to `setup()` is computed",
        ),
        (
            "from setuptools import setup\nsetup(install_requires=[r for r in REQS if r])\n",
            "computed",
        ),
        (
            "from setuptools import setup\nimport sys\nsetup(install_requires=['a'] if sys.version_info < (3,) else ['b'])\n",
            "computed",
        ),
        (
            "from setuptools import setup\nREQS = ['a']\nREQS.append('b')\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nREQS = ['a']\nREQS += ['b']\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nREQS = ['a']\nREQS[0] = 'b'\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nREQS = ['a']\nREQS = ['b']\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nimport sys\nif sys.platform == 'win32':\n    REQS = ['a']\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nfor REQS in [['a']]:\n    pass\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nfrom reqs import REQS\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\na, REQS = 1, ['x']\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nREQS = ['a']\nexec(open('more.py').read())\nsetup(install_requires=REQS)\n",
            "computed",
        ),
        (
            "from setuptools import setup\nsetup(install_requires=[f'a>={V}'])\n",
            "computed",
        ),
        (
            "from setuptools import setup\nsetup(install_requires=['a', None])\n",
            "computed",
        ),
        (
            "from setuptools import setup\nsetup(extras_require={'a': ['x'], **MORE})\n",
            "`extras_require` given to `setup()` is computed",
        ),
        (
            "from setuptools import setup\nsetup(extras_require={k: [k] for k, v in X})\n",
            "computed",
        ),
        (
            "from setuptools import setup\nsetup(python_requires=PY)\n",
            "`python_requires` given to `setup()` is computed",
        ),
        (
            "from setuptools import setup\nsetup(setup_requires=['pbr'], pbr=True)\n",
            "`pbr`, which is not a setuptools keyword",
        ),
        (
            "from setuptools import setup\nsetup(distclass=MyDistribution)\n",
            "`distclass`",
        ),
        (
            "from setuptools import setup\ntry:\n    setup(install_requires=['a'])\nexcept Exception:\n    setup()\n",
            "several places with different dependencies",
        ),
        ("from setuptools import setup\n", "never calls"),
        ("import os\nos.system('make')\n", "does not import"),
        (
            "from setuptools import setup\ndef setup(**kw):\n    pass\nsetup()\n",
            "a `setup` of its own",
        ),
        (
            "from setuptools import setup\nfrom helpers import setup\nsetup()\n",
            "a `setup` of its own",
        ),
        (
            "import setuptools\nsetup(install_requires=['a'])\n",
            "does not import from setuptools",
        ),
        (
            "from setuptools import setup\nsetup(name='x\n",
            "not terminated",
        ),
        (
            "from setuptools import setup\nsetup(name='x',",
            "cannot read",
        ),
    ];
    for (source, expected) in cases {
        let reason = refusal(source);
        assert!(
            reason.contains(expected),
            "{source}\ngave: {reason}\nwanted: {expected}"
        );
    }
}

#[test]
fn values_outside_dependency_keywords_may_be_anything() {
    let source = "from setuptools import setup, Extension\nimport versioneer\n\n\
                  setup(\n    name='x',\n    version=versioneer.get_version(),\n    \
                  cmdclass=versioneer.get_cmdclass({'build': lambda: {'a': 1}}),\n    \
                  ext_modules=[Extension('x._c', sources=['x/c.c'], libraries=[l for l, m in LIBS])],\n    \
                  package_data={'x': ['*.json']},\n    zip_safe=False,\n    \
                  long_description=open('README').read() % {'v': 1},\n    \
                  classifiers=[c for c in {1: 2}],\n    \
                  install_requires=['numpy>=1.20'],\n)\n";
    assert_eq!(requires(source).unwrap(), ["numpy>=1.20"]);
}

#[test]
fn spread_dicts_bound_once_are_read() {
    // gitterpy 0.1.7: a dict display, one key set later, then `setup(**setup_kwargs)`.
    let gitterpy = "from distutils.core import setup\n\nimport gitterpy\n\nVERSION = gitterpy.__version__\n\n\
                    setup_kwargs = {\n    'name': 'gitterpy',\n    'version': VERSION,\n    'packages': ['gitterpy'],\n }\n\n\
                    requirements = ['requests>=2.13.0']\nsetup_kwargs['install_requires'] = requirements\n\n\
                    setup(**setup_kwargs)\n\nprint(u\"\\n\\n\\t\\t    \"\n      \"GitterPy {} installed.\\n\".format(VERSION))\n";
    assert_eq!(requires(gitterpy).unwrap(), ["requests>=2.13.0"]);
    // crcmod 1.7: `dict(...)`, and a retry without the extension, after `del` of a key that
    // has nothing to do with dependencies.
    let crcmod = "from distutils.core import setup\nfrom distutils.extension import Extension\nimport sys,os\n\n\
                  if sys.version_info[0] == 2:\n    base_dir = 'python2'\nelse:\n    base_dir = 'python3'\n\n\
                  setup_dict = dict(\nname='crcmod',\nversion='1.7',\npackages=['crcmod'],\n\
                  ext_modules=[Extension('crcmod._crcfunext', [os.path.join(base_dir,'src/_crcfunext.c'), ])],\n)\n\n\
                  try:\n    setup(**setup_dict)\nexcept KeyboardInterrupt:\n    raise\nexcept:\n    \
                  del setup_dict['ext_modules']\n    setup(**setup_dict)\n";
    assert_eq!(
        read(crcmod).unwrap(),
        SetuptoolsDeclaration {
            name: Given::Literal("crcmod".into()),
            version: Given::Literal("1.7".into()),
            ..SetuptoolsDeclaration::default()
        }
    );
    // A computed version is recorded as such (only a source tree needs it).
    assert_eq!(
        read(gitterpy).unwrap().version,
        Given::Computed("setup(version=…)".into())
    );
    // Keywords given directly win over nothing; both kinds mix.
    let mixed = "from setuptools import setup\nBASE = {'python_requires': '>=3.8'}\n\
                 setup(name='x', install_requires=['a'], **BASE)\n";
    let declaration = read(mixed).unwrap();
    assert_eq!(declaration.install_requires.unwrap(), ["a"]);
    assert_eq!(declaration.python_requires.as_deref(), Some(">=3.8"));
}

#[test]
fn spread_dicts_changed_by_code_are_refused() {
    let cases = [
        // poetry's generated setup.py: the dict is handed to a build script, which may change it.
        "from setuptools import setup\nsetup_kwargs = {'name': 'x', 'install_requires': ['a']}\n\
         from build_ext import *\nbuild(setup_kwargs)\nsetup(**setup_kwargs)\n",
        "from setuptools import setup\nkw = {'name': 'x'}\nbuild(kw)\nsetup(**kw)\n",
        "from setuptools import setup\nkw = {'name': 'x'}\nkw.update(install_requires=['a'])\nsetup(**kw)\n",
        "from setuptools import setup\nkw = {'name': 'x'}\nif PY2:\n    kw['install_requires'] = ['a']\nsetup(**kw)\n",
        "from setuptools import setup\nkw = {'install_requires': ['a']}\nif PY2:\n    del kw['install_requires']\nsetup(**kw)\n",
        "from setuptools import setup\nkw = {'name': 'x'}\nkw[KEY] = ['a']\nsetup(**kw)\n",
        "from setuptools import setup\nkw = {'name': 'x'}\nsetup(**kw)\nkw['install_requires'] = ['a']\n",
        "from setuptools import setup\nkw = {NAME: 'x'}\nsetup(**kw)\n",
        "from setuptools import setup\nkw = dict(name='x', **more)\nsetup(**kw)\n",
        "from setuptools import setup\nkw = {'name': 'x'}\nkw = {'name': 'y'}\nsetup(**kw)\n",
        "from setuptools import setup\nfrom helpers import *\nREQS = ['a']\nsetup(install_requires=REQS)\n",
    ];
    for source in cases {
        refusal(source);
    }
}

/// Found by the property tests (issue 16): each bracket was a level of recursion, so 100,000 of
/// them overflowed the stack and aborted the process.
#[test]
fn brackets_nested_past_the_bound_are_not_a_literal_and_do_not_overflow() {
    for (open, close) in [("[", "]"), ("(", ")"), ("{", "}")] {
        let nested = format!("{}'a'{}", open.repeat(100_000), close.repeat(100_000));
        let source = format!("from setuptools import setup\nsetup(install_requires={nested})\n");
        assert!(read(&source).is_err(), "{open}");
    }
    // Within the bound the literal is still read.
    let nested = format!("[{}'a'{}]", "(".repeat(20), ")".repeat(20));
    let source = format!("from setuptools import setup\nsetup(install_requires={nested})\n");
    assert!(read(&source).is_ok());
}
