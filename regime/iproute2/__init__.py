"""iproute2 routing-table names, read the way ``ip`` itself reads them.

``ip route ... table NAME`` and ``ip rule ... lookup NAME`` only work when NAME is
defined in ``/etc/iproute2/rt_tables`` or ``/etc/iproute2/rt_tables.d/*.conf``. Those
files are parsed by iproute2 with ``sscanf`` and fail in quiet ways: a bad line hides
the rest of its file, ``1e3 x`` defines a table named ``e3``, a duplicate name resolves
to whichever entry a hash walk meets first. The modules here reproduce that reading so a
commit can be checked before the machine boots with it:

- :mod:`regime.iproute2.rt_tables` reads and cross-checks the table files
  (RT001-RT104);
- :mod:`regime.iproute2.table_use` finds the tables that committed scripts use and
  reports the ones no file defines (RT105).

Everything is pure: the callers pass text in, nothing here reads files or runs ``ip``.
"""
