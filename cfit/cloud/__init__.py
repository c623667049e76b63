"""Cloud use: the energy and emissions of an organisation's cloud services from a FinOps FOCUS export.

``focus`` (reading and checking a FOCUS file), ``reference`` (the coefficient set), ``footprint`` (the
computation), ``calibrate`` (building the shipped coefficients) and ``cli`` are plain typed Python
with no Django import; ``api`` and the ``cloud`` management command are the Django side. The method
is written up in ``docs/cloud-method.md``.
"""
