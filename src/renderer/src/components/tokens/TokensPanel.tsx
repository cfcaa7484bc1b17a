// The Tokens section of Settings, for admins (docs/security.md, "Roles"): every API token with its role and
// accounts (never the token itself), a form that adds one and shows it this once, and a revoke that
// refuses it from then on on every server of a fleet and closes its open event streams.

import { useId, useState, type FormEvent } from 'react'
import { ROLE_ABILITIES, ROLES, type Role, type TokenSummary } from '../../../../shared/contract'
import { errorMessage } from '../../api/api-error'
import { useAddToken, useRevokeToken, useTokens } from '../../api/token-hooks'
import { formatDateTime } from '../../lib/time'
import { ConfirmDialog } from '../ConfirmDialog'
import { SecretOnce } from '../SecretOnce'
import { ErrorState, Loading } from '../States'

export function TokensPanel() {
  const list = useTokens()
  const revoke = useRevokeToken()
  const [revoking, setRevoking] = useState<TokenSummary | null>(null)

  return (
    <section className="panel" aria-labelledby="tokens-heading">
      <h3 id="tokens-heading">API tokens</h3>
      <p>Each person or system gets a token of its own, with a role. The audit trail names the token behind every command.</p>
      {list.isPending && <Loading what="the tokens" />}
      {list.isError && <ErrorState what="the tokens" error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="API tokens">
          <table className="activity-table">
            <caption className="visually-hidden">API tokens, their roles and accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Accounts</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((token) => (
                <tr key={token.name}>
                  <td>{token.name}</td>
                  <td>{token.role}</td>
                  <td>{token.accounts ? token.accounts.join(', ') : 'Every account'}</td>
                  <td>{token.createdAt === null ? 'Built in' : formatDateTime(token.createdAt)}</td>
                  <td>
                    {token.builtIn ? (
                      <span className="muted">Set where the server starts</span>
                    ) : (
                      <button type="button" className="danger-quiet" onClick={() => setRevoking(token)} aria-label={`Revoke ${token.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddTokenForm />
      {revoking && (
        <ConfirmDialog title={`Revoke ${revoking.name}?`} confirmLabel="Revoke token" onConfirm={() => revoke.mutateAsync(revoking.name)} onClose={() => setRevoking(null)}>
          <p>
            Whoever holds <strong>{revoking.name}</strong> is refused from now on, on every server, and its open event streams close.
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}

function AddTokenForm() {
  const add = useAddToken()
  const ids = { name: useId(), accounts: useId(), heading: useId() }
  const [name, setName] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  const [accounts, setAccounts] = useState('')
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null)

  function submit(event: FormEvent): void {
    event.preventDefault()
    setCreated(null)
    const limited = accounts
      .split(/[\s,]+/)
      .map((id) => id.trim())
      .filter((id) => id !== '')
    add.mutate(
      { name: name.trim(), role, ...(limited.length > 0 && role !== 'admin' ? { accounts: limited } : {}) },
      {
        onSuccess: (result) => {
          setCreated({ name: result.name, token: result.token })
          setName('')
          setAccounts('')
        },
      },
    )
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={ids.heading}>
      <h4 id={ids.heading}>Add a token</h4>
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} value={name} autoComplete="off" spellCheck={false} placeholder="alice" onChange={(e) => setName(e.target.value)} />
        <p className="hint">Who holds it: lower-case letters, digits, dots, dashes or underscores.</p>
      </div>
      <fieldset className="choice">
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r} className="check">
            <input type="radio" name="token-role" checked={role === r} onChange={() => setRole(r)} />
            <span>
              <strong>{r}</strong> <span className="muted">{ROLE_ABILITIES[r]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={ids.accounts}>Limited to accounts (optional)</label>
        <input id={ids.accounts} value={accounts} spellCheck={false} placeholder="Empty: every account" disabled={role === 'admin'} onChange={(e) => setAccounts(e.target.value)} />
        <p className="hint">Account ids, separated by commas. Any other account is hidden from the token. An admin token sees every account.</p>
      </div>
      {add.isError && (
        <p className="inline-error" role="alert">
          {errorMessage(add.error)}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={add.isPending}>
          {add.isPending ? 'Adding…' : 'Add token'}
        </button>
      </div>
      {created && (
        <SecretOnce label="New API token" secret={created.token} copyLabel="Copy token">
          Added <strong>{created.name}</strong>. The token is shown this once: hand it over now. Only its hash is kept.
        </SecretOnce>
      )}
    </form>
  )
}
