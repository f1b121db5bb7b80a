#!/usr/bin/env bash
# System tools the test suite needs beyond the venv: Debian's docker-compose (v1) to validate
# docker-compose.yml (no Docker engine is needed). Installed with apt-get when missing and running as root.
set -euo pipefail
if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "browserflow: installing docker-compose (validates docker-compose.yml) ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null
  else
    echo "browserflow: docker-compose is missing; install it (e.g. apt-get install docker-compose) to validate docker-compose.yml" >&2
  fi
fi
