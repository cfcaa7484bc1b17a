// Counts in words: "1 account", "2 accounts", "1,204 accounts" (the number as the browser's locale writes it).

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`
}
