#!/bin/sh
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring and a throw-away HOME,
# so tests can use the real OS keychain (keytar) on a machine with no desktop, and nothing lands in the
# real HOME or the user's real keyring. Usage: sh scripts/with-keyring.sh npx vitest run src/main/core/crypto
# Needs: apt-get install -y --no-install-recommends gnome-keyring dbus-x11 libsecret-tools. Without them
# (or with IRISH_TEST_NO_SYSTEM=gnome-keyring) it runs the command as it is, with IRISH_NO_KEYRING
# saying why: the keychain tests skip and print it (or fail where every part is required).
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: sh scripts/with-keyring.sh command [args...]" >&2
  exit 64
fi

case ",${IRISH_TEST_NO_SYSTEM:-}," in
  *,gnome-keyring,*)
    IRISH_NO_KEYRING="IRISH_TEST_NO_SYSTEM passes over gnome-keyring"
    export IRISH_NO_KEYRING
    exec "$@" ;;
esac
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    IRISH_NO_KEYRING="$tool is not installed (apt-get install -y --no-install-recommends gnome-keyring dbus-x11 libsecret-tools)"
    export IRISH_NO_KEYRING
    echo "with-keyring: no private keyring: $IRISH_NO_KEYRING" >&2
    exec "$@"
  fi
done

# npm reads its user config (e.g. nodedir=/usr for native builds) from $HOME/.npmrc: point it at the
# real file before HOME moves, unless the caller already chose one. Reading it changes nothing there.
if [ -z "${NPM_CONFIG_USERCONFIG:-}" ] && [ -f "${HOME:-/nonexistent}/.npmrc" ]; then
  NPM_CONFIG_USERCONFIG="$HOME/.npmrc"
  export NPM_CONFIG_USERCONFIG
fi
# Likewise npm's package cache, so a test that runs npm does not fetch again what is cached.
if [ -z "${npm_config_cache:-}" ] && [ -n "${HOME:-}" ]; then
  npm_config_cache="$HOME/.npm"
  export npm_config_cache
fi

KEYRING_HOME=$(mktemp -d "${TMPDIR:-/tmp}/with-keyring.XXXXXX")
# The temp HOME holds the throw-away keyring files; remove it whatever happens to the command.
trap 'rm -rf "$KEYRING_HOME"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

HOME=$KEYRING_HOME
XDG_RUNTIME_DIR=$KEYRING_HOME/run
# gnome-keyring keeps its files under XDG_DATA_HOME: never let an inherited one point at real folders.
XDG_DATA_HOME=$KEYRING_HOME/.local/share
XDG_CONFIG_HOME=$KEYRING_HOME/.config
XDG_CACHE_HOME=$KEYRING_HOME/.cache
export HOME XDG_RUNTIME_DIR XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -m 700 "$XDG_RUNTIME_DIR"
# A leftover DISPLAY would let libsecret try X11 autolaunch instead of the private bus.
unset DISPLAY

# Seconds to wait for the Secret Service to appear on the bus before giving up.
WITH_KEYRING_TIMEOUT=${WITH_KEYRING_TIMEOUT:-15}
export WITH_KEYRING_TIMEOUT

set +e
dbus-run-session -- sh -c '
  # --unlock reads the login keyring password from stdin, creating the keyring unlocked.
  printf %s throwaway | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  KPID=$!
  trap "kill \$KPID 2>/dev/null" EXIT
  tries=$((WITH_KEYRING_TIMEOUT * 20))
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
    if ! kill -0 "$KPID" 2>/dev/null; then
      echo "with-keyring: gnome-keyring-daemon exited before the Secret Service appeared" >&2
      exit 70
    fi
    tries=$((tries - 1))
    if [ "$tries" -le 0 ]; then
      echo "with-keyring: the Secret Service did not appear within ${WITH_KEYRING_TIMEOUT}s" >&2
      exit 70
    fi
    sleep 0.05
  done
  "$@"
  rc=$?
  kill "$KPID" 2>/dev/null
  wait "$KPID" 2>/dev/null
  trap - EXIT
  exit $rc
' with-keyring "$@"
rc=$?
exit "$rc"
