// In-process CPU profiling for benchmark phases (node:inspector), so a missed target can be traced to
// the part that dominates: self time grouped by package (or by project file), and the top functions.
// Writes the raw .cpuprofile too, for Chrome DevTools or speedscope.

import { mkdirSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface PhaseProfiler {
  /** Profiles `work`; writes `<dir>/<name>.cpuprofile` and prints the summary. */
  run<T>(name: string, work: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

export async function createPhaseProfiler(dir: string): Promise<PhaseProfiler> {
  // Made up front: finding out that the folder is missing only after the phase ran wastes the run.
  mkdirSync(dir, { recursive: true })
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  // 1 ms: fine enough for phases of a few seconds, small enough not to skew them much.
  await session.post('Profiler.setSamplingInterval', { interval: 1000 })
  return {
    async run(name, work) {
      await session.post('Profiler.start')
      try {
        return await work()
      } finally {
        const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile }
        const file = join(dir, `${name}.cpuprofile`)
        writeFileSync(file, JSON.stringify(profile))
        printSummary(name, profile, file)
      }
    },
    async close() {
      await session.post('Profiler.disable')
      session.disconnect()
    },
  }
}

function where(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`
  const inModules = url.lastIndexOf('node_modules/')
  if (inModules >= 0) {
    const parts = url.slice(inModules + 'node_modules/'.length).split('/')
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!
  }
  if (url.startsWith('node:')) return url
  const src = url.indexOf('/src/')
  return src >= 0 ? url.slice(src + 1) : url
}

function printSummary(name: string, profile: Profile, file: string): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const byPlace = new Map<string, number>()
  const byFunction = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame
    const place = where(frame.url, frame.functionName)
    byPlace.set(place, (byPlace.get(place) ?? 0) + us)
    const fn = `${frame.functionName || '(anonymous)'} (${place}:${frame.lineNumber + 1})`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  }
  const top = (map: Map<string, number>, n: number): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `    ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
  console.log(`\n== CPU profile of "${name}": ${(total / 1000).toFixed(0)} ms sampled, self time (${file})`)
  console.log('  by package or file:')
  for (const line of top(byPlace, 12)) console.log(line)
  console.log('  by function:')
  for (const line of top(byFunction, 12)) console.log(line)
}
