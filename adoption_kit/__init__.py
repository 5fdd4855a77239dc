"""adoption-kit: how a company really adopts its AI tools, measured without surveillance."""

__version__ = "0.1.0"
