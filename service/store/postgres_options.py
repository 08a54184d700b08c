"""libpq connection parameters of a PostgreSQL URL, for every connection the ledger opens.

`postgresql+psycopg://user@host/db?sslmode=verify-full&sslrootcert=ca.pem&application_name=x`:
every query parameter but `schema` must be a libpq connection parameter (the ones the installed
libpq knows, e.g. sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name,
target_session_attrs, options). They reach the event store's connection pool, the read models'
engine and the schema lock alike. Host, port, database, user and password belong in the URL
itself, not in its query.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg import pq

OPTIONS_KEY = "SLA_LEDGER_LIBPQ_OPTIONS"  # carries the options, url-encoded, to the factory
FACTORY_TOPIC = "service.store.postgres_options:LedgerPostgresFactory"
IN_THE_URL_ITSELF = frozenset({"host", "port", "dbname", "user", "password"})


def libpq_parameters() -> frozenset[str]:
    """The connection parameter keywords of the installed libpq."""
    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())


def libpq_options(query: Mapping[str, str | tuple[str, ...]]) -> dict[str, str]:
    """The libpq options of a URL's query (schema left out); ValueError naming what is wrong."""
    options: dict[str, str] = {}
    for name, value in query.items():
        if name == "schema":
            continue
        if name in IN_THE_URL_ITSELF:
            raise ValueError(f"give {name} in the URL itself, not as a URL parameter")
        if name not in libpq_parameters():
            raise ValueError(
                f"unsupported URL parameter {name}: PostgreSQL URLs take schema and libpq "
                "connection parameters (sslmode, sslrootcert, connect_timeout, "
                "application_name, ...)"
            )
        if not isinstance(value, str):
            raise ValueError(f"URL parameter {name} is given more than once")
        options[name] = value
    timeout = options.get("connect_timeout")
    if timeout is not None and not timeout.isdigit():
        raise ValueError(f"connect_timeout must be a whole number of seconds, not {timeout!r}")
    return options


def encode_options(options: Mapping[str, str]) -> str:
    """The options as one environment value."""
    return urlencode(sorted(options.items()))


def decode_options(text: str) -> dict[str, str]:
    """The options of an environment value encode_options made."""
    return dict(parse_qsl(text))


class LedgerPostgresFactory(PostgresFactory):
    """The eventsourcing PostgreSQL factory whose pool connects with the URL's libpq options."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        options = decode_options(self.env.get(OPTIONS_KEY) or "")
        kwargs = self.datastore.pool.kwargs
        if options and isinstance(kwargs, dict):  # the pool is not open yet: no connection made
            kwargs.update(options)
