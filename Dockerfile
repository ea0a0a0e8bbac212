# torchquiz: one image, CPU-only PyTorch, runs as a non-root user, data in /data.
#   docker build -t torchquiz .
#   docker run -p 8000:8000 -v torchquiz:/data torchquiz

# --- build: the pinned dependencies and the project, in a virtual environment ---------
FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
# The lock first, so that editing the app does not reinstall PyTorch; torch comes from
# PyTorch's CPU wheel index (`torch==...+cpu`), so no CUDA library enters the image.
COPY requirements.lock ./
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.lock
# Installed in place (as `make` does): the package finds templates/, static/ and
# alembic/ beside it in /app, exactly as in a checkout.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps -e .

# --- runtime ---------------------------------------------------------------------------
FROM python:3.11.14-slim-bookworm
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
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TORCHQUIZ_DATA_DIR=/data \
    TORCHQUIZ_QUIZ_DIR=/quizzes \
    TORCHQUIZ_SANDBOX_UID_DROP=false
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# `serve` migrates the database, then starts the server and the sandbox.
CMD ["torchquiz", "serve", "--host", "0.0.0.0", "--port", "8000"]
