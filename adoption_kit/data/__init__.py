"""Reference data bundled with the kit (read with :mod:`importlib.resources`)."""
