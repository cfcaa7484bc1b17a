// The `irish` command line: `npm run irish -- <command> [options]`. Lists accounts and moves sessions
// (export, export to a server, import a bundle or a Baileys folder), against a running server (--api) or a
// data dir opened in this process (--data-dir). Node only, never Electron.
// Exit codes: 0 ok, 1 an error (its message on stderr), 64 a usage error. Never prints a passphrase or token.

import '../../../scripts/require-node24.mjs'
import { open, readFile, stat, unlink } from 'node:fs/promises'
import pino from 'pino'
import { basename, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { AccountSummary, BundleInfo, CliVerb, CommandInput, CommandName, CommandOutput } from '../../shared/contract'
import { AppError, isAppError } from '../../shared/errors'
import { MAX_BUNDLE_BYTES, readBundleMetadata } from '../core/transfer/bundle'
import { toInfo } from '../core/transfer/transfer-service'
import { keyFromKeychain, resolveKeyVault, resolvePreviousKeyVault } from '../core/crypto/key-vault'
import { DEFAULT_ROTATION_BATCH } from '../core/db/sealed-columns'
import { isPostgresUrl } from '../core/db/postgres/url'
import type { Logger } from '../core/logger'
import { API_TOKEN_ENV, openTarget, type Target } from './target'
import { PASSPHRASE_ENV, readPassphrase, UsageError } from './prompt'

const SERVER_TOKEN_ENV = 'IRISH_SERVER_TOKEN'

type Options = NonNullable<ParseArgsConfig['options']>

interface CommandSpec {
  summary: string
  usage: string
  details: string
  options: Options
  run(args: Record<string, string | boolean | undefined>, context: Context): Promise<void>
}

interface Context {
  target(): Promise<Target>
  /** True when --api or --data-dir names a place to work on. */
  hasTarget: boolean
  env: Readonly<Record<string, string | undefined>>
  json: boolean
  out(line: string): void
  note(line: string): void
}

const GLOBAL_OPTIONS: Options = {
  api: { type: 'string' },
  'data-dir': { type: 'string' },
  'key-file': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
}

const GLOBAL_HELP = `Where (one of):
  --api <url>            A running Irish server; its token comes from ${API_TOKEN_ENV}.
                         https, or http only to this machine.
  --data-dir <dir>       Open this data dir here (default: the server's default,
                         $XDG_DATA_HOME/irish-desktop or ~/.local/share/irish-desktop).
                         Refused while a server or the app uses it: use --api then.
  --key-file <file>      The data key file, when there is no OS keychain and no IRISH_DATA_KEY.
Output:
  --json                 Print results as JSON.
  -h, --help             Help (also: irish <command> --help).`

const PASSPHRASE_HELP = `The passphrase comes from ${PASSPHRASE_ENV}, or --passphrase-file <file> (its content, less a final newline),
or a prompt when run in a terminal. It is never a flag: flags land in the shell history.`

/**
 * The verbs: one per contract command that declares `cli` (the compiler holds the two in step), plus
 * the offline ones, which work on a data dir directly and have no command.
 */
type OfflineVerb = 'move-to-postgres' | 'rotate-key' | 'restore'

const VERBS = {
  list: {
    summary: 'List the accounts and their status.',
    usage: 'irish list [--api <url> | --data-dir <dir>]',
    details: '',
    options: {},
    async run(_args, context) {
      const accounts = await call(context, 'accounts:list', {})
      if (context.json) return context.out(JSON.stringify(accounts, null, 2))
      if (accounts.length === 0) return context.out('No accounts.')
      for (const a of accounts) context.out(describeAccount(a))
    },
  },

  activity: {
    summary: "Show an account's activity log, newest first: what happened and who asked.",
    usage: 'irish activity --account <id> [--limit <n>] [--api <url> | --data-dir <dir>]',
    details: `  --account <id>         The account (see: irish list).
  --limit <n>            At most this many entries (default 50, at most 500).`,
    options: { account: { type: 'string' }, limit: { type: 'string' } },
    async run(args, context) {
      const limit = typeof args.limit === 'string' ? Number(args.limit) : 50
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500.')
      const entries = await call(context, 'accounts:activity', { id: required(args, 'account'), limit })
      if (context.json) return context.out(JSON.stringify(entries, null, 2))
      if (entries.length === 0) return context.out('No activity yet.')
      for (const e of entries) {
        context.out(`${new Date(e.at).toISOString()}  ${e.actor.padEnd(6)}  ${e.kind.padEnd(9)}  ${e.message}${e.code !== null ? ` (code ${e.code})` : ''}`)
      }
    },
  },

  export: {
    summary: 'Export an account to a session bundle file (move by default).',
    usage: 'irish export --account <id> --out <file> [--mode move|copy] [--include-proxy] [--passphrase-file <f>] [--force]',
    details: `  --account <id>         The account (see: irish list).
  --out <file>           Where to write the bundle (*.irishbundle). Not overwritten unless --force.
  --mode move|copy       move (default): stop the account here and mark it moved, so only the
                         bundle's copy may run. copy: keep it running here; never run both copies.
  --include-proxy        Carry the account's proxy (with its password) inside the encrypted bundle.
                         Without it the proxy stays here: it usually belongs to this server.
  --passphrase-file <f>  See below. At least 8 characters.

${PASSPHRASE_HELP}`,
    options: {
      account: { type: 'string' },
      out: { type: 'string' },
      mode: { type: 'string', default: 'move' },
      'include-proxy': { type: 'boolean', default: false },
      'passphrase-file': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    async run(args, context) {
      const id = required(args, 'account')
      const out = resolve(required(args, 'out'))
      const mode = args.mode
      if (mode !== 'move' && mode !== 'copy') throw new UsageError('--mode is move or copy.')
      const passphrase = (await readPassphrase({ env: context.env, ...fileOption(args), confirm: true, required: true })) as string
      // Opened first: a move must not stop the account and then find it cannot write the file.
      const file = await openOutput(out, args.force === true)
      let done = false
      try {
        // The name written, so the move here (and the take-back dialog) names this file, not a suggestion.
        const result = await call(context, 'transfer:export', {
          id,
          passphrase,
          mode,
          fileName: basename(out),
          ...(args['include-proxy'] === true ? { includeProxy: true } : {}),
        })
        await file.writeFile(Buffer.from(result.bundle, 'base64'))
        await file.sync()
        done = true
        if (context.json) return context.out(JSON.stringify({ file: out, bytes: result.bytes, meta: result.meta, account: result.account }, null, 2))
        context.out(`Exported ${describeAccount(result.account)}`)
        context.out(`  to ${out} (${kib(result.bytes)})`)
        context.out(
          mode === 'move'
            ? '  It is stopped here and marked moved. Import the file elsewhere; starting it here again needs take back.'
            : '  It keeps running here. Do not start the imported copy while this one runs: WhatsApp would log both out.',
        )
      } finally {
        await file.close()
        if (!done) await unlink(out).catch(() => undefined)
      }
    },
  },

  'export-to-server': {
    summary: 'Move an account to another Irish server, and mark it moved here.',
    usage: 'irish export-to-server --account <id> --server <url> --server-token <t> [--replace] [--include-proxy]',
    details: `  --account <id>         The account to move.
  --server <url>         The other server's base URL: https, or http only to this machine.
  --server-token <t>     The other server's API token. Prefer ${SERVER_TOKEN_ENV} or
                         --server-token-file <f>: a flag lands in the shell history.
  --replace              Replace an account with the same phone on the other server.
  --include-proxy        Carry the account's proxy (with its password) to the other server.
  --passphrase-file <f>  Optional: without one, a one-time random passphrase is used.`,
    options: {
      account: { type: 'string' },
      server: { type: 'string' },
      'server-token': { type: 'string' },
      'server-token-file': { type: 'string' },
      replace: { type: 'boolean', default: false },
      'include-proxy': { type: 'boolean', default: false },
      'passphrase-file': { type: 'string' },
    },
    async run(args, context) {
      const id = required(args, 'account')
      const url = required(args, 'server')
      const token = await serverToken(args, context.env)
      const passphrase = await readPassphrase({ env: context.env, ...fileOption(args), confirm: false, required: false })
      const result = await call(context, 'transfer:export-to-server', {
        id,
        url,
        token,
        ...(passphrase !== null ? { passphrase } : {}),
        ...(args.replace === true ? { replace: true } : {}),
        ...(args['include-proxy'] === true ? { includeProxy: true } : {}),
      })
      if (context.json) return context.out(JSON.stringify(result, null, 2))
      context.out(`Moved ${describeAccount(result.account)}`)
      context.out(`  now on ${url} as ${result.remote.id} (${result.remote.status}).`)
    },
  },

  import: {
    summary: 'Import a session bundle file.',
    usage: 'irish import --file <bundle> [--replace] [--no-start] [--label <l>] [--passphrase-file <f>]',
    details: `  --file <bundle>        The *.irishbundle file.
  --replace              An account with the same phone exists here: stop it and put this copy in
                         its place (only if this bundle is the newest copy).
  --no-start             Leave it stopped (with --data-dir it is always left stopped: start it in
                         the app or through the server).
  --label <l>            The name to show (default: the name in the bundle).
  --allow-older          Import it even when it holds older state of its device than the place it goes
                         has seen (a warning names it first). Old state makes sessions fail to decrypt.
The account keeps the id it had where it was exported, unless that id is taken here.

${PASSPHRASE_HELP}`,
    options: {
      file: { type: 'string' },
      replace: { type: 'boolean', default: false },
      'no-start': { type: 'boolean', default: false },
      label: { type: 'string' },
      'allow-older': { type: 'boolean', default: false },
      'passphrase-file': { type: 'string' },
    },
    async run(args, context) {
      const path = resolve(required(args, 'file'))
      const bytes = await readBundleFile(path)
      const bundle = bytes.toString('base64')
      const inspected = await call(context, 'transfer:inspect', { bundle })
      if (!context.json) context.note(describeBundle(inspected.meta))
      const allowOlder = args['allow-older'] === true
      if (inspected.older) {
        // Refused before the passphrase is asked for; allowed, after this warning.
        if (!allowOlder) throw new AppError('conflict', inspected.older.message)
        context.note(`warning: ${inspected.older.message}`)
      }
      const passphrase = (await readPassphrase({ env: context.env, ...fileOption(args), confirm: false, required: true })) as string
      const target = await context.target()
      const account = await call(context, 'transfer:import', {
        bundle,
        passphrase,
        ...(args.replace === true ? { replace: true } : {}),
        // A data dir opened here is closed when the command ends: connecting now would only flap.
        start: args['no-start'] !== true && target.kind === 'api',
        ...(typeof args.label === 'string' ? { label: args.label } : {}),
        ...(allowOlder ? { allowOlder: true } : {}),
      })
      if (context.json) return context.out(JSON.stringify(account, null, 2))
      context.out(`Imported ${describeAccount(account)}`)
    },
  },

  'import-folder': {
    summary: 'Import a Baileys useMultiFileAuthState folder.',
    usage: 'irish import-folder --dir <folder> [--label <l>] [--replace] [--no-start]',
    details: `  --dir <folder>         The folder holding creds.json. With --api it is a path on the server's
                         machine. Stop the program that uses it first: two copies break the session.
  --label <l>            The name to show (default: the phone number).
  --replace              Replace an account with the same phone here.
  --no-start             Leave it stopped (always so with --data-dir).`,
    options: {
      dir: { type: 'string' },
      label: { type: 'string' },
      replace: { type: 'boolean', default: false },
      'no-start': { type: 'boolean', default: false },
    },
    async run(args, context) {
      const path = resolve(required(args, 'dir'))
      const target = await context.target()
      const account = await call(context, 'transfer:import-folder', {
        path,
        ...(typeof args.label === 'string' ? { label: args.label } : {}),
        ...(args.replace === true ? { replace: true } : {}),
        start: args['no-start'] !== true && target.kind === 'api',
      })
      if (context.json) return context.out(JSON.stringify(account, null, 2))
      context.out(`Imported ${describeAccount(account)}`)
    },
  },

  'move-to-postgres': {
    summary: 'Move every account of a data dir into a fleet\'s PostgreSQL database (all or nothing).',
    usage: 'irish move-to-postgres --data-dir <dir> --database <postgres://…>',
    details: `  --data-dir <dir>       The data dir to move (stop its server or app first).
  --database <url>       The fleet's database (or IRISH_DATABASE_URL). It must have been created with
                         the same data key, or be empty; accounts it already holds are refused.
Every value is checked before anything is written, the copy is one transaction, and the accounts are
then marked moved in the data dir, so it never starts them again. Start a fleet server to run them.`,
    options: { database: { type: 'string' } },
    async run(args, context) {
      const databaseUrl = typeof args.database === 'string' ? args.database : context.env.IRISH_DATABASE_URL
      if (!databaseUrl || !isPostgresUrl(databaseUrl)) throw new UsageError('--database (or IRISH_DATABASE_URL) must be a postgres:// URL.')
      if (typeof args['data-dir'] !== 'string') throw new UsageError('--data-dir is required: the data dir to move.')
      const dataDir = resolve(args['data-dir'])
      const vault = resolveKeyVault({ env: context.env, ...(typeof args['key-file'] === 'string' ? { keyFile: args['key-file'] } : {}), preferKeychain: true })
      const dataKey = await vault.getDataKey()
      try {
        // Loaded here: the PostgreSQL driver is not worth its start-up time for every other command.
        const { moveSqliteToPostgres } = await import('../core/fleet/move-to-postgres')
        const report = await moveSqliteToPostgres({ dataDir, databaseUrl, dataKey, logger: cliLogger() })
        if (context.json) return context.out(JSON.stringify(report, null, 2))
        context.out(`Moved ${report.accounts} account(s), ${report.keys} keys and ${report.settings} setting(s) into ${report.target}.`)
        context.out('  They are marked moved in the data dir. Start the fleet servers with --database to run them.')
      } finally {
        dataKey.fill(0)
      }
    },
  },

  'tokens add': {
    summary: 'Add a named API token with a role (shown once).',
    usage: 'irish tokens add --name <name> --role viewer|operator|admin [--accounts <id,id,…>] --api <url>',
    details: `  --name <name>          Lower-case letters, digits, dots, dashes, underscores (who holds it: "alice").
  --role <role>          viewer: reads lists, health, telemetry, activity, pairing state;
                         operator: also pairs, starts, stops, logs out, sends, reads messages;
                         admin: also removes, exports, imports, hands off, changes settings,
                         webhooks and tokens.
  --accounts <ids>       Comma-separated account ids the token is limited to (viewer and operator
                         only); without it, the token sees every account.
The token is printed once, here: only its hash is kept. Revoke it with irish tokens revoke.`,
    options: { name: { type: 'string' }, role: { type: 'string' }, accounts: { type: 'string' } },
    async run(args, context) {
      const role = required(args, 'role')
      if (role !== 'viewer' && role !== 'operator' && role !== 'admin') throw new UsageError('--role is viewer, operator or admin.')
      const accounts = typeof args.accounts === 'string' ? args.accounts.split(',').map((id) => id.trim()).filter((id) => id !== '') : undefined
      const added = await call(context, 'tokens:add', { name: required(args, 'name'), role, ...(accounts ? { accounts } : {}) })
      if (context.json) return context.out(JSON.stringify(added, null, 2))
      context.out(`Token "${added.name}" (${added.role}${added.accounts ? `, limited to ${added.accounts.join(', ')}` : ', every account'}):`)
      context.out(`  ${added.token}`)
      context.note('It is shown only this once: hand it over now. Revoke it with: irish tokens revoke --name ' + added.name)
    },
  },

  'tokens list': {
    summary: 'List the API tokens: names, roles and accounts (never a token).',
    usage: 'irish tokens list --api <url>',
    details: '',
    options: {},
    async run(_args, context) {
      const list = await call(context, 'tokens:list', {})
      if (context.json) return context.out(JSON.stringify(list, null, 2))
      for (const t of list) {
        const since = t.createdAt === null ? 'built in' : `added ${new Date(t.createdAt).toISOString()}`
        context.out(`${t.name.padEnd(20)}  ${t.role.padEnd(8)}  ${t.accounts ? t.accounts.join(',') : 'every account'}  (${since})`)
      }
    },
  },

  'tokens revoke': {
    summary: 'Revoke an API token: refused from now on, its event streams closed (every server of a fleet).',
    usage: 'irish tokens revoke --name <name> --api <url>',
    details: '  --name <name>          The token to revoke (see: irish tokens list).',
    options: { name: { type: 'string' } },
    async run(args, context) {
      const name = required(args, 'name')
      await call(context, 'tokens:revoke', { name })
      if (context.json) return context.out(JSON.stringify({ revoked: name }))
      context.out(`Revoked "${name}".`)
    },
  },

  audit: {
    summary: 'Show the audit trail, newest first: who ran which command, on which accounts, and how it ended.',
    usage: 'irish audit [--since <when>] [--until <when>] [--actor <name>] [--command <c>] [--limit <n>] [--format table|jsonl]',
    details: `  --since, --until <when>  An ISO date-time (2025-05-01T12:00Z), or an age: 30m, 12h, 7d.
  --actor <name>         One token's name (or desktop, cli).
  --command <c>          One command (accounts:start, tokens:add, …).
  --limit <n>            At most this many entries (default 100, at most ${1000}).
  --format table|jsonl   table (default), or one JSON object a line, for other tools.`,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      actor: { type: 'string' },
      command: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
    async run(args, context) {
      const limit = typeof args.limit === 'string' ? Number(args.limit) : 100
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000.')
      const format = args.format
      if (format !== 'table' && format !== 'jsonl') throw new UsageError('--format is table or jsonl.')
      const now = Date.now()
      const entries = await call(context, 'audit:list', {
        ...(typeof args.since === 'string' ? { since: parseWhen(args.since, now, '--since') } : {}),
        ...(typeof args.until === 'string' ? { until: parseWhen(args.until, now, '--until') } : {}),
        ...(typeof args.actor === 'string' ? { actor: args.actor } : {}),
        ...(typeof args.command === 'string' ? { command: args.command } : {}),
        limit,
      })
      if (context.json) return context.out(JSON.stringify(entries, null, 2))
      if (format === 'jsonl') {
        for (const e of entries) context.out(JSON.stringify(e))
        return
      }
      if (entries.length === 0) return context.out('No entries.')
      for (const e of entries) {
        const about = [...e.accounts, ...(e.subject ? [e.subject] : [])].join(',')
        context.out(`${new Date(e.at).toISOString()}  ${e.actor.padEnd(16)}  ${e.command.padEnd(24)}  ${e.result.padEnd(14)}  ${e.server}  ${about}`)
      }
    },
  },

  backup: {
    summary: "Write a consistent copy of the store (SQLite's online backup; accounts keep running).",
    usage: 'irish backup --out <file> [--api <url> | --data-dir <dir>]',
    details: `  --out <file>           Where to write the backup; never overwritten. With --api it is a path on
                         the server's machine (the server writes it). With --data-dir (a data dir no
                         server holds) it is written here.
The values stay sealed: a restore needs the data key whose id the backup names (irish restore).
A fleet's PostgreSQL is backed up with pg_dump instead (docs/security.md).`,
    options: { out: { type: 'string' } },
    async run(args, context) {
      const info = await call(context, 'store:backup', { path: resolve(required(args, 'out')) })
      if (context.json) return context.out(JSON.stringify(info, null, 2))
      context.out(`Backed up ${info.accounts} account(s) to ${info.path} (${kib(info.bytes)}).`)
      context.out(`  It needs data key ${info.keyId} to restore: keep that key with it, apart from it.`)
    },
  },

  'rotate-key': {
    summary: 'Re-seal every value of a store under a new data key (crash-safe; a rerun finishes the job).',
    usage: 'irish rotate-key (--data-dir <dir> | --database <postgres://…>) [--previous-key-file <f>] [--new-key-in-keychain] [--batch <n>]',
    details: `  The new key is the data key, from where it always comes: IRISH_DATA_KEY, --key-file, or the
  OS keychain. The old key is the previous key: IRISH_PREVIOUS_DATA_KEY, --previous-key-file <f>,
  or the keychain entry data-key-previous.
  --data-dir <dir>       A SQLite store: stop its server or app first (the data dir is locked).
  --database <url>       A fleet's PostgreSQL (or IRISH_DATABASE_URL): servers may keep running once
                         each was restarted with the new key and the old one as its previous key.
  --new-key-in-keychain  The desktop's keychain key: keep it as data-key-previous, put a new one in
                         data-key, re-seal, then delete data-key-previous.
  --batch <n>            Values re-sealed per transaction (default ${DEFAULT_ROTATION_BATCH}).
Refused before anything changes: the same key, a new key other than the one an unfinished rotation
is going to, or (PostgreSQL) a live server that does not seal under the new key yet.
The steps for a fleet: docs/security.md, "Rotating the data key".`,
    options: {
      database: { type: 'string' },
      'previous-key-file': { type: 'string' },
      'new-key-in-keychain': { type: 'boolean', default: false },
      batch: { type: 'string' },
    },
    async run(args, context) {
      const databaseUrl = typeof args.database === 'string' ? args.database : context.env.IRISH_DATABASE_URL
      const dataDir = typeof args['data-dir'] === 'string' ? resolve(args['data-dir']) : null
      if ((dataDir === null) === !databaseUrl) throw new UsageError('Give --data-dir (a SQLite store) or --database (a fleet\'s PostgreSQL), one of them.')
      if (databaseUrl && !isPostgresUrl(databaseUrl)) throw new UsageError('--database (or IRISH_DATABASE_URL) must be a postgres:// URL.')
      const batch = typeof args.batch === 'string' ? Number(args.batch) : DEFAULT_ROTATION_BATCH
      if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new UsageError('--batch must be a whole number from 1 to 100000.')
      const keyFile = typeof args['key-file'] === 'string' ? args['key-file'] : undefined
      const inKeychain = args['new-key-in-keychain'] === true
      if (inKeychain && !keyFromKeychain(context.env, keyFile)) throw new UsageError('--new-key-in-keychain rotates the keychain key: leave IRISH_DATA_KEY and --key-file out.')
      const { rotateKey } = await import('../core/rotation/rotation-run')
      const report = await rotateKey({
        ...(dataDir ? { dataDir } : { databaseUrl: databaseUrl! }),
        env: context.env,
        ...(keyFile ? { keyFile } : {}),
        ...(typeof args['previous-key-file'] === 'string' ? { previousKeyFile: args['previous-key-file'] } : {}),
        newKeyInKeychain: inKeychain,
        batchSize: batch,
        logger: cliLogger(),
      })
      if (context.json) return context.out(JSON.stringify(report, null, 2))
      if (report.alreadyDone) return context.out(`The store is sealed under k-${report.to} already: nothing to do.`)
      context.out(`Re-sealed ${report.resealed} value(s) from k-${report.from} to k-${report.to} in ${(report.ms / 1000).toFixed(1)} s.`)
      context.out(inKeychain ? '  The old key was removed from the keychain.' : '  The old key is no longer needed by this store: retire it (and its IRISH_PREVIOUS_DATA_KEY).')
    },
  },

  restore: {
    summary: 'Put a backup in place as a data dir\'s store (the data dir empty, or --replace).',
    usage: 'irish restore --from <file> --data-dir <dir> [--replace] [--allow-older]',
    details: `  --from <file>          A backup written by irish backup (or store:backup).
  --data-dir <dir>       Where to restore: new or empty, or with --replace one whose server is stopped.
  --replace              Put the backup in place of the store the data dir holds.
  --allow-older          Restore even where the backup holds older state of an account's device than
                         the store it replaces has seen (each one is named first). Old state makes
                         WhatsApp sessions fail to decrypt: only when this backup is known to be right.
The data key is the one the backup needs (irish backup named it): IRISH_DATA_KEY, --key-file or the keychain.`,
    options: { from: { type: 'string' }, replace: { type: 'boolean', default: false }, 'allow-older': { type: 'boolean', default: false }, 'previous-key-file': { type: 'string' } },
    async run(args, context) {
      if (typeof args['data-dir'] !== 'string') throw new UsageError('--data-dir is required: where to restore.')
      const from = resolve(required(args, 'from'))
      const keyFile = typeof args['key-file'] === 'string' ? args['key-file'] : undefined
      const dataKey = await resolveKeyVault({ env: context.env, ...(keyFile ? { keyFile } : {}), preferKeychain: true }).getDataKey()
      const previous = resolvePreviousKeyVault({ env: context.env, ...(typeof args['previous-key-file'] === 'string' ? { keyFile: args['previous-key-file'] } : {}), keychain: null })
      const previousKey = previous ? await previous.getDataKey() : null
      try {
        const { restoreBackup } = await import('../core/backup/restore')
        const report = await restoreBackup({
          from,
          dataDir: resolve(args['data-dir']),
          replace: args.replace === true,
          allowOlder: args['allow-older'] === true,
          dataKey,
          previousKeys: previousKey ? [previousKey] : [],
          warn: (line) => context.note(`warning: ${line}`),
          logger: cliLogger(),
        })
        if (context.json) return context.out(JSON.stringify(report, null, 2))
        context.out(`Restored ${report.accounts} account(s) into ${resolve(args['data-dir'])}${report.replaced ? ', in place of the store there' : ''} (data key k-${report.keyId}).`)
        if (report.older > 0) context.out(`  ${report.older} device(s) were restored older than the store had seen them, as --allow-older asked.`)
      } finally {
        dataKey.fill(0)
        previousKey?.fill(0)
      }
    },
  },

  inspect: {
    summary: "Show a bundle's metadata (no passphrase, no data key needed).",
    usage: 'irish inspect --file <bundle> [--api <url> | --data-dir <dir>]',
    details: `  --file <bundle>        The *.irishbundle file.
  Read here, without a data key or keychain. With --api or --data-dir, it also names the
  account there with the same phone.`,
    options: { file: { type: 'string' } },
    async run(args, context) {
      const bytes = await readBundleFile(resolve(required(args, 'file')))
      // Without a place to compare with, nothing needs opening: the metadata is readable as it is.
      const result = context.hasTarget
        ? await call(context, 'transfer:inspect', { bundle: bytes.toString('base64') })
        : { meta: toInfo(readBundleMetadata(bytes)), existing: null }
      if (context.json) return context.out(JSON.stringify(result, null, 2))
      context.out(describeBundle(result.meta))
      if (result.existing) context.out(`  Here already: "${result.existing.label}" (${result.existing.id}, ${result.existing.status}).`)
    },
  },
} satisfies Record<CliVerb | OfflineVerb, CommandSpec>

const COMMANDS: Readonly<Record<string, CommandSpec | undefined>> = VERBS

/** Warnings and worse, to stderr: stdout carries the command's output. */
function cliLogger(): Logger {
  return pino({ level: 'warn' }, pino.destination(2))
}

function globalUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  const lines = Object.entries(VERBS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`)
  return `Usage: npm run irish -- <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL_HELP}\n\nExit codes: 0 ok, 1 error, 64 usage error.`
}

function commandUsage(name: string, spec: CommandSpec): string {
  return `Usage: ${spec.usage}\n\n${spec.summary}\n\n${spec.details ? `${spec.details}\n\n` : ''}${GLOBAL_HELP}`
}

async function call<C extends CommandName>(context: Context, command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  return (await context.target()).call(command, input)
}

/** An ISO date-time, or an age before `now` ("30m", "12h", "7d"), as epoch milliseconds. */
export function parseWhen(text: string, now: number, flag: string): number {
  const age = /^(\d+)\s*([smhd])$/.exec(text.trim())
  if (age) return now - Number(age[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd']
  const at = Date.parse(text)
  if (Number.isNaN(at)) throw new UsageError(`${flag} is an ISO date-time (2025-05-01T12:00Z) or an age such as 30m, 12h or 7d.`)
  return at
}

function required(args: Record<string, string | boolean | undefined>, name: string): string {
  const value = args[name]
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required.`)
  return value
}

function fileOption(args: Record<string, string | boolean | undefined>): { file?: string } {
  const file = args['passphrase-file']
  return typeof file === 'string' ? { file } : {}
}

async function serverToken(args: Record<string, string | boolean | undefined>, env: Context['env']): Promise<string> {
  if (typeof args['server-token'] === 'string' && args['server-token'] !== '') return args['server-token']
  const file = args['server-token-file']
  if (typeof file === 'string') {
    const token = (await readFile(file, 'utf8').catch(() => {
      throw new UsageError(`The token file ${file} cannot be read.`)
    })).trim()
    if (token === '') throw new UsageError(`The token file ${file} is empty.`)
    return token
  }
  const fromEnv = env[SERVER_TOKEN_ENV]
  if (fromEnv) return fromEnv
  throw new UsageError(`Give the other server's token: ${SERVER_TOKEN_ENV}, --server-token-file <f> or --server-token <t>.`)
}

async function openOutput(path: string, force: boolean) {
  try {
    return await open(path, force ? 'w' : 'wx', 0o600)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'EEXIST') throw new AppError('conflict', `${path} already exists. Choose another --out, or pass --force to overwrite it.`)
    throw new AppError('unavailable', `${path} cannot be written (${typeof code === 'string' ? code : 'error'}).`)
  }
}

async function readBundleFile(path: string): Promise<Buffer> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new AppError(code === 'ENOENT' ? 'not-found' : 'unavailable', `${path} cannot be read (${typeof code === 'string' ? code : 'error'}).`)
  }
  // Checked before reading: a wrong file (a disk image, say) should not be loaded into memory first.
  if (size > MAX_BUNDLE_BYTES) {
    throw new AppError('payload-too-large', `${path} is ${(size / 2 ** 20).toFixed(1)} MiB; a session bundle is at most ${MAX_BUNDLE_BYTES / 2 ** 20} MiB.`)
  }
  return readFile(path)
}

function describeAccount(a: AccountSummary): string {
  const moved = a.status === 'moved' && a.movedTo ? ` -> ${a.movedTo.target}` : ''
  return `${a.id}  ${a.status}${moved}  ${a.phone ? `+${a.phone}` : '(not paired)'}  "${a.label}"`
}

function describeBundle(meta: BundleInfo): string {
  const keys = Object.values(meta.keyCounts).reduce((x, y) => x + y, 0)
  const copy = meta.exportMode === 'copy' ? '\n  Warning: exported as a copy, so the account may still be running where it came from. Stop it there first; two running copies break the session.' : ''
  return `Bundle v${meta.version}: ${meta.accountName ? `"${meta.accountName}" ` : ''}${meta.accountPhone ?? '(no phone)'}, exported ${meta.exportedAt} by Irish ${meta.appVersion}, ${keys} keys.${copy}`
}

function kib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}

export async function main(argv: string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined
    process.stdout.write(`${topic && rest[0] ? commandUsage(rest[0], topic) : globalUsage()}\n`)
    return first === undefined ? 64 : 0
  }
  // Two-word verbs (tokens add, tokens list, tokens revoke) before one-word ones.
  const pair = rest[0] !== undefined ? `${first} ${rest[0]}` : null
  const name = pair !== null && COMMANDS[pair] ? pair : first
  const args = name === pair ? rest.slice(1) : rest
  const spec = COMMANDS[name]
  if (!spec) {
    const family = Object.keys(COMMANDS).filter((verb) => verb.startsWith(`${first} `))
    process.stderr.write(
      family.length > 0 ? `"${first}" needs one of: ${family.map((verb) => verb.slice(first.length + 1)).join(', ')}.\n\n${globalUsage()}\n` : `Unknown command "${first}".\n\n${globalUsage()}\n`,
    )
    return 64
  }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...spec.options }, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${commandUsage(name, spec)}\n`)
    return 64
  }
  if (values.help === true) {
    process.stdout.write(`${commandUsage(name, spec)}\n`)
    return 0
  }

  let target: Target | null = null
  const context: Context = {
    env,
    hasTarget: values.api !== undefined || values['data-dir'] !== undefined,
    json: values.json === true,
    out: (line) => void process.stdout.write(`${line}\n`),
    note: (line) => void process.stderr.write(`${line}\n`),
    async target() {
      if (target) return target
      if (values.api !== undefined && values['data-dir'] !== undefined) throw new UsageError('Give --api or --data-dir, not both.')
      target = await openTarget({
        env,
        ...(typeof values.api === 'string' ? { api: values.api } : {}),
        ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
        ...(typeof values['key-file'] === 'string' ? { keyFile: values['key-file'] } : {}),
      })
      return target
    },
  }
  try {
    await spec.run(values, context)
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${commandUsage(name, spec)}\n`)
      return 64
    }
    // An AppError's message is written for a person; anything else is a bug and gets its stack.
    process.stderr.write(isAppError(error) ? `error: ${error.message}\n` : `error: ${String((error as Error)?.stack ?? error)}\n`)
    return 1
  } finally {
    const opened = target as Target | null
    await opened?.close()
  }
}

// Run only as the entry point, so tests can import main().
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), process.env).then(
    // exitCode, not exit(): stdout may be a pipe that is still flushing.
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`error: ${String(error)}\n`)
      process.exit(1)
    },
  )
}
