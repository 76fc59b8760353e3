import os, sys as system
import numpy as np
from model.layers import Block
from . import utils
from .data import (load,
    save)
try:
    import optional_dep
except ImportError:
    optional_dep = None

def main(path, epochs=3):
    """import in_docstring"""
    import lazy; x = 1
    return x
