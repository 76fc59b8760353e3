from . import a, b as c
from .m.n import (x,
 y)
import p.q as r, s
"""import no"""
