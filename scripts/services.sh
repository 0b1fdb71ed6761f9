#!/usr/bin/env bash
# Start the local services the distributed-path tests use, when they are down.
# PostgreSQL, Redis and RabbitMQ come with this machine kind; they are started, not installed.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  for v in $(ls /etc/postgresql 2>/dev/null); do pg_ctlcluster --skip-systemctl-redirect "$v" main start || true; done
fi
if ! up 6379 && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi
if ! up 5672 && command -v rabbitmq-server >/dev/null; then
  rabbitmq-server -detached || true
fi
for i in $(seq 1 30); do up 5432 && up 6379 && break; sleep 1; done
for p in 5432 6379 5672; do up $p && echo "service on $p: up" || echo "service on $p: down"; done
