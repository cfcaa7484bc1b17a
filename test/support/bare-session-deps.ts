// What a session manager needs beside its accounts, stores, sockets and events, for suites that drive
// one without a core: no proxy, the default send limits (their queue on `database`), a doctor with
// nothing stored, and contacts that keep no LID mapping between runs. Test-only.

import { createContacts } from '../../src/main/core/contacts/contact-book'
import type { OpenedDatabase } from '../../src/main/core/db/open-database'
import { createDoctor } from '../../src/main/core/doctor/doctor'
import { silentLogger } from '../../src/main/core/logger'
import { proxySecrets } from '../../src/main/core/proxy/proxy-secret'
import { DEFAULT_SEND_LIMITS } from '../../src/main/core/sends/limits'
import { createSqliteSendStore } from '../../src/main/core/sends/sqlite-send-store'
import type { SessionManagerDeps } from '../../src/main/core/sessions/session-manager'

export function bareSessionDeps(
  database: OpenedDatabase,
): Pick<SessionManagerDeps, 'logger' | 'proxies' | 'defaultProxyUrl' | 'sends' | 'doctor' | 'contacts' | 'staleSocketSeconds'> {
  return {
    logger: silentLogger(),
    proxies: proxySecrets(database.sealer),
    defaultProxyUrl: () => null,
    sends: { store: createSqliteSendStore(database.sqlite), sealer: database.sealer, defaultLimits: () => DEFAULT_SEND_LIMITS, maxQueue: () => 1000 },
    doctor: createDoctor({ stored: () => null }),
    contacts: createContacts({ store: { load: async () => [], save: () => undefined, forget: () => undefined, settled: async () => undefined }, logger: silentLogger(), now: Date.now }),
    staleSocketSeconds: () => 30,
  }
}
