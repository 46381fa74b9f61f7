//! A stand-in for setuptools, served by the test index so that a project with only a
//! `setup.py` can be built without the real one: `setuptools.setup()` records its keywords,
//! and `setuptools.build_meta.__legacy__` (the PEP 517 default backend) runs `setup.py` and
//! writes METADATA from them. It only knows `name`, `version` and `install_requires`.

use super::model::TestPackage;

const INIT: &str = "\"\"\"A stand-in for setuptools in pinwheel's tests.\"\"\"\n\
recorded = {}\n\n\n\
def setup(**keywords):\n    recorded.update(keywords)\n\n\n\
def find_packages(*args, **kwargs):\n    return []\n";

const BUILD_META: &str = "import os\nimport runpy\n\nimport setuptools\n\n\n\
class _Legacy:\n\
\x20   def get_requires_for_build_wheel(self, config_settings=None):\n\
\x20       return []\n\n\
\x20   def prepare_metadata_for_build_wheel(self, metadata_directory, config_settings=None):\n\
\x20       runpy.run_path('setup.py', run_name='__main__')\n\
\x20       keywords = setuptools.recorded\n\
\x20       name, version = keywords['name'], keywords['version']\n\
\x20       dist_info = '%s-%s.dist-info' % (name.replace('-', '_'), version)\n\
\x20       os.makedirs(os.path.join(metadata_directory, dist_info))\n\
\x20       lines = ['Metadata-Version: 2.1', 'Name: ' + name, 'Version: ' + version]\n\
\x20       lines += ['Requires-Dist: ' + r for r in keywords.get('install_requires', [])]\n\
\x20       with open(os.path.join(metadata_directory, dist_info, 'METADATA'), 'w') as out:\n\
\x20           out.write('\\n'.join(lines) + '\\n')\n\
\x20       return dist_info\n\n\
\x20   def build_wheel(self, *args, **kwargs):\n\
\x20       raise RuntimeError('the stub setuptools builds no wheels')\n\n\n\
__legacy__ = _Legacy()\n\
get_requires_for_build_wheel = __legacy__.get_requires_for_build_wheel\n\
prepare_metadata_for_build_wheel = __legacy__.prepare_metadata_for_build_wheel\n";

/// `setuptools` 70.0 as a wheel holding the stand-in.
pub fn stub_setuptools() -> TestPackage {
    TestPackage::new("setuptools", "70.0").with_module_files(&[
        ("setuptools/__init__.py", INIT),
        ("setuptools/build_meta.py", BUILD_META),
    ])
}
