// The Electron main process: app lifecycle, the window, IPC wiring. Thin on purpose: everything it
// calls is in ../core, which never imports Electron and is tested under Node. This file cannot run on
// machines without the Electron binary (CI here): keep logic out of it.
// Security: contextIsolation, sandbox, no Node in the page, navigation and new windows denied (a passkey
// ceremony link opens the app's own ceremony window instead: passkey-ceremony.ts), every permission
// request denied, every IPC message's sender frame checked.

import { join } from 'node:path'
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron'
import { isAppError } from '../../shared/errors'
import { createCore, type Core, type SimulatorPort } from '../core/create-core'
import { keyFromKeychain, resolveKeyVault, resolvePreviousKeyVault } from '../core/crypto/key-vault'
import { createLogger } from '../core/logger'
import { whatsappOverrideFromEnv } from '../core/whatsapp/endpoint'
import { createEventForwarder, createFrameCheck, registerIpcHandlers } from './ipc'
import { bundlePathFromArgv, readOpenedBundle } from './open-bundle'
import { resolveElectronPaths } from './packaged-paths'
import { createPasskeyCeremony, devServerAssets, diskAssets, type PasskeyCeremony } from './passkey-ceremony'

const logger = createLogger(process.env.IRISH_LOG_LEVEL ?? 'info')
let core: Core | null = null

function rendererOrigin(): { url: string; origin: string } {
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl && !app.isPackaged) return { url: devUrl, origin: new URL(devUrl).origin }
  return { url: join(__dirname, '../renderer/index.html'), origin: 'file://' }
}

let stopSimulator: (() => Promise<void>) | null = null

/** IRISH_SIMULATOR=1: the local simulator in this process, as the server's --simulator (demos, e2e). */
async function startLocalSimulator(dataDir: string): Promise<SimulatorPort> {
  // Imported only when asked for: the simulator is test and demo code.
  const { startSimulator, startSimulatorAdmin } = await import('../../simulator/index')
  const { embeddedSimulatorPort } = await import('../embedded-simulator')
  const sim = await startSimulator({ port: 0, statePath: join(dataDir, 'simulator-state.json') })
  const admin = await startSimulatorAdmin(sim, { port: 0 })
  stopSimulator = async () => {
    await admin.close()
    await sim.close()
  }
  return embeddedSimulatorPort(sim, admin.url)
}

async function openCore(): Promise<Core> {
  // The OS's app-data folder (userData), unless --user-data-dir names another (the e2e specs do).
  const dataDir = app.getPath('userData')
  // The SQLite binary and the migrations, in the project or under resources/ when packaged (throws the
  // storage layer's clear error when a packaged file is missing).
  const paths = resolveElectronPaths({
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    env: process.env,
    isPackaged: app.isPackaged,
    platform: process.platform,
    arch: process.arch,
  })
  const keyVault = resolveKeyVault({ env: process.env, preferKeychain: true })
  const simulator = process.env.IRISH_SIMULATOR === '1' ? await startLocalSimulator(dataDir) : undefined
  const whatsappOverride = simulator ? { url: simulator.url, trustedRootKey: simulator.rootKeyHex } : whatsappOverrideFromEnv(process.env)
  return createCore({
    dataDir,
    keyVault,
    // A rotation of the keychain key left unfinished (irish rotate-key): the old key is read too.
    previousKeyVault: resolvePreviousKeyVault({ env: process.env, keychain: keyFromKeychain(process.env) ? {} : null }),
    logger,
    appVersion: app.getVersion(),
    migrationsFolder: paths.migrationsFolder,
    sqliteBinding: paths.sqliteBinding,
    ...(simulator ? { simulator } : {}),
    ...(whatsappOverride ? { whatsappOverride } : {}),
  })
}

let mainWindow: BrowserWindow | null = null
/** A bundle the OS asked us to open before the core was ready (macOS sends open-file before ready). */
let pendingBundle: string | null = null

/** Reads an opened .irishbundle and tells the renderer, whose import dialog opens with it. */
function openBundle(path: string): void {
  if (!core) {
    pendingBundle = path
    return
  }
  const opened = core
  readOpenedBundle(path).then(
    (payload) => void opened.events.emit('transfer:bundle-opened', payload),
    (error: unknown) => {
      logger.warn({ err: error }, 'an opened bundle could not be read')
      dialog.showErrorBox('Irish Desktop cannot open the file', isAppError(error) ? error.message : 'The file could not be read.')
    },
  )
}

function restoreWindow(): void {
  if (!mainWindow) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.show()
  mainWindow.focus()
}

// One app per user-data folder: a second start (double-clicking a bundle on Windows/Linux) hands its
// command line to this one and quits.
if (!app.requestSingleInstanceLock()) app.quit()

app.on('second-instance', (_event, argv, workingDirectory) => {
  restoreWindow()
  const bundle = bundlePathFromArgv(argv, workingDirectory)
  if (bundle) openBundle(bundle)
})

// macOS opens documents through this event, also at launch (before ready); preventDefault says we took it.
app.on('open-file', (event, path) => {
  event.preventDefault()
  restoreWindow()
  openBundle(path)
})

let passkeyCeremony: PasskeyCeremony | null = null

/** The ceremony window's page comes from the renderer build, or from its dev server in `npm run dev`. */
function openPasskeyCeremony(opened: Core): PasskeyCeremony {
  const devUrl = process.env.ELECTRON_RENDERER_URL
  passkeyCeremony ??= createPasskeyCeremony({
    electron: { fromPartition: (partition) => session.fromPartition(partition), createWindow: (options) => new BrowserWindow(options) },
    desk: opened.ceremony,
    asset: devUrl && !app.isPackaged ? devServerAssets(devUrl) : diskAssets(join(__dirname, '../renderer')),
    logger,
    parent: () => mainWindow,
  })
  return passkeyCeremony
}

function createWindow(opened: Core): void {
  const renderer = rendererOrigin()
  const isTrustedFrame = createFrameCheck([renderer.origin])
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Irish Desktop',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    openPasskeyCeremony(opened).open(url)
    return { action: 'deny' }
  })
  window.once('ready-to-show', () => window.show())
  mainWindow = window
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null
  })

  const stopForwarding = createEventForwarder({ events: opened.events, ipcMain, webContents: window.webContents, isTrustedFrame })
  window.on('closed', stopForwarding)
  registerIpcHandlers({ ipcMain, dispatch: opened.dispatch, isTrustedFrame, logger })

  if (renderer.origin === 'file://') void window.loadFile(renderer.url)
  else void window.loadURL(renderer.url)
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault())
})

app.whenReady().then(async () => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  try {
    core = await openCore()
  } catch (error) {
    // The database and the key are set up before any window: a failure here gets a clear dialog.
    logger.error({ err: error }, 'start-up failed')
    const message = isAppError(error) ? error.message : 'Irish Desktop could not start. The details are in its log.'
    dialog.showErrorBox('Irish Desktop cannot start', message)
    app.exit(1)
    return
  }
  createWindow(core)
  // Started by opening a bundle: the event waits in the forwarder's queue until the page is ready.
  const bundle = pendingBundle ?? bundlePathFromArgv(process.argv, process.cwd())
  pendingBundle = null
  if (bundle) openBundle(bundle)
  await core.startAccounts()
}, (error: unknown) => logger.error({ err: error }, 'app failed to become ready'))

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let quitting = false
app.on('before-quit', (event) => {
  if (quitting || !core) return
  // Let pending key writes land and sockets close before the process goes.
  event.preventDefault()
  quitting = true
  void core
    .close()
    .then(() => stopSimulator?.())
    .finally(() => app.exit(0))
})
