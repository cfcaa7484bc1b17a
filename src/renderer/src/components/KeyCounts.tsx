// How many Signal keys of each type an account's store holds (from accounts:health, refreshed while shown).

import type { AccountId } from '../../../shared/ids'
import { useHealth } from '../api/hooks'
import { EmptyState, ErrorState, Loading } from './States'

export function KeyCounts({ id, caption }: { id: AccountId; caption: string }) {
  const health = useHealth(id)
  if (health.isPending) return <Loading what="key counts" />
  if (health.isError) return <ErrorState what="the key counts" error={health.error} onRetry={() => void health.refetch()} />
  const entries = Object.entries(health.data.keyCounts).sort(([a], [b]) => a.localeCompare(b))
  return <KeyTypeTable caption={caption} entries={entries} whose="the account" />
}

/**
 * One row per key type with a total: an account's keys, or the keys across all accounts. No keys: the
 * empty state, saying keys appear once `whose` (an account, the account) has been paired.
 */
export function KeyTypeTable({ caption, entries, whose }: { caption: string; entries: ReadonlyArray<[string, number]>; whose: string }) {
  if (entries.length === 0) {
    return (
      <EmptyState title="No keys stored">
        <p>Keys appear once {whose} has been paired.</p>
      </EmptyState>
    )
  }
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  return (
    <table className="data-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key type</th>
          <th scope="col" className="num">
            Keys
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([type, count]) => (
          <tr key={type}>
            <th scope="row">{type}</th>
            <td className="num">{count.toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td className="num">{total.toLocaleString()}</td>
        </tr>
      </tfoot>
    </table>
  )
}
