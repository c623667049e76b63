"""cfit: the Circular & Fair ICT Pact platform."""

__version__ = "0.1.0"
