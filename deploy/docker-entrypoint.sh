#!/bin/sh
# Entrypoint of the Sobranie Realtime image.
#
#   (no arguments)          run a node, configured by environment variables (docs/operations.md)
#   token --user ID [...]   print a JWT signed with JWT_SECRET (the jar's CLI)
#
# The java command line is: $JAVA_MODULE_OPTS (Hazelcast's and Java 25's flags, fixed by the Dockerfile),
# then $JAVA_OPTS (yours: heap, GC), then the jar. `exec` makes java PID 1, so SIGTERM from
# `docker stop` or the kubelet reaches the server's graceful shutdown directly.
set -eu

is_true() {
  case "$(printf '%s' "${1:-}" | tr '[:upper:]' '[:lower:]')" in
    true | 1 | yes) return 0 ;;
    *) return 1 ;;
  esac
}

is_ipv4() {
  printf '%s' "$1" | grep -Eq '^[0-9]{1,3}(\.[0-9]{1,3}){3}$'
}

# CLUSTER_HOST is the address this node binds and advertises for Hazelcast and for the Vert.x
# event bus. The server hands it to Hazelcast as an *interface* to bind, and Hazelcast only
# matches IP literals there: a host name makes it stop with "No matching network interface
# found". So, in this image:
#   - unset or "auto": use this container's own IP address (what other nodes must dial);
#   - a host name (e.g. the compose service name): resolve it here, once, to its IP;
#   - an IP literal (e.g. the pod IP from the Kubernetes downward API): use it as given.
if [ "$#" -eq 0 ] && is_true "${CLUSTER:-false}"; then
  host="${CLUSTER_HOST:-auto}"
  if [ "$host" = auto ]; then
    host="$(cat /proc/sys/kernel/hostname)"
  fi
  if ! is_ipv4 "$host"; then
    resolved="$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')"
    if [ -z "$resolved" ]; then
      echo "error: CLUSTER_HOST: cannot resolve '$host' to an IPv4 address" >&2
      exit 2
    fi
    echo "CLUSTER_HOST: $host -> $resolved" >&2
    host="$resolved"
  fi
  case "$host" in
    127.*) echo "warning: CLUSTER_HOST is a loopback address ($host): nodes in other containers cannot reach this one" >&2 ;;
  esac
  export CLUSTER_HOST="$host"
fi

# shellcheck disable=SC2086 # JAVA_MODULE_OPTS and JAVA_OPTS are lists of words on purpose
exec java ${JAVA_MODULE_OPTS:-} ${JAVA_OPTS:-} -jar /app/realtime-server.jar "$@"
