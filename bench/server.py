"""`torchquiz serve` for the benchmarks: the same steps, serving bench.app instead.

python -m bench.server --port 8123
"""

import argparse

import uvicorn

from app.cli import split_privileges
from app.config import Settings
from app.logs import configure_logging
from app.store.migrations import prepare_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings.log_format)
    split_privileges(settings, reload=False)
    settings.session_secret()
    prepare_database(settings)
    uvicorn.run(
        "bench.app:create_bench_app",
        factory=True,
        host="127.0.0.1",  # benchmarks bind loopback only
        port=args.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
    )


if __name__ == "__main__":
    main()
