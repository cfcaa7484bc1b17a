// Where moving sessions between places plugs in: Import on the accounts toolbar, Export on each
// account. Both render nothing until the transfer dialogs exist.
// TODO(#6): export/import dialogs (session bundle to a file or a server, import from a file or a
// useMultiFileAuthState folder) render their buttons from here.

import type { AccountSummary } from '../../../shared/contract'

/** The accounts toolbar's slot, beside "Add account": Import goes here. */
export function TransferToolbar() {
  return null
}

/** Each account's slot, after its lifecycle buttons: Export goes here. */
export function AccountTransferActions(_props: { account: AccountSummary }) {
  return null
}
