"""Users' own derivatives: a new primitive (one row of the table, added at run time) and a
function whose forward rule the user writes (``custom_jvp``).

>>> import math
>>> from dualgrad import derivative
>>> my_cos = primitive(math.cos, lambda x, out: -math.sin(x), name="my_cos")
>>> derivative(my_cos, 0.5) == -math.sin(0.5)
True
"""

from dualgrad.custom.jvp import custom_jvp
from dualgrad.custom.primitive import Primitive, primitive

__all__ = ["Primitive", "custom_jvp", "primitive"]
