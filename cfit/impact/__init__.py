"""The impact engine: embodied and use-phase emissions, service life and end-of-use of a device fleet.

The modules ``figures``, ``reference``, ``vocabulary``, ``problems``, ``register``, ``pcf``, ``families``,
``matching``, ``estimate``, ``fleet``, ``summary``, ``results``, ``calibrate`` and ``cli`` are plain typed Python with no
Django import: reference data (factor tables, product
carbon footprints, the fitted estimator) is passed in, never loaded at import. The Django side
(``models``, ``admin``, the ``impact`` command) stores the editable reference data and hands it over.
The method is written up in ``docs/impact-method.md``.
"""
