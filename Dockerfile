# browserflow worker image: Python, Playwright and its Chromium (from the base image), the project installed.
#   docker build -t browserflow-worker .
#   docker run --rm --shm-size=1g -e TEMPORAL_ADDRESS=... -e DATABASE_URL=... browserflow-worker
# The base image's tag and the playwright pin below must move together: the browsers in the image are the ones
# that exact Playwright release drives.
FROM mcr.microsoft.com/playwright/python:v1.55.0-noble

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_BREAK_SYSTEM_PACKAGES=1 \
    PLAYWRIGHT_BROWSERS_PATH=/ms-playwright \
    BROWSERFLOW_DATA_DIR=/data \
    BROWSERFLOW_HEADLESS=true

WORKDIR /app

# Only what the package needs (no .venv, .data or caches from a checkout).
COPY pyproject.toml README.md worker.py ./
COPY browserflow ./browserflow
COPY workflows ./workflows
COPY activities ./activities
COPY client ./client
COPY demo ./demo
COPY migrations ./migrations

RUN python3 -m pip install "playwright==1.55.0" . \
    && cd / && python3 -c "import browserflow.store.migrate as m; print('migrations head', m.head())" \
    && mkdir -p /data \
    && chown -R pwuser:pwuser /data

USER pwuser
VOLUME ["/data"]

CMD ["browserflow", "worker"]
