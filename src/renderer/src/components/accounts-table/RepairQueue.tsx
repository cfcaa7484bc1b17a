// Logged-out accounts paired again one at a time, never as a batch of QR codes nobody watches: before
// each, the operator is asked (with its number, so the right phone is at hand) and may skip it or stop;
// then the account starts and its pairing dialog shows its QR codes until it is paired or closed.

import { useRef, useState } from 'react'
import type { AccountSummary } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { errorMessage } from '../../api/api-error'
import { useBulkAccountAction } from '../../api/hooks'
import { formatPhone } from '../../lib/status'
import { Dialog } from '../Dialog'
import { PairingDialog } from '../PairingDialog'

export function RepairQueue({ ids, accounts, onDone }: { ids: readonly AccountId[]; accounts: ReadonlyMap<AccountId, AccountSummary>; onDone: () => void }) {
  const [index, setIndex] = useState(0)
  const [pairing, setPairing] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const startRef = useRef<HTMLButtonElement>(null)
  const run = useBulkAccountAction()
  const id = ids[index]
  if (id === undefined) return null
  const account = accounts.get(id)
  const step = `${index + 1} of ${ids.length}`
  const next = (): void => {
    setPairing(false)
    setProblem(null)
    if (index + 1 >= ids.length) onDone()
    else setIndex(index + 1)
  }

  if (pairing) return <PairingDialog key={id} accountId={id} step={ids.length > 1 ? step : undefined} onClose={next} />

  async function start(): Promise<void> {
    setStarting(true)
    setProblem(null)
    try {
      const [result] = await run([id!], 'start')
      if (result && !result.ok) setProblem(result.error?.message ?? 'It could not be started.')
      else setPairing(true)
    } catch (error) {
      setProblem(errorMessage(error))
    } finally {
      setStarting(false)
    }
  }

  const label = account?.label ?? id
  return (
    <Dialog key={id} title={`Pair ${label} again${ids.length > 1 ? ` (${step})` : ''}`} onClose={onDone} size="small" initialFocus={startRef} busy={starting}>
      <p>
        Have the phone {account?.phone ? <strong>{formatPhone(account.phone)}</strong> : 'that owns the number'} at hand: its QR code shows as soon
        as pairing starts, and expires if nobody scans it.
      </p>
      {problem && (
        <p className="inline-error" role="alert">
          {problem}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onDone} disabled={starting}>
          {ids.length > 1 ? 'Stop here' : 'Cancel'}
        </button>
        {ids.length > 1 && (
          <button type="button" onClick={next} disabled={starting}>
            Skip this one
          </button>
        )}
        <button type="button" className="primary" ref={startRef} onClick={() => void start()} disabled={starting}>
          {starting ? 'Starting…' : 'Start pairing'}
        </button>
      </div>
    </Dialog>
  )
}
