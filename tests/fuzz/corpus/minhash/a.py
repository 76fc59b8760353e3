import numpy as np
x = np.arange(10)  # c
s = r"a\"b" + b'c' + f"{x!r}"
t = """multi
line"""
print(x.mean(), s, t)
