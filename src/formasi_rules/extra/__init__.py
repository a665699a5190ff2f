"""Optional integrations with other systems, each needing its own extra (``pip install
'formasi-rules[NAME]'``) and imported only when asked for: nothing here is loaded by
``import formasi_rules``.

- :mod:`formasi_rules.extra.partitions`: the contract by which a distributed engine evaluates
  a batch in parts and gets one process's bytes back (no extra needed; Spark uses it as is).
- :mod:`formasi_rules.extra.dask`: that contract on a Dask cluster (the ``dask`` extra).

See docs/distributed.md.
"""
