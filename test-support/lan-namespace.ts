/**
 * Test support: a private network namespace where mDNS can be exercised without a single packet
 * leaving the machine, with an independent mDNS implementation in it (Avahi: avahi-daemon on a
 * private D-Bus, queried with avahi-browse).
 *
 * The namespace is held by a `sleep` started with `unshare -n -m`; every other process joins it
 * with `nsenter`, so this test process (outside) keeps its own network and owns every child by
 * pid. Inside: loopback up with multicast and the 224.0.0.0/4 route, and a veth pair whose one end
 * has a documentation-range address, so announced services carry an A record (as on a real LAN).
 * /run/avahi-daemon is a private tmpfs, so another test's daemon never collides with this one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The address of the namespace's one "LAN" interface (RFC 5737 TEST-NET-2, never routed). */
export const LAN_ADDRESS = '198.51.100.10'

const SETUP = [
  'ip link set lo up',
  'ip link set lo multicast on',
  'ip route add 224.0.0.0/4 dev lo',
  'ip link add lan0 type veth peer name lan1',
  `ip addr add ${LAN_ADDRESS}/24 dev lan0`,
  'ip link set lan1 up',
  'ip link set lan0 up',
  'mkdir -p /run/avahi-daemon',
  'mount -t tmpfs tmpfs /run/avahi-daemon',
  'echo ready',
  'exec sleep 600'
].join(' && ')

const DBUS_CONFIG = (
  socket: string
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`

// Only loopback carries multicast here; Avahi publishes nothing of its own (no host name
// records that could clash with the announcer's).
const AVAHI_CONFIG = `[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=no
publish-hinfo=no
publish-workstation=no
publish-domain=no
disable-publishing=yes
`

/** Why this machine cannot run the namespace tests, or undefined when it can. */
export function namespaceUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux network namespaces (this is ${process.platform})`
  for (const tool of ['unshare', 'nsenter', 'ip', 'avahi-daemon', 'avahi-browse', 'dbus-daemon']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      return `${tool} is not installed (apt-get install util-linux iproute2 avahi-daemon avahi-utils dbus-daemon)`
    }
  }
  const probe = spawnSync(
    'unshare',
    ['-n', '-m', 'sh', '-c', 'ip link set lo up && ip link add t0 type veth peer name t1'],
    {
      encoding: 'utf8'
    }
  )
  if (probe.status !== 0) {
    return `cannot make a private network namespace here (unshare -n: ${probe.stderr.trim() || probe.status})`
  }
  return undefined
}

export interface BrowsedService {
  name: string
  host: string
  address: string
  port: number
  txt: Record<string, string>
}

export interface LanNamespace {
  /** Starts `command` inside the namespace; the caller may kill it, close() kills it anyway. */
  spawn(command: string, args: string[], env?: Record<string, string>): ChildProcess
  /** Runs to completion inside the namespace (bounded by `timeoutMs`). */
  run(command: string, args: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string }>
  /** What avahi-browse resolves for `_parley._tcp` right now. */
  browse(): Promise<BrowsedService[]>
  /** Polls browse() until `until` holds, for at most `timeoutMs`; resolves with the last answer. */
  browseUntil(until: (services: BrowsedService[]) => boolean, timeoutMs?: number): Promise<BrowsedService[]>
  close(): Promise<void>
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (pattern.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited (${code}): ${output}`))
    })
  })
}

/** avahi-browse -p escapes bytes as \DDD (decimal) and ';' / '\' with a backslash. */
function unescapeAvahi(text: string): string {
  return text.replace(/\\(\d{3}|.)/g, (_, code: string) =>
    code.length === 3 ? String.fromCharCode(Number(code)) : code
  )
}

function splitFields(line: string): string[] {
  const fields: string[] = []
  let current = ''
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!
    if (char === '\\' && i + 1 < line.length) {
      current += char + line[i + 1]
      i++
    } else if (char === ';') {
      fields.push(current)
      current = ''
    } else current += char
  }
  fields.push(current)
  return fields
}

/** `"k=v" "k2=v2"` → { k: 'v', k2: 'v2' } */
function parseTxt(field: string): Record<string, string> {
  const txt: Record<string, string> = {}
  for (const match of field.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const entry = unescapeAvahi(match[1]!)
    const eq = entry.indexOf('=')
    if (eq === -1) txt[entry] = ''
    else txt[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return txt
}

export function parseAvahiBrowse(stdout: string): BrowsedService[] {
  const services: BrowsedService[] = []
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('=;')) continue
    const fields = splitFields(line)
    // =;iface;proto;name;type;domain;host;address;port;txt
    if (fields[4] !== '_parley._tcp') continue
    services.push({
      name: unescapeAvahi(fields[3]!),
      host: unescapeAvahi(fields[6]!),
      address: fields[7]!,
      port: Number(fields[8]),
      txt: parseTxt(fields[9] ?? '')
    })
  }
  return services
}

export async function startLanNamespace(): Promise<LanNamespace> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-netns-'))
  const children = new Set<ChildProcess>()
  const holder = spawn('unshare', ['-n', '-m', 'sh', '-c', SETUP], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(holder)
  const busSocket = join(dir, 'system_bus_socket')
  const busEnv = { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${busSocket}` }

  function inside(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn('nsenter', ['-t', String(holder.pid), '-n', '-m', '--', command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...busEnv, ...env }
    })
    children.add(child)
    child.once('exit', () => children.delete(child))
    return child
  }

  async function close(): Promise<void> {
    // The holder last: once every process in it is gone the namespace goes with it.
    for (const child of [...children].reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGKILL')
        await gone
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await waitFor(holder, /ready/, 'the network namespace')
    const dbusConfig = join(dir, 'dbus.conf')
    writeFileSync(dbusConfig, DBUS_CONFIG(busSocket))
    const avahiConfig = join(dir, 'avahi.conf')
    writeFileSync(avahiConfig, AVAHI_CONFIG)
    const bus = inside('dbus-daemon', [
      `--config-file=${dbusConfig}`,
      '--nofork',
      '--nopidfile',
      '--print-address'
    ])
    await waitFor(bus, /unix:path=/, 'dbus-daemon')
    const avahi = inside('avahi-daemon', ['--no-drop-root', '--no-chroot', '--no-rlimits', '-f', avahiConfig])
    await waitFor(avahi, /Server startup complete/, 'avahi-daemon')
  } catch (error) {
    await close()
    throw error
  }

  const run: LanNamespace['run'] = (command, args, timeoutMs = 10_000) =>
    new Promise((resolve) => {
      const child = inside(command, args)
      let stdout = ''
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      child.once('exit', (code) => {
        clearTimeout(timer)
        resolve({ code, stdout })
      })
    })

  const browse = async () =>
    parseAvahiBrowse((await run('avahi-browse', ['-r', '-t', '-p', '_parley._tcp'])).stdout)

  return {
    spawn: inside,
    run,
    browse,
    async browseUntil(until, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      let services = await browse()
      while (!until(services) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 300))
        services = await browse()
      }
      return services
    },
    close
  }
}
