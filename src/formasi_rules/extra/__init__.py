"""Optional integrations with other systems, each needing its own extra (``pip install
'formasi-rules[NAME]'``) and imported only when asked for: nothing here is loaded by
``import formasi_rules``.

- :mod:`formasi_rules.extra.dask`: a batch evaluated on a Dask cluster (the ``dask`` extra;
  docs/distributed.md).
"""
