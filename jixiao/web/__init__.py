"""The auditor's workbench (``jixiao serve``, SPEC §5): a local web application over the store.

Starlette serves Jinja2 pages and the JSON API they use; uploads and server folders are parsed
in the background by the batch runner into the same store ``--db`` uses; review decisions go
into the store's ``reviews`` table. Modules, one job each:

- :mod:`.config`    the server's settings, checked once at start;
- :mod:`.security`  the safety layer (Host check, token, CSRF, upload size) as ASGI middleware;
- :mod:`.files`     uploads stored by content hash, server paths kept under ``--root``;
- :mod:`.runs`      background runs with live progress and cancelling;
- :mod:`.queries`   the report list (filters and paging in SQL) and one report's record;
- :mod:`.pictures`  evidence crops and whole pages rendered on demand, cached on disk;
- :mod:`.api`       the JSON API; :mod:`.pages` the HTML pages; :mod:`.app` puts them together;
- :mod:`.command`   the ``serve`` command.
"""
