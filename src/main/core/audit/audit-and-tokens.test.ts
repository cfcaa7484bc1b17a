// The token registry and the audit trail over both of their adapters, on real databases: an encrypted
// SQLite file, and a throwaway PostgreSQL cluster where two registries stand for two servers of a fleet.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AccountId } from '../../../shared/ids'
import { describePostgres, usePostgresCluster } from '../../../../test/support/postgres-suite'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import { openPostgres, type OpenedPostgres } from '../db/postgres/open-postgres'
import { silentLogger } from '../logger'
import { createTokenRegistry, type TokenRegistry, type TokenRows } from '../tokens/token-registry'
import { pgTokenRows } from '../tokens/pg-token-rows'
import { sqliteTokenRows } from '../tokens/sqlite-token-rows'
import { createAuditTrail, type AuditRows } from './audit-trail'
import { pgAuditRows } from './pg-audit-rows'
import { sqliteAuditRows } from './sqlite-audit-rows'

const A = 'acc-aaaaaaaaaa' as AccountId
const B = 'acc-bbbbbbbbbb' as AccountId
const DAY = 24 * 60 * 60 * 1000
const logger = silentLogger()

function registry(rows: TokenRows, refreshMs: number | null = null): Promise<TokenRegistry> {
  return createTokenRegistry({ rows, builtIn: 'server-own-token-0123456789abcdef', accountExists: (id) => id === A || id === B, refreshMs, logger })
}

function describeStorage(name: string, open: () => Promise<{ tokens: () => TokenRows; audit: () => AuditRows; close(): Promise<void> }>): void {
  describe(`tokens and audit on ${name}`, () => {
    let store: Awaited<ReturnType<typeof open>>
    beforeEach(async () => {
      store = await open()
    })
    afterEach(async () => {
      await store.close()
    })

    it('adds a token once, knows it only by its hash, and forgets it on revoke', async () => {
      const tokens = await registry(store.tokens())
      const added = await tokens.add({ name: 'alice', role: 'operator', accounts: [A] })
      expect(added).toEqual({ name: 'alice', role: 'operator', accounts: [A], token: expect.stringMatching(/^irish_/) })
      expect(await tokens.authenticate(added.token)).toMatchObject({ name: 'alice', role: 'operator', accounts: new Set([A]) })
      expect(await tokens.authenticate('server-own-token-0123456789abcdef')).toEqual({ name: 'default', role: 'admin', accounts: null })
      expect(await tokens.authenticate(`${added.token}x`)).toBeNull()
      const listed = await tokens.list()
      expect(listed.map((t) => [t.name, t.role, t.builtIn])).toEqual([
        ['default', 'admin', true],
        ['alice', 'operator', false],
      ])
      expect(JSON.stringify(listed)).not.toContain(added.token)
      expect(JSON.stringify(await store.tokens().all())).not.toContain(added.token.slice(6))

      await expect(tokens.add({ name: 'alice', role: 'viewer' })).rejects.toMatchObject({ code: 'conflict' })
      await expect(tokens.add({ name: 'bob', role: 'viewer', accounts: ['acc-nowhere' as AccountId] })).rejects.toMatchObject({ code: 'not-found' })
      await expect(tokens.revoke('default')).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('IRISH_API_TOKEN') })
      await expect(tokens.revoke('nobody')).rejects.toMatchObject({ code: 'not-found' })

      const revoked: string[] = []
      tokens.onRevoked((identity) => revoked.push(identity.name))
      await tokens.revoke('alice')
      expect(revoked).toEqual(['alice'])
      expect(await tokens.authenticate(added.token)).toBeNull()
      tokens.close()
    })

    it('a second registry on the same rows (another server) refuses a token revoked by the first at its next read', async () => {
      const one = await registry(store.tokens(), 20)
      const two = await registry(store.tokens(), 20)
      const added = await one.add({ name: 'carol', role: 'viewer' })
      // Added on the first, accepted by the second before its next read.
      const seen = await two.authenticate(added.token)
      expect(seen?.name).toBe('carol')
      const revokedOnTwo = new Promise<string>((resolve) => two.onRevoked((identity) => resolve(identity.name)))
      await one.revoke('carol')
      expect(await revokedOnTwo).toBe('carol')
      expect(await two.authenticate(added.token)).toBeNull()
      one.close()
      two.close()
    })

    it('batches audit entries, lists them newest first by filter, and prunes by age', async () => {
      let clock = 10 * DAY
      let retention = 90
      const trail = createAuditTrail({ rows: store.audit(), server: 'srv-test', logger, retentionDays: () => retention, now: () => clock })
      const written = [
        trail.record({ actor: 'alice', command: 'accounts:start', accounts: [A], result: 'ok', subject: null }),
        trail.record({ actor: 'bob', command: 'accounts:stop', accounts: [B], result: 'forbidden', subject: null }),
        trail.record({ actor: 'alice', command: 'tokens:revoke', accounts: [], result: 'ok', subject: 'bob' }),
      ]
      await Promise.all(written)
      clock += DAY
      await trail.record({ actor: 'alice', command: 'accounts:start', accounts: [A, B], result: 'not-found', subject: null })
      const all = await trail.list({ limit: 10 })
      expect(all.map((e) => [e.actor, e.command, e.result])).toEqual([
        ['alice', 'accounts:start', 'not-found'],
        ['alice', 'tokens:revoke', 'ok'],
        ['bob', 'accounts:stop', 'forbidden'],
        ['alice', 'accounts:start', 'ok'],
      ])
      expect(all[0]).toEqual({ at: 11 * DAY, actor: 'alice', command: 'accounts:start', accounts: [A, B], result: 'not-found', server: 'srv-test', subject: null })
      expect(all[1]!.subject).toBe('bob')
      expect((await trail.list({ actor: 'alice', command: 'accounts:start', limit: 10 })).length).toBe(2)
      expect((await trail.list({ since: 11 * DAY, limit: 10 })).length).toBe(1)
      expect((await trail.list({ until: 11 * DAY, limit: 10 })).length).toBe(3)
      expect((await trail.list({ limit: 1 })).length).toBe(1)
      await trail.close()

      // A day later, with a retention of one day: the first three are past it, the last one is not.
      clock += DAY
      retention = 1
      const pruning = createAuditTrail({ rows: store.audit(), server: 'srv-test', logger, retentionDays: () => retention, now: () => clock })
      await expect.poll(async () => (await pruning.list({ limit: 10 })).length).toBe(1)
      await pruning.close()
    })
  })
}

describeStorage('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'irish-audit-'))
  const database: OpenedDatabase = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
  return {
    tokens: () => sqliteTokenRows(database.sqlite),
    audit: () => sqliteAuditRows(database.sqlite),
    async close() {
      database.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

describePostgres('PostgreSQL', () => {
  const ref = usePostgresCluster()
  describeStorage('PostgreSQL', async () => {
    const database: OpenedPostgres = await openPostgres({ url: await ref.cluster.createDatabase(), dataKey: randomBytes(32), logger })
    return {
      tokens: () => pgTokenRows(database.pool),
      audit: () => pgAuditRows(database.pool),
      close: () => database.close(),
    }
  })
})
