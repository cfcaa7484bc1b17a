// A proxy URL at rest: the whole URL sealed with the data key, bound by its additional data to the
// account it belongs to (or to the settings' default), beside the form that may be shown (password as
// ***). Main process, Electron-free. Never log a URL this module opens.

import { accountProxyAad, defaultProxyAad } from '../crypto/aad'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { redactProxyUrl } from '../../../shared/proxy'
import type { StoredProxy } from '../accounts/account-repository'
import type { Sealer } from '../crypto/sealer'

/** Where a sealed proxy URL belongs: an account, or the default for new accounts in the settings. */
export type ProxyPlace = { account: AccountId } | 'default'

function aad(place: ProxyPlace): Buffer {
  return place === 'default' ? defaultProxyAad() : accountProxyAad(place.account)
}

export interface ProxySecrets {
  seal(place: ProxyPlace, url: string): StoredProxy
  /** The whole URL; storage-corrupt naming the place when the sealed value does not open. */
  open(place: ProxyPlace, sealed: Uint8Array): string
}

export function proxySecrets(sealer: Sealer): ProxySecrets {
  return {
    seal: (place, url) => ({ shown: redactProxyUrl(url), sealed: sealer.seal(Buffer.from(url, 'utf8'), aad(place)) }),
    open(place, sealed) {
      try {
        return sealer.open(sealed, aad(place)).toString('utf8')
      } catch (err) {
        const where = place === 'default' ? 'The default proxy' : `The proxy of account ${place.account}`
        // Never connect directly instead: the account stays down until its proxy is set again.
        throw new AppError('storage-corrupt', `${where} cannot be decrypted; set it again (the account does not connect without it).`, { cause: err })
      }
    },
  }
}
