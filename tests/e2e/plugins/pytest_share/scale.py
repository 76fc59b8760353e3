def scale(k, x):
    return k * x
