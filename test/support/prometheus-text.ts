// Reads the Prometheus text format that GET /metrics serves, for assertions: one sample per line,
// `name{label="value",…} number`, comments skipped. Test-only; strict enough that a malformed line fails.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1]!] = label[2]!
    const value = match[3] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[3])
    if (Number.isNaN(value)) throw new Error(`not a number in: ${line}`)
    samples.push({ name: match[1]!, labels, value })
  }
  return samples
}

/** The samples named `name` whose labels include `labels`. */
export function samplesOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
}

/** The one sample named `name` with these labels; throws when there is none or more than one. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(samples, name, labels)
  if (found.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`)
  return found[0]!.value
}

/** A histogram's buckets for these labels, in `le` order (ascending, +Inf last). */
export function bucketsOf(samples: readonly Sample[], name: string, labels: Record<string, string>): Array<{ le: number; count: number }> {
  return samplesOf(samples, `${name}_bucket`, labels)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le)
}

/** GET /metrics with a bearer token (or none): the status and the body. */
export async function scrape(baseUrl: string, token: string | null): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() }
}
