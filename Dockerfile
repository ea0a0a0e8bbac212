# torchquiz: one image, CPU-only PyTorch, a non-root web server, data in /data.
#   docker build -t torchquiz .
#   docker run -p 8000:8000 -v torchquiz:/data torchquiz

# The official image; scripts/image-smoke.sh passes a locally made stand-in where
# registries cannot be reached (Debian's python3.11 at the same paths).
ARG BASE_IMAGE=python:3.11.14-slim-bookworm

# --- build: the pinned dependencies and the project, in a virtual environment ---------
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
# The lock first, so that editing the app does not reinstall PyTorch; torch comes from
# PyTorch's CPU wheel index (`torch==...+cpu`), so no CUDA library enters the image.
# wheels/ is empty in a checkout; a machine that cannot reach PyTorch's index puts the
# pinned CPU wheel there and builds with `--build-arg PIP_EXTRA_INDEX_URL=` (as
# scripts/image-smoke.sh does), and pip takes torch from there.
ARG PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu
COPY requirements.lock ./
COPY wheels/ /wheels/
RUN pip install --find-links /wheels -r requirements.lock
# Installed in place (as `make` does): the package finds templates/, static/ and
# alembic/ beside it in /app, exactly as in a checkout.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps -e .

# --- runtime ---------------------------------------------------------------------------
FROM ${BASE_IMAGE}
# libseccomp2 lets the sandbox filter system calls; nothing else is needed at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libseccomp2=2.5.4-1+deb12u1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /venv /venv
WORKDIR /app
COPY --from=build /app ./
COPY alembic.ini ./
COPY alembic ./alembic
COPY templates ./templates
COPY static ./static
# The course; mount your own folder over /quizzes to serve your topics instead.
COPY quizzes /quizzes
RUN groupadd --gid 10001 torchquiz \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin torchquiz \
    && mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
# No USER: `serve` starts as root only to split (app/sandbox/launcher.py). The web
# server drops to uid 10001 with no capability before it reads a secret or opens the
# database; a launcher keeps CHOWN, KILL, SETGID and SETUID to start the
# sandbox's zygotes, whose jobs run as uid 65534. So learners' code never shares a uid
# with the server, and /data (0700, uid 10001) stays out of its reach even on a kernel
# without Landlock. `--user 10001:10001` still works: Landlock then hides /data.
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TORCHQUIZ_DATA_DIR=/data \
    TORCHQUIZ_QUIZ_DIR=/quizzes \
    TORCHQUIZ_SERVER_UID=10001 \
    TORCHQUIZ_SERVER_GID=10001 \
    TORCHQUIZ_SEAL_SCRATCH_DIRS=true
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# `serve` migrates the database, then starts the server and the sandbox.
CMD ["torchquiz", "serve", "--host", "0.0.0.0", "--port", "8000"]
