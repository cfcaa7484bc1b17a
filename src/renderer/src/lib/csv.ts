// CSV as spreadsheets read it (RFC 4180): fields with commas, quotes or line breaks quoted, quotes
// doubled, CRLF between rows. A cell that starts like a formula (=, +, -, @, tab, CR) gets a leading
// apostrophe, so a label such as "=HYPERLINK(…)" opens as text, never as a formula (CSV injection).

const FORMULA = /^[=+\-@\t\r]/

export function csvCell(value: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function toCsv(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
