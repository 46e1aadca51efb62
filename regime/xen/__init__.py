"""Pure readers for Xen guest configuration, with no I/O and nothing ever executed.

Why a package of its own: the checks must see a config exactly as the Xen tools
do, and the tools' rules are quirky (xl's flex/bison grammar, the way xl splits a
vif spec, how it reads a MAC). Each module here reproduces one of those rules and
documents where it differs from what a reader would guess:

- :mod:`regime.xen.xlcfg`: xl config files (``key = value``), as libxlu parses them.
- :mod:`regime.xen.xmcfg`: old xm configs (Python), read with :mod:`ast` only.
- :mod:`regime.xen.vif`: vif specs, MAC addresses, ``ip=`` lists and ``rate=``.
"""
