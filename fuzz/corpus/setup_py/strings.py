# -*- coding: utf-8 -*-
from distutils.core import setup
long = """multi
line ''' "string" \
"""
setup(name=u'demo', version=r'1.0', install_requires=[f'a{1}', b'b', 'c' 'd'], description=long)
